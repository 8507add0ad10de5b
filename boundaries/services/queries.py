"""Reading administrative units: lookups by any code, listings and the hierarchy."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

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
    *,
    levels: list[str] | None = None,
    parent_code: str | None = None,
    include_retired: bool = False,
    at: dt.date | None = None,
) -> QuerySet[AdminUnit]:
    """Units by level and parent: the current ones, or with ``at`` those that existed on that day."""
    units = AdminUnit.objects.select_related("parent", "source", "geometry_source")
    if at is not None:
        units = units.valid_at(at)
    elif not include_retired:
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


class DivisionHistory:
    """The division history and the dated former names of every unit, read once (two small tables),
    for answers about many units on a day (an ``?at`` listing) instead of two queries per unit."""

    def __init__(self):
        self.events: dict[int, list[DivisionChange]] = defaultdict(list)
        for event in DivisionChange.objects.filter(is_noise=False).order_by("year", "effective_date", "id"):
            self.events[event.unit_id].append(event)
        self.names: dict[int, list[UnitName]] = defaultdict(list)
        former = UnitName.objects.filter(kind=UnitName.Kind.FORMER, valid_to__isnull=False).order_by("valid_to")
        for row in former:
            self.names[row.unit_id].append(row)


def _events(unit: AdminUnit, history: DivisionHistory | None) -> list[DivisionChange]:
    if history is not None:
        return history.events.get(unit.pk, [])
    return list(DivisionChange.objects.filter(unit=unit, is_noise=False).order_by("year", "effective_date", "id"))


def name_periods(unit: AdminUnit, history: DivisionHistory | None = None) -> list[dict]:
    """The unit's standard names through time, oldest first: ``{"name", "valid_from", "valid_to"}``
    (dates, None where open), the last one its current name. Dated former names are used where the
    unit has them; otherwise the renaming events of its division history."""
    if history is not None:
        dated = history.names.get(unit.pk, [])
    else:
        dated = list(
            UnitName.objects.filter(unit=unit, kind=UnitName.Kind.FORMER, valid_to__isnull=False).order_by("valid_to")
        )
    if dated:
        periods = [{"name": row.name, "valid_from": row.valid_from, "valid_to": row.valid_to} for row in dated]
    else:
        events = [e for e in _events(unit, history) if e.old_name and e.new_name]
        periods, start = [], None
        for event in events:
            if event.old_name == event.new_name:
                continue
            day = event_day(event)
            periods.append({"name": event.old_name, "valid_from": start, "valid_to": day})
            start = day
    periods.append({"name": unit.name, "valid_from": periods[-1]["valid_to"] if periods else None, "valid_to": None})
    return periods


def code_periods(unit: AdminUnit, history: DivisionHistory | None = None) -> list[dict]:
    """The unit's codes through time, oldest first (``{"code", "valid_from", "valid_to"}``), from the
    recoding events of its division history (东宁县 231024 until 2015, then 东宁市 231086)."""
    events = [e for e in _events(unit, history) if e.old_code and e.new_code]
    periods, start = [], None
    for event in events:
        if event.old_code == event.new_code:
            continue
        day = event_day(event)
        periods.append({"code": event.old_code, "valid_from": start, "valid_to": day})
        start = day
    periods.append({"code": unit.code, "valid_from": periods[-1]["valid_to"] if periods else None, "valid_to": None})
    return periods


def code_on(unit: AdminUnit, day: dt.date, history: DivisionHistory | None = None) -> str:
    """The code the unit had on ``day``."""
    return next((p["code"] for p in reversed(code_periods(unit, history)) if _contains(p, day)), unit.code)


def _contains(period: dict, day: dt.date) -> bool:
    return (period["valid_from"] is None or period["valid_from"] <= day) and (
        period["valid_to"] is None or day < period["valid_to"]
    )


def name_on(unit: AdminUnit, day: dt.date, history: DivisionHistory | None = None) -> str:
    """The standard name the unit had on ``day``."""
    return next((p["name"] for p in reversed(name_periods(unit, history)) if _contains(p, day)), unit.name)


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


def unit_on(unit: AdminUnit, day: dt.date, history: DivisionHistory | None = None) -> dict:
    """``{"code", "name", "level"}`` of the unit as it stood on ``day``: the code is the unit's own
    (it finds the unit, as its former codes do), the name and the level those of that day."""
    name = name_on(unit, day, history)
    return {"code": unit.code, "name": name, "level": _level_of_name(unit, name)}


def as_it_stood(unit: AdminUnit, day: dt.date, history: DivisionHistory | None = None) -> dict:
    """The unit's code, name and level of ``day`` (the code it had then), for the ``?at`` answers."""
    return {**unit_on(unit, day, history), "code": code_on(unit, day, history)}


def path_on(unit: AdminUnit | None, day: dt.date | None) -> list[dict]:
    """The containing units from the city down, each as it stood on ``day`` (today's when None)."""
    path = []
    while unit is not None:
        path.append(unit_on(unit, day) if day else {"code": unit.code, "name": unit.name, "level": unit.level})
        unit = unit.parent
    return path[::-1]
