"""The areas of the frame: the mapped unit (its county-level parts tinted apart on a city map),
the other units of the territory around it, and the surrounding areas (ContextArea: neighbouring
prefectures and provinces, foreign countries) in grey, each with the point its name goes at."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.gis.db.models.functions import Intersection

from boundaries.levels import Tier
from boundaries.models import AdminUnit, ContextArea
from tiles.printing.features import Window, metric

# Light tints of the mapped unit's parts: neighbours never share one (five suffice for any map).
PART_TINTS = 5


@dataclass
class Area:
    name: str
    geometry: object  # shapely, metric CRS
    kind: str  # part | neighbour | context | province | foreign | country
    unit: AdminUnit | None = None
    context: ContextArea | None = None
    tint: int = 0


def units_valid(day: dt.date | None):
    units = AdminUnit.objects.exclude(geom__isnull=True).select_related("geometry_source", "source", "seat_source")
    return units.current() if day is None else units.valid_at(day)


def descendants(unit: AdminUnit, day: dt.date | None) -> list[AdminUnit]:
    """The unit's children with polygons, valid on the day."""
    return list(units_valid(day).filter(parent=unit).order_by("code"))


def assign_tints(parts: list[Area]) -> None:
    """Greedy colouring, most-connected first: no two parts that touch share a tint."""
    touching = {
        i: {j for j, other in enumerate(parts) if j != i and part.geometry.intersects(other.geometry)}
        for i, part in enumerate(parts)
    }
    for i in sorted(touching, key=lambda k: -len(touching[k])):
        used = {parts[j].tint for j in touching[i] if parts[j].tint}
        parts[i].tint = next(t for t in range(1, PART_TINTS + 1) if t not in used)


def unit_areas(unit: AdminUnit, day: dt.date | None, window: Window) -> tuple[list[Area], list[Area]]:
    """(parts of the mapped unit, other units of the territory in the frame).

    A unit with county-level children (the city) is drawn as its children, each tinted; a county or
    district as itself. The other units are the county-level units around it."""
    children = descendants(unit, day)
    parts = [Area(u.name, metric(u.geom), "part", unit=u) for u in (children or [unit])]
    if len(parts) > 1:
        assign_tints(parts)
    else:
        parts[0].tint = 1
    shown = {u.unit.id for u in parts} | {unit.id}
    others = (
        units_valid(day)
        .filter(tier=Tier.COUNTY, geom__intersects=window.storage_box)
        .exclude(id__in=shown)
        .order_by("code")
    )
    neighbours = [Area(u.name, window.clip(metric(u.geom)), "neighbour", unit=u) for u in others]
    return parts, neighbours


CONTEXT_KINDS = {
    ContextArea.Kind.FOREIGN: "foreign",
    ContextArea.Kind.PROVINCE: "province",
    ContextArea.Kind.PREFECTURE: "context",
    ContextArea.Kind.COUNTRY: "country",
}


def context_areas(window: Window) -> list[Area]:
    """The surrounding areas in the frame, clipped in the database (a country has 150,000 vertices)."""
    box = window.storage_box
    rows = (
        ContextArea.objects.filter(geom__intersects=box)
        .annotate(clipped=Intersection("geom", box))
        .select_related("source")
        .defer("geom")
        .order_by("code")
    )
    areas = []
    for row in rows:
        geometry = window.clip(metric(row.clipped))
        if not geometry.is_empty:
            areas.append(Area(row.name, geometry, CONTEXT_KINDS[row.kind], context=row))
    return areas
