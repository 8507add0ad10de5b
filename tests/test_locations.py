"""Where a unit is marked and labelled (boundaries.services.markers), read the same by the vector tiles,
the API's unit features and the record pages; and a record without a location says so."""

from __future__ import annotations

import math
import re

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from boundaries.models import AdminUnit
from boundaries.services import markers
from core.history import open_changeset
from core.models import Changeset
from core.srid import METRIC_SRID, STORAGE_SRID, TILE_SRID
from gazetteer.models import Category, Place
from gazetteer.services import places as place_service
from tiles.models import CachedTile
from tiles.vector import build
from tiles.vector.grid import EXTENT, tile_bounds, tile_containing

pytestmark = pytest.mark.django_db

CITY, NINGAN = "231000", "231084"  # 牡丹江市, 宁安市
DISTRICTS = ("231002", "231003", "231004", "231005")  # 东安区, 阳明区, 爱民区, 西安区
YANGMING = "231003"
CITY_ZOOM = 8  # the portal's whole-territory view is about z8
SAME_DEG = 1e-6


def unit(code: str) -> AdminUnit:
    return markers.with_locations(AdminUnit.objects.current().filter(code=code)).get()


def metres(a: Point, b: Point) -> float:
    return a.transform(METRIC_SRID, clone=True).distance(b.transform(METRIC_SRID, clone=True))


def same(a: Point | None, b: Point | None, tolerance: float = SAME_DEG) -> bool:
    return a is not None and b is not None and abs(a.x - b.x) <= tolerance and abs(a.y - b.y) <= tolerance


def test_ningan_is_marked_and_labelled_at_its_seat_not_its_polygons_interior_point():
    ningan = unit(NINGAN)
    assert ningan.seat is not None
    interior = ningan.geom.point_on_surface
    assert metres(ningan.seat, interior) > 10_000  # far apart: the rule decides something
    assert same(markers.marker(ningan), ningan.seat) and same(markers.label(ningan), ningan.seat)
    assert not same(markers.marker(ningan), interior, 0.01)
    # The functions give the same answer on a bare instance (they read the same SQL).
    bare = AdminUnit.objects.get(pk=ningan.pk)
    assert same(markers.marker(bare), ningan.seat) and same(markers.label(bare), ningan.seat)


def test_a_unit_without_a_seat_is_marked_at_its_area_label_point():
    ningan = AdminUnit.objects.current().get(code=NINGAN)
    AdminUnit.objects.filter(pk=ningan.pk).update(seat=None)  # rolled back with the test
    ningan = unit(NINGAN)
    assert same(ningan.marker_point, ningan.label_point) and same(ningan.label_at, ningan.label_point)


def test_the_city_is_labelled_at_its_seat_and_not_on_yangming_district():
    city = unit(CITY)
    assert same(city.label_at, city.seat) and same(city.marker_point, city.seat)
    yangming = unit(YANGMING)
    assert not yangming.geom.contains(city.label_at)  # the city's name does not sit on 阳明区
    for code in DISTRICTS:
        district = unit(code)
        assert metres(district.label_at, city.label_at) >= markers.CITY_CLEARANCE_M, district.name
        assert district.geom.contains(district.label_at)


def test_districts_are_labelled_at_their_area_label_point_and_marked_at_their_seat():
    for code in DISTRICTS:
        district = unit(code)
        assert district.seat is not None
        assert same(district.label_at, district.label_point), district.name
        assert same(district.marker_point, district.seat), district.name


def test_a_district_label_next_to_the_citys_seat_moves_off_it():
    """Were the city's seat next to 阳明区's label point, the district's label moves out of the clearance."""
    yangming = unit(YANGMING)
    AdminUnit.objects.filter(code=CITY, valid_to__isnull=True).update(seat=yangming.label_point)
    city, moved = unit(CITY), unit(YANGMING)
    assert same(city.label_at, yangming.label_point)  # the city's name at its (new) seat
    assert metres(moved.label_at, city.label_at) >= markers.CITY_CLEARANCE_M - 1
    assert moved.geom.contains(moved.label_at)


def test_the_api_gives_marker_and_label_and_keeps_seat_and_label_point():
    client = Client()
    ningan = unit(NINGAN)
    props = client.get(f"/api/v1/units/{NINGAN}?geometry=none").json()["properties"]
    assert props["marker"] == props["seat"] == [round(ningan.seat.x, 7), round(ningan.seat.y, 7)]
    assert props["label"] == props["seat"]
    assert props["label_point"] == [round(ningan.label_point.x, 7), round(ningan.label_point.y, 7)]
    children = client.get(f"/api/v1/units?parent={CITY}&geometry=none").json()["features"]
    by_code = {f["properties"]["code"]: f["properties"] for f in children}
    for code in DISTRICTS:
        assert by_code[code]["label"] == by_code[code]["label_point"]
        assert by_code[code]["marker"] == by_code[code]["seat"]
    assert by_code[NINGAN]["marker"] == by_code[NINGAN]["label"] == by_code[NINGAN]["seat"]


