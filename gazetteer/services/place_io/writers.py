"""Exporting place records: CSV, GeoJSON, shapefile, GeoPackage and the census registration form.

- CSV: UTF-8 with a byte-order mark (Excel opens it right), the columns of fields.EXPORT_FIELDS, then
  ``lon``/``lat`` of a point on the record's geometry and ``wkt``, all in WGS84 (re-import it declaring
  the WGS84 CRS, core.srid.API_SRID: a CSV carries no CRS). A text cell a spreadsheet would run as a
  formula (``=``, ``+``, ``-``, ``@``...) gets a leading single quote: see formulas.py, which the
  import undoes.
- GeoJSON: a FeatureCollection in WGS84 (RFC 7946), the same columns as properties.
- Shapefile: a zip with one shapefile per geometry type (places_points, places_lines,
  places_polygons; records without geometry go with the points as null shapes), each with a .cpg
  "UTF-8" and the .prj of the storage CRS (CGCS2000). dBase names have at most 10 characters: see
  fields.SHAPEFILE_NAMES, also written into the zip as FIELDS.txt. dBase text holds at most 254 bytes;
  longer texts are cut there (GDAL warns).
- GeoPackage: one layer ``places`` of mixed geometry in the storage CRS.
- census: census_form.census_csv.
Every row carries its licence and attribution, and ``synthetic`` true for demonstration data.
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
from gazetteer.services.place_io.census_form import census_csv
from gazetteer.services.place_io.coordinates import storage_to_api
from gazetteer.services.place_io.fields import EXPORT_FIELDS, SHAPEFILE_NAMES, shapefile_name
from gazetteer.services.place_io.formulas import escape
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


def write_csv(rows: list[ExportRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow([*EXPORT_FIELDS, "lon", "lat", "wkt"])
    for row in rows:
        lonlat = storage_to_api(row.geometry) if row.geometry is not None else None
        point = shapely.point_on_surface(lonlat) if lonlat is not None else None
        geometry = (
            [repr(point.x), repr(point.y), shapely.to_wkt(lonlat, rounding_precision=-1)]
            if lonlat is not None
            else ["", "", ""]
        )
        writer.writerow([_csv_cell(row.values[name]) for name in EXPORT_FIELDS] + geometry)
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


def write_geopackage(rows: list[ExportRow]) -> bytes:
    with tempfile.TemporaryDirectory(prefix="place-export-") as folder:
        path = Path(folder) / "places.gpkg"
        _write_layer(
            path, rows, driver="GPKG", geometry_type="Unknown", layer="places", field_names=list(EXPORT_FIELDS)
        )
        return path.read_bytes()
