"""Public search: every county and township name found five ways, ranking, filters, safety."""

from __future__ import annotations

import datetime as dt
import time

import opencc
import pytest

from boundaries.models import AdminUnit
from gazetteer.models import Place
from gazetteer.romanization import romanize

pytestmark = pytest.mark.django_db
TO_TRADITIONAL = opencc.OpenCC("s2t")


def search(client, q, **params):
    response = client.get("/api/v1/places/search", {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def replace_one(name: str) -> str:
    i = len(name) // 2
    return name[:i] + ("口" if name[i] != "口" else "木") + name[i + 1 :]


def drop_one(name: str) -> str:
    i = len(name) // 2
    return name[:i] + name[i + 1 :]


def initials(name: str) -> str:
    return "".join(d.reading[0] for d in romanize(name).decisions)


def variants(name: str) -> dict[str, str]:
    return {
        "one character replaced": replace_one(name),
        "one character dropped": drop_one(name),
        "full pinyin": romanize(name).romanization,
        "initials": initials(name),
        "traditional": TO_TRADITIONAL.convert(name),
    }


def county_and_township_records():
    units = AdminUnit.objects.current().filter(code__startswith="2310", tier__in=[2, 3])
    return list(Place.objects.filter(admin_unit__in=units).order_by("code"))


def test_every_county_and_township_name_is_found_five_ways(client, settings):
    settings.RATE_LIMIT_PER_MINUTE = 0
    records = county_and_township_records()
    assert len(records) == 10 + 79 + 14
    misses = []
    for place in records:
        for way, query in variants(place.name).items():
            codes = [r["code"] for r in search(client, query, limit=5)]
            if place.code not in codes:
                misses.append(f"{place.name} by {way} ({query!r})")
    assert misses == [], f"{len(misses)} misses:\n" + "\n".join(misses)


def test_results_carry_the_fields_and_say_what_matched(client):
    result = search(client, "东宁县")[0]
    assert (result["name"], result["code"]) == ("东宁市", Place.objects.get(admin_unit__code="231086").code)
    assert result["matched"] == {"name": "东宁县", "kind": "former", "form": "hanzi"}
    assert [u["name"] for u in result["unit_path"]] == ["牡丹江市", "东宁市"]
    assert result["romanization"] == "Dongning Shi"
    assert 130 < result["lon"] < 132 and 43 < result["lat"] < 45
    assert set(result) >= {
        "id",
        "code",
        "name",
        "romanization",
        "category",
        "unit_path",
        "lon",
        "lat",
        "score",
        "matched",
    }


def test_exact_beats_prefix_beats_fuzzy_and_rank_breaks_ties(client):
    results = search(client, "宁安")
    assert [r["name"] for r in results[:2]] == ["宁安市", "宁安镇"]  # proper part exact; county before town
    assert results[0]["score"] >= results[-1]["score"]
    exact = search(client, "东京城镇")[0]
    assert exact["name"] == "东京城镇" and exact["matched"]["form"] == "hanzi"
    # the same record found by a typo scores below its exact match
    fuzzy = next(r for r in search(client, "东京成镇") if r["name"] == "东京城镇")
    assert fuzzy["score"] < exact["score"]


@pytest.mark.parametrize(
    ("query", "form"),
    [
        ("dongjingchengzhen", "pinyin"),
        ("Dōngjīngchéng Zhèn", "pinyin"),
        ("dong jing cheng", "pinyin"),
        ("djcz", "initials"),
        ("東京城鎮", "hanzi"),
        ("东京诚镇", "fuzzy"),
    ],
)
def test_pinyin_initials_traditional_and_typos(client, query, form):
    result = search(client, query)[0]
    assert result["name"] == "东京城镇", [r["name"] for r in search(client, query)]
    assert result["matched"]["form"] == form


def test_an_administrative_context_ranks_that_countys_place_first(client):
    for query in ("海林 新安", "海林新安", "hailin xinan"):
        top = search(client, query)[0]
        assert top["name"] == "新安镇" and top["unit_path"][1]["name"] == "海林市", query
        assert top["matched"]["form"] == "context"


def test_filters_by_unit_category_and_nearness(client):
    in_ningan = search(client, "新", unit="231084", limit=20)
    assert in_ningan and all(r["unit_path"][1]["code"] == "231084" for r in in_ningan)
    towns = search(client, "新安", category="04300")
    assert towns and all(r["category"]["code"] == "04300" for r in towns)
    # 东安区 and 东宁市 both match the prefix 东 equally; nearness decides
    assert search(client, "东", near="131.12,44.08")[0]["name"] == "东宁市"
    assert search(client, "东", near="129.62,44.58")[0]["name"] == "东安区"


def test_the_public_sees_public_records_only(client, accounts):
    created = accounts["administrator"].post(
        "/api/v1/places",
        {
            "name": "秘密试验站",
            "category": "12000",
            "geometry": {"type": "Point", "coordinates": [129.47, 44.34]},
            "reason": "测试",
            "is_public": False,
        },
    )
    assert created.status_code == 201
    assert search(client, "秘密试验站") == []
    staff = accounts["officer_hailin"].get("/api/v1/places/search", q="秘密试验站").json()["results"]
    assert staff and staff[0]["name"] == "秘密试验站"


def test_search_as_of_a_day(client, accounts):
    from core.history import open_changeset
    from gazetteer.services import places as place_service

    place = Place.objects.get(admin_unit__name="三陵乡")
    changeset = open_changeset("decision", "测试更名", label="test")
    place_service.rename_place(place, "三陵河乡", changeset=changeset, effective=dt.date(2030, 1, 1))
    assert search(client, "三陵河乡") and search(client, "三陵河乡")[0]["name"] == "三陵乡"  # not yet current
    assert (
        search(client, "三陵河乡", at="2029-12-31") == []
        or search(client, "三陵河乡", at="2029-12-31")[0]["matched"]["name"] != "三陵河乡"
    )
    assert search(client, "三陵河乡", at="2030-01-01")[0]["matched"]["name"] == "三陵河乡"


@pytest.mark.parametrize("query", ["x" * 1000, "宁" * 1000])
def test_a_very_long_query_is_refused_quickly(client, query):
    started = time.monotonic()
    response = client.get("/api/v1/places/search", {"q": query})
    assert response.status_code == 400 and "at most" in response.json()["error"]["message"]
    assert time.monotonic() - started < 1


def test_a_query_with_a_nul_character_is_refused_not_searched(client):
    response = client.get("/api/v1/places/search", {"q": "\x00\x01\x02"})
    assert response.status_code == 400 and "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "!!!???",
        "\x01\x02\x03",
        "   ",
        "。，、",
        "%%%",
        "___",
        "' OR 1=1 --",
        "宁安'; DROP TABLE gazetteer_place; --",
        "\\",
        "☃☃",
    ],
)
def test_odd_queries_get_a_sensible_answer(client, query):
    before = Place.objects.count()
    response = client.get("/api/v1/places/search", {"q": query})
    assert response.status_code == 200
    assert isinstance(response.json()["results"], list)
    assert Place.objects.exists()
    assert Place.objects.count() == before  # nothing in the query reached the SQL as SQL
    assert len(response.json()["results"]) <= 10  # the default limit, not every record


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "x"}, "whole number"),
        ({"near": "abc"}, "near"),
        ({"unit": "999"}, "unknown"),
        ({"category": "99"}, "unknown category"),
        ({"at": "yesterday"}, "YYYY-MM-DD"),
    ],
)
def test_bad_parameters_are_400(client, params, message):
    response = client.get("/api/v1/places/search", {"q": "宁安", **params})
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_anonymous_clients_are_rate_limited(client, settings):
    settings.RATE_LIMIT_PER_MINUTE = 5
    statuses = [client.get("/api/v1/places/suggest", {"q": "宁"}, REMOTE_ADDR="10.9.8.7").status_code for _ in range(7)]
    assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
    limited = client.get("/api/v1/places/search", {"q": "宁"}, REMOTE_ADDR="10.9.8.7")
    assert limited.status_code == 429 and "Retry-After" in limited
    assert client.get("/api/v1/places/search", {"q": "宁"}, REMOTE_ADDR="10.9.8.8").status_code == 200