def _tile_places(lon: float, lat: float, z: int) -> list[dict]:
    """The places layer of the tile holding (lon, lat): properties and the point in the storage CRS."""
    x, y = tile_containing(lon, lat, z)
    response = Client().get(f"/tiles/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    xmin, ymin, xmax, ymax = tile_bounds(z, x, y).as_tuple()
    found = []
    for feature in mapbox_vector_tile.decode(response.content).get("places", {}).get("features", []):
        px, py = feature["geometry"]["coordinates"]
        point = Point(xmin + px / EXTENT * (xmax - xmin), ymin + py / EXTENT * (ymax - ymin), srid=TILE_SRID)
        found.append({**feature["properties"], "point": point.transform(STORAGE_SRID, clone=True)})
    return found


def test_the_tiles_name_the_city_and_counties_at_their_seats_and_districts_at_their_areas():
    build.rebuild()  # the tile statement of this code (a changed rule drops the cached tiles)
    city = unit(CITY)
    pixel_deg = 0.002  # a tile unit at z8 is ~38 m; the tile's grid rounds the point
    drawn = {p["name"]: p for p in _tile_places(city.seat.x, city.seat.y, CITY_ZOOM)}
    assert same(drawn["牡丹江市"]["point"], city.seat, pixel_deg) and drawn["牡丹江市"]["at_seat"] is True
    for code in DISTRICTS:
        district = unit(code)
        place = {p["name"]: p for p in _tile_places(district.label_point.x, district.label_point.y, CITY_ZOOM)}
        assert same(place[district.name]["point"], district.label_point, pixel_deg), district.name
        assert "at_seat" not in place[district.name]
    ningan = unit(NINGAN)
    place = {p["name"]: p for p in _tile_places(ningan.seat.x, ningan.seat.y, CITY_ZOOM)}
    assert same(place["宁安市"]["point"], ningan.seat, pixel_deg) and place["宁安市"]["at_seat"] is True


def test_a_changed_tile_statement_drops_the_cached_tiles(monkeypatch):
    build.rebuild()
    city = unit(CITY)
    x, y = tile_containing(city.seat.x, city.seat.y, 9)
    Client().get(f"/tiles/9/{x}/{y}.mvt")
    assert CachedTile.objects.filter(z=9, x=x, y=y).exists()
    monkeypatch.setattr(build, "render_and_store_statement", lambda: "another rule")
    result = build.rebuild()
    assert not result.skipped and result.tiles_dropped >= 1 and not CachedTile.objects.exists()
    assert build.rebuild().skipped  # once


def _coords(html: str) -> tuple[float, float] | None:
    found = re.search(r'class="coords">([\d.]+)°N, ([\d.]+)°E', html)
    return (float(found.group(2)), float(found.group(1))) if found else None


def test_a_units_record_page_shows_its_seat():
    ningan = unit(NINGAN)
    record = Place.objects.get(admin_unit=ningan, valid_to__isnull=True)
    html = Client().get(f"/places/{record.code}").content.decode()
    lon, lat = _coords(html)
    assert (lon, lat) == (round(ningan.seat.x, 5), round(ningan.seat.y, 5))
    interior = ningan.geom.point_on_surface
    assert (lon, lat) != (round(interior.x, 5), round(interior.y, 5))
    assert "无位置信息" not in html


def test_a_record_without_a_location_says_so_instead_of_an_empty_map():
    changeset = open_changeset(Changeset.Kind.EDIT, "no location", label="tests.test_locations")
    place = place_service.create_place(
        changeset=changeset,
        name="无址屯",
        category=Category.objects.get(code="07200"),
        unit=AdminUnit.objects.current().get(code=NINGAN),
    )
    assert place.geom is None
    html = Client().get(f"/places/{place.code}").content.decode()
    assert "无位置信息" in html and "no location recorded" in html
    assert 'id="place-map"' not in html and "place-geometry" not in html and _coords(html) is None
    located = Client().get(f"/places/{Place.objects.get(admin_unit__code=NINGAN, valid_to__isnull=True).code}")
    assert "无位置信息" not in located.content.decode()


def test_clearance_is_about_the_labels_half_widths_at_zoom_nine():
    """The clearance (10 km) covers half the city's name plus half a district's at z9 (GL resolution)."""
    metres_per_px = 78271.51696402048 / 2**9 * math.cos(math.radians(44.6))
    half_widths_px = (4 * 17.0 + 3 * 14.5) / 2  # 牡丹江市 at 17 px, a three-character district at 14.5 px
    assert half_widths_px * metres_per_px <= markers.CITY_CLEARANCE_M


def test_a_search_result_for_a_unit_stands_at_its_seat():
    from gazetteer.search.index import rebuild

    rebuild()  # the index as this code writes it (a reused test database may hold an older one)
    ningan = unit(NINGAN)
    found = Client().get("/api/v1/places/search", {"q": "宁安市"}).json()["results"]
    record = next(r for r in found if r["name"] == "宁安市")
    assert (record["lon"], record["lat"]) == (round(ningan.seat.x, 6), round(ningan.seat.y, 6))
