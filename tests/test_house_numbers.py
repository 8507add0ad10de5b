"""House numbers (gazetteer.services.house_numbers) and renumbering (gazetteer.services.renumbering)
through the API: a synthetic east-west street in 西安区 numbered by the city's rule, a building
inserted later, an officer's own number, retirement without reuse, the rule per road, and a whole-road
renumbering approved or rejected with its before/after table."""

from __future__ import annotations

import json

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from core.geometry import to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from gazetteer.models import Category, HouseNumber, HouseNumberVersion, RenumberingProposal
from gazetteer.services import house_numbers, places
from tests.gazetteer_helpers import Api

pytestmark = pytest.mark.django_db
XIAN = "231005"
START = (129.48, 44.518)  # inside 西安区


def _street(name: str = "示例测试路") -> shapely.LineString:
    """An east-west street 1 km long, drawn from east to west (the city numbers from the west)."""
    west = to_metric(shapely.Point(START))
    return to_lonlat(shapely.LineString([(west.x + 1000, west.y), (west.x, west.y)]))


def _door(along_m: float, side: int) -> dict:
    """A door ``along_m`` metres east of the street's west end, north (side 1) or south (-1) of it."""
    west = to_metric(shapely.Point(START))
    point = to_lonlat(shapely.Point(west.x + along_m, west.y + 8 * side))
    return {"type": "Point", "coordinates": [point.x, point.y]}


@pytest.fixture
def road(db):
    changeset = open_changeset(Changeset.Kind.EDIT, "test street (synthetic)", label="tests")
    place = places.create_place(
        changeset=changeset,
        name="示例测试路",
        category=Category.objects.get(code="08100"),
        geom=to_geos(_street()),
        synthetic=True,
    )
    return house_numbers.register_road(place, changeset=changeset)


@pytest.fixture
def officers(accounts):
    _, key = create_officer("officer_xian_hn", role=Role.OFFICER, counties=[XIAN], with_token=True)
    return {**accounts, "xian": Api(key)}


def _number(api, road, doors, **body):
    payload = {"entrances": [{"geometry": d} for d in doors], "reason": "门牌编制", **body}
    return api.post(f"/api/v1/roads/{road.place.code}/house-numbers", payload)


def test_a_street_is_numbered_from_the_west_odd_on_the_left_by_frontage(road, officers):
    doors = [_door(5, 1), _door(45, 1), _door(305, 1), _door(5, -1), _door(61, -1)]
    preview = _number(officers["xian"], road, doors, dry_run=True)
    assert preview.status_code == 200, preview.content
    assert [row["number"] for row in preview.json()["numbers"]] == [1, 5, 31, 2, 8]
    assert not HouseNumber.objects.exists()  # a dry run writes nothing

    made = _number(officers["xian"], road, doors)
    assert made.status_code == 201, made.content
    numbers = made.json()["house_numbers"]
    assert [(n["number"], n["side"]) for n in numbers] == [
        (1, "left"),
        (5, "left"),
        (31, "left"),
        (2, "right"),
        (8, "right"),
    ]
    assert all(n["synthetic"] and n["status"] == "proposed" for n in numbers)
    assert numbers[0]["address"] == "示例测试路1号"
    public = Client().get(f"/api/v1/roads/{road.place.code}").json()
    assert public["synthetic"] and len(public["house_numbers"]) == 5 and "owner" not in public["house_numbers"][0]


def test_a_building_inserted_later_takes_a_free_number_or_a_sub_number(road, officers):
    _number(officers["xian"], road, [_door(101, 1), _door(111, 1), _door(305, 1)])
    assert sorted(road.house_numbers.values_list("number", flat=True)) == [11, 13, 31]
    between = _number(officers["xian"], road, [_door(201, 1)]).json()["house_numbers"][0]
    assert (between["number"], between["suffix"]) == (21, 0)  # its own frontage slot is free
    squeezed = _number(officers["xian"], road, [_door(106, 1)]).json()["house_numbers"][0]
    assert squeezed["address"] == "示例测试路11-1号"  # no number between 11 and 13: a sub-number
    assert sorted(road.house_numbers.values_list("number", "suffix")) == [(11, 0), (11, 1), (13, 0), (21, 0), (31, 0)]


def test_a_retired_number_is_not_reused_without_a_reason(road, officers):
    house = _number(officers["xian"], road, [_door(101, 1), _door(305, 1)]).json()["house_numbers"][0]
    retired = officers["xian"].post(f"/api/v1/house-numbers/{house['id']}/retire", {"reason": "房屋拆除", "version": 1})
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    again = _number(officers["xian"], road, [_door(101, 1)]).json()["house_numbers"][0]
    assert again["number"] != 11
    url = f"/api/v1/roads/{road.place.code}/house-numbers/issue"
    body = {"geometry": _door(101, 1), "number": 11, "reason": "恢复原门牌"}
    refused = officers["xian"].post(url, body)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "reuse_reason"
    wrong_side = officers["xian"].post(url, {**body, "number": 12, "reuse_reason": "x"})
    assert wrong_side.status_code == 400 and "odd side" in wrong_side.json()["error"]["message"]
    kept = officers["xian"].post(url, {**body, "reuse_reason": "法院判决恢复原门牌"})
    assert kept.status_code == 201 and kept.json()["number"] == 11


