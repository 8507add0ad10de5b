"""Synthetic signs on the demonstration streets (示例数据), so that the sign inventory, its campaigns, the
dashboard and the sign faces have something to show: a name sign at each end of every demonstration
street (路名牌 for a 路, 街牌 for a 街, 巷牌 for a 巷) and a house-number plate at every current number's
entrance. Their make, install year and condition are drawn from one seed (so a renewal campaign finds
old and faded signs), their maker is ``DEMO_MAKER``, and every one is ``is_synthetic`` because the
record it names is (gazetteer.services.signs decides that, and captures the text).

Idempotent: a street that has signs already is left alone; signs end with their streets' retirement only
as the inventory's own rules say (a removed sign is removed by an officer, with a reason).
"""

from __future__ import annotations

import datetime as dt
import math
import random

from django.contrib.gis.geos import Point
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.geometry import from_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.models import HouseNumber, Road, Sign
from gazetteer.services import signs
from gazetteer.services.demo_streets import LABEL, REF_PREFIX, current_demo_places

REASON = "示例数据 synthetic demonstration signs on the demonstration streets"
SEED = "demo-signs"
DEMO_MAKER = "示例标牌厂 (synthetic)"
END_SETBACK_M = 8.0  # a street's name sign stands this far in from its end, beside the carriageway
NAME_SIGN_KIND = {Road.RoadClass.LANE: Sign.Kind.LANE}
CONDITIONS = ((Sign.Condition.GOOD, 0.62), (Sign.Condition.FADED, 0.24), (Sign.Condition.DAMAGED, 0.1),
              (Sign.Condition.MISSING, 0.04))  # fmt: skip
INSTALL_YEARS = (2006, 2024)
MATERIALS = (Sign.Material.ALUMINIUM, Sign.Material.REFLECTIVE, Sign.Material.ENAMEL)


def _name_kind(place) -> str:
    road_class = place.road.road_class if hasattr(place, "road") else None
    if road_class in NAME_SIGN_KIND:
        return NAME_SIGN_KIND[road_class]
    return Sign.Kind.STREET if place.name.endswith("街") else Sign.Kind.ROAD_NAME


def _end_points(place) -> list[tuple[Point, float]]:
    """Each end of the street, set back along it, with the bearing a reader there faces (along the street)."""
    line = to_metric(from_geos(place.geom))
    found = []
    for at, toward in ((0.0, END_SETBACK_M), (line.length, line.length - END_SETBACK_M)):
        here, ahead = line.interpolate(min(at, line.length)), line.interpolate(max(0.0, min(toward, line.length)))
        facing = math.degrees(math.atan2(here.x - ahead.x, here.y - ahead.y)) % 360  # from inside, outwards
        lon_lat = to_lonlat(ahead)
        found.append((Point(lon_lat.x, lon_lat.y, srid=STORAGE_SRID), round(facing, 1)))
    return found


def _make(rng: random.Random, width_mm: int, height_mm: int) -> dict:
    year = rng.randint(*INSTALL_YEARS)
    condition = rng.choices([c for c, _ in CONDITIONS], weights=[w for _, w in CONDITIONS])[0]
    return {
        "width_mm": width_mm,
        "height_mm": height_mm,
        "material": rng.choice(MATERIALS),
        "maker": DEMO_MAKER,
        "installed_on": dt.date(year, rng.randint(4, 10), rng.randint(1, 28)),
        "condition": condition,
    }


@transaction.atomic
def place_demo_signs() -> int:
    """Signs for every demonstration street that has none yet; how many were registered."""
    streets = [
        place
        for place in current_demo_places().select_related("category", "road").order_by("code")
        if not Sign.objects.filter(place=place).exists()
    ]
    if not streets:
        return 0
    changeset = open_changeset(Changeset.Kind.IMPORT, REASON, label=LABEL)
    made = 0
    for place in streets:
        rng = random.Random(f"{SEED}:{place.source_ref}")  # noqa: S311 (demonstration data)
        specs = [
            {"kind": _name_kind(place), "geom": point, "place": place, "facing_deg": facing, **_make(rng, 600, 400)}
            for point, facing in _end_points(place)
        ]
        numbers = HouseNumber.objects.filter(road__place=place).exclude(status=HouseNumber.Status.RETIRED)
        for house in numbers.select_related("road__place").order_by("distance_m", "id"):
            specs.append(
                {"kind": Sign.Kind.HOUSE_PLATE, "geom": house.geom, "house_number": house, **_make(rng, 300, 200)}
            )
        made += len(signs.register_synthetic_signs(changeset, specs))
    return made


@transaction.atomic
def remove_demo_signs() -> int:
    """Take down the signs of demonstration streets that have ended (after ``retire_demo_streets``)."""
    retired = HouseNumber.Status.RETIRED
    ended = Sign.objects.filter(is_synthetic=True, status=Sign.Status.IN_PLACE).filter(
        Q(place__source_ref__startswith=REF_PREFIX, place__valid_to__isnull=False)
        | Q(house_number__road__place__source_ref__startswith=REF_PREFIX, house_number__status=retired)
    )
    if not ended.exists():
        return 0
    changeset = open_changeset(Changeset.Kind.IMPORT, f"{REASON} (taken down with their streets)", label=LABEL)
    return signs.remove_synthetic_signs(changeset, ended, on=timezone.localdate())
