"""Reading and checking geometry from files: clear errors for every way input goes wrong."""

from __future__ import annotations

import json

import shapely
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from core.srid import STORAGE_SRID


class GeometryError(ValueError):
    """Input geometry that cannot be used as it is; the message says where and why."""


def parse_geojson_geometry(raw: bytes | str, where: str) -> shapely.Geometry:
    """A GeoJSON geometry, bare or wrapped in a Feature, as shapely."""
    try:
        obj = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise GeometryError(f"{where}: not valid JSON ({exc})") from None
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        obj = obj.get("geometry")
    if not isinstance(obj, dict) or "type" not in obj:
        raise GeometryError(f"{where}: no GeoJSON geometry found")
    try:
        return shapely.geometry.shape(obj)
    except (ValueError, TypeError, KeyError, AttributeError, shapely.errors.GEOSException) as exc:
        raise GeometryError(f"{where}: malformed {obj.get('type')} geometry ({exc})") from None


def check_lonlat(geometry: shapely.Geometry, where: str) -> None:
    """Refuse coordinates that cannot be longitude/latitude (a projected file read as geographic)."""
    if geometry.is_empty:
        raise GeometryError(f"{where}: the geometry is empty")
    minx, miny, maxx, maxy = geometry.bounds
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise GeometryError(
            f"{where}: coordinates ({minx:.1f}, {miny:.1f}) .. ({maxx:.1f}, {maxy:.1f}) are not "
            "longitude/latitude; the file is probably in a projected CRS: declare its CRS"
        )


def check_valid(geometry: shapely.Geometry, where: str) -> None:
    if not shapely.is_valid(geometry):
        raise GeometryError(f"{where}: invalid geometry: {shapely.is_valid_reason(geometry)}")


def as_polygonal(geometry: shapely.Geometry, where: str) -> shapely.MultiPolygon:
    if geometry.geom_type == "Polygon":
        return shapely.MultiPolygon([geometry])
    if geometry.geom_type == "MultiPolygon":
        return geometry
    raise GeometryError(f"{where}: expected a Polygon or MultiPolygon, got {geometry.geom_type}")


def to_geos(geometry: shapely.Geometry, srid: int = STORAGE_SRID) -> GEOSGeometry:
    return GEOSGeometry(memoryview(shapely.to_wkb(geometry)), srid=srid)


def to_geos_multipolygon(geometry: shapely.Geometry, srid: int = STORAGE_SRID) -> MultiPolygon:
    geos = to_geos(geometry, srid)
    return geos if isinstance(geos, MultiPolygon) else MultiPolygon(geos, srid=srid)


def from_geos(geometry: GEOSGeometry) -> shapely.Geometry:
    return shapely.from_wkb(bytes(geometry.wkb))
