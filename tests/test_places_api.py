"""The place-record API: create, read, update with versions, history, time travel, errors."""

import datetime as dt

import pytest

from gazetteer.models import Place, PlaceName
from tests.gazetteer_helpers import NINGAN, POINT_HAILIN, POINT_NINGAN

pytestmark = pytest.mark.django_db

NEW_PLACE = {
    "name": "莲花湾",
    "category": "07200",
    "geometry": POINT_NINGAN,
    "reason": "外业调查新增",
    "meaning": "因村旁莲花湖湾得名",
    "origin": "清末建村",
    "description": "位于宁安市区西侧",
}


def create(api, **overrides):
    return api.post("/api/v1/places", {**NEW_PLACE, **overrides})


def test_an_officer_creates_a_record_in_their_county(accounts):
    response = create(accounts["officer_ningan"])
    assert response.status_code == 201, response.content
    feature = response.json()
    props = feature["properties"]
    assert props["code"].startswith(NINGAN) and len(props["code"]) == 20
    assert props["code"][9:14] == "07200"
    assert props["romanization"] == "Lianhuawan"
    assert [u["code"] for u in props["unit_path"]][:2] == ["231000", NINGAN]
    assert props["registered_by"] == "officer_ningan"
    assert props["names"][0]["kind"] == "standard"
    assert response["Location"] == f"/api/v1/places/{props['code']}"
    assert feature["geometry"]["coordinates"] == pytest.approx(POINT_NINGAN["coordinates"])


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"category": "99999"}, "unknown category '99999'"),
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[129.4, 44.3], [129.5, 44.4], [129.5, 44.3], [129.4, 44.4], [129.4, 44.3]]],
                }
            },
            "invalid geometry: Self-intersection",
        ),
        ({"geometry": {"type": "Point", "coordinates": [510000, 4910000]}}, "not longitude/latitude"),
        ({"geometry": {"type": "Point"}}, "malformed geometry"),
        ({"unit": "999999"}, "unknown administrative unit '999999'"),
        ({"name": ""}, "'name' is required"),
        ({"reason": ""}, "'reason' is required"),
        ({"geometry": {"type": "Point", "coordinates": [116.4, 39.9]}}, "no county of the territory"),
    ],
)
def test_bad_input_gets_a_clear_json_error(accounts, payload, message):
    response = create(accounts["officer_ningan"], **payload)
    assert response.status_code == 400
    assert message in response.json()["error"]["message"]


def test_malformed_json_is_a_400_that_says_where(accounts):
    response = accounts["officer_ningan"].post("/api/v1/places", '{"name": "莲花湾", "category": ')
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["error"]["message"]
    assert "line 1" in response.json()["error"]["message"]


def test_who_may_create(accounts):
    assert create(accounts["public"]).status_code == 401
    assert create(accounts["officer_hailin"]).status_code == 403
    assert create(accounts["approver"]).status_code == 403
    assert create(accounts["administrator"]).status_code == 201
    bad_token = accounts["public"].__class__("not-a-token")
    assert create(bad_token).status_code == 401


