"""Reading administrative units: lookups by any code, listings and the hierarchy."""

from __future__ import annotations

from django.db.models import QuerySet

from boundaries.levels import Level
from boundaries.models import AdminUnit


class UnknownUnit(LookupError):
    pass


class BadFilter(ValueError):
    pass


def unit_by_code(code: str) -> AdminUnit:
    """The current unit with this code, else the unit that had it as a former or statistical code."""
    units = AdminUnit.objects.select_related("parent", "source", "geometry_source")
    unit = units.filter(code=code, valid_to__isnull=True).first() or units.by_any_code(code).first()
    if unit is None:
        raise UnknownUnit(code)
    return unit


def list_units(
    *, levels: list[str] | None = None, parent_code: str | None = None, include_retired: bool = False
) -> QuerySet[AdminUnit]:
    units = AdminUnit.objects.select_related("parent", "source", "geometry_source")
    if not include_retired:
        units = units.current()
    if levels:
        bad = [level for level in levels if level not in Level.values]
        if bad:
            raise BadFilter(f"unknown level {', '.join(bad)}; one of: {', '.join(Level.values)}")
        units = units.filter(level__in=levels)
    if parent_code:
        units = units.filter(parent=unit_by_code(parent_code))
    return units.order_by("code")


def children_of(unit: AdminUnit) -> list[AdminUnit]:
    return list(unit.children.current().order_by("code").only("code", "name", "level"))
