"""GeoPackage and shapefile layers, read through core.ogr: the one door to GDAL, which checks each
file's first bytes and opens it with the one driver its kind allows. GDAL's own error text stays in
the server log; a refusal says what the file was expected to be.

A shapefile's texts are read as bytes and decoded here, all with one encoding: its .cpg's, else the
declared one, else the first of UTF-8, GBK, GB18030 in which every text decodes strictly.
"""

from __future__ import annotations

import math
from pathlib import Path

from pyproj import CRS

from core import ogr
from gazetteer.services.place_io import encodings
from gazetteer.services.place_io.coordinates import parse_crs
from gazetteer.services.place_io.dataset import (
    Dataset,
    RawRow,
    bound_cells,
    check_columns,
    check_row_count,
    geometry_columns,
)
from gazetteer.services.place_io.inputs import InputFiles
from gazetteer.services.place_io.report import FileRefused, Refusal

# The layers of the GeoPackage this system exports (writers.write_geopackage), by geometry family.
EXPORT_LAYERS = {
    "point": "places_points",
    "line": "places_lines",
    "polygon": "places_polygons",
    None: "places_no_geometry",
}
RAW_TEXT = "ISO-8859-1"  # the driver hands over the bytes of a dBase text unchanged, as code points 0-255
CPG_MAX_BYTES = 256


def _python(value):
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _read_layer(
    path: Path, kind: str, *, layer: str | None, encoding: str | None, geometry_column: str | None, wanted=None
) -> tuple[list[str], str | None, list[RawRow]]:
    """(field names, CRS as the file gives it, rows), within the limits of dataset.py; the rows keep
    only the ``wanted`` columns (see readers.read_dataset)."""
    try:
        with ogr.open_layer(path, kind, layer=layer, encoding=encoding) as found:
            check_columns(found.fields, path.name)
            if found.length is not None:
                check_row_count(found.length, path.name)
            long_columns = geometry_columns(found.fields, geometry_column)
            keep = wanted(found.fields) if wanted else set(found.fields)
            rows = []
            for number, (values, geometry) in enumerate(found.features, 1):
                check_row_count(number, path.name)
                row = RawRow(number, {k: _python(v) for k, v in values.items() if k in keep}, geometry)
                rows.append(bound_cells(row, long_columns))
            return found.fields, found.crs, rows
    except ogr.UnreadableFile as exc:
        raise FileRefused(exc.message) from None


def _layer_crs(declared: str | None, name: str) -> CRS | None:
    if not declared:
        return None
    try:
        return parse_crs(declared)
    except FileRefused:
        raise FileRefused(f"{name}: its CRS cannot be read; declare crs", kind=Refusal.NO_CRS, field="crs") from None


# ---- GeoPackage ----------------------------------------------------------------------------------------


def read_geopackage(path: Path, layer: str | None = None, geometry_column: str | None = None, wanted=None) -> Dataset:
    """The layer named, else: a GeoPackage this system exported (its layers all EXPORT_LAYERS) whole,
    rows numbered within each layer; another's first layer, with a note naming the others."""
    try:
        layers = ogr.layer_names(path, ogr.GEOPACKAGE)
    except ogr.UnreadableFile as exc:
        raise FileRefused(exc.message) from None
    if not layers:
        raise FileRefused(f"{path.name} has no layer")
    if layer is not None and layer not in layers:
        raise FileRefused(f"{path.name} has no layer {layer!r} (layers: {', '.join(layers)})", field="layer")
    exported = layer is None and len(layers) > 1 and set(layers) <= set(EXPORT_LAYERS.values())
    chosen = layers if exported else [layer or layers[0]]
    columns, crss, rows = [], set(), []
    for name in chosen:
        fields, crs, found = _read_layer(
            path, ogr.GEOPACKAGE, layer=name, encoding=None, geometry_column=geometry_column, wanted=wanted
        )
        columns += [c for c in fields if c not in columns]
        if crs:
            crss.add(crs)
        for row in found:
            row.layer = name if exported else None
        rows += found
        check_row_count(len(rows), path.name)
    if len(crss) > 1:
        raise FileRefused(f"the layers of {path.name} are in different CRSs; import them one at a time (`layer`)")
    crs = _layer_crs(next(iter(crss)), path.name) if crss else None
    dataset = Dataset("gpkg", columns, rows, crs, "UTF-8", native_geometry=True, layers=chosen)
    if len(layers) > 1 and layer is None and not exported:
        dataset.notes.append(
            f"the GeoPackage has layers {', '.join(layers)}; read {chosen[0]} (name another with `layer`)"
        )
    return dataset


# ---- shapefile -----------------------------------------------------------------------------------------


def read_shapefiles(files: InputFiles, encoding: str | None, geometry_column: str | None = None) -> Dataset:
    """One layer per .shp; rows are numbered within each layer."""
    parts = [_read_shapefile(files, shp, encoding, geometry_column) for shp in files.datasets]
    crss = {p.crs.to_wkt() if p.crs else None for p in parts}
    if len(crss) > 1:
        raise FileRefused("the shapefiles are in different CRSs; import them one at a time")
    check_row_count(sum(len(p.rows) for p in parts), "the upload")
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


def _read_shapefile(files: InputFiles, shp: Path, encoding: str | None, geometry_column: str | None) -> Dataset:
    cpg = files.sibling(shp, ".cpg")
    declared = _cpg_encoding(cpg) if cpg else None
    notes = []
    if declared and encoding and declared != encoding:
        notes.append(f"{shp.stem}.cpg says {declared}; that was used, not the {encoding} you named")
    fields, crs, rows = _read_layer(shp, ogr.SHAPEFILE, layer=None, encoding=RAW_TEXT, geometry_column=geometry_column)
    fields, used = _decode(shp, fields, rows, declared or encoding)
    crs = _layer_crs(crs, shp.name) if files.sibling(shp, ".prj") else None
    return Dataset("shp", fields, rows, crs, used, native_geometry=True, layers=[shp.stem], notes=notes)


def _cpg_encoding(cpg: Path) -> str | None:
    with cpg.open("rb") as handle:
        text = handle.read(CPG_MAX_BYTES).decode("ascii", errors="replace").strip()
    if not text:
        return None
    try:
        return encodings.from_cpg(text)
    except encodings.UnknownEncoding as exc:
        raise FileRefused(f"{cpg.name}: {exc}", field="encoding") from None


def _decode(shp: Path, fields: list[str], rows: list[RawRow], encoding: str | None) -> tuple[list[str], str]:
    """Field names and text values from their bytes, all in one encoding (see the module's note)."""
    texts = [name.encode(RAW_TEXT) for name in fields]
    texts += [v.encode(RAW_TEXT) for row in rows for v in row.values.values() if isinstance(v, str)]
    try:
        decoded, used = encodings.decode_bytes(texts, encoding)
    except encodings.UnknownEncoding:
        if encoding:
            raise FileRefused(f"{shp.stem}.dbf is not {encoding}", field="encoding") from None
        raise FileRefused(
            f"{shp.stem}.dbf is neither {' nor '.join(encodings.CANDIDATES)} and has no .cpg: declare its encoding",
            field="encoding",
        ) from None
    found = iter(decoded)
    names = {name: next(found) for name in fields}
    for row in rows:
        row.values = {names[k]: next(found) if isinstance(v, str) else v for k, v in row.values.items()}
    return list(names.values()), used
