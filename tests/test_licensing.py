"""One licence rule for geometry whose source never licensed it openly (boundaries.services.licensing):
shown, not given. The Amap-lineage county polygons are drawn for anyone (tiles, the generalised outline
the maps use), given at full precision to the bureau's staff or to everyone by the bureau's setting, and
every answer that gives less says so."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from gazetteer.models import Place

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

NINGAN = "231084"


def coordinates(geometry: dict) -> int:
    return json.dumps(geometry["coordinates"]).count("[") - json.dumps(geometry["coordinates"]).count("[[")


@pytest.fixture(name="staff")
def staff_fixture():
    _, key = create_officer("licence_reader", role=Role.CARTOGRAPHER, with_token=True)
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


@pytest.fixture(name="county_record")
def county_record_fixture() -> Place:
    """宁安市's own place record, whose polygon is the unit's (Amap lineage)."""
    places = Place.objects.filter(admin_unit__code=NINGAN, geom__isnull=False, valid_to__isnull=True)
    return next(place for place in places if place.geom.geom_type == "MultiPolygon")


def test_the_public_gets_a_county_polygon_as_its_generalised_outline_and_is_told_why(staff):
    public = Client().get(f"/api/v1/units/{NINGAN}").json()
    full = Client().get(f"/api/v1/units/{NINGAN}", **staff).json()
    note = public["properties"]["geometry_generalised"]
    assert note["tolerance_m"] == 50 and "Amap" in note["source"] and "never licensed" in note["reason"]
    assert "geometry_generalised" not in full["properties"]
    assert coordinates(public["geometry"]) < coordinates(full["geometry"]) / 3
    # the outline is the one the maps are drawn from: asking for it says nothing more
    outline = Client().get(f"/api/v1/units/{NINGAN}", {"geometry": "simplified"}).json()
    assert outline["geometry"] == public["geometry"] and "geometry_generalised" not in outline["properties"]


def test_the_list_applies_the_rule_to_every_unit():
    listing = Client().get("/api/v1/units", {"parent": "231000", "geometry": "full"}).json()
    polygons = [f for f in listing["features"] if f["geometry"] and f["geometry"]["type"] != "Point"]
    assert polygons and all("geometry_generalised" in f["properties"] for f in polygons)


def test_the_bureau_setting_gives_full_geometry_to_everyone(settings, staff):
    settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY = True
    public = Client().get(f"/api/v1/units/{NINGAN}").json()
    assert "geometry_generalised" not in public["properties"]
    assert public["geometry"] == Client().get(f"/api/v1/units/{NINGAN}", **staff).json()["geometry"]


def test_a_place_record_with_the_county_polygon_follows_the_same_rule_now_on_a_day_and_in_its_history(
    county_record, staff
):
    code = county_record.code
    for path in (f"/api/v1/places/{code}", f"/api/v1/places/{code}?at=2020-01-01"):
        public, full = Client().get(path).json(), Client().get(path, **staff).json()
        assert public["properties"]["geometry_generalised"]["tolerance_m"] == 50, path
        assert "geometry_generalised" not in full["properties"], path
        assert coordinates(public["geometry"]) < coordinates(full["geometry"]) / 3, path
    versions = Client().get(f"/api/v1/places/{code}/history").json()["versions"]
    assert versions and all("geometry_generalised" in v for v in versions if v["geometry"])
    listed = Client().get("/api/v1/places", {"unit": NINGAN, "limit": 100}).json()["features"]
    mine = next(f for f in listed if f["id"] == code)
    assert "geometry_generalised" in mine["properties"]
    others = [f for f in listed if f["id"] != code and f["geometry"]]
    assert all("geometry_generalised" not in f["properties"] for f in others if f["geometry"]["type"] == "Point")


def test_the_tiles_say_what_they_draw_and_that_it_is_not_open_data():
    description = Client().get("/tiles/tiles.json").json()["description"]
    assert "never licensed" in description and "/open-data" in description


def test_the_record_page_draws_the_outline_and_says_why(county_record):
    page = Client().get(f"/places/{county_record.code}").content.decode()
    assert "权利人未以开放许可授权" in page and 'class="muted geometry-note"' in page
    officer, _ = create_officer("licence_page_reader", role=Role.CARTOGRAPHER)
    staff = Client()
    staff.force_login(officer)
    assert "geometry-note" not in staff.get(f"/places/{county_record.code}").content.decode()
