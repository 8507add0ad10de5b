"""Where a unit is marked and where its name is drawn: the one rule, read by the vector tiles, the API's
unit features, the divisions page and the public record pages.

**Marker** (the dot, and the coordinates shown on the unit's record): the unit's seat (驻地) where one is
known; else its area label point (``AdminUnit.label_point``, a point on the surface of its polygon); else
none. 宁安市 is marked at its seat, not at the interior point of its polygon.

**Label** (where its name is drawn on a map):

- a district (市辖区) is labelled at its area label point: the seats of a city's districts crowd into the
  city's core, next to the city's own seat, and a district's name names its area;
- every other unit (the city, a county, a county-level city, a township, a village) is labelled at its
  marker: the city's name stands at its seat, with the marker.

A district's label never sits on the city's: when the district's area label point lies within
``CITY_CLEARANCE_M`` of its city's seat (about the half-width of the city's name plus a district's at
zoom 9, where both are drawn), the district is labelled at a point on the part of its area outside that
circle (its area label point still, when nothing of it lies outside).

The rule is written once, as SQL (``marker_sql``, ``label_sql``), because the tiles draw from one
statement; Python reads it through the same SQL (``with_locations``, ``marker``, ``label``), so the tiles,
the API and the pages cannot disagree."""

from __future__ import annotations

from django.contrib.gis.db.models import PointField
from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from boundaries.levels import Level
from boundaries.models import AdminUnit
from core.srid import METRIC_SRID, STORAGE_SRID

CITY_CLEARANCE_M = 10_000


def marker_sql(u: str) -> str:
    """SQL: the marker of the unit row aliased ``u`` (a point in the storage CRS, or NULL)."""
    return f"coalesce({u}.seat, {u}.label_point)"


def label_sql(u: str) -> str:
    """SQL: where the name of the unit row aliased ``u`` is drawn (a point in the storage CRS, or NULL).
    Only fixed text goes in: the alias, the table name, the level token and integer constants."""
    table = AdminUnit._meta.db_table
    metric = f"{METRIC_SRID}"
    circle = f"ST_Transform(ST_Buffer(ST_Transform(c.seat, {metric}), {CITY_CLEARANCE_M}), {STORAGE_SRID})"
    near_seat = (
        f"ST_DWithin(ST_Transform({u}.label_point, {metric}), ST_Transform(c.seat, {metric}), {CITY_CLEARANCE_M})"
    )
    moved = f"ST_PointOnSurface(ST_Difference({u}.geom, {circle}))"
    district = (
        f"coalesce((SELECT CASE WHEN c.seat IS NULL OR NOT {near_seat} THEN {u}.label_point"  # noqa: S608
        f" ELSE (SELECT CASE WHEN m.p IS NULL OR ST_IsEmpty(m.p) THEN {u}.label_point ELSE m.p END"
        f" FROM (SELECT {moved} AS p) m) END"
        f" FROM {table} c WHERE c.id = {u}.parent_id), {u}.label_point)"
    )
    is_district = f"{u}.level = '{Level.DISTRICT.value}' AND {u}.label_point IS NOT NULL"
    return f"(CASE WHEN {is_district} THEN {district} ELSE {marker_sql(u)} END)"


def with_locations(units: QuerySet[AdminUnit]) -> QuerySet[AdminUnit]:
    """Annotate ``marker_point`` and ``label_at`` (points in the storage CRS, or None) by the rule."""
    table = AdminUnit._meta.db_table
    field = PointField(srid=STORAGE_SRID)
    return units.annotate(
        marker_point=RawSQL(marker_sql(f'"{table}"'), [], output_field=field),  # noqa: S611 (fixed text)
        label_at=RawSQL(label_sql(f'"{table}"'), [], output_field=field),  # noqa: S611 (fixed text)
    )


def _located(unit: AdminUnit) -> AdminUnit:
    if hasattr(unit, "marker_point") and hasattr(unit, "label_at"):
        return unit
    return with_locations(AdminUnit.objects.filter(pk=unit.pk)).only("id").get()


def marker(unit: AdminUnit) -> Point | None:
    """Where the unit is marked, and the coordinates its record shows: its seat, else its area label point."""
    return _located(unit).marker_point


def label(unit: AdminUnit) -> Point | None:
    """Where the unit's name is drawn on a map (see the module's note)."""
    return _located(unit).label_at