def test_rights_statuses_history_and_stale_writes(road, officers):
    refused = _number(officers["officer_hailin"], road, [_door(101, 1)])
    assert refused.status_code == 403
    assert _number(officers["public"], road, [_door(101, 1)]).status_code == 401
    house = _number(officers["xian"], road, [_door(101, 1)]).json()["house_numbers"][0]
    url = f"/api/v1/house-numbers/{house['id']}"
    skipped = officers["xian"].patch(url, {"status": "in_use", "reason": "x", "version": 1})
    assert skipped.status_code == 400  # proposed → issued → in use, in order
    issued = officers["xian"].patch(
        url, {"status": "issued", "owner": "张三", "building_no": "3", "reason": "发牌", "version": 1}
    )
    assert (
        issued.status_code == 200 and issued.json()["issued_on"] and issued.json()["address"] == "示例测试路11号3号楼"
    )
    stale = officers["xian"].patch(url, {"room_no": "301", "reason": "x", "version": 1})
    assert stale.status_code == 409
    public = Client().get(url).json()
    assert "owner" not in public and all("owner" not in e["data"] for e in public["history"])
    assert [e["version"] for e in public["history"]] == [1, 2]
    assert HouseNumberVersion.objects.filter(house_number_id=house["id"]).count() == 2


def test_the_rule_is_the_citys_unless_the_road_says_otherwise(road, officers):
    url = f"/api/v1/roads/{road.place.code}"
    changed = officers["xian"].patch(
        url,
        {"odd_side": "right", "interval_m": 10, "reserved": [{"from": 1, "to": 9, "reason": "规划地块"}],
         "reason": "本路单号在南侧", "version": road.version},
    )  # fmt: skip
    assert changed.status_code == 200, changed.content
    assert changed.json()["rule"]["odd_side"] == "right" and not changed.json()["rule"]["odd_side_is_the_citys"]
    numbers = _number(officers["xian"], road, [_door(5, -1), _door(5, 1)]).json()["house_numbers"]
    assert [(n["number"], n["side"]) for n in numbers] == [(11, "right"), (10, "left")]  # 1..9 reserved
    bad = officers["xian"].patch(url, {"reserved": [{"from": 9, "to": 1}], "reason": "x", "version": 2})
    assert bad.status_code == 400


def test_a_renumbering_is_a_before_after_table_applied_whole_on_approval(road, officers):
    api = officers["xian"]
    _number(api, road, [_door(101, 1), _door(111, 1), _door(305, 1)])  # 11, 13, 31
    _number(api, road, [_door(106, 1)])  # 11-1
    proposed = api.post(f"/api/v1/roads/{road.place.code}/renumbering", {"reason": "门牌整顿"})
    assert proposed.status_code == 201, proposed.content
    table = proposed.json()
    rows = {row["before"]: row["after"] for row in table["rows"]}
    assert rows == {
        "示例测试路11号": "示例测试路11号",
        "示例测试路11-1号": "示例测试路13号",
        "示例测试路13号": "示例测试路15号",
        "示例测试路31号": "示例测试路31号",
    }
    assert table["changed"] == 2 and all(row["records"] for row in table["rows"])
    number = table["number"]
    assert not HouseNumber.objects.filter(number=15).exists()  # nothing applied yet

    own = api.post(f"/api/v1/renumberings/{number}/approve", {"version": 1})
    assert own.status_code == 403  # an officer does not approve
    applied = officers["approver"].post(f"/api/v1/renumberings/{number}/approve", {"version": 1})
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    moved = HouseNumber.objects.get(number=13)
    assert moved.suffix == 0 and moved.former_address == "示例测试路11-1号"
    assert HouseNumber.objects.get(number=15).former_address == "示例测试路13号"
    assert RenumberingProposal.objects.get(number=number).changeset is not None


def test_a_stale_renumbering_is_a_conflict_and_a_rejected_one_changes_nothing(road, officers):
    api = officers["xian"]
    made = _number(api, road, [_door(101, 1), _door(111, 1), _door(305, 1)]).json()["house_numbers"]
    _number(api, road, [_door(106, 1)])
    number = api.post(f"/api/v1/roads/{road.place.code}/renumbering", {"reason": "门牌整顿"}).json()["number"]
    api.patch(f"/api/v1/house-numbers/{made[0]['id']}", {"building_no": "2", "reason": "x", "version": 1})
    conflict = officers["approver"].post(f"/api/v1/renumberings/{number}/approve", {"version": 1})
    assert conflict.status_code == 409
    before = sorted(HouseNumber.objects.values_list("number", "suffix"))
    rejected = officers["approver"].post(f"/api/v1/renumberings/{number}/reject", {"note": "暂缓", "version": 1})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert sorted(HouseNumber.objects.values_list("number", "suffix")) == before
    again = api.post(f"/api/v1/roads/{road.place.code}/renumbering", {"reason": "再次整顿"})
    assert again.status_code == 201


