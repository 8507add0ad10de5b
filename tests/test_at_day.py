"""A record on a past day (?at=), on the real base data: the name, the romanization with tones and the
administrative path of that day, the same on the page and in the API, and a permalink that keeps
the day. 东宁 was 东宁县 until its 撤县设市 in 2015 (a year-only event: it counts from 1 January)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings

from boundaries.models import AdminUnit
from boundaries.services import queries
from gazetteer.models import Place, PlaceName

pytestmark = pytest.mark.django_db

COUNTY = "23108600004200000001"  # 东宁市's own record, former name 东宁县
TOWN = "23108610004300000001"  # 东宁镇, in 东宁市
DAY = "2010-01-01"


def _text(html: str) -> str:
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    main = re.sub(r"<script\b.*?</script>", " ", main, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _path_nav(html: str) -> str:
    nav = re.search(r'<nav class="unit-path"[^>]*>(.*?)</nav>', html, flags=re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", nav)).strip()


def test_a_unit_on_a_day_has_that_days_name_and_level():
    dongning = AdminUnit.objects.get(code="231086", valid_to__isnull=True)
    assert queries.name_on(dongning, dt.date(2010, 1, 1)) == "东宁县"
    assert queries.name_on(dongning, dt.date(2014, 12, 31)) == "东宁县"
    assert queries.name_on(dongning, dt.date(2015, 1, 1)) == "东宁市"  # a year-only event counts from 1 January
    assert queries.unit_on(dongning, dt.date(2010, 1, 1)) == {"code": "231086", "name": "东宁县", "level": "county"}
    assert queries.unit_on(dongning, dt.date(2020, 1, 1))["level"] == "county_city"
    town = AdminUnit.objects.get(code="231086100", valid_to__isnull=True)
    assert [u["name"] for u in queries.path_on(town, dt.date(2010, 1, 1))] == ["牡丹江市", "东宁县", "东宁镇"]
    assert [u["name"] for u in queries.path_on(town, dt.date(1980, 1, 1))] == ["牡丹江地区", "东宁县", "东宁镇"]
    assert [u["name"] for u in queries.path_on(town, None)] == ["牡丹江市", "东宁市", "东宁镇"]


def test_the_units_own_record_in_2010_is_dongning_county_on_the_page_and_in_the_api(client):
    api = client.get(f"/api/v1/places/{COUNTY}", {"at": DAY}).json()["properties"]
    assert (api["name"], api["romanization"], api["romanization_tones"]) == ("东宁县", "Dongning Xian", "Dōngníng Xiàn")
    assert [(u["name"], u["level"]) for u in api["unit_path"]] == [("牡丹江市", "city"), ("东宁县", "county")]
    assert [n["name"] for n in api["names"] if n["kind"] == PlaceName.Kind.STANDARD] == ["东宁县"]
    assert "东宁市" not in [n["name"] for n in api["names"]]  # a name given later is not shown
    assert api["permalink"] == f"/places/{COUNTY}?at={DAY}"
    assert api["cite_as"].startswith("东宁县") and api["cite_as"].endswith(f"/places/{COUNTY}?at={DAY}")

    html = client.get(f"/places/{COUNTY}?at={DAY}").content.decode()
    text = _text(html)
    assert '<span class="record-name" lang="zh-Hans">东宁县</span>' in html
    assert "Dongning Xian" in text and "Dōngníng Xiàn" in text
    assert "Dōngníng Shì" not in text and "Dongning Shi" not in text  # not today's tones
    assert _path_nav(html) == "牡丹江市 › 东宁县"
    assert "东宁市" not in text  # neither in the path nor anywhere else on the page of that day
    assert api["cite_as"] in text
    assert "县" in re.search(r'<a href="/divisions#231086" title="([^"]+)"', html).group(1)  # the level of that day

    today = client.get(f"/api/v1/places/{COUNTY}").json()["properties"]
    assert (today["name"], today["romanization_tones"]) == ("东宁市", "Dōngníng Shì")
    assert today["unit_path"][-1]["name"] == "东宁市" and today["permalink"] == f"/places/{COUNTY}"


def test_a_place_in_dongning_has_the_path_of_the_day(client):
    api = client.get(f"/api/v1/places/{TOWN}", {"at": DAY}).json()["properties"]
    assert [u["name"] for u in api["unit_path"]] == ["牡丹江市", "东宁县", "东宁镇"]
    html = client.get(f"/places/{TOWN}?at={DAY}").content.decode()
    assert _path_nav(html) == "牡丹江市 › 东宁县 › 东宁镇"
    assert "东宁县" in re.search(r'<dd class="unit-path-list">(.*?)</dd>', html, flags=re.S).group(1)
    later = client.get(f"/api/v1/places/{TOWN}", {"at": "2016-06-01"}).json()["properties"]
    assert [u["name"] for u in later["unit_path"]] == ["牡丹江市", "东宁市", "东宁镇"]


def test_the_tones_of_a_former_name_are_computed_when_not_stored(client):
    PlaceName.objects.filter(place__code=COUNTY, name="东宁县").update(romanization_tones="")
    api = client.get(f"/api/v1/places/{COUNTY}", {"at": DAY}).json()["properties"]
    assert (api["romanization"], api["romanization_tones"]) == ("Dongning Xian", "Dōngníng Xiàn")


def test_the_permalink_and_the_links_to_the_record_keep_the_day(client):
    html = client.get(f"/places/{TOWN}?at={DAY}").content.decode()
    permalink = f"/places/{TOWN}?at={DAY}"
    assert f'<a class="permalink" href="{permalink}">{settings.GAZETTEER_URL}{permalink}</a>' in html
    assert f'href="/api/v1/places/{TOWN}?at={DAY}"' in html  # the GeoJSON link and the alternate link
    assert html.count(f'href="/api/v1/places/{TOWN}?at={DAY}"') == 2
    assert f'<form class="at-form" action="/places/{TOWN}" method="get">' in html  # the form sends its own day
    assert f'<a class="show-current" href="/places/{TOWN}">' in html
    assert f'href="/places/{TOWN}?at={DAY}&amp;lang=en"' in html  # the language switch
    today = client.get(f"/places/{TOWN}").content.decode()
    assert f'<a class="permalink" href="/places/{TOWN}">' in today and "?at=" not in today


def test_an_undated_former_name_is_not_the_standard_name_of_a_day(client):
    place = Place.objects.get(code=TOWN)
    PlaceName.objects.create(place=place, name="东宁旧镇", kind=PlaceName.Kind.FORMER, romanization="Dongningjiu Zhen")
    api = client.get(f"/api/v1/places/{TOWN}", {"at": DAY}).json()["properties"]
    assert api["name"] == "东宁镇"
    assert {n["name"]: n["kind"] for n in api["names"]}["东宁旧镇"] == PlaceName.Kind.FORMER
