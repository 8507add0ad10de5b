"""The city, its counties and its current townships from the Ministry of Civil Affairs' list."""

from __future__ import annotations

import json

from django.conf import settings

from boundaries.importers.upsert import apply_unit_fact
from boundaries.levels import Level, Tier, county_level_from_name, township_level_from_name
from core.imports import ImportContext, ImportRefused


def territory_records(divisions: list[list], territory: str) -> list[tuple[str, str, str]]:
    """(code, parent code, name) of the territory, its counties and their townships, parents first."""
    by_parent: dict[str, list[tuple[str, str, str]]] = {}
    names = {}
    for _level, code, parent, name in divisions:
        names[code] = name
        by_parent.setdefault(parent, []).append((code, parent, name))
    if territory not in names:
        raise ImportRefused(f"the civil-affairs list has no unit {territory}")
    ordered = [(territory, "", names[territory])]
    for county in sorted(by_parent.get(territory, [])):
        ordered.append(county)
        ordered.extend(sorted(by_parent.get(county[0], [])))
    return ordered


def import_mca_townships(ctx: ImportContext) -> None:
    raw = json.loads(ctx.definition.read("divisions.json"))
    territory = settings.TERRITORY_CODE
    units = {}
    for code, parent_code, name in territory_records(raw["divisions"], territory):
        if code == territory:
            level, tier = Level.CITY, Tier.CITY
        elif len(code) == 6:
            level, tier = county_level_from_name(name), Tier.COUNTY
        else:
            level, tier = township_level_from_name(name), Tier.TOWNSHIP
        values = {"name": name, "level": level, "tier": tier, "parent": units.get(parent_code)}
        units[code] = apply_unit_fact(
            ctx, code, values, create={"code": code, "source": ctx.source}, noun=f"{Tier(tier).name.lower()}-tier units"
        )
        ctx.report.count(f"checked level {level}")
    ctx.report.figures["as of"] = raw["metadata"].get("data_as_of")
