"""The staff's boundary map (web/boundary_map.py) in headless Chromium against the production server: an
officer opens it, the map draws from the staff's own tiles, a pending boundary proposal is listed in the
panel and drawn dashed on the map, and clicking it zooms the map to it; on a phone the panel folds.
Anonymous users are sent to log in, and an account without a staff role is refused."""

from __future__ import annotations

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.test import Client

from accounts.models import CountyAssignment, Role
from accounts.services import create_officer
from boundaries.models import (
    BoundaryMarker,
    BoundaryMarkerVersion,
    BoundaryProposal,
    InspectionCampaign,
    InspectionCampaignVersion,
    ProposalApproval,
    TopologyEdge,
)
from boundaries.services import inspections, markers_registry, proposals
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from tests.browser import map_has_drawn
from tests.gazetteer_helpers import HAILIN

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

XIAN = "231005"
USERNAME = "browser_boundary_officer"
PASSWORD = "boundary-map-test-password"
SHOTS = "/tmp/boundary_map.png", "/tmp/boundary_map_390.png", "/tmp/boundary_map_390_panel.png"


@pytest.fixture(scope="module")
def officer(django_db_blocker, server):
    """A committed officer of 海林市 (module scope: outside the tests' transactions, so the server sees it);
    removed afterwards."""
    with django_db_blocker.unblock():
        user, _ = create_officer(USERNAME, role=Role.OFFICER, counties=[HAILIN], password=PASSWORD)
    yield user
    with django_db_blocker.unblock():
        CountyAssignment.objects.filter(user=user).delete()
        Changeset.objects.filter(author=user).delete()  # what the fixtures below left, once their rows are gone
        user.delete()


@pytest.fixture(scope="module")
def pending(officer, django_db_blocker):
    """A committed pending proposal: the 海林—西安 edge's middle vertex moved ~90 m. Withdrawn at the end,
    then removed with its approval."""
    with django_db_blocker.unblock():
        edge = (
            TopologyEdge.objects.filter(left__code__in=[HAILIN, XIAN], right__code__in=[HAILIN, XIAN])
            .order_by("pk")
            .first()
        )
        coords = list(from_geos(edge.geom).coords)
        i = len(coords) // 2
        coords[i] = (coords[i][0] + 0.001, coords[i][1] + 0.0005)
        course = shapely.LineString(coords)
        made = proposals.propose(
            edge, course, user=officer, reason="浏览器测试：道路改线 (browser test)", expected_version=edge.version
        )
    yield {"proposal": made, "edge": edge, "moved": coords[i], "bounds": course.bounds}
    with django_db_blocker.unblock():
        proposal = BoundaryProposal.objects.get(pk=made.pk)
        if proposal.status == BoundaryProposal.Status.PENDING:
            proposals.reject(proposal, user=officer, note="测试结束 end of the browser test")
        ProposalApproval.objects.filter(proposal=proposal).delete()
        proposal.delete()


@pytest.fixture(scope="module")
def marker(officer, pending, django_db_blocker):
    """A committed real (not synthetic) marker on the proposal's line, a quarter along it; removed afterwards
    with its version row and changeset."""
    with django_db_blocker.unblock():
        line = pending["proposal"].line
        metric = to_metric(from_geos(line.geom))
        where = to_geos(to_lonlat(metric.interpolate(metric.length * 0.25)))
        changeset = open_changeset(Changeset.Kind.EDIT, "浏览器测试 browser test", author=officer)
        made = markers_registry.register_marker(changeset=changeset, line=line, kind="Q", geom=where)
    yield made
    with django_db_blocker.unblock():
        BoundaryMarkerVersion.objects.filter(marker=made).delete()
        BoundaryMarker.objects.filter(pk=made.pk).delete()
        Changeset.objects.filter(pk=changeset.pk).delete()


