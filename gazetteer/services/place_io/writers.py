"""Exporting place records: CSV, GeoJSON, shapefile, GeoPackage and the census registration form.

- CSV: UTF-8 with a byte-order mark (Excel opens it right), the columns of fields.EXPORT_FIELDS, then
  ``lon``/``lat`` of a point on the record's geometry (inside a polygon), ``geometry_type`` and
  ``wkt`` (the whole geometry), all in WGS84 (re-import it declaring the WGS84 CRS, core.srid.API_SRID:
  a CSV carries no CRS), and last ``not_in_csv``. No cell holds more than 32,767 characters, the most
  a spreadsheet cell holds: a value that does not fit (in practice the WKT of a large polygon or a long
  line, such as a county's outline) is not cut but left out whole, its cell empty and its column
  named in ``not_in_csv``; the GeoJSON and GeoPackage of the same export hold it (see cells.py). So
  the WKT is there only where it fits; lon/lat and geometry_type always are. A text cell a
  spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``...) gets a leading single quote: see
  formulas.py, which the import undoes.
- GeoJSON: a FeatureCollection in WGS84 (RFC 7946), the same columns as properties.
- Shapefile: a zip with one shapefile per geometry type (places_points, places_lines,
  places_polygons; records without geometry go with the points as null shapes), each with a .cpg
  "UTF-8" and the .prj of the storage CRS (CGCS2000). dBase names have at most 10 characters: see
  fields.SHAPEFILE_NAMES, also written into the zip as FIELDS.txt. dBase text holds at most 254 bytes;
  longer texts are cut there (GDAL warns).
- GeoPackage: one layer per geometry type, each declaring its type (places_points: Point or
  MultiPoint, places_lines: LineString or MultiLineString, places_polygons: Polygon or
  MultiPolygon; the single type where every geometry has it, else the multi type with the single
  ones promoted), and records without geometry (or whose geometry is withheld) in the attribute
  table places_no_geometry; only the layers that have records are written. CGCS2000 (the storage
  CRS). Fields are typed (GEOPACKAGE_TYPES): whole numbers as integers, elevation as a real, dates as
  dates, the flags as booleans, codes and texts as text (a 20-digit code is not a number).
- census: census_form.census_csv (the same rule for long cells).
Every row carries its licence and attribution, ``synthetic`` true for demonstration data, and its
``standing`` (standard, candidate or synthetic) with the basis and decision of a standard name.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from django.db.models import QuerySet
from django.utils import timezone

from core.srid import STORAGE_SRID
from gazetteer.models import Place
from gazetteer.services.place_io.cells import NOT_IN_CSV, SEPARATOR, fit_row
from gazetteer.services.place_io.census_form import census_csv
from gazetteer.services.place_io.coordinates import storage_to_api
from gazetteer.services.place_io.fields import EXPORT_FIELDS, SHAPEFILE_NAMES, shapefile_name
from gazetteer.services.place_io.formulas import escape
from gazetteer.services.place_io.layers import EXPORT_LAYERS
from gazetteer.services.place_io.records import ExportRow, export_rows

EXPORT_FORMATS = ("csv", "geojson", "shp", "gpkg", "census")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "census": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "shp": "application/zip",
    "gpkg": "application/geopackage+sqlite3",
}
EXTENSIONS = {"csv": "csv", "census": "csv", "geojson": "geojson", "shp": "zip", "gpkg": "gpkg"}
SHAPEFILE_LAYERS = {"point": "places_points", "line": "places_lines", "polygon": "places_polygons"}
FAMILY = {
    "Point": "point",
    "MultiPoint": "point",
    "LineString": "line",
    "MultiLineString": "line",
    "Polygon": "polygon",
    "MultiPolygon": "polygon",
}
LAYER_TYPES = {"point": "Point", "line": "MultiLineString", "polygon": "MultiPolygon"}
STORAGE_CRS = f"EPSG:{STORAGE_SRID}"
CSV_COLUMNS = (*EXPORT_FIELDS, "lon", "lat", "geometry_type", "wkt", NOT_IN_CSV)
GEOPACKAGE_LAYERS = EXPORT_LAYERS  # the importer reads them all back (layers.read_geopackage)
MULTI = {"point": "MultiPoint", "line": "MultiLineString", "polygon": "MultiPolygon"}
# GeoPackage field types by column (numpy dtypes pyogrio writes as OGR types); the rest are text.
GEOPACKAGE_TYPES = {
    "version": np.int32,  # Integer
    "elevation_m": np.float64,  # Real (empty: NULL)
    "named_on": "datetime64[D]",  # Date
    "valid_from": "datetime64[D]",
    "valid_to": "datetime64[D]",
    "decision_date": "datetime64[D]",
    "is_public": np.bool_,  # Integer(Boolean)
    "synthetic": np.bool_,
}


class UnknownExportFormat(ValueError):
    pass


def export_places(
    queryset: QuerySet[Place], format: str, *, include_unlicensed_geometry: bool = True
) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the records in ``queryset``."""
    if format not in EXPORT_FORMATS:
        raise UnknownExportFormat(f"unknown export format {format!r}; use {', '.join(EXPORT_FORMATS)}")
    rows = export_rows(queryset, include_unlicensed_geometry=include_unlicensed_geometry)
    writer = {
        "csv": write_csv,
        "geojson": write_geojson,
        "shp": write_shapefile_zip,
        "gpkg": write_geopackage,
        "census": census_csv,
    }[format]
    stem = "places-census" if format == "census" else "places"
    return writer(rows), CONTENT_TYPES[format], f"{stem}-{timezone.localdate():%Y%m%d}.{EXTENSIONS[format]}"


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_cell(value) -> str:
    """Text escaped against formulas; numbers, booleans and empty cells as they are."""
    return escape(value) if isinstance(value, str) else _plain(value)


