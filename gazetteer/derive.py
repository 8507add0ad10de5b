"""Every administrative unit is also a place-name record: derive the missing ones.

The record names the unit: the city, a county, a township, a village or community. Village-level
units are listed by their committees (东兴村委会, 柴市社区居委会); the record takes the place name
(东兴村, 柴市社区) and keeps the listed form as an alias. Former and statistical names of the unit
become former names and aliases of the record."""

from __future__ import annotations

from django.db import transaction

from boundaries.levels import Level, Tier
from boundaries.models import AdminUnit, UnitName
from core.history import open_changeset
from core.models import Changeset
from gazetteer.models import Category, Place, PlaceName
from gazetteer.services.places import create_place

CATEGORY_BY_LEVEL = {
    Level.CITY: "04100",
    Level.DISTRICT: "04200",
    Level.COUNTY: "04200",
    Level.COUNTY_CITY: "04200",
    Level.SUBDISTRICT: "04300",
    Level.TOWN: "04300",
    Level.TOWNSHIP: "04300",
    Level.VILLAGE: "05100",
    Level.COMMUNITY: "05200",
}
STATISTICAL_CATEGORY = {Tier.TOWNSHIP: "06200", Tier.VILLAGE: "05900"}
# Committee suffixes of village-level units and what the place itself is called.
COMMITTEE_SUFFIXES = (("社区居民委员会", "社区"), ("社区居委会", "社区"), ("村民委员会", "村"), ("村委会", "村"))


def record_name(unit: AdminUnit) -> str:
    if unit.tier == Tier.VILLAGE:
        for suffix, generic in COMMITTEE_SUFFIXES:
            if unit.name.endswith(suffix) and len(unit.name) > len(suffix):
                return unit.name[: -len(suffix)] + generic
    return unit.name


def category_code(unit: AdminUnit) -> str:
    if unit.level == Level.STATISTICAL:
        return STATISTICAL_CATEGORY[Tier(unit.tier)]
    return CATEGORY_BY_LEVEL[Level(unit.level)]


def _other_names(unit: AdminUnit, name: str) -> list[tuple[str, str]]:
    names = [(PlaceName.Kind.ALIAS, unit.name)] if name != unit.name else []
    for row in unit.names.all():
        kind = PlaceName.Kind.FORMER if row.kind == UnitName.Kind.FORMER else PlaceName.Kind.ALIAS
        names.append((kind, row.name))
    return names


@transaction.atomic
def sync_unit_places() -> int:
    """Create the record of every current unit that has none; returns how many were created."""
    missing = (
        AdminUnit.objects.current()
        .filter(place_record__isnull=True)
        .select_related("parent__parent__parent", "source")
        .prefetch_related("names")
        .order_by("tier", "code")
    )
    if not missing.exists():
        return 0
    categories = {c.code: c for c in Category.objects.all()}
    changeset = open_changeset(
        Changeset.Kind.IMPORT,
        "derive the place-name records of the administrative units",
        label="derive place records from units",
    )
    created = 0
    for unit in missing:
        name = record_name(unit)
        create_place(
            changeset=changeset,
            name=name,
            category=categories[category_code(unit)],
            unit=unit,
            geom=unit.geom or unit.seat,
            admin_unit=unit,
            source=unit.source,
            valid_from=unit.valid_from,
            survey_method=Place.SurveyMethod.DERIVED,
            other_names=_other_names(unit, name),
        )
        created += 1
    return created