# ---- the admin: the same steps through the pages -------------------------------------------------------


def _inline_management(prefixes=("house_numbers", "versions")) -> dict:
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def _map_point(point: dict) -> str:
    """The point as the admin's map widget sends it: GeoJSON in the web map's projection (EPSG:3857)."""
    geometry = GEOSGeometry(json.dumps(point))  # GeoJSON reads as EPSG:4326 (= CGCS2000 to centimetres)
    return geometry.transform(3857, clone=True).geojson


def test_a_new_road_place_gets_its_road_record_with_the_citys_rule(db):
    changeset = open_changeset(Changeset.Kind.EDIT, "test lane (synthetic)", label="tests")
    place = places.create_place(
        changeset=changeset, name="示例测试巷", category=Category.objects.get(code="08100"), geom=to_geos(_street()),
        synthetic=True,
    )  # fmt: skip
    assert place.road.road_class == "urban" and place.road.numbering_from == "auto" and place.road.odd_side == ""
    assert place.road.versions.count() == 1


def test_the_admin_numbers_edits_retires_and_renumbers_through_the_services(road, admin_client):
    add = admin_client.post(
        "/admin/gazetteer/housenumber/add/",
        {"road": road.pk, "geom": _map_point(_door(101, 1)), "building_name": "示例楼",
         "reason": "门牌编制", **_inline_management(("versions",))},
    )  # fmt: skip
    assert add.status_code == 302, add.content.decode()[:3000]
    house = HouseNumber.objects.get(road=road)
    assert (house.number, house.side, house.building_name) == (11, "left", "示例楼")

    url = f"/admin/gazetteer/housenumber/{house.pk}/change/"
    assert admin_client.get(url).status_code == 200
    base = {"building_no": "", "unit_no": "", "room_no": "", "building_name": "示例楼", "owner": "",
            "former_address": "", "status": "proposed", **_inline_management(("versions",))}  # fmt: skip
    edited = admin_client.post(url, {**base, "room_no": "301", "reason": "补充室号", "expected_version": 1})
    assert edited.status_code == 302
    stale = admin_client.post(url, {**base, "room_no": "302", "reason": "x", "expected_version": 1})
    assert stale.status_code == 200 and "Conflict" in stale.content.decode()
    retired = admin_client.post(
        url, {**base, "room_no": "301", "retire": "on", "reason": "拆除", "expected_version": 2}
    )
    assert retired.status_code == 302
    house.refresh_from_db()
    assert house.status == "retired" and house.retired_reason == "拆除" and house.room_no == "301"

    for along in (111, 106):  # 13 (11 is retired), then 9 before it
        house_numbers.number_entrances(
            road, [house_numbers.Entrance(shapely.Point(_door(along, 1)["coordinates"]))],
            changeset=open_changeset(Changeset.Kind.EDIT, "t", label="tests"),
        )  # fmt: skip
    road_page = admin_client.get(f"/admin/gazetteer/road/{road.pk}/change/").content.decode()
    assert "门牌整顿" in road_page
    proposed = admin_client.post(f"/admin/gazetteer/road/{road.pk}/renumber/", {"reason": "门牌整顿"})
    assert proposed.status_code == 302
    proposal = RenumberingProposal.objects.get(road=road)
    page = admin_client.get(f"/admin/gazetteer/renumberingproposal/{proposal.pk}/change/").content.decode()
    assert "示例测试路" in page and "Before" in page and 'name="choice"' in page
    decided = admin_client.post(
        f"/admin/gazetteer/renumberingproposal/{proposal.pk}/decide/",
        {"choice": "approve", "note": "", "expected_version": proposal.version},
    )
    assert decided.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "applied"


def test_a_pending_renumbering_waits_in_the_approvers_inbox(road, officers):
    from django.contrib.auth import get_user_model

    from core import inbox

    api = officers["xian"]
    _number(api, road, [_door(101, 1), _door(111, 1)])
    _number(api, road, [_door(106, 1)])
    assert api.post(f"/api/v1/roads/{road.place.code}/renumbering", {"reason": "门牌整顿"}).status_code == 201
    users = get_user_model().objects
    approver, proposer = users.get(username="approver"), users.get(username="officer_xian_hn")
    items = [i for i in inbox.items_for(approver) if i.kind.startswith("门牌整顿")]
    assert len(items) == 1 and "示例测试路" in items[0].title
    assert inbox.count_for(approver) == len(inbox.items_for(approver))
    assert not [i for i in inbox.items_for(proposer) if i.kind.startswith("门牌整顿")]


def test_a_roads_public_page_lists_its_rule_numbers_and_signs(road, officers):
    api = officers["xian"]
    made = _number(api, road, [_door(101, 1), _door(111, -1)], status="issued").json()["house_numbers"]
    _number(api, road, [_door(305, 1)])  # proposed: not yet an address the public sees
    page = Client().get(f"/places/{road.place.code}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "编号规则" in html and "西端" in html and "单号" in html  # numbered from the west end (drawn east to west)
    assert "11号" in html and "12号" in html and "31号" not in html
    assert html.count('class="synthetic-tag"') >= len(made)
