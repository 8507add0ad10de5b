"""Names as they were on a day: units and places.

A unit's name on a day is, in this order: a dated former name (UnitName of kind ``former`` whose
validity [valid_from, valid_to) contains the day); else the name before the first non-noise
division-change event after the day that renamed it (撤县设市 东宁县 -> 东宁市, 2015): events
carry a year only unless their day is known, and a year-only event counts from 1 January of its
year; else the current name. A place's name on a day is its standard or former PlaceName valid that
day, else its current name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import F, Q

from boundaries.levels import Tier
from boundaries.models import AdminUnit, DivisionChange, UnitName
from gazetteer.models import Place, PlaceName


def _containing(day: dt.date) -> Q:
    return (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & Q(valid_to__gt=day)


def chinese_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def event_day(event: DivisionChange) -> dt.date:
    return event.effective_date or dt.date(event.year, 1, 1)


def _names_from_events(unit_ids: set[int], day: dt.date) -> dict[int, str]:
    events = (
        DivisionChange.objects.filter(unit_id__in=unit_ids, is_noise=False)
        .exclude(old_name="")
        .exclude(new_name="")
        .order_by("year", "effective_date", "id")
    )
    names: dict[int, str] = {}
    for event in events:
        if event.old_name != event.new_name and event_day(event) > day and event.unit_id not in names:
            names[event.unit_id] = event.old_name
    return names


def unit_names_at(units: Iterable[AdminUnit], day: dt.date | None) -> dict[int, str]:
    """unit id -> the name the unit had on ``day`` (today's names when ``day`` is None)."""
    units = list(units)
    names = {unit.id: unit.name for unit in units}
    if day is None:
        return names
    ids = set(names)
    dated = UnitName.objects.filter(_containing(day), unit_id__in=ids, kind=UnitName.Kind.FORMER)
    from_rows = {row.unit_id: row.name for row in dated.order_by("-valid_to")}
    has_dated_history = set(
        UnitName.objects.filter(unit_id__in=ids, kind=UnitName.Kind.FORMER, valid_to__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    from_events = _names_from_events(ids - has_dated_history, day)
    return {**names, **from_events, **from_rows}


def units_established_after(units: Iterable[AdminUnit], day: dt.date) -> list[str]:
    """Units the division history says were established after ``day`` although their validity
    has no start: drawn (their validity is the authority), and named in the report."""
    ids = {unit.id: unit for unit in units}
    events = DivisionChange.objects.filter(
        unit_id__in=ids, is_noise=False, kind=DivisionChange.Kind.ESTABLISHED, unit__valid_from__isnull=True
    )
    return sorted(
        {f"{ids[e.unit_id].name}（{e.year}年设立）" for e in events if event_day(e) > day and e.unit_id in ids}
    )


def units_abolished_after(mapped: AdminUnit, drawn_codes: set[str], day: dt.date) -> list[str]:
    """Units under the mapped one that the division history says were abolished after ``day`` (so
    they existed that day) and that the map cannot draw: the system keeps no boundary of them."""
    prefix = mapped.code[:4] if mapped.tier == Tier.CITY else mapped.code
    events = DivisionChange.objects.filter(
        is_noise=False, kind=DivisionChange.Kind.ABOLISHED, old_code__startswith=prefix
    ).exclude(old_code__in=drawn_codes)
    return sorted(
        {
            f"{e.old_name}（{e.old_code}，{e.year}年撤销）"
            for e in events
            if event_day(e) > day and e.old_code != mapped.code
        }
    )


def place_names_at(places: Iterable[Place], day: dt.date | None) -> dict[int, str]:
    places = list(places)
    names = {place.id: place.name for place in places}
    if day is None:
        return names
    rows = PlaceName.objects.filter(
        (Q(valid_from__isnull=True) | Q(valid_from__lte=day)) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day)),
        place_id__in=names,
        kind__in=[PlaceName.Kind.STANDARD, PlaceName.Kind.FORMER],
    ).order_by(F("valid_from").asc(nulls_first=True))
    return {**names, **{row.place_id: row.name for row in rows}}


def history_sources(units: Iterable[AdminUnit]) -> list:
    """The sources of the division-change events that can name these units on a past day."""
    from core.models import DataSource

    ids = DivisionChange.objects.filter(unit__in=list(units), is_noise=False).values_list("source_id", flat=True)
    return list(DataSource.objects.filter(id__in=set(ids)))
