"""The synthetic demonstration streets (示例道路): a small run over one district lays streets inside it,
named in the local style and uniquely, each a road with house numbers by the city's rule, everything
synthetic and kept out of open data; a second run changes nothing; retired, they are laid again alike."""

from __future__ import annotations

import csv
import io
import re

import pytest
import shapely
from django.core.management import call_command
from django.test import Client

from boundaries.models import AdminUnit
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from gazetteer.models import (
    Category,
    HouseNumber,
    HouseNumberVersion,
    Place,
    PlaceVersion,
    Road,
    RoadVersion,
    Sign,
)
from gazetteer.services import demo_signs, demo_streets, house_numbers, places, signs
from gazetteer.services.open_data import published_places

AIMIN = "231004"  # 爱民区
XIAN = "231005"  # 西安区
pytestmark = pytest.mark.django_db
STYLE = {
    "road": re.compile(r"^(?:[东西][一二三四五六七八九十]+条路|[\u4e00-\u9fff]{2}路)$"),
    "street": re.compile(r"^[\u4e00-\u9fff]{2}街$"),
    "lane": re.compile(r"^[\u4e00-\u9fff]{2}巷$"),
}


def lay(*codes: str) -> demo_streets.DemoResult:
    return demo_streets.lay_demo_streets(codes, demo_streets.SMALL)


def kind_of(place: Place) -> str:
    return place.source_ref.rsplit(":", 1)[1].rstrip("0123456789")


def counts() -> dict[str, int]:
    models = (Place, Road, HouseNumber, PlaceVersion, RoadVersion, HouseNumberVersion, Changeset)
    return {m.__name__: m.objects.count() for m in models}


# ---- the pure parts ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("n", "text"), [(1, "一"), (3, "三"), (10, "十"), (12, "十二"), (20, "二十"), (21, "二十一")])
def test_chinese_numbers(n, text):
    assert demo_streets.chinese_number(n) == text


def test_the_word_lists_share_no_word_and_repeat_none():
    roads, lanes = demo_streets.ROAD_WORDS, demo_streets.LANE_WORDS
    assert len(set(roads)) == len(roads) and len(set(lanes)) == len(lanes) and not set(roads) & set(lanes)


def test_the_layout_is_deterministic_and_a_taken_name_is_not_given():
    area, centre = shapely.Point(0, 0).buffer(900), shapely.Point(0, 0)
    first, again = (demo_streets.lay_out(XIAN, area, centre, demo_streets.SMALL) for _ in range(2))
    assert [(s.key, s.line.wkb) for s in first] == [(s.key, s.line.wkb) for s in again]
    named = demo_streets.name_streets(XIAN, first, set())
    assert "西一条路" in {s.name for s in named}
    renamed = demo_streets.name_streets(XIAN, first, {"西一条路", named[-1].name})
    assert "西一条路" not in {s.name for s in renamed} and named[-1].name not in {s.name for s in renamed}
    assert [s.name for s in named] == [s.name for s in demo_streets.name_streets(XIAN, first, set())]


# ---- the records (one small run serves several checks: laying a district is the slow part) ----------------


def test_a_small_run_lays_named_numbered_synthetic_streets_inside_the_district():
    result = lay(AIMIN)
    assert result.districts == [AIMIN] and result.streets >= 4 and result.house_numbers > 40
    aimin = list(demo_streets.current_demo_places().select_related("road", "unit"))
    assert len(aimin) == result.streets
    check_inside_their_district_around_its_seat(aimin)
    check_names_unique_in_the_city_and_in_the_local_style(aimin)
    check_numbered_by_the_rule_odd_and_even_sides_increasing_along_it(aimin)
    check_everything_says_synthetic(aimin)
    check_none_reaches_the_open_data_files(aimin)


