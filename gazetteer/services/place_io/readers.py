"""Reading place files into rows: values by column, a geometry where the format has one, the CRS and
encoding the file declares. No judgement here beyond "can this be read" and the limits of
dataset.py; rows.py checks the rows. GeoPackage and shapefile are read in layers.py, through core.ogr.

Row 1 is the first record: the line after a CSV's header, the first feature of a GeoJSON or layer.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import shapely
from pyproj import CRS

from core.srid import API_SRID
from core.text import first_unstorable
from gazetteer.services.place_io import encodings, formulas
from gazetteer.services.place_io.coordinates import parse_crs
from gazetteer.services.place_io.dataset import (
    MAX_GEOMETRY_CHARS,
    Dataset,
    RawRow,
    bound_cells,
    check_columns,
    check_row_count,
    geometry_columns,
)
from gazetteer.services.place_io.inputs import InputFiles
from gazetteer.services.place_io.layers import read_geopackage, read_shapefiles
from gazetteer.services.place_io.report import FileRefused

__all__ = ["Dataset", "RawRow", "read_dataset"]


Wanted = Callable[[list[str]], set[str]]


def read_dataset(
    files: InputFiles,
    *,
    encoding: str | None = None,
    layer: str | None = None,
    geometry_column: str | None = None,
    wanted: Wanted | None = None,
) -> Dataset:
    """``geometry_column``: a column named by the user (field_map) as the WKT, which may be long.
    ``wanted``: given the columns, those an import reads; a CSV's or GeoPackage's rows keep only
    those (every column is still listed in ``Dataset.columns``)."""
    if encoding:
        try:
            encoding = encodings.canonical(encoding)
        except encodings.UnknownEncoding as exc:
            raise FileRefused(str(exc), field="encoding") from None
    if files.format == "csv":
        return read_csv(files.datasets[0], encoding, geometry_column, wanted)
    if files.format == "geojson":
        return read_geojson(files.datasets[0], encoding, geometry_column)
    if files.format == "gpkg":
        return read_geopackage(files.datasets[0], layer, geometry_column, wanted)
    return read_shapefiles(files, encoding, geometry_column)


# ---- CSV -------------------------------------------------------------------------------------------


def read_csv(
    path: Path, encoding: str | None, geometry_column: str | None = None, wanted: Wanted | None = None
) -> Dataset:
    """Read as a stream: the file is decoded strictly while it is parsed, a cell may not pass
    MAX_GEOMETRY_CHARS, and reading stops at the row limit."""
    try:
        used = encodings.detect(path, encoding)
    except encodings.UnknownEncoding as exc:
        raise FileRefused(f"{path.name}: {exc}", field="encoding") from None
    csv.field_size_limit(MAX_GEOMETRY_CHARS)  # the csv module's only limit; it is per process
    with encodings.open_text(path, used) as text:
        reader = csv.reader(text)
        try:
            columns = _csv_header(reader, path.name)
            kept = wanted(columns) if wanted else set(columns)
            keep = [c in kept for c in columns]
            long_columns = geometry_columns(columns, geometry_column)
            records = (record for record in reader if record)  # blank lines are skipped, as DictReader does
            rows = [_csv_row(n, record, columns, keep, long_columns, path.name) for n, record in enumerate(records, 1)]
        except csv.Error as exc:
            raise FileRefused(f"{path.name} line {reader.line_num}: malformed CSV ({_csv_problem(exc)})") from None
        except UnicodeError:  # detect() read the same bytes; only a file changed meanwhile lands here
            raise FileRefused(f"{path.name} is not {used}", field="encoding") from None
    return Dataset("csv", columns, rows, None, used, native_geometry=False)


def _csv_problem(exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return f"a cell is longer than {MAX_GEOMETRY_CHARS:,} characters, the limit even for a geometry"
    return str(exc)


def _csv_header(reader, name: str) -> list[str]:
    header = next(reader, [])
    check_columns(header, name)
    columns = [formulas.unescape(c.strip()) for c in header]
    if not any(columns):
        raise FileRefused(f"{name} has no header line")
    if len(set(columns)) != len(columns):
        raise FileRefused(f"{name}: the header repeats a column name")
    return columns


def _csv_row(
    number: int, record: list[str], columns: list[str], keep: list[bool], long_columns: set[str], name: str
) -> RawRow:
    check_row_count(number, name)
    cells = record + [None] * (len(columns) - len(record))  # a short line: the missing cells are empty
    values = {c: formulas.unescape(v) if v else v for c, v, k in zip(columns, cells, keep, strict=False) if k}
    row = RawRow(number, values)
    if len(record) > len(columns):
        row.problems.append(("file", f"{len(record) - len(columns)} more cells than the header has columns"))
    return bound_cells(row, long_columns)


# ---- GeoJSON ---------------------------------------------------------------------------------------


def read_geojson(path: Path, encoding: str | None, geometry_column: str | None = None) -> Dataset:
    try:
        text, used = encodings.read_text(path, encoding or "UTF-8")
        document = json.loads(text)
    except encodings.UnknownEncoding as exc:
        raise FileRefused(f"{path.name}: {exc} (GeoJSON is UTF-8, RFC 7946)", field="encoding") from None
    except json.JSONDecodeError as exc:
        raise FileRefused(
            f"{path.name} is malformed GeoJSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise FileRefused(f"{path.name} is malformed GeoJSON: it is nested too deeply") from None
    del text
    unstorable = first_unstorable(document)
    if unstorable:
        where, problem = unstorable
        raise FileRefused(f"{path.name}: {where} {problem}; nothing can be stored from it")
    features = _features(document, path.name)
    rows, columns = [], {}
    for number, feature in enumerate(features, 1):
        check_row_count(number, path.name)
        row = _feature_row(number, feature)
        columns.update(dict.fromkeys(row.values))
        check_columns(columns, path.name)
        rows.append(row)
    long_columns = geometry_columns(columns, geometry_column)
    for row in rows:
        bound_cells(row, long_columns)
    return Dataset("geojson", list(columns), rows, _geojson_crs(document, path.name), used, native_geometry=True)


def _features(document, name: str) -> list:
    kind = document.get("type") if isinstance(document, dict) else type(document).__name__
    if kind == "Feature":
        return [document]
    if kind != "FeatureCollection":
        raise FileRefused(f"{name} is malformed GeoJSON: expected a FeatureCollection, got {_shown(kind)}")
    features = document.get("features")
    if not isinstance(features, list):
        raise FileRefused(f"{name} is malformed GeoJSON: its 'features' member is not a list")
    return features


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


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
        except (ValueError, TypeError, KeyError, AttributeError, IndexError, shapely.errors.ShapelyError) as exc:
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
