"""The gazetteer's landmarks for the boundary lines' course descriptions (boundaries.services.landmarks),
registered from GazetteerConfig.ready(): what the gazetteer holds near a line, and nothing else.

- named places (a point of any category) within the distance asked: "经…附近"; a place that names an
  administrative unit and stands at its seat is that seat ("兴隆镇驻地");
- rivers (categories 021xx, a line): crossed ("跨…") or followed ("沿…") where the line meets them;
- lakes (categories 022xx, an area): "经…".

Only standard names (standing ``standard``), current and in use: never a candidate or a synthetic
(demonstration) record; a course description is a legal text."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry

from boundaries.services.landmarks import LAKE, PLACE, RIVER, Landmark
from core.srid import METRIC_SRID, STORAGE_SRID
from gazetteer.models import Place

RIVER_CATEGORIES = "021"
LAKE_CATEGORIES = "022"


def _zone(line_geom: GEOSGeometry, buffer_m: float) -> GEOSGeometry:
    """The area within ``buffer_m`` metres of the line, in the storage CRS."""
    zone = line_geom.transform(METRIC_SRID, clone=True).buffer(buffer_m)
    zone.transform(STORAGE_SRID)
    return zone


def _kind(place: Place) -> str | None:
    category, shape = place.category.code, place.geom.geom_type
    if category.startswith(RIVER_CATEGORIES):
        return RIVER if "LineString" in shape else None
    if category.startswith(LAKE_CATEGORIES):
        return LAKE if "Polygon" in shape else None
    return PLACE if shape == "Point" else None


def _label(place: Place) -> str:
    unit = place.admin_unit
    at_seat = unit is not None and unit.seat is not None and place.geom.equals_exact(unit.seat, tolerance=0)
    return f"{place.name}驻地" if at_seat else place.name


def gazetteer_landmarks(line_geom: GEOSGeometry, buffer_m: float) -> list[Landmark]:
    """Standard places, rivers and lakes within ``buffer_m`` of the line (a river or lake by any part)."""
    near = (
        Place.objects.filter(standing=Place.Standing.STANDARD, valid_to__isnull=True, geom__isnull=False)
        .exclude(status=Place.Status.HISTORICAL)
        .filter(geom__intersects=_zone(line_geom, buffer_m))
        .select_related("category", "admin_unit")
        .order_by("code")
    )
    found = []
    for place in near:
        kind = _kind(place)
        if kind is not None:
            found.append(Landmark(kind, _label(place), place.geom, code=place.code))
    return found