def test_suggestions_for_type_ahead(client):
    suggestions = client.get("/api/v1/places/suggest", {"q": "东京"}).json()["suggestions"]
    assert suggestions[0]["name"].startswith("东京")
    assert {"code", "name", "romanization", "category", "unit"} <= set(suggestions[0])
    assert suggestions[0]["category"]["name_en"] and suggestions[0]["unit"]["level"]
    assert client.get("/api/v1/places/suggest", {"q": "dongj"}).json()["suggestions"]


def test_reverse_lookup(client):
    body = client.get("/api/v1/reverse", {"lon": "129.47", "lat": "44.34"}).json()
    assert [u["code"] for u in body["units"]] == ["231000", "231084"]
    assert body["nearest"] and body["nearest"][0]["distance_m"] <= body["nearest"][-1]["distance_m"]
    assert all(n["distance_m"] < 50_000 for n in body["nearest"])
    outside = client.get("/api/v1/reverse", {"lon": "116.4", "lat": "39.9"}).json()
    assert outside["units"] == []
    assert client.get("/api/v1/reverse", {"lon": "abc", "lat": "44"}).status_code == 400


# ---- the ranking rule (gazetteer.search.engine: RANKING) ---------------------------------------------


def names(client, q, **params):
    return [r["name"] for r in search(client, q, **params)]


def test_a_query_that_begins_a_higher_units_name_finds_that_unit_first(client):
    found = names(client, "牡丹")
    assert found[0] == "牡丹江市"
    assert found.index("牡丹街道") < found.index("牡丹村")  # township before village


def test_initials_rank_a_town_above_villages(client):
    found = search(client, "djc")
    assert found[0]["name"] == "东京城镇"
    villages = [r for r in found if r["category"]["code"] == "05100"]
    assert villages and all(found.index(r) > 0 for r in villages)


def test_the_whole_name_as_typed_still_comes_first(client):
    assert names(client, "牡丹村")[0] == "牡丹村"  # not 牡丹江市, which the query does not name
    assert names(client, "东宁市")[0] == "东宁市"


def test_a_record_without_a_location_ranks_below_located_ones_of_equal_match(client):
    results = search(client, "新", limit=50)
    towns = [r for r in results if (r["score"], r["category"]["code"]) == (80.0, "04300")]
    located = [r["lon"] is not None for r in towns]
    assert True in located and False in located  # the case this is about: a mixed group
    assert located == sorted(located, reverse=True)