@pytest.fixture(scope="module")
def inspection(officer, pending, django_db_blocker):
    """A committed ad-hoc inspection of the proposal's line; removed afterwards."""
    with django_db_blocker.unblock():
        made = inspections.raise_campaign(
            pending["proposal"].line, user=officer, year=2026, reason="测试", occasion="other", cause="浏览器测试"
        )
    yield made
    with django_db_blocker.unblock():
        InspectionCampaignVersion.objects.filter(campaign=made).delete()
        InspectionCampaign.objects.filter(pk=made.pk).delete()


def log_in(page, next_path: str) -> None:
    page.goto(page.origin + next_path)
    assert "/admin/login/" in page.url  # the page asks who you are first
    page.fill("#id_username", USERNAME)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(page.origin + next_path)


def _zoom(page) -> float:
    return page.evaluate("window.boundaryMap.map.getView().getZoom()")


def _drawn_at(page, lon_lat, layer: str) -> list[dict]:
    """Properties of the staff tiles' features of ``layer`` drawn within a few pixels of a point."""
    return page.evaluate(
        """([lonLat, layer]) => {
            const map = window.boundaryMap.map;
            const pixel = map.getPixelFromCoordinate(ol.proj.fromLonLat(lonLat, map.getView().getProjection()));
            return map.getFeaturesAtPixel(pixel, {hitTolerance: 4})
              .filter(f => f.get('layer') === layer).map(f => ({code: f.get('code'), line: f.get('line')}));
        }""",
        [list(lon_lat), layer],
    )


