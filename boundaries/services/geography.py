"""Where a geometry lies among the administrative units: the one place that answers "which unit holds
this point", "which counties does this line cross" and "does this unit agree with this geometry".
``CountyLocator`` answers "which county" for many points in memory (an importer's thousands)."""

from __future__ import annotations

import shapely
from django.contrib.gis.geos import GEOSGeometry

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.geometry import from_geos


def unit_at(geom: GEOSGeometry | None) -> AdminUnit | None:
    """The lowest current unit whose polygon contains the geometry's point on surface."""
    if geom is None:
        return None
    point = geom.point_on_surface if geom.geom_type != "Point" else geom
    return AdminUnit.objects.current().filter(geom__contains=point).order_by("-tier").first()


def units_holding(geom: GEOSGeometry | str):
    """Every current unit whose polygon contains the point, from the city down (a reverse look-up)."""
    return AdminUnit.objects.current().filter(geom__contains=geom).order_by("tier")


def ancestor_at(unit: AdminUnit | None, tier: int) -> AdminUnit | None:
    """The unit of ``tier`` a unit lies in (itself, when it is of that tier), or None."""
    while unit is not None and unit.tier > tier:
        unit = unit.parent
    return unit if unit is not None and unit.tier == tier else None


def county_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The county-level unit a unit lies in (itself, for a county)."""
    return ancestor_at(unit, Tier.COUNTY)


def township_of(unit: AdminUnit | None) -> AdminUnit | None:
    """The township-level unit (town, township, subdistrict) a unit lies in (itself, for one)."""
    return ancestor_at(unit, Tier.TOWNSHIP)


def counties_under(geom: GEOSGeometry | None) -> set[int]:
    """Ids of the current county-level units the geometry touches."""
    if geom is None:
        return set()
    return set(AdminUnit.objects.current().filter(tier=Tier.COUNTY, geom__intersects=geom).values_list("id", flat=True))


def _drawn(unit: AdminUnit | None) -> AdminUnit | None:
    """The unit, or the nearest unit above it that has a polygon (villages have none)."""
    while unit is not None and unit.geom is None:
        unit = unit.parent
    return unit


def disagreement(unit: AdminUnit | None, geom: GEOSGeometry | None) -> str | None:
    """Why a record registered under ``unit`` cannot have ``geom`` (it lies wholly outside the unit),
    or None. A unit without a polygon is judged by the nearest unit above it that has one."""
    if unit is None or geom is None:
        return None
    drawn = _drawn(unit)
    if drawn is None or drawn.geom.intersects(geom):
        return None
    where = unit.name if drawn == unit else f"{unit.name} ({drawn.name})"
    return f"the geometry lies outside {where} {unit.code}: give the unit it lies in, or leave the unit out"


class CountyLocator:
    """The county-level units under ``parent`` held in memory, prepared for many point look-ups."""

    def __init__(self, parent: AdminUnit):
        self.counties = list(AdminUnit.objects.current().filter(parent=parent, tier=Tier.COUNTY, geom__isnull=False))
        self._shapes = [(county, from_geos(county.geom)) for county in self.counties]
        for _, shape in self._shapes:
            shapely.prepare(shape)

    def county_at(self, lon: float, lat: float) -> AdminUnit | None:
        return next((county for county, shape in self._shapes if shapely.contains_xy(shape, lon, lat)), None)
