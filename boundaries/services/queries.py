"""Reading administrative units: lookups by any code, listings and the hierarchy."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from boundaries.levels import Level, Tier, county_level_from_name, township_level_from_name
from boundaries.models import AdminUnit, DivisionChange, UnitName


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


# ---- a unit as it stood on a day -------------------------------------------------------------------
#
# A unit's name on a day is, in this order: a dated former name (UnitName of kind ``former`` whose
# validity [valid_from, valid_to) contains the day); else, for a unit without dated former names, the
# old name of the first non-noise division-change event after the day that renamed it (撤县设市
# 东宁县 -> 东宁市, 2015); else its current name. Events carry a year only unless their day is known;
# a year-only event counts from 1 January of its year (the rule tiles.printing.names uses too).


def event_day(event: DivisionChange) -> dt.date:
    """The day a division-change event counts from: its own day, else 1 January of its year."""
    return event.effective_date or dt.date(event.year, 1, 1)


def name_periods(unit: AdminUnit) -> list[dict]:
    """The unit's standard names through time, oldest first: ``{"name", "valid_from", "valid_to"}``
    (dates, None where open), the last one its current name. Dated former names are used where the
    unit has them; otherwise the renaming events of its division history."""
    dated = list(
        UnitName.objects.filter(unit=unit, kind=UnitName.Kind.FORMER, valid_to__isnull=False).order_by("valid_to")
    )
    if dated:
        periods = [{"name": row.name, "valid_from": row.valid_from, "valid_to": row.valid_to} for row in dated]
    else:
        events = (
            DivisionChange.objects.filter(unit=unit, is_noise=False)
            .exclude(old_name="")
            .exclude(new_name="")
            .order_by("year", "effective_date", "id")
        )
        periods, start = [], None
        for event in events:
            if event.old_name == event.new_name:
                continue
            day = event_day(event)
            periods.append({"name": event.old_name, "valid_from": start, "valid_to": day})
            start = day
    periods.append({"name": unit.name, "valid_from": periods[-1]["valid_to"] if periods else None, "valid_to": None})
    return periods


def _contains(period: dict, day: dt.date) -> bool:
    return (period["valid_from"] is None or period["valid_from"] <= day) and (
        period["valid_to"] is None or day < period["valid_to"]
    )


def name_on(unit: AdminUnit, day: dt.date) -> str:
    """The standard name the unit had on ``day``."""
    return next((p["name"] for p in reversed(name_periods(unit)) if _contains(p, day)), unit.name)


def _level_of_name(unit: AdminUnit, name: str) -> str:
    """The level a name of this unit says (东宁县 a county, 东宁市 a county-level city); the unit's
    level where the name does not tell."""
    if name == unit.name:
        return unit.level
    try:
        if unit.tier == Tier.COUNTY:
            return str(county_level_from_name(name))
        if unit.tier == Tier.TOWNSHIP and unit.level != Level.STATISTICAL:
            return str(township_level_from_name(name))
    except ValueError:
        pass
    return unit.level


def unit_on(unit: AdminUnit, day: dt.date) -> dict:
    """``{"code", "name", "level"}`` of the unit as it stood on ``day``: the code is the unit's own
    (it finds the unit, as its former codes do), the name and the level those of that day."""
    name = name_on(unit, day)
    return {"code": unit.code, "name": name, "level": _level_of_name(unit, name)}


def path_on(unit: AdminUnit | None, day: dt.date | None) -> list[dict]:
    """The containing units from the city down, each as it stood on ``day`` (today's when None)."""
    path = []
    while unit is not None:
        path.append(unit_on(unit, day) if day else {"code": unit.code, "name": unit.name, "level": unit.level})
        unit = unit.parent
    return path[::-1]
