"""Village-level units from the statistics bureau's division codes, attached to current townships.

The statistics list (NBS, 2023) and the civil-affairs list (MCA, 2025) disagree on some township
codes and names. A crosswalk matches each NBS township to the current MCA township by code, else by
name within the county. Every disagreement is kept as a recorded fact: an NBS code that differs
becomes a statistical code row of the MCA unit, an NBS name that differs a statistical name row.
NBS townships with no MCA counterpart (forestry bureaus, farms, ...) are loaded as ``statistical``
units under their county, with their own villages under them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings

from boundaries.importers.upsert import apply_unit_fact
from boundaries.levels import Level, Tier, village_level_from_code
from boundaries.models import AdminUnit, UnitCode, UnitName
from core.imports import ImportContext, ImportRefused


@dataclass(frozen=True)
class NbsRow:
    code: str
    name: str
    parent_code: str


@dataclass(frozen=True)
class CrosswalkEntry:
    nbs: NbsRow
    unit: AdminUnit | None  # the current MCA township, or None when the NBS unit has no counterpart
    matched_by: str  # "code and name", "code", "name" or "none"


def read_rows(raw: bytes, parent_column: str, territory_prefix: str) -> list[NbsRow]:
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    missing = {"code", "name", parent_column} - set(reader.fieldnames or ())
    if missing:
        raise ImportRefused(f"the NBS file lacks the columns {', '.join(sorted(missing))}")
    return [
        NbsRow(row["code"], row["name"].strip(), row[parent_column])
        for row in reader
        if row["code"].startswith(territory_prefix)
    ]


def crosswalk(townships: list[NbsRow], counties: dict[str, AdminUnit]) -> list[CrosswalkEntry]:
    current = {u.code: u for u in AdminUnit.objects.current().filter(tier=Tier.TOWNSHIP, parent__in=counties.values())}
    by_name = {(u.parent.code, u.name): u for u in current.values()}
    entries = []
    for row in townships:
        unit = current.get(row.code)
        if unit is not None:
            entries.append(CrosswalkEntry(row, unit, "code and name" if unit.name == row.name else "code"))
        elif (row.parent_code, row.name) in by_name:
            entries.append(CrosswalkEntry(row, by_name[(row.parent_code, row.name)], "name"))
        else:
            entries.append(CrosswalkEntry(row, None, "none"))
    return entries


def import_nbs_villages(ctx: ImportContext) -> None:
    prefix = settings.TERRITORY_CODE[:4]
    counties = {u.code: u for u in AdminUnit.objects.current().filter(tier=Tier.COUNTY, code__startswith=prefix)}
    if not counties:
        raise ImportRefused("no county-level units loaded: load the civil-affairs list first")
    townships = [
        r for r in read_rows(ctx.definition.read("streets.csv"), "areaCode", prefix) if r.parent_code in counties
    ]
    villages = read_rows(ctx.definition.read("villages.csv"), "streetCode", prefix)

    township_units = {}
    for entry in crosswalk(townships, counties):
        township_units[entry.nbs.code] = _attach_township(ctx, entry, counties)
    _report_mca_only(ctx, counties, {e.pk for e in township_units.values()})

    for row in villages:
        parent = township_units.get(row.parent_code)
        if parent is None:
            ctx.report.warn(f"{row.code} {row.name}: its township {row.parent_code} is not in the list; skipped")
            continue
        level = village_level_from_code(row.code)
        apply_unit_fact(
            ctx,
            row.code,
            {"name": row.name, "level": level, "tier": Tier.VILLAGE, "parent": parent},
            create={"code": row.code, "source": ctx.source},
            noun="village-tier units",
        )
        ctx.report.count(f"checked level {level}")


def _attach_township(ctx: ImportContext, entry: CrosswalkEntry, counties: dict[str, AdminUnit]) -> AdminUnit:
    nbs = entry.nbs
    if entry.unit is None:
        ctx.report.fact(f"{nbs.code} {nbs.name}: in the NBS 2023 list only; loaded as a statistical unit")
        return apply_unit_fact(
            ctx,
            nbs.code,
            {"name": nbs.name, "level": Level.STATISTICAL, "tier": Tier.TOWNSHIP, "parent": counties[nbs.parent_code]},
            create={"code": nbs.code, "source": ctx.source},
            noun="township-tier statistical units",
        )
    unit = entry.unit
    if entry.matched_by == "code":
        _record(
            ctx,
            UnitName,
            unit,
            name=nbs.name,
            kind=UnitName.Kind.STATISTICAL,
            note=f"NBS 2023 names code {nbs.code} '{nbs.name}'; the MCA list of 2025-12-31 names it '{unit.name}'",
        )
    elif entry.matched_by == "name":
        _record(
            ctx,
            UnitCode,
            unit,
            code=nbs.code,
            kind=UnitCode.Kind.STATISTICAL,
            note=f"NBS 2023 codes '{nbs.name}' as {nbs.code}; the MCA list of 2025-12-31 as {unit.code}",
        )
    return unit


def _record(ctx: ImportContext, model, unit: AdminUnit, *, note: str, **fields) -> None:
    _, created = model.objects.get_or_create(unit=unit, **fields, defaults={"source": ctx.source, "note": note})
    ctx.report.fact(note)
    if created:
        ctx.report.count(f"created {model._meta.verbose_name} rows")


def _report_mca_only(ctx: ImportContext, counties: dict[str, AdminUnit], matched: set[int]) -> None:
    unmatched = (
        AdminUnit.objects.current().filter(tier=Tier.TOWNSHIP, parent__in=counties.values()).exclude(pk__in=matched)
    )
    for unit in unmatched:
        ctx.report.fact(f"{unit.code} {unit.name}: in the MCA list only (no NBS code, no villages listed)")