def test_a_stale_update_gets_409_naming_both_versions(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    url = f"/api/v1/places/{code}"
    first = accounts["officer_ningan"].patch(url, {"version": 1, "reason": "补充", "history": "1950年代建村"})
    assert first.status_code == 200 and first.json()["properties"]["version"] == 2
    second = accounts["administrator"].patch(url, {"version": 1, "reason": "另一处修改", "history": "覆盖"})
    assert second.status_code == 409
    error = second.json()["error"]
    assert (error["your_version"], error["current_version"]) == (1, 2)
    assert Place.objects.get(code=code).history == "1950年代建村"


def test_the_standard_name_does_not_change_by_patch(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["officer_ningan"].patch(f"/api/v1/places/{code}", {"version": 1, "reason": "x", "name": "新名"})
    assert response.status_code == 400
    assert "naming application" in response.json()["error"]["message"]


def test_moving_a_record_out_of_ones_counties_is_refused(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["officer_ningan"].patch(
        f"/api/v1/places/{code}", {"version": 1, "reason": "移动", "geometry": POINT_HAILIN}
    )
    assert response.status_code == 403


def test_history_records_who_when_why(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    accounts["officer_ningan"].patch(
        f"/api/v1/places/{code}", {"version": 1, "reason": "核实含义", "meaning": "新含义"}
    )
    history = accounts["public"].get(f"/api/v1/places/{code}/history").json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][1]["by"] == "officer_ningan"
    assert history["versions"][1]["reason"] == "核实含义"
    assert history["versions"][0]["data"]["meaning"] == "因村旁莲花湖湾得名"
    assert history["versions"][1]["data"]["meaning"] == "新含义"


def test_names_are_typed_rows(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["officer_ningan"].post(
        f"/api/v1/places/{code}/names", {"kind": "alias", "name": "莲花屯", "version": 1, "reason": "群众俗称"}
    )
    assert response.status_code == 201
    names = {(n["name"], n["kind"]) for n in response.json()["properties"]["names"]}
    assert names == {("莲花湾", "standard"), ("莲花屯", "alias")}
    assert response.json()["properties"]["version"] == 2
    stale = accounts["officer_ningan"].post(
        f"/api/v1/places/{code}/names", {"kind": "short", "name": "莲湾", "version": 1, "reason": "x"}
    )
    assert stale.status_code == 409


def test_retiring_keeps_the_record_as_historical(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["officer_ningan"].post(
        f"/api/v1/places/{code}/retire", {"version": 1, "reason": "村庄搬迁", "valid_to": "2026-12-01"}
    )
    assert response.status_code == 200
    props = response.json()["properties"]
    assert (props["status"], props["valid_to"]) == ("historical", "2026-12-01")
    assert all(n["valid_to"] == "2026-12-01" for n in props["names"])
    assert accounts["public"].get(f"/api/v1/places/{code}").status_code == 200
    assert accounts["public"].get(f"/api/v1/places/{code}", at="2026-12-01").status_code == 404
    assert accounts["public"].get(f"/api/v1/places/{code}", at="2026-11-30").status_code == 200


def test_non_public_records_are_hidden_from_the_public(accounts):
    code = create(accounts["officer_ningan"], is_public=False).json()["properties"]["code"]
    assert accounts["public"].get(f"/api/v1/places/{code}").status_code == 404
    assert accounts["officer_hailin"].get(f"/api/v1/places/{code}").status_code == 200
    listed = accounts["public"].get("/api/v1/places", name="莲花湾").json()
    assert code not in [f["id"] for f in listed["features"]]


def test_list_filters(accounts):
    create(accounts["officer_ningan"])
    villages = accounts["public"].get("/api/v1/places", category="05100", unit=NINGAN, limit=5, geometry="none").json()
    assert villages["count"] > 50 and len(villages["features"]) == 5
    assert all(f["properties"]["category"]["code"] == "05100" for f in villages["features"])
    assert all(f["properties"]["unit_path"][1]["code"] == NINGAN for f in villages["features"])
    settlements = accounts["public"].get("/api/v1/places", category="07000", geometry="none").json()
    assert {"07200"} <= {f["properties"]["category"]["code"] for f in settlements["features"]} or settlements[
        "count"
    ] >= 7


def test_every_unit_is_a_place_record_with_a_romanization():
    from boundaries.models import AdminUnit

    units = AdminUnit.objects.current().filter(code__startswith="2310")
    assert Place.objects.filter(admin_unit__in=units).count() == units.count()
    muling = Place.objects.get(admin_unit__code="231085")
    assert (muling.name, muling.romanization, muling.category.code) == ("穆棱市", "Muling Shi", "04200")
    village = Place.objects.filter(admin_unit__name="东兴村委会").first()
    assert village is None or (
        village.name == "东兴村" and village.names.filter(kind=PlaceName.Kind.ALIAS, name="东兴村委会").exists()
    )
    assert not Place.objects.filter(romanization="").exists()


def test_categories_endpoint_lists_the_twelve_classes(accounts):
    rows = accounts["public"].get("/api/v1/categories").json()
    top = [r for r in rows if r["parent"] is None]
    assert len(top) == 12
    assert {"05100", "05200", "07000", "08100", "02100", "02200", "03100", "10000", "11000"} <= {
        r["code"] for r in rows
    }


def test_time_travel_on_a_bad_date(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["public"].get(f"/api/v1/places/{code}", at="2026-13-01")
    assert response.status_code == 400 and "YYYY-MM-DD" in response.json()["error"]["message"]
    assert accounts["public"].get(f"/api/v1/places/{code}", at=dt.date.today().isoformat()).status_code == 200


def test_an_officer_may_override_the_romanization_and_it_is_recorded(accounts):
    code = create(accounts["officer_ningan"]).json()["properties"]["code"]
    response = accounts["officer_ningan"].patch(
        f"/api/v1/places/{code}",
        {"version": 1, "reason": "依当地读音", "romanization": "Lianhua Wan", "romanization_tones": "Liánhuā Wān"},
    )
    props = response.json()["properties"]
    assert (props["romanization"], props["romanization_overridden"]) == ("Lianhua Wan", True)
    history = accounts["public"].get(f"/api/v1/places/{code}/history").json()["versions"]
    assert history[0]["data"]["romanization_overridden"] is False
    assert history[1]["data"]["romanization_overridden"] is True and history[1]["reason"] == "依当地读音"


def test_retiring_on_the_day_a_name_took_effect_is_refused_with_the_reason(accounts):
    code = create(accounts["officer_ningan"], valid_from="2026-11-01").json()["properties"]["code"]
    response = accounts["officer_ningan"].post(
        f"/api/v1/places/{code}/retire", {"version": 1, "reason": "村庄搬迁", "valid_to": "2026-11-01"}
    )
    assert response.status_code == 400, response.content
    assert "2026-11-01" in response.json()["error"]["message"]
    assert accounts["officer_ningan"].get(f"/api/v1/places/{code}").json()["properties"]["status"] != "historical"