def check_inside_their_district_around_its_seat(aimin):
    district = AdminUnit.objects.current().get(code=AIMIN)
    polygon, seat = to_metric(from_geos(district.geom)), to_metric(from_geos(district.seat))
    for place in aimin:
        line = to_metric(from_geos(place.geom))
        assert place.geom.geom_type == "LineString"
        assert polygon.buffer(-demo_streets.EDGE_M + 1).contains(line), place.name
        assert seat.buffer(demo_streets.SMALL.radius_m + 1).contains(line), place.name
        assert place.unit.code.startswith(AIMIN)


def check_names_unique_in_the_city_and_in_the_local_style(aimin):
    names = [p.name for p in aimin]
    assert len(set(names)) == len(names)
    for place in aimin:
        assert Place.objects.filter(name=place.name).count() == 1, place.name
        kind = kind_of(place)
        assert STYLE[kind].match(place.name), place.name
        (x0, y0), (x1, y1) = to_metric(from_geos(place.geom)).coords[0], to_metric(from_geos(place.geom)).coords[-1]
        if kind in ("road", "lane"):
            assert abs(x1 - x0) > abs(y1 - y0), f"{place.name} runs east-west"
        else:
            assert abs(y1 - y0) > abs(x1 - x0), f"{place.name} runs north-south"
        assert place.road.road_class == (Road.RoadClass.LANE if kind == "lane" else Road.RoadClass.URBAN)
    assert {kind_of(p) for p in aimin} >= {"road", "street"}


def check_numbered_by_the_rule_odd_and_even_sides_increasing_along_it(aimin):
    for place in aimin:
        rule = house_numbers.rule_of(place.road)
        numbers = list(place.road.house_numbers.all())
        assert len(numbers) >= demo_streets.MIN_DOORS, place.name
        assert {n.side for n in numbers} == {"left", "right"}
        line = house_numbers.line_of(place.road)
        for side in ("left", "right"):
            here = sorted((n for n in numbers if n.side == side), key=lambda n: n.distance_m)
            assert all(n.number % 2 == rule.parity(side) for n in here), place.name
            assert [n.number for n in here] == sorted({n.number for n in here}), f"{place.name} {side}"
            for n in here:
                placement = house_numbers.placement_of(place.road, shapely.Point(n.geom.coords), line)
                assert placement.side == side and 3.5 < placement.offset_m < 8.5
        assert all(n.suffix == 0 and n.status == HouseNumber.Status.ISSUED for n in numbers)


def check_everything_says_synthetic(aimin):
    for place in aimin:
        assert place.standing == Place.Standing.SYNTHETIC and place.is_synthetic and not place.is_standard
        assert "示例" in place.description
        assert all(n.is_synthetic for n in place.road.house_numbers.all())
        changesets = {v.changeset for v in place.versions.all()}
        changesets |= {v.changeset for n in place.road.house_numbers.all() for v in n.versions.all()}
        assert changesets and all("示例数据" in c.reason and "synthetic" in c.reason for c in changesets)
        # The road record follows the place in the place's own changeset (house_numbers.road_follows_place);
        # a later change of it (a lane's class) is the demonstration's too.
        for version in place.road.versions.select_related("changeset"):
            assert "示例数据" in version.changeset.reason


def check_none_reaches_the_open_data_files(aimin):
    codes = {p.code for p in aimin}
    assert not codes & set(published_places().values_list("code", flat=True))
    response = Client().get("/api/v1/open-data/places.csv")
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows and not codes & {row["code"] for row in rows}
    assert not {p.name for p in aimin} & {row["name"] for row in rows}


def test_a_second_run_changes_nothing_and_the_command_prints_its_counts():
    out = io.StringIO()
    call_command("demo_streets", "--district", AIMIN, "--small", stdout=out)
    made = demo_streets.current_demo_places().count()
    numbers = HouseNumber.objects.filter(road__place__in=demo_streets.current_demo_places()).count()
    signs = Sign.objects.filter(is_synthetic=True).count()
    assert made and signs == numbers + 2 * made  # a plate at each number, a name sign at each end
    assert out.getvalue().startswith(
        f"{made} synthetic streets, {numbers} synthetic house numbers and {signs} synthetic"
    )
    before = counts()
    again = io.StringIO()
    call_command("demo_streets", "--district", AIMIN, "--small", stdout=again)
    assert counts() == before
    assert again.getvalue().startswith("0 synthetic streets, 0 synthetic house numbers and 0 synthetic signs in 0")


