"""Boundary lines and markers in the public search (gazetteer.search.boundaries, through
GET /api/v1/places/search): a line by its name or part of it, a marker by its number (also without its
dashes, in lower case). Lines are public records; of the markers an anonymous search finds only the
synthetic demonstration ones (labelled 示例), the staff's search every one (the staff read the register)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import shapely
from django.contrib.gis.geos import Point
from django.db import connection
from django.test.utils import CaptureQueriesContext

from boundaries.models import BoundaryLine
from boundaries.services import markers_registry
from core.geometry import from_geos
from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.search.boundaries import search_boundaries
from gazetteer.search.normalize import parse_query

pytestmark = pytest.mark.django_db

SEARCH = "/api/v1/places/search"
LINE = "231025-231083"  # 林口县—海林市线


def _on_line(line: BoundaryLine, fraction: float) -> Point:
    point = shapely.line_interpolate_point(shapely.line_merge(from_geos(line.geom)), fraction, normalized=True)
    return Point(point.x, point.y, srid=STORAGE_SRID)


@pytest.fixture
def markers(db):
    line = BoundaryLine.objects.get(code=LINE)
    changeset = open_changeset(Changeset.Kind.EDIT, "search test: markers", label="tests")
    demo = markers_registry.register_marker(
        changeset=changeset, line=line, kind="Q", geom=_on_line(line, 0.3), is_synthetic=True
    )
    real = markers_registry.register_marker(changeset=changeset, line=line, kind="Q", geom=_on_line(line, 0.6))
    return demo, real


def results(client, q: str, **params) -> list[dict]:
    response = client.get(SEARCH, q=q, **params)
    assert response.status_code == 200, response.content
    return response.json()["results"]


def of_kind(found: list[dict], kind: str) -> list[dict]:
    return [r for r in found if r.get("kind") == kind]


@pytest.mark.parametrize(
    "q", ["林口县—海林市线", "林口县海林市", "林口 海林 界线", "海林 林口", "林口县-海林市线", LINE]
)
def test_a_line_is_found_by_its_name_or_part_of_it_and_by_its_code(accounts, q):
    found = results(accounts["public"], q)
    assert found and found[0]["kind"] == "boundary_line" and found[0]["code"] == LINE
    line = found[0]
    assert line["name"] == "林口县—海林市线" and line["level"] == "county"
    assert line["length_km"] == pytest.approx(BoundaryLine.objects.get(code=LINE).length_km, abs=0.001)
    assert 128 < line["lon"] < 131 and 44 < line["lat"] < 46  # the portal centres its map there
    assert "县级界" in line["category"]["name"] and line["url"] is None  # no line page yet


def test_a_unit_name_alone_finds_the_unit_not_its_lines(accounts):
    found = results(accounts["public"], "林口")
    assert found and not of_kind(found, "boundary_line")
    assert of_kind(results(accounts["public"], "林口界线"), "boundary_line")  # with a line word, its lines


@pytest.mark.parametrize("form", [str, lambda n: n.replace("-", "").lower()])
def test_a_synthetic_marker_is_found_by_its_number_labelled_as_such(accounts, markers, form):
    demo, _ = markers
    found = results(accounts["public"], form(demo.number))
    assert found[0]["kind"] == "boundary_marker" and found[0]["code"] == demo.number
    marker = found[0]
    assert marker["is_synthetic"] and marker["standing"] == "synthetic" and "示例" in marker["synthetic_note"]
    assert marker["category"]["name"] == "界桩（示例）"
    assert marker["line"] == {"code": LINE, "name": "林口县—海林市线"}
    assert (marker["lon"], marker["lat"]) == (round(demo.geom.x, 6), round(demo.geom.y, 6))


def test_an_anonymous_search_never_finds_a_real_marker(accounts, markers):
    demo, real = markers
    public = accounts["public"]
    for q in (real.number, real.number.replace("-", "").lower(), LINE, f"{LINE}00"):
        body = public.get(SEARCH, q=q).content.decode()
        assert real.number not in body, q
    assert demo.number in {r["code"] for r in results(public, f"{LINE}00")}  # the prefix finds the demo one


def test_the_staff_search_finds_every_marker(accounts, markers):
    demo, real = markers
    found = results(accounts["approver"], real.number.lower())
    assert found[0]["code"] == real.number and found[0]["standing"] == "standard"
    assert not found[0]["is_synthetic"] and "synthetic_note" not in found[0]
    assert found[0]["category"]["name"] == "界桩"
    assert {demo.number, real.number} <= {r["code"] for r in results(accounts["approver"], f"{LINE}00")}


def test_an_abolished_marker_is_found_no_more_and_no_kept_answer_shows_it(accounts, markers):
    demo, _ = markers
    public = accounts["public"]
    assert of_kind(results(public, demo.number), "boundary_marker")  # answered, and kept
    changeset = open_changeset(Changeset.Kind.EDIT, "search test: abolished", label="tests")
    markers_registry.abolish_marker(demo, changeset=changeset, abolished_on=dt.date(2026, 1, 2))
    assert not of_kind(results(public, demo.number), "boundary_marker")


def test_a_unit_filter_keeps_the_lines_of_that_unit(accounts):
    assert of_kind(results(accounts["public"], "林口 海林 界线", unit="231025"), "boundary_line")
    assert not of_kind(results(accounts["public"], "林口 海林 界线", unit="231086"), "boundary_line")  # 东宁
    assert not of_kind(results(accounts["public"], "林口 海林 界线", category="05100"), "boundary_line")


def test_a_place_search_costs_no_boundary_query_and_a_number_few(markers):
    demo, _ = markers
    with CaptureQueriesContext(connection) as queries:
        assert search_boundaries(parse_query("宁安"), public_only=True) == []
        assert search_boundaries(parse_query("mudanjiang"), public_only=True) == []
    assert len(queries) == 0
    with CaptureQueriesContext(connection) as queries:
        found = search_boundaries(parse_query(demo.number.lower()), public_only=True)
    assert [r["code"] for r in found] == [demo.number] and len(queries) <= 3


def test_the_results_are_json_the_suggestions_unchanged(accounts, markers):
    demo, _ = markers
    body = accounts["public"].get("/api/v1/places/suggest", q=demo.number).json()
    assert demo.number not in json.dumps(body, ensure_ascii=False)  # the type-ahead is the places' only
