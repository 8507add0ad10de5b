"""Administrative levels and tiers, and the rules that read them from names and codes.

The level tokens are used everywhere, the API included. A tier groups the levels by their place in
the hierarchy (city 1, county 2, township 3, village 4); ``statistical`` units sit at tier 3 or 4.
"""

from __future__ import annotations

from django.db import models


class Level(models.TextChoices):
    CITY = "city", "地级市"
    DISTRICT = "district", "市辖区"
    COUNTY = "county", "县"
    COUNTY_CITY = "county_city", "县级市"
    SUBDISTRICT = "subdistrict", "街道"
    TOWN = "town", "镇"
    TOWNSHIP = "township", "乡"
    COMMUNITY = "community", "居委会/社区"
    VILLAGE = "village", "村委会"
    STATISTICAL = "statistical", "统计用单位"


class Tier(models.IntegerChoices):
    CITY = 1, "地级"
    COUNTY = 2, "县级"
    TOWNSHIP = 3, "乡级"
    VILLAGE = 4, "村级"


COUNTY_LEVELS = (Level.DISTRICT, Level.COUNTY, Level.COUNTY_CITY)
TOWNSHIP_LEVELS = (Level.SUBDISTRICT, Level.TOWN, Level.TOWNSHIP)
VILLAGE_LEVELS = (Level.COMMUNITY, Level.VILLAGE)


def tier_of_code(code: str) -> Tier:
    """6-digit codes are county-level unless they end in 00 (a prefecture); 9 digits township; 12 village."""
    if len(code) == 6:
        return Tier.CITY if code.endswith("00") else Tier.COUNTY
    if len(code) == 9:
        return Tier.TOWNSHIP
    if len(code) == 12:
        return Tier.VILLAGE
    raise ValueError(f"not an administrative division code: {code!r}")


def county_level_from_name(name: str) -> Level:
    if name.endswith("区"):
        return Level.DISTRICT
    if name.endswith("县") or name.endswith("旗"):
        return Level.COUNTY
    if name.endswith("市"):
        return Level.COUNTY_CITY
    raise ValueError(f"cannot tell the level of county-level unit {name!r}")


def township_level_from_name(name: str) -> Level:
    """街道 -> subdistrict, 镇 -> town, 乡 (ethnic 乡 included) -> township."""
    if name.endswith("街道") or name.endswith("街道办事处"):
        return Level.SUBDISTRICT
    if name.endswith("镇"):
        return Level.TOWN
    if name.endswith("乡"):
        return Level.TOWNSHIP
    raise ValueError(f"cannot tell the level of township-level unit {name!r}")


def village_level_from_code(code: str) -> Level:
    """By the statistical code's village part (digits 10-12): 0xx-1xx residents' committees,
    2xx-3xx villagers' committees, 4xx units like residents' committees (virtual communities),
    5xx units like villagers' committees (the living quarters of forestry bureaus and farms),
    which the civil-affairs list does not have."""
    head = code[9]
    if head in "014":
        return Level.COMMUNITY
    if head in "23":
        return Level.VILLAGE
    return Level.STATISTICAL
