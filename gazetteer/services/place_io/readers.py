"""Reading place files into rows: values by column, a geometry where the format has one, the CRS and
encoding the file declares. No judgement here beyond "can this be read"; rows.py checks the rows.

Row 1 is the first record: the line after a CSV's header, the first feature of a GeoJSON or layer.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.errors
import shapely
from pyproj import CRS

from core.srid import API_SRID
from gazetteer.services.place_io import encodings
from gazetteer.services.place_io.coordinates import parse_crs
from gazetteer.services.place_io.inputs import InputFiles
from gazetteer.services.place_io.report import FileRefused, Refusal

OGR_ERRORS = (
    pyogrio.errors.DataSourceError,
    pyogrio.errors.DataLayerError,
    pyogrio.errors.FieldError,
    pyogrio.errors.GeometryError,
    pyogrio.errors.FeatureError,
    pyogrio.errors.CRSError,
)


@dataclass
class RawRow:
    number: int
    values: dict
    geometry: shapely.Geometry | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    layer: str | None = None


@dataclass
class Dataset:
    format: str
    columns: list[str]
    rows: list[RawRow]
    crs: CRS | None  # as the file declares it
    encoding: str
    native_geometry: bool  # GeoJSON, shapefile, GeoPackage; a CSV carries WKT or lon/lat columns
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-level warnings


def read_dataset(files: InputFiles, *, encoding: str | None = None, layer: str | None = None) -> Dataset:
    if encoding:
        try:
            encoding = encodings.canonical(encoding)
        except encodings.UnknownEncoding as exc:
            raise FileRefused(str(exc), field="encoding") from None
    if files.format == "csv":
        return read_csv(files.datasets[0], encoding)
    if files.format == "geojson":
        return read_geojson(files.datasets[0], encoding)
    if files.format == "gpkg":
        return read_geopackage(files.datasets[0], layer)
    return read_shapefiles(files, encoding)


# ---- CSV -------------------------------------------------------------------------------------------


def read_csv(path: Path, encoding: str | None) -> Dataset:
    try:
        text, used = encodings.decode(path.read_bytes(), encoding)
    except encodings.UnknownEncoding as exc:
        raise FileRefused(f"{path.name}: {exc}", field="encoding") from None
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # a county's WKT runs to megabytes
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    if not any(columns):
        raise FileRefused(f"{path.name} has no header line")
    if len(set(columns)) != len(columns):
        raise FileRefused(f"{path.name}: the header repeats a column name")
    reader.fieldnames = columns
    rows = []
    try:
        for number, record in enumerate(reader, 1):
            row = RawRow(number, {k: v for k, v in record.items() if k is not None})
            if record.get(None):
                row.problems.append(("file", f"{len(record[None])} more cells than the header has columns"))
            rows.append(row)
    except csv.Error as exc:
        raise FileRefused(f"{path.name} line {reader.line_num}: malformed CSV ({exc})") from None
    return Dataset("csv", columns, rows, None, used, native_geometry=False)


# ---- GeoJSON ---------------------------------------------------------------------------------------


def read_geojson(path: Path, encoding: str | None) -> Dataset:
    try:
        text, used = encodings.decode(path.read_bytes(), encoding or "UTF-8")
        document = json.loads(text)
    except encodings.UnknownEncoding as exc:
        raise FileRefused(f"{path.name}: {exc} (GeoJSON is UTF-8, RFC 7946)", field="encoding") from None
    except json.JSONDecodeError as exc:
        raise FileRefused(
            f"{path.name} is malformed GeoJSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    features = _features(document, path.name)
    rows, columns = [], {}
    for number, feature in enumerate(features, 1):
        row = _feature_row(number, feature)
        columns.update(dict.fromkeys(row.values))
        rows.append(row)
    return Dataset("geojson", list(columns), rows, _geojson_crs(document, path.name), used, native_geometry=True)


def _features(document, name: str) -> list:
    kind = document.get("type") if isinstance(document, dict) else type(document).__name__
    if kind == "Feature":
        return [document]
    if kind != "FeatureCollection":
        raise FileRefused(f"{name} is malformed GeoJSON: expected a FeatureCollection, got {kind!r}")
    features = document.get("features")
    if not isinstance(features, list):
        raise FileRefused(f"{name} is malformed GeoJSON: its 'features' member is not a list")
    return features


def _feature_row(number: int, feature) -> RawRow:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return RawRow(number, {}, problems=[("geometry", "not a GeoJSON Feature object")])
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        return RawRow(number, {}, problems=[("properties", "'properties' is not an object")])
    row = RawRow(number, dict(properties))
    if feature.get("geometry") is not None:
        try:
            row.geometry = shapely.geometry.shape(feature["geometry"])
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.GEOSException) as exc:
            row.problems.append(("geometry", f"malformed GeoJSON geometry ({exc or type(exc).__name__})"))
    return row


def _geojson_crs(document: dict, name: str) -> CRS:
    """RFC 7946 GeoJSON is WGS84; a file in the older 2008 form may name another CRS."""
    declared = document.get("crs")
    if not declared:
        return CRS.from_epsg(API_SRID)
    try:
        return parse_crs(declared["properties"]["name"])
    except (KeyError, TypeError):
        raise FileRefused(f"{name}: its 'crs' member names no CRS") from None


# ---- shapefile and GeoPackage (GDAL through pyogrio) -------------------------------------------------


def _read_layer(path: Path, *, layer=None, encoding: str | None = None) -> tuple[dict, list[RawRow]]:
    meta, _, geometries, columns = pyogrio.raw.read(
        path, layer=layer, encoding=encoding, force_2d=True, datetime_as_string=True
    )
    names = [str(n) for n in meta["fields"]]
    shapes = shapely.from_wkb(geometries) if geometries is not None else [None] * len(columns[0] if columns else [])
    rows = []
    for index, geometry in enumerate(shapes):
        values = {name: _python(column[index]) for name, column in zip(names, columns, strict=True)}
        rows.append(RawRow(index + 1, values, geometry))
    return meta, rows


def _python(value):
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _layer_crs(meta: dict, name: str) -> CRS | None:
    if not meta.get("crs"):
        return None
    try:
        return parse_crs(meta["crs"])
    except FileRefused:
        raise FileRefused(f"{name}: its CRS cannot be read; declare crs", kind=Refusal.NO_CRS, field="crs") from None


def read_geopackage(path: Path, layer: str | None) -> Dataset:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(path)]
    except OGR_ERRORS as exc:
        raise FileRefused(f"{path.name} is not a readable GeoPackage ({exc})") from None
    if not layers:
        raise FileRefused(f"{path.name} has no layer")
    if layer is not None and layer not in layers:
        raise FileRefused(f"{path.name} has no layer {layer!r} (layers: {', '.join(layers)})", field="layer")
    chosen = layer or layers[0]
    try:
        meta, rows = _read_layer(path, layer=chosen)
    except OGR_ERRORS as exc:
        raise FileRefused(f"{path.name} layer {chosen}: {exc}") from None
    dataset = Dataset(
        "gpkg",
        [str(n) for n in meta["fields"]],
        rows,
        _layer_crs(meta, path.name),
        "UTF-8",
        native_geometry=True,
        layers=[chosen],
    )
    if len(layers) > 1 and layer is None:
        dataset.notes.append(
            f"the GeoPackage has layers {', '.join(layers)}; read {chosen} (name another with `layer`)"
        )
    return dataset


def read_shapefiles(files: InputFiles, encoding: str | None) -> Dataset:
    """One layer per .shp; rows are numbered within each layer."""
    parts = [_read_shapefile(files, shp, encoding) for shp in files.datasets]
    crss = {p.crs.to_wkt() if p.crs else None for p in parts}
    if len(crss) > 1:
        raise FileRefused("the shapefiles are in different CRSs; import them one at a time")
    columns = list(dict.fromkeys(c for p in parts for c in p.columns))
    layers = [p.layers[0] for p in parts]
    rows = [row for p in parts for row in p.rows]
    if len(parts) > 1:
        for part in parts:
            for row in part.rows:
                row.layer = part.layers[0]
    used = sorted({p.encoding for p in parts})
    return Dataset(
        "shp",
        columns,
        rows,
        parts[0].crs,
        ", ".join(used),
        native_geometry=True,
        layers=layers,
        notes=[n for p in parts for n in p.notes],
    )


def _read_shapefile(files: InputFiles, shp: Path, encoding: str | None) -> Dataset:
    cpg = files.sibling(shp, ".cpg")
    declared = _cpg_encoding(cpg) if cpg else None
    notes = []
    if declared and encoding and declared != encoding:
        notes.append(f"{shp.stem}.cpg says {declared}; that was used, not the {encoding} you named")
    try:
        meta, rows, used = _read_dbf(shp, declared or encoding)
    except OGR_ERRORS as exc:
        raise FileRefused(f"{shp.name} is not a readable shapefile ({exc})") from None
    crs = _layer_crs(meta, shp.name) if files.sibling(shp, ".prj") else None
    return Dataset(
        "shp", [str(n) for n in meta["fields"]], rows, crs, used, native_geometry=True, layers=[shp.stem], notes=notes
    )


def _cpg_encoding(cpg: Path) -> str | None:
    text = cpg.read_text(encoding="ascii", errors="replace").strip()
    if not text:
        return None
    try:
        return encodings.from_cpg(text)
    except encodings.UnknownEncoding:
        raise FileRefused(f"{cpg.name} names an unknown encoding {text!r}", field="encoding") from None


def _read_dbf(shp: Path, encoding: str | None) -> tuple[dict, list[RawRow], str]:
    """Read with the declared encoding, else try UTF-8, GBK, GB18030 strictly (see encodings)."""
    for candidate in [encoding] if encoding else encodings.CANDIDATES:
        try:
            meta, rows = _read_layer(shp, encoding=candidate)
        except UnicodeDecodeError:
            if encoding:
                raise FileRefused(f"{shp.stem}.dbf is not {encoding}", field="encoding") from None
            continue
        texts = [v for row in rows for v in row.values.values()] + [str(n) for n in meta["fields"]]
        if encoding or not encodings.has_replacement(texts):
            return meta, rows, candidate
    raise FileRefused(
        f"{shp.stem}.dbf is neither {' nor '.join(encodings.CANDIDATES)} and has no .cpg: declare its encoding",
        field="encoding",
    )
