"""The division-change history of the territory from year-by-year diffs of the national code tables.

Every event touching the territory is stored. Events the diffing invented are kept but flagged as
noise, with the reason, and are not used as fact:
- 码位改派 (a code handed to another unit, which a set diff mistakes for a rename; the package
  itself reclassified these);
- a same-name recode across provinces, or of a generic name (郊区, 市辖区) across prefectures;
- an abolition with no successor, or an establishment, whose name reappears under another code in
  the same year's table (a recode, not an abolition or a new unit).
Facts then follow code chains forward to today's unit: its former codes and names become typed
rows, so an old code still finds its unit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings

from boundaries.models import AdminUnit, DivisionChange, UnitCode, UnitName
from core.imports import ImportContext

KIND_BY_SOURCE_WORD = {label: value for value, label in DivisionChange.Kind.choices}
GENERIC_NAMES = {"郊区", "市辖区", "城区", "矿区"}
# Kinds whose old code and name are the same unit's earlier code and name.
CONTINUING_KINDS = {
    DivisionChange.Kind.RECODED,
    DivisionChange.Kind.RENAMED,
    DivisionChange.Kind.COUNTY_TO_CITY,
    DivisionChange.Kind.COUNTY_TO_DISTRICT,
    DivisionChange.Kind.PREFECTURE_TO_CITY,
    DivisionChange.Kind.CITY_TO_DISTRICT,
    DivisionChange.Kind.DISTRICT_REORGANISED,
}


@dataclass
class Event:
    year: int
    kind: str
    old_code: str
    old_name: str
    old_parent: str
    new_code: str
    new_name: str
    new_parent: str
    record: dict
    noise: str = ""


def _short(code: str | None) -> str:
    """Source codes are 12-digit padded; county and above are the first 6 digits."""
    code = (code or "").strip()
    return code[:6] if len(code) == 12 and code.endswith("000000") else code


def _event(record: dict) -> Event:
    old, new = record.get("old") or {}, record.get("new") or {}
    return Event(
        year=int(record["year"]),
        kind=KIND_BY_SOURCE_WORD.get(record["type"], DivisionChange.Kind.OTHER),
        old_code=_short(old.get("code")),
        old_name=old.get("name") or "",
        old_parent=_short(old.get("parent_code")),
        new_code=_short(new.get("code")),
        new_name=new.get("name") or "",
        new_parent=_short(new.get("parent_code")),
        record=record,
    )


def territory_events(records: list[dict], territory: str) -> list[Event]:
    """Events with any code in the territory or in a former code of the territory."""
    events = [_event(r) for r in records]
    prefixes = {territory[:4]}
    prefixes |= {e.old_code[:4] for e in events if e.new_code == territory and e.old_code}
    return [
        e for e in events if any(c[:4] in prefixes for c in (e.old_code, e.new_code, e.old_parent, e.new_parent) if c)
    ]


def flag_noise(events: list[Event]) -> None:
    by_year: dict[int, list[Event]] = {}
    for event in events:
        by_year.setdefault(event.year, []).append(event)
    for event in events:
        same_year = by_year[event.year]
        if event.kind == DivisionChange.Kind.CODE_REASSIGNED:
            event.noise = (
                "码位改派: the code passed to another unit; a year-by-year set diff mistakes this for a "
                "rename (the source package reclassified it so)"
            )
        elif event.kind == DivisionChange.Kind.RECODED and event.old_code[:2] != event.new_code[:2]:
            event.noise = "same-name recode across provinces: code crosstalk of the diff, not a transfer"
        elif (
            event.kind == DivisionChange.Kind.RECODED
            and event.old_name in GENERIC_NAMES
            and event.old_code[:4] != event.new_code[:4]
        ):
            event.noise = f"the generic name {event.old_name} matched across prefectures: not the same unit"
        elif (
            event.kind == DivisionChange.Kind.ABOLISHED
            and not event.new_code
            and any(o is not event and o.new_name == event.old_name and o.new_code != event.old_code for o in same_year)
        ):
            event.noise = (
                f"{event.old_name} appears under another code in the {event.year} table: recoded, not abolished"
            )
        elif event.kind == DivisionChange.Kind.ESTABLISHED and any(
            o is not event and o.old_name == event.new_name and o.old_code != event.new_code for o in same_year
        ):
            event.noise = f"{event.new_name} had another code in the {event.year} table: recoded, not established"


def _successor(code: str, forward: dict[str, str], current: dict[str, AdminUnit]) -> AdminUnit | None:
    seen = set()
    while code and code not in seen:
        if code in current:
            return current[code]
        seen.add(code)
        code = forward.get(code, "")
    return None


def import_division_history(ctx: ImportContext) -> None:
    raw = json.loads(ctx.definition.read("historical_changes_v1.json"))
    events = territory_events(raw["events"], settings.TERRITORY_CODE)
    flag_noise(events)
    current = {u.code: u for u in AdminUnit.objects.current()}
    forward = {
        e.old_code: e.new_code
        for e in sorted(events, key=lambda e: e.year)
        if not e.noise and e.old_code and e.new_code
    }

    formers: dict[tuple, Event] = {}
    for event in sorted(events, key=lambda e: e.year):
        unit = _successor(event.new_code or event.old_code, forward, current)
        _, created = DivisionChange.objects.get_or_create(
            source=ctx.source,
            source_record=event.record,
            defaults=dict(
                year=event.year,
                kind=event.kind,
                old_code=event.old_code,
                old_name=event.old_name,
                old_parent_code=event.old_parent,
                new_code=event.new_code,
                new_name=event.new_name,
                new_parent_code=event.new_parent,
                unit=unit,
                is_noise=bool(event.noise),
                noise_reason=event.noise,
                document_number=event.record.get("doc_no") or "",
                changeset=ctx.changeset,
            ),
        )
        ctx.report.count("created division-change events" if created else "unchanged division-change events")
        if event.noise:
            ctx.report.count("checked events flagged as noise")
        elif unit is not None and event.kind in CONTINUING_KINDS:
            # Later events overwrite earlier ones: a former name or code lasted until its last event.
            if event.old_code and event.old_code != unit.code:
                formers[(unit, UnitCode, event.old_code)] = event
            if event.old_name and event.old_name != unit.name:
                formers[(unit, UnitName, event.old_name)] = event
    for (unit, model, value), event in formers.items():
        _record_former(ctx, unit, model, value, event)


def _record_former(ctx: ImportContext, unit: AdminUnit, model, value: str, event: Event) -> None:
    note = f"until {event.year} ({event.record['type']}, {ctx.definition.requirement})"
    field = "code" if model is UnitCode else "name"
    _, created = model.objects.get_or_create(
        unit=unit, kind="former", **{field: value}, defaults={"source": ctx.source, "note": note}
    )
    ctx.report.count(f"created former {field}s" if created else f"unchanged former {field}s")
