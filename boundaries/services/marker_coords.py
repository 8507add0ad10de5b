"""A marker's coordinates as the forms give them, and the plane its reference objects are measured in.

Positions are stored as CGCS2000 longitude/latitude (core.srid.STORAGE_SRID). The registration and
results tables (界桩登记表, 界桩成果表) give them also as X (northing) and Y (easting) in the CGCS2000
3-degree Gauss-Kruger zone of the marker (core.srid.gk3_srid: EPSG:4552 for CM 129E, EPSG:4553 for
CM 132E, no zone number before Y). A reference object's grid bearing (坐标方位角) and distance are taken
in that same plane: the bearing from grid north, clockwise.
"""

from __future__ import annotations

import math

import shapely
from django.contrib.gis.geos import Point

from core.geometry import from_geos, to_geos
from core.metric import transform
from core.srid import STORAGE_SRID, gk3_srid


def gauss_kruger(point: Point) -> tuple[int, float, float]:
    """(EPSG code of the 3-degree zone, X northing, Y easting) of a stored point, in metres."""
    srid = gk3_srid(point.x)
    projected = transform(from_geos(point), STORAGE_SRID, srid)
    return srid, projected.y, projected.x


def bearing_and_distance(origin: Point, target: Point) -> tuple[float, float]:
    """Grid bearing (degrees, 0 <= b < 360, from grid north clockwise) and distance (metres) from
    ``origin`` to ``target``, both in the 3-degree zone of ``origin``."""
    srid = gk3_srid(origin.x)
    a = transform(from_geos(origin), STORAGE_SRID, srid)
    b = transform(from_geos(target), STORAGE_SRID, srid)
    east, north = b.x - a.x, b.y - a.y
    bearing = math.degrees(math.atan2(east, north)) % 360.0
    return (0.0 if bearing >= 360.0 else bearing), math.hypot(east, north)


def offset(origin: Point, bearing_deg: float, distance_m: float) -> Point:
    """The stored point at ``distance_m`` metres and grid bearing ``bearing_deg`` from ``origin``."""
    srid = gk3_srid(origin.x)
    a = transform(from_geos(origin), STORAGE_SRID, srid)
    angle = math.radians(bearing_deg)
    moved = shapely.Point(a.x + distance_m * math.sin(angle), a.y + distance_m * math.cos(angle))
    return to_geos(transform(moved, srid, STORAGE_SRID))


def degrees_minutes(bearing_deg: float) -> str:
    """A bearing as the forms write it: 227°10′ (whole minutes, rounded; 359°59.7′ is 0°00′)."""
    minutes = round(bearing_deg * 60) % (360 * 60)
    return f"{minutes // 60}°{minutes % 60:02d}′"


def bearing_difference(a: float, b: float) -> float:
    """The angle between two bearings, 0..180 degrees."""
    difference = abs(a - b) % 360.0
    return min(difference, 360.0 - difference)
