"""Addresses in the public search and the reverse look-up (gazetteer.search.addresses): road plus number
in characters, pinyin and mixed, ranking, retired and proposed numbers, synthetic labels, the nearest
address at a point, and the answers kept in step with the register through its events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import LineString, Point

from core.events import RecordChanged, announce
from core.history import open_changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Category, HouseNumber, Road
from gazetteer.search.addresses import NEAREST_WITHIN_M, SYNTHETIC_NOTE, parse_address
from gazetteer.services import places as place_service
from tests.test_openapi import _check

pytestmark = pytest.mark.django_db

# Roads in 宁安市 near its seat, running east from these points; a number's entrance every 20 m.
WEST, LAT = 129.470, 44.340
METRES_PER_DEGREE_LON = 111_320 * 0.716  # cos(44.34°)


def make_road(name: str, lat: float, *, synthetic: bool = False) -> Road:
    changeset = open_changeset("edit", "测试道路", label="tests")
    line = LineString((WEST, lat), (WEST + 0.02, lat), srid=STORAGE_SRID)
    place = place_service.create_place(
        changeset=changeset, name=name, category=Category.objects.get(code="08100"), geom=line, synthetic=synthetic
    )
    return place.road  # made with the place (gazetteer.services.house_numbers.road_follows_place)


def entrance(number: int, lat: float) -> Point:
    return Point(WEST + number * 20 / METRES_PER_DEGREE_LON, lat + 0.0001, srid=STORAGE_SRID)


def add_number(road: Road, number: int, *, announce_it: bool = True, **fields) -> HouseNumber:
    """As the house-number service will: the row, then its announcement."""
    lat = road.place.geom.coords[0][1]
    fields.setdefault("status", HouseNumber.Status.IN_USE)
    made = HouseNumber.objects.create(
        road=road, number=number, geom=entrance(number, lat), distance_m=number * 20.0, side="left", **fields
    )
    if announce_it:
        announce(RecordChanged("house-number", made, created=True))
    return made


@pytest.fixture
def streets(db):
    taiping = make_road("太平路", LAT)
    north_lane = make_road("太平路北巷", LAT + 0.003)
    for number in (10, 11, 12, 14):
        add_number(taiping, number)
    add_number(taiping, 12, suffix=1)
    add_number(taiping, 12, building_no="3")
    add_number(taiping, 12, building_no="3", unit_no="2", room_no="301")
    add_number(north_lane, 12)
    return {"taiping": taiping, "north_lane": north_lane}


def search(client, q, **params):
    response = client.get("/api/v1/places/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(results) -> list[str]:
    return [r["name"] for r in results]


# ---- reading a query as an address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "road", "number", "suffix", "building", "unit", "room"),
    [
        ("太平路12号", "太平路", 12, 0, "", "", ""),
        ("taipinglu 12", "taipinglu", 12, 0, "", "", ""),
        ("Taiping Lu No. 12", "taipinglu", 12, 0, "", "", ""),
        ("太平路12-1", "太平路", 12, 1, "", "", ""),
        ("太平路12之一号", "太平路", 12, 1, "", "", ""),
        ("太平路１２－１号", "太平路", 12, 1, "", "", ""),
        ("太平路12号3号楼", "太平路", 12, 0, "3", "", ""),
        ("太平路12号3栋2单元301室", "太平路", 12, 0, "3", "2", "301"),
        ("太平路十二号", "太平路", 12, 0, "", "", ""),
        ("太平路 12 hao", "太平路", 12, 0, "", "", ""),
        ("taipinglu 12號", "taipinglu", 12, 0, "", "", ""),
        ("一号路3号", "一号路", 3, 0, "", "", ""),
    ],
)
def test_address_forms_are_read(query, road, number, suffix, building, unit, room):
    address = parse_address(query)
    assert address is not None, query
    assert (address.hanzi or address.pinyin, address.number, address.suffix) == (road, number, suffix)
    assert (address.building_no, address.unit_no, address.room_no) == (building, unit, room)


@pytest.mark.parametrize(
    "query", ["宁安", "东京城镇", "G11", "231025231083001Q", "太平路12号楼", "太平路1234567号", "12号", ""]
)
def test_names_and_numbers_that_are_not_addresses(query):
    assert parse_address(query) is None


# ---- the public search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected", "form"),
    [
        ("太平路12号", "太平路12号", "hanzi"),
        ("taipinglu 12", "太平路12号", "pinyin"),
        ("Taiping Lu 12", "太平路12号", "pinyin"),
        ("taipinglu 12号", "太平路12号", "pinyin"),
        ("tpl 12", "太平路12号", "initials"),
        ("太平12号", "太平路12号", "hanzi"),
        ("太平路十二号", "太平路12号", "hanzi"),
        ("太平路12-1", "太平路12-1号", "hanzi"),
        ("taipinglu 12-1", "太平路12-1号", "pinyin"),
        ("太平路12之1号", "太平路12-1号", "hanzi"),
        ("太平路12号3号楼", "太平路12号3号楼", "hanzi"),
        ("太平路12号3号楼2单元301室", "太平路12号3号楼2单元301室", "hanzi"),
        ("太平璐12号", "太平路12号", "fuzzy"),
    ],
)
def test_each_form_finds_the_address_first(client, streets, query, expected, form):
    top = search(client, query)[0]
    assert (top["kind"], top["name"]) == ("address", expected), names(search(client, query))
    assert top["matched"]["form"] == form


def test_an_address_result_carries_road_number_and_point(client, streets):
    top = search(client, "太平路12-1")[0]
    road = streets["taiping"].place
    assert top["address"] == {
        "road": {"code": road.code, "name": "太平路", "romanization": "Taiping Lu"},
        "number": 12,
        "suffix": 1,
        "number_label": "12-1号",
        "building_no": "",
        "unit_no": "",
        "room_no": "",
    }
    assert top["romanization"] == "Taiping Lu 12-1"
    assert (top["lon"], top["lat"]) == pytest.approx(entrance(12, LAT).coords, abs=1e-6)
    assert top["is_synthetic"] is False and "synthetic_note" not in top
    assert top["url"] == f"/places/{road.code}"
    assert [u["name"] for u in top["unit_path"]][:2] == ["牡丹江市", "宁安市"]
    _check("/api/v1/places/search", "/api/v1/places/search", {"q": "太平路12-1"})


def test_the_exact_road_and_number_rank_first_then_other_parts_then_the_road(client, streets):
    results = search(client, "太平路12号", limit=20)
    assert [r["kind"] for r in results[:5]] == ["address"] * 5
    assert names(results)[:5] == [
        "太平路12号",
        "太平路12号3号楼",
        "太平路12号3号楼2单元301室",
        "太平路12-1号",
        "太平路北巷12号",
    ]
    scores = [r["score"] for r in results[:5]]
    assert scores[0] == 100 and scores == sorted(scores, reverse=True)
    road = next(r for r in results if "kind" not in r)
    assert road["name"] == "太平路" and names(results).index("太平路") == 5  # the road itself after its addresses


def test_a_number_that_does_not_exist_still_finds_the_road(client, streets):
    for query in ("太平路99号", "taipinglu 99"):
        results = search(client, query)
        assert "address" not in [r.get("kind") for r in results]
        assert results[0]["name"] == "太平路" and results[0]["code"] == streets["taiping"].place.code


def test_a_retired_number_is_not_found_as_current(client, streets):
    retired = add_number(
        streets["taiping"],
        16,
        status=HouseNumber.Status.RETIRED,
        issued_on=dt.date(2010, 1, 1),
        retired_on=dt.date(2020, 1, 1),
        retired_reason="拆除",
    )
    assert "太平路16号" not in names(search(client, "太平路16号"))
    then = search(client, "太平路16号", at="2015-06-01")
    assert then[0]["name"] == "太平路16号" and then[0]["status"] == "retired" and then[0]["id"] == retired.pk
    assert "太平路16号" not in names(search(client, "太平路16号", at="2021-01-01"))


def test_a_proposed_number_is_for_staff_only(client, streets, accounts):
    add_number(streets["taiping"], 18, status=HouseNumber.Status.PROPOSED)
    assert "太平路18号" not in names(search(client, "太平路18号"))
    staff = accounts["officer_ningan"].get("/api/v1/places/search", q="太平路18号").json()["results"]
    assert staff[0]["name"] == "太平路18号" and staff[0]["status"] == "proposed"


def test_synthetic_addresses_are_labelled(client, streets):
    add_number(streets["taiping"], 20, is_synthetic=True)
    demo = make_road("示范街", LAT + 0.006, synthetic=True)
    add_number(demo, 5)
    for query, name in (("太平路20号", "太平路20号"), ("示范街5号", "示范街5号")):
        top = search(client, query)[0]
        assert top["name"] == name and top["is_synthetic"] is True and top["standing"] == "synthetic"
        assert top["synthetic_note"] == SYNTHETIC_NOTE and "示例" in top["category"]["name"]


def test_type_ahead_suggests_addresses(client, streets):
    response = client.get("/api/v1/places/suggest", {"q": "太平路12"})
    suggestions = response.json()["suggestions"]
    assert suggestions[0]["name"] == "太平路12号" and suggestions[0]["category"]["code"] == "address"


# ---- kept in step with the register --------------------------------------------------------------------


def test_a_number_announced_as_changed_is_not_answered_from_memory(client, streets):
    number = HouseNumber.objects.get(road=streets["taiping"], number=14)
    assert search(client, "太平路14号")[0]["name"] == "太平路14号"  # now kept in memory
    HouseNumber.objects.filter(pk=number.pk).update(
        status=HouseNumber.Status.RETIRED, retired_on=dt.date.today(), retired_reason="测试"
    )
    assert search(client, "太平路14号")[0]["name"] == "太平路14号"  # not announced: the kept answer
    number.refresh_from_db()
    announce(RecordChanged("house-number", number, frozenset({"status"})))
    assert "太平路14号" not in names(search(client, "太平路14号"))


def test_a_renamed_road_finds_its_addresses_under_the_new_name(client, streets):
    place = streets["taiping"].place
    changeset = open_changeset("decision", "测试更名", label="tests")
    place_service.rename_place(place, "和平路", changeset=changeset, effective=dt.date.today())
    assert search(client, "和平路12号")[0]["name"] == "和平路12号"
    former = search(client, "太平路12号")[0]  # the former name still finds it, under its current name
    assert former["name"] == "和平路12号" and former["matched"]["kind"] == "former"


# ---- the reverse look-up -------------------------------------------------------------------------------


def reverse(client, point: Point, **params):
    response = client.get("/api/v1/reverse", {"lon": point.x, "lat": point.y, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_reverse_gives_the_nearest_address_within_the_cap(client, streets):
    at = entrance(12, LAT)
    near = reverse(client, Point(at.x + 3 / METRES_PER_DEGREE_LON, at.y, srid=STORAGE_SRID))
    assert near["address"]["name"] == "太平路12号"  # the number itself before its buildings at the same door
    assert near["address"]["road"]["name"] == "太平路" and 2 < near["address"]["distance_m"] < 4
    assert near["units"] and near["nearest"]
    far = reverse(client, Point(at.x, at.y - (NEAREST_WITHIN_M + 50) / 111_320, srid=STORAGE_SRID))
    assert far["address"] is None
    _check("/api/v1/reverse", "/api/v1/reverse", {"lon": at.x, "lat": at.y})


def test_reverse_skips_retired_and_labels_synthetic(client, streets):
    at = entrance(30, LAT)
    add_number(
        streets["taiping"],
        30,
        status="retired",
        retired_on=dt.date(2020, 1, 1),
        retired_reason="拆除",
        is_synthetic=True,
    )
    add_number(streets["taiping"], 32, is_synthetic=True)
    found = reverse(client, at)["address"]
    assert found["name"] == "太平路32号" and 35 < found["distance_m"] < 45
    assert (
        found["is_synthetic"] is True and found["standing"] == "synthetic" and found["synthetic_note"] == SYNTHETIC_NOTE
    )