def _csv_geometry(row: ExportRow) -> list[str]:
    """lon, lat (a point on the geometry, inside a polygon), geometry_type, wkt: WGS84."""
    if row.geometry is None:
        return ["", "", "", ""]
    lonlat = storage_to_api(row.geometry)
    point = shapely.point_on_surface(lonlat)
    return [repr(point.x), repr(point.y), lonlat.geom_type, shapely.to_wkt(lonlat, rounding_precision=-1)]


def write_csv(rows: list[ExportRow]) -> bytes:
    """The CSV; every cell within the spreadsheet limit, a value that does not fit named in
    ``not_in_csv`` and left to the GeoJSON/GeoPackage of the same export (see the module's note)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        cells = [_csv_cell(row.values[name]) for name in EXPORT_FIELDS] + _csv_geometry(row)
        cells, left_out = fit_row(CSV_COLUMNS[:-1], cells)
        writer.writerow([*cells, SEPARATOR.join(left_out)])
    return out.getvalue().encode("utf-8-sig")


def write_geojson(rows: list[ExportRow]) -> bytes:
    features = [
        {
            "type": "Feature",
            "id": row.place.code,
            "geometry": shapely.geometry.mapping(storage_to_api(row.geometry)) if row.geometry is not None else None,
            "properties": row.values,
        }
        for row in rows
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def _field_data(rows: list[ExportRow]) -> list[np.ndarray]:
    return [
        np.array([None if row.values[name] is None else _plain(row.values[name]) for row in rows], dtype=object)
        for name in EXPORT_FIELDS
    ]


def _wkb(geometries: list[shapely.Geometry | None]) -> np.ndarray:
    return np.array([None if g is None else shapely.to_wkb(g) for g in geometries], dtype=object)


def _write_layer(
    path: Path, rows: list[ExportRow], *, driver: str, geometry_type: str, layer: str, field_names: list[str]
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # dBase truncation of long texts, documented above
        pyogrio.raw.write(
            path,
            _wkb([row.geometry for row in rows]),
            _field_data(rows),
            field_names,
            layer=layer,
            driver=driver,
            geometry_type=geometry_type,
            crs=STORAGE_CRS,
            encoding="UTF-8",
        )


def write_shapefile_zip(rows: list[ExportRow]) -> bytes:
    groups: dict[str, list[ExportRow]] = {}
    for row in rows:
        family = FAMILY[row.geometry.geom_type] if row.geometry is not None else "point"
        groups.setdefault(family, []).append(row)
    buffer = io.BytesIO()
    with (
        tempfile.TemporaryDirectory(prefix="place-export-") as folder,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped,
    ):
        for family, members in groups.items():
            layer = SHAPEFILE_LAYERS[family]
            multi = any(r.geometry is not None and r.geometry.geom_type == "MultiPoint" for r in members)
            geometry_type = "MultiPoint" if family == "point" and multi else LAYER_TYPES[family]
            _write_layer(
                Path(folder) / f"{layer}.shp",
                members,
                driver="ESRI Shapefile",
                geometry_type=geometry_type,
                layer=layer,
                field_names=[shapefile_name(n) for n in EXPORT_FIELDS],
            )
            (Path(folder) / f"{layer}.cpg").write_text("UTF-8", encoding="ascii")
            for part in sorted(Path(folder).glob(f"{layer}.*")):
                zipped.write(part, part.name)
        zipped.writestr("FIELDS.txt", _field_names_note())
    return buffer.getvalue()


def _field_names_note() -> str:
    lines = ["dBase field names (at most 10 characters) and the record fields they hold:"]
    lines += [f"{short} = {field}" for field, short in SHAPEFILE_NAMES.items()]
    lines.append("All other fields keep their names. Coordinates: CGCS2000 (see the .prj). Text: UTF-8.")
    return "\n".join(lines) + "\n"


def _typed(name: str, rows: list[ExportRow]) -> np.ndarray:
    values = [row.values[name] for row in rows]
    kind = GEOPACKAGE_TYPES.get(name)
    if kind is None:
        return np.array([None if v is None else _plain(v) for v in values], dtype=object)
    if kind == "datetime64[D]":
        return np.array([v or "NaT" for v in values], dtype=kind)  # ISO dates; NaT is written as NULL
    if kind is np.float64:
        return np.array([np.nan if v is None else v for v in values], dtype=kind)  # NaN is written as NULL
    return np.array(values, dtype=kind)


def _declared_type(family: str | None, members: list[ExportRow]) -> str | None:
    """The one geometry type of a layer's records, else the family's multi type."""
    if family is None:
        return None
    found = {row.geometry.geom_type for row in members}
    return found.pop() if len(found) == 1 else MULTI[family]


def _promoted(geometry: shapely.Geometry, declared: str) -> shapely.Geometry:
    if geometry.geom_type == declared or not declared.startswith("Multi"):
        return geometry
    return getattr(shapely, declared)([geometry])


def write_geopackage(rows: list[ExportRow]) -> bytes:
    """One layer per geometry type, each declaring its type, and an attribute table of the records
    without geometry; typed fields (GEOPACKAGE_TYPES)."""
    groups: dict[str | None, list[ExportRow]] = {}
    for row in rows:
        groups.setdefault(FAMILY[row.geometry.geom_type] if row.geometry is not None else None, []).append(row)
    if not groups:
        groups["point"] = []  # an empty export is still a GeoPackage with its layer
    with tempfile.TemporaryDirectory(prefix="place-export-") as folder:
        path = Path(folder) / "places.gpkg"
        for family in GEOPACKAGE_LAYERS:
            if family not in groups:
                continue
            members = groups[family]
            declared = _declared_type(family, members) if members else LAYER_TYPES.get(family)
            geometries = None if family is None else _wkb([_promoted(r.geometry, declared) for r in members])
            pyogrio.raw.write(
                path,
                geometries,
                [_typed(name, members) for name in EXPORT_FIELDS],
                list(EXPORT_FIELDS),
                layer=GEOPACKAGE_LAYERS[family],
                driver="GPKG",
                geometry_type=declared,
                crs=STORAGE_CRS if family is not None else None,
                encoding="UTF-8",
            )
        return path.read_bytes()