def test_an_officer_sees_the_pending_proposal_on_the_staff_map_and_zooms_to_it(
    page, officer, pending, marker, inspection
):
    number = pending["proposal"].number
    tiles: list[str] = []
    page.on("request", lambda request: ".mvt" in request.url and tiles.append(request.url))
    log_in(page, "/boundaries/map")
    assert page.locator('.site-nav a[href="/boundaries/map"]').get_attribute("aria-current") == "page"
    assert map_has_drawn(page)
    page.wait_for_function("() => window.boundaryMap.tileStats().loaded > 0", timeout=20_000)
    assert tiles and all("/tiles/staff/" in url for url in tiles), tiles  # never the public tiles
    assert page.evaluate("window.boundaryMap.tileStats().failed") == 0

    item = page.locator(f'#proposal-list li[data-number="{number}"]')
    item.wait_for()
    text = item.inner_text()
    assert "浏览器测试：道路改线" in text and officer.username in text and "待" in text
    assert "西安区" in text or XIAN in text
    assert "待定界线变更" in page.locator("#legend-list").inner_text()
    page.wait_for_function("() => document.getElementById('inspection-status').textContent !== '正在读取…'")
    page.wait_for_function("() => document.getElementById('event-status').textContent !== '正在读取…'")
    assert not page.locator(".bmap-error").count()
    campaign = page.locator(f'#inspection-list li[data-number="{inspection.number}"]')
    assert campaign.locator("a", has_text="外业表单").get_attribute("href") == f"/field/inspections/{inspection.number}"
    report = campaign.locator("a", has_text="报告 PDF").get_attribute("href")
    assert report == f"/api/v1/inspections/{inspection.number}/report.pdf"

    before = _zoom(page)
    item.locator("button").click()
    page.wait_for_function(f"() => window.boundaryMap.map.getView().getZoom() > {before + 2}", timeout=5_000)
    page.wait_for_function("() => !window.boundaryMap.map.getView().getAnimating()")
    west, south, east, north = pending["bounds"]
    lon, lat = page.evaluate("ol.proj.toLonLat(window.boundaryMap.map.getView().getCenter(), 'EPSG:3857')")
    assert west - 0.01 <= lon <= east + 0.01 and south - 0.01 <= lat <= north + 0.01
    assert "selected" in item.get_attribute("class")
    # the proposed course is in the staff's tiles at its moved vertex, drawn (hit detection on what was drawn)
    page.wait_for_function(
        """([lonLat, number]) => {
            const map = window.boundaryMap.map;
            const pixel = map.getPixelFromCoordinate(ol.proj.fromLonLat(lonLat, map.getView().getProjection()));
            return map.getFeaturesAtPixel(pixel, {hitTolerance: 4})
              .some(f => f.get('layer') === 'proposals' && f.get('code') === number);
        }""",
        arg=[list(pending["moved"]), number],
        timeout=15_000,
    )
    assert {"code": number, "line": pending["proposal"].line.code} in _drawn_at(page, pending["moved"], "proposals")
    page.wait_for_timeout(300)
    page.screenshot(path=SHOTS[0])

    # a real marker (only in the staff's tiles) clicked on the map: its number, status, line and links
    lon_lat = [marker.geom.x, marker.geom.y]
    page.evaluate(
        """(lonLat) => { const view = window.boundaryMap.map.getView();
            view.setCenter(ol.proj.fromLonLat(lonLat, view.getProjection())); view.setZoom(15); }""",
        lon_lat,
    )
    page.wait_for_function(
        """([lonLat, number]) => {
            const map = window.boundaryMap.map;
            const pixel = map.getPixelFromCoordinate(ol.proj.fromLonLat(lonLat, map.getView().getProjection()));
            return map.getFeaturesAtPixel(pixel, {hitTolerance: 4})
              .some(f => f.get('layer') === 'markers' && f.get('code') === number);
        }""",
        arg=[lon_lat, marker.number],
        timeout=15_000,
    )
    box = page.locator("#map").bounding_box()
    x, y = page.evaluate(
        """(lonLat) => { const map = window.boundaryMap.map;
            return map.getPixelFromCoordinate(ol.proj.fromLonLat(lonLat, map.getView().getProjection())); }""",
        lon_lat,
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    popup = page.locator("#bmap-popup")
    popup.wait_for(state="visible")
    page.wait_for_function("(n) => document.getElementById('bmap-popup').dataset.marker === n", arg=marker.number)
    text = popup.inner_text()
    assert marker.number in text and marker.get_status_display() in text and marker.line.code in text
    assert "示例" not in text  # a real marker
    form = popup.locator("a", has_text="登记表 PDF").get_attribute("href")
    assert form == f"/api/v1/boundary-markers/{marker.number}/form.pdf"
    assert popup.locator("a", has_text="管理页").get_attribute("href") == (
        f"/admin/boundaries/boundarymarker/?q={marker.number}"
    )
    answer = page.request.get(page.origin + form)
    assert answer.status == 200 and answer.body().startswith(b"%PDF")
    page.screenshot(path="/tmp/boundary_map_marker.png")


def test_on_a_phone_the_panel_folds_and_a_proposal_still_zooms_the_map(page, officer, pending):
    number = pending["proposal"].number
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, "/boundaries/map")
    assert map_has_drawn(page)
    toggle = page.locator("#bmap-toggle")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    item = page.locator(f'#proposal-list li[data-number="{number}"]')
    item.wait_for(state="attached")
    assert not item.is_visible()  # folded
    page.wait_for_timeout(300)
    page.screenshot(path=SHOTS[1])
    toggle.click()
    item.wait_for(state="visible")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=SHOTS[2])
    before = _zoom(page)
    item.locator("button").click()
    page.wait_for_function(f"() => window.boundaryMap.map.getView().getZoom() > {before + 2}", timeout=5_000)
    assert toggle.get_attribute("aria-expanded") == "false"  # folded again, the map in view
    assert page.locator("#map").is_visible()


def test_anonymous_users_are_sent_to_log_in_and_others_refused(page):
    response = page.goto(page.origin + "/boundaries/map")
    assert response.ok and page.url.startswith(page.origin + "/admin/login/?next=/boundaries/map")
    assert not page.locator('.site-nav a[href="/boundaries/map"]').count()  # no link for the public

    nobody = get_user_model().objects.create_user("boundary_map_nobody", password=PASSWORD)  # no staff role
    client = Client()
    client.force_login(nobody)
    refused = client.get("/boundaries/map")
    assert refused.status_code == 403 and "仅限民政局工作人员" in refused.content.decode()
