"""The divisions browser (/divisions) in headless Chromium, against the production server.

Every request to a host other than the server fails the test, and so does any script error."""

from __future__ import annotations

import re

import pytest

from tests.browser import map_has_drawn
from tests.live_server import PROJECT_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.browser]


def test_divisions_show_the_city_its_counties_and_a_map(page):
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(page.origin + "/divisions")
    page.wait_for_selector("#children li")
    assert page.locator(".unit-card .name").inner_text() == "牡丹江市"
    names = page.locator("#children li span:first-child").all_inner_texts()
    assert {
        "东安区",
        "阳明区",
        "爱民区",
        "西安区",
        "林口县",
        "绥芬河市",
        "海林市",
        "宁安市",
        "穆棱市",
        "东宁市",
    } == set(names)
    page.wait_for_function("() => document.querySelector('#map canvas') !== null")
    page.wait_for_timeout(500)
    assert map_has_drawn(page)
    # drawn over the same vector tiles as the portal
    assert any(url.endswith("/tiles/style.json") for url in requests)
    assert any(re.search(r"/tiles/\d+/\d+/\d+\.mvt$", url) for url in requests)
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-divisions.png"))


def test_the_divisions_as_they_stood_on_a_day(page):
    page.goto(page.origin + "/divisions?at=2010-06-01")
    page.wait_for_selector("#children li")
    assert "2010-06-01" in page.locator("#as-of").inner_text()
    names = set(page.locator("#children li span:first-child").all_inner_texts())
    assert "东宁县" in names and "东宁市" not in names  # 撤县设市 came in 2015
    page.locator("#children li", has_text="东宁县").click()
    page.wait_for_function("() => document.querySelector('.unit-card .name').textContent === '东宁县'")
    card = page.locator(".unit-card").inner_text()
    assert "231024" in card and "东宁市 231086" in card  # the code of that day, and what it is today
    assert page.locator("#children li").count() > 3
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-divisions-2010.png"))
    page.locator("#as-of a").click()
    page.wait_for_selector("#children li")
    assert "东宁市" in page.locator("#children li span:first-child").all_inner_texts()


def test_drilling_down_to_a_village(page):
    page.goto(page.origin + "/divisions")
    page.locator("#children li", has_text="宁安市").click()
    page.wait_for_function("() => document.querySelector('.unit-card .name').textContent === '宁安市'")
    assert "232521" in page.locator(".unit-card").inner_text()  # a former code, from the history
    page.locator("#children li", has_text="东京城镇").click()
    page.wait_for_function("() => document.querySelector('.unit-card .name').textContent === '东京城镇'")
    breadcrumb = page.locator("#breadcrumb").inner_text()
    assert "牡丹江市" in breadcrumb and "宁安市" in breadcrumb
    assert page.locator("#children li").count() > 5  # its villages and communities


def test_an_unknown_code_in_the_address_says_so(page):
    page.goto(page.origin + "/divisions#999999")
    page.wait_for_function("() => document.querySelector('.unit-card').textContent.includes('999999')")
    page.errors.clear()  # the 404 of the API call is the expected outcome here


@pytest.fixture(scope="module")
def officer_login(django_db_blocker):
    """A staff account committed to the test database, so that the server process sees it."""
    from django.contrib.auth import get_user_model

    with django_db_blocker.unblock():
        user, _ = get_user_model().objects.get_or_create(
            username="browser_admin", defaults={"is_staff": True, "is_superuser": True}
        )
        user.set_password("correct horse battery")
        user.save()
    return "browser_admin", "correct horse battery"


def test_admin_map_widget_draws_the_unit_without_outside_tiles(page, officer_login):
    from boundaries.models import AdminUnit

    username, password = officer_login
    page.goto(page.origin + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    unit = AdminUnit.objects.get(code="231025")
    tiles: list[str] = []
    page.on("request", lambda request: "/tiles/" in request.url and tiles.append(request.url))
    page.goto(f"{page.origin}/admin/boundaries/adminunit/{unit.pk}/change/")
    page.wait_for_function("() => document.querySelectorAll('.dj_map canvas').length > 0")
    page.wait_for_timeout(800)
    drawn = page.evaluate("""() => Array.from(document.querySelectorAll('.dj_map canvas')).some(canvas => {
        const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4 * 61) { if (data[i] > 0) return true; }
        return false;
    })""")
    assert drawn
    assert any(url.endswith(".mvt") for url in tiles)  # over the same vector tiles as the public maps
    page.locator("#id_geom_map").screenshot(path=str(PROJECT_DIR / "var" / "screenshot-admin-map.png"))
    geometry = page.locator("textarea#id_geom").input_value()
    assert '"MultiPolygon"' in geometry
