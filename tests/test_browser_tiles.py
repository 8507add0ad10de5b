"""The portal's map draws the system's own vector tiles (headless Chromium against the production server):
it requests /tiles/style.json and /tiles/{z}/{x}/{y}.mvt, draws them in the style's colours, shows more
with zoom, and sends no request anywhere else (the page fixture fails on any outside request)."""

from __future__ import annotations

import json
import re

import pytest

from tests.browser import map_has_drawn
from tests.live_server import PROJECT_DIR, http_get

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

NINGAN_POINT = (129.47, 44.34)  # inside 宁安市, near its seat
TOWN, TOWN_POINT = "23108410104300000001", (129.21003, 44.11426)  # 东京城镇
MVT_URL = re.compile(r"/tiles/(\d+)/(\d+)/(\d+)\.mvt$")
TILES_SETTLED = """() => {
    const s = window.portal.tileStats();
    return s.requested > 0 && s.loaded + s.failed === s.requested && window.portal.idle();
}"""
COLOUR_AT = """([x, y]) => Array.from(document.querySelectorAll('#map canvas')).map(canvas => {
    const ratio = canvas.width / canvas.getBoundingClientRect().width;
    return Array.from(canvas.getContext('2d').getImageData(Math.round(x * ratio), Math.round(y * ratio), 1, 1).data);
})"""


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def _expected_fill(style: dict, code: str) -> tuple[float, ...]:
    """The county's fill (with its opacity) over the city's fill, as the style says."""
    layers = {layer["id"]: layer for layer in style["layers"]}
    county = layers["units-county"]["paint"]
    match = county["fill-color"]
    colour = dict(zip(match[2:-1:2], match[3:-1:2], strict=True))[code]
    opacity = county["fill-opacity"]
    city = _rgb(layers["units-city"]["paint"]["fill-color"])
    return tuple(opacity * c + (1 - opacity) * b for c, b in zip(_rgb(colour), city, strict=True))


def _open(page, tile_requests: list[str]) -> None:
    page.on("request", lambda request: tile_requests.append(request.url))
    page.goto(page.origin + "/")
    page.wait_for_function("() => window.portal && window.portal.countyCount() === 10 && window.portal.idle()")
    page.wait_for_function(TILES_SETTLED)
    page.wait_for_timeout(300)


def test_the_portal_map_draws_the_vector_tiles(page, server):
    requests: list[str] = []
    _open(page, requests)
    tiles = [MVT_URL.search(url) for url in requests]
    assert any(tiles), requests
    assert any(url.endswith("/tiles/style.json") for url in requests)
    assert not any("geometry=simplified" in url for url in requests)  # the counties come from the tiles now
    stats = page.evaluate("window.portal.tileStats()")
    assert stats["failed"] == 0 and stats["loaded"] >= 2
    assert map_has_drawn(page)

    pixel = page.evaluate("([lon, lat]) => window.portal.pixelOfLonLat(lon, lat)", list(NINGAN_POINT))
    drawn = page.evaluate("(pixel) => window.portal.backgroundAt(pixel)", pixel)
    assert {"layer": "units", "name": "宁安市", "code": "231084"}.items() <= next(
        f for f in drawn if f.get("code") == "231084"
    ).items()
    assert any(f["layer"] == "units" and f["level"] == "city" for f in drawn)
    _, _, body = http_get(server.port, "/tiles/style.json")
    expected = _expected_fill(json.loads(body), "231084")
    colours = page.evaluate(COLOUR_AT, pixel)
    assert any(
        a > 250 and all(abs(c - e) <= 6 for c, e in zip((r, g, b), expected, strict=True)) for r, g, b, a in colours
    ), (colours, expected)
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-portal-tiles.png"))


def test_zooming_in_loads_deeper_tiles_with_township_labels(page):
    requests: list[str] = []
    _open(page, requests)
    page.evaluate(
        "([lon, lat]) => { const view = window.portal.map.getView();"
        " view.setCenter(ol.proj.fromLonLat([lon, lat], view.getProjection())); view.setZoom(11.5); }",
        list(TOWN_POINT),
    )
    page.wait_for_timeout(200)
    page.wait_for_function(TILES_SETTLED)
    page.wait_for_timeout(300)
    zooms = {int(m.group(1)) for m in map(MVT_URL.search, requests) if m}
    assert 10 in zooms, zooms
    pixel = page.evaluate("([lon, lat]) => window.portal.pixelOfLonLat(lon, lat)", list(TOWN_POINT))
    drawn = page.evaluate("(pixel) => window.portal.backgroundAt(pixel)", pixel)
    town = [f for f in drawn if f["layer"] == "places" and f["code"] == TOWN]
    assert town and town[0]["name"] == "东京城镇" and town[0]["rank"] == 3
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-portal-tiles-z10.png"))


def test_the_record_page_map_draws_the_tiles_under_the_place(page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{page.origin}/places/{TOWN}")
    page.wait_for_function("() => window.placeMap && window.placeMap.features().length === 1")
    page.evaluate("window.placeMap.ready")
    page.wait_for_function(
        "() => performance.getEntriesByType('resource').some(e => /\\/tiles\\/\\d+\\/\\d+\\/\\d+\\.mvt$/.test(e.name))"
    )
    page.wait_for_timeout(800)
    assert any(MVT_URL.search(url) for url in requests)
    assert map_has_drawn(page, "#place-map")


CITY_SEAT_PIXEL = """(code) => fetch('/api/v1/units/' + code + '?geometry=none').then(r => r.json())
    .then(unit => ({seat: unit.properties.seat, label: unit.properties.label, marker: unit.properties.marker}))"""


def test_the_city_zoom_names_the_city_at_its_seat_and_districts_on_their_areas(page):
    """boundaries.services.markers on the portal map: 牡丹江市 drawn at its seat with the seat dot, not on
    阳明区; each district's name on its area (the API's ``label``)."""
    requests: list[str] = []
    _open(page, requests)
    city = page.evaluate(CITY_SEAT_PIXEL, "231000")
    yangming = page.evaluate(CITY_SEAT_PIXEL, "231003")
    assert city["label"] == city["seat"] == city["marker"] and yangming["label"] != yangming["seat"]
    page.evaluate(
        """([lon, lat]) => { const view = window.portal.map.getView();
            view.setCenter(ol.proj.fromLonLat([lon, lat], view.getProjection())); view.setZoom(9); }""",
        [(city["seat"][0] + yangming["label"][0]) / 2, (city["seat"][1] + yangming["label"][1]) / 2],
    )
    page.wait_for_timeout(300)
    page.wait_for_function(TILES_SETTLED)
    page.wait_for_timeout(500)
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-portal-city-labels.png"))

    def places_at(lon_lat):
        pixel = page.evaluate("([lon, lat]) => window.portal.pixelOfLonLat(lon, lat)", lon_lat)
        return [
            f for f in page.evaluate("(pixel) => window.portal.backgroundAt(pixel)", pixel) if f["layer"] == "places"
        ]

    at_seat = places_at(city["seat"])
    assert any(f["name"] == "牡丹江市" and f["at_seat"] is True for f in at_seat), at_seat
    at_yangming = places_at(yangming["label"])
    assert any(f["name"] == "阳明区" and not f.get("at_seat") for f in at_yangming), at_yangming
    assert not any(f["name"] == "牡丹江市" for f in at_yangming)