def test_the_demo_signs_name_their_streets_and_numbers_and_come_down_with_them():
    lay(AIMIN)
    assert demo_signs.place_demo_signs() > 0 and demo_signs.place_demo_signs() == 0
    streets = list(demo_streets.current_demo_places().select_related("road"))
    plates = Sign.objects.filter(kind=Sign.Kind.HOUSE_PLATE)
    assert plates.count() == HouseNumber.objects.filter(road__place__in=streets).count()
    assert not Sign.objects.filter(is_synthetic=False).exists() and not signs.outdated().exists()
    for place in streets:
        names = Sign.objects.filter(place=place)
        expected = Sign.Kind.LANE if place.road.road_class == Road.RoadClass.LANE else None
        assert names.count() == 2 and all(s.text == place.name for s in names), place.name
        assert all(s.kind == (expected or (Sign.Kind.STREET if place.name.endswith("街") else Sign.Kind.ROAD_NAME))
                   for s in names)  # fmt: skip
        assert all(place.geom.distance(s.geom) < 0.0002 for s in names)  # beside the street, ~15 m
    plate = plates.select_related("house_number__road__place").first()
    assert plate.text == plate.house_number.road.place.name and plate.number_text.endswith("号")
    assert {s.condition for s in Sign.objects.all()} >= {Sign.Condition.GOOD, Sign.Condition.FADED}
    assert Sign.objects.exclude(maker=demo_signs.DEMO_MAKER).count() == 0
    out = io.StringIO()
    call_command("demo_streets", "--retire", stdout=out)
    assert f"{Sign.objects.count()} signs taken down" in out.getvalue()
    assert not Sign.objects.filter(status=Sign.Status.IN_PLACE).exists()
    assert all(s.removed_reason.startswith("示例数据") for s in Sign.objects.all())


def test_retired_they_stay_and_a_new_run_lays_them_again_alike():
    lay(AIMIN)
    aimin = list(demo_streets.current_demo_places())
    first = {(p.name, p.geom.wkb.hex()) for p in aimin}
    streets, numbers = demo_streets.retire_demo_streets()
    assert streets == len(aimin) and numbers == HouseNumber.objects.filter(road__place__in=aimin).count()
    assert not demo_streets.current_demo_places().exists()
    assert all(p.status == Place.Status.HISTORICAL for p in Place.objects.filter(pk__in=[p.pk for p in aimin]))
    assert not HouseNumber.objects.filter(road__place__in=aimin).exclude(status=HouseNumber.Status.RETIRED).exists()
    assert lay(AIMIN).districts == [AIMIN]
    assert {(p.name, p.geom.wkb.hex()) for p in demo_streets.current_demo_places()} == first


def test_the_river_is_left_as_a_gap():
    district = AdminUnit.objects.current().get(code=AIMIN)
    seat = to_metric(from_geos(district.seat))
    river = shapely.LineString([(seat.x - 2000, seat.y - 60), (seat.x + 2000, seat.y + 60)])
    changeset = open_changeset(Changeset.Kind.EDIT, "demo streets test: a river", label="tests")
    places.create_place(
        changeset=changeset,
        name=demo_streets.RIVER_NAME,
        category=Category.objects.get(code="02100"),
        geom=to_geos(to_lonlat(river)),
        synthetic=True,
    )
    lay(AIMIN)
    laid = demo_streets.current_demo_places()
    assert laid.exists()
    for place in laid:
        assert to_metric(from_geos(place.geom)).distance(river) >= demo_streets.RIVER_GAP_M - 1, place.name
