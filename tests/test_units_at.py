"""The divisions as they stood on a day (?at= on the units API): the units of that day with the code,
name and level they had then, their parents and children named as of that day."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db
COUNTY_LEVELS = "county,county_city,district"


def _counties(at: str | None = None) -> dict[str, tuple[str, str]]:
    params = {"level": COUNTY_LEVELS, "geometry": "none", **({"at": at} if at else {})}
    features = Client().get("/api/v1/units", params).json()["features"]
    return {f["properties"]["code"]: (f["properties"]["name"], f["properties"]["level"]) for f in features}


def test_in_2010_dongning_was_a_county_with_its_former_code():
    then, now = _counties("2010-06-01"), _counties()
    assert then["231024"] == ("东宁县", "county") and "231086" not in then
    assert now["231086"] == ("东宁市", "county_city") and "231024" not in now
    assert {code for code in then if code != "231024"} == {code for code in now if code != "231086"}


@pytest.mark.parametrize("code", ["231086", "231024"])  # today's code, or the code of that day
def test_one_unit_as_it_stood_says_what_it_is_today_too(code):
    answer = Client().get(f"/api/v1/units/{code}", {"at": "2010-06-01", "geometry": "none"})
    assert answer.status_code == 200
    props = answer.json()["properties"]
    assert (props["code"], props["name"], props["level"]) == ("231024", "东宁县", "county")
    assert props["current"] == {"code": "231086", "name": "东宁市", "level": "county_city"}
    assert props["parent"]["name"] == "牡丹江市" and props["as_of"] == "2010-06-01"
    assert props["children"] and all(child["code"] for child in props["children"])
    assert "today" in props["geometry_as_of"]


def test_without_a_day_the_units_are_todays_and_a_bad_day_is_a_400():
    props = Client().get("/api/v1/units/231086", {"geometry": "none"}).json()["properties"]
    assert props["name"] == "东宁市" and "as_of" not in props and "current" not in props
    bad = Client().get("/api/v1/units", {"at": "2010-02-30"})
    assert bad.status_code == 400 and bad.json()["error"]["parameter"] == "at"


@pytest.mark.parametrize("at", ["9999-01-01", "2010-02-30", "<script>alert(1)</script>", "1" * 5000])
def test_the_divisions_page_refuses_a_day_the_api_would_refuse(at):
    page = Client().get("/divisions", {"at": at})
    assert page.status_code == 400
    assert "<script>alert" not in page.content.decode()


def test_the_divisions_page_of_a_day_says_so():
    page = Client().get("/divisions", {"at": "2010-06-01", "lang": "zh"}).content.decode()
    assert 'data-at="2010-06-01"' in page and "2010-06-01 时的行政区划" in page
