"""The Content-Security-Policy: every page sends it, and no page breaks it in Chromium.

``PAGES`` is the one list of the site's pages: a new page joins both checks by one line here. A page's
path may name values of the ``site`` fixture ({place_code}, {application_pk}, ...): committed records
that the server process sees too. The browser check fails on any console error (the ``page`` fixture),
which is how Chromium reports a refused script or style, and also collects ``securitypolicyviolation``
events, so that a violation reported without a console line is caught as well."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from tests.gazetteer_helpers import NINGAN, POINT_NINGAN

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Page:
    path: str  # may name values of the ``site`` fixture: "/places/{place_code}"
    staff: bool = False  # seen logged in as an administrator
    status: int = 200
    ready: str | None = None  # a selector the page shows once its scripts have run

    def url(self, site: dict) -> str:
        return self.path.format(**site)


MAP = ".dj_map canvas"
PAGES = {
    "portal": Page("/", ready="#map canvas"),
    "place": Page("/places/{place_code}", ready="#place-map canvas"),
    "divisions": Page("/divisions", ready="#children li"),
    "open-data": Page("/open-data"),
    "api-docs": Page("/api/docs", ready=".opblock"),
    "print-maps": Page("/maps/print", staff=True),
    "not-found": Page("/no-such-page", status=404),
    "notice": Page("/api/v1/naming-applications/{application_number}/notice.html"),
    "public-notices": Page("/notices"),
    "public-notice": Page("/notices/{application_number}"),
    "admin-login": Page("/admin/login/"),
    "admin-index": Page("/admin/", staff=True),
    "admin-places": Page("/admin/gazetteer/place/", staff=True),
    "admin-place": Page("/admin/gazetteer/place/{place_pk}/change/", staff=True, ready=MAP),
    "admin-place-add": Page("/admin/gazetteer/place/add/", staff=True, ready=MAP),
    "admin-place-import": Page("/admin/gazetteer/place/import/", staff=True),
    "admin-unit": Page("/admin/boundaries/adminunit/{unit_pk}/change/", staff=True, ready=MAP),
    "admin-applications": Page("/admin/gazetteer/namingapplication/", staff=True),
    "admin-application-add": Page("/admin/gazetteer/namingapplication/add/", staff=True, ready=MAP),
    "admin-application": Page("/admin/gazetteer/namingapplication/{application_pk}/change/", staff=True),
    "admin-login-attempts": Page("/admin/axes/accessattempt/", staff=True),
    "admin-inbox": Page("/admin/inbox/", staff=True),
    "division-draft": Page("/divisions/drafts/{draft_number}", staff=True),
    "admin-division-draft": Page("/admin/boundaries/divisiondraft/{draft_pk}/change/", staff=True),
    "field-inspection": Page("/field/inspections/{inspection_number}", staff=True, ready="#queue-count"),
    "sign-survey": Page("/signs/survey", staff=True, ready="#queue-count"),
    "admin-sign-surveys": Page("/admin/gazetteer/signsurvey/", staff=True),
    "admin-inspection": Page("/admin/boundaries/inspectioncampaign/{inspection_pk}/change/", staff=True),
    "boundary-map": Page("/boundaries/map", staff=True, ready="#map canvas"),
    "admin-signs": Page("/admin/gazetteer/sign/?outdated=yes", staff=True),
    "admin-sign-add": Page("/admin/gazetteer/sign/add/", staff=True, ready=MAP),
    "admin-sign-campaigns": Page("/admin/gazetteer/renewalcampaign/", staff=True),
    "admin-sign-orders": Page("/admin/gazetteer/productionorder/", staff=True),
    "admin-numbering-requests": Page("/admin/gazetteer/numberingrequest/", staff=True),
    "admin-numbering-request-add": Page("/admin/gazetteer/numberingrequest/add/", staff=True),
    "admin-roads": Page("/admin/gazetteer/road/", staff=True),
    "admin-house-numbers": Page("/admin/gazetteer/housenumber/", staff=True),
    "admin-house-number-add": Page("/admin/gazetteer/housenumber/add/", staff=True, ready=MAP),
    "admin-renumberings": Page("/admin/gazetteer/renumberingproposal/", staff=True),
}


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker):
    """Committed records the pages show: an administrator, a place with a point, a unit, and a naming
    application in its public notice (withdrawn again at the end)."""
    from django.contrib.auth import get_user_model

    from accounts.models import Role
    from accounts.services import create_officer
    from boundaries.models import AdminUnit
    from gazetteer.models import NamingApplication, Place

    with django_db_blocker.unblock():
        admin, _ = get_user_model().objects.get_or_create(
            username="csp_admin", defaults={"is_staff": True, "is_superuser": True}
        )
        place = next(
            p for p in Place.objects.filter(geom__isnull=False).order_by("code") if p.geom.geom_type == "Point"
        )
        _, key = create_officer(
            f"csp_officer_{uuid.uuid4().hex[:8]}", role=Role.OFFICER, counties=[NINGAN], with_token=True
        )
        number = _application_in_notice(key)
        application = NamingApplication.objects.get(number=number)
        session = Client()
        session.force_login(admin)
        values = {
            "place_code": place.code,
            "place_pk": place.pk,
            "unit_pk": AdminUnit.objects.get(code="231025").pk,
            "application_number": number,
            "application_pk": application.pk,
            **_division_draft(admin),
            **_inspection(admin),
            "session": session.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    yield values
    with django_db_blocker.unblock():
        _api(key, f"/api/v1/naming-applications/{number}/withdraw", {"reason": "测试结束 end of the CSP test"})
        _withdraw_division_draft(admin, values["draft_number"])
        _remove_inspection(values["inspection_pk"])


def _division_draft(admin) -> dict:
    """A division draft (a village renamed) for its page and its admin page; withdrawn at the end."""
    from boundaries.models import AdminUnit
    from boundaries.services import division_drafts

    village = AdminUnit.objects.current().filter(tier=4, parent__code="231083500").order_by("code").first()
    steps = [{"op": "rename", "unit": village.code, "name": f"{village.name}（测试）"}]
    draft = division_drafts.create(user=admin, kind="rename", title="内容安全策略测试", reason="测试", steps=steps)
    return {"draft_number": draft.number, "draft_pk": draft.pk}


def _inspection(admin) -> dict:
    """An ad-hoc inspection of the 海林—宁安 line, for the field form and its admin page; removed at the end."""
    from boundaries.models import BoundaryLine
    from boundaries.services import inspections

    line = BoundaryLine.objects.get(code="231083-231084")
    made = inspections.raise_campaign(
        line, user=admin, year=2026, reason="测试", occasion="other", cause="内容安全策略测试"
    )
    return {"inspection_number": made.number, "inspection_pk": made.pk}


def _remove_inspection(pk: int) -> None:
    from boundaries.models import InspectionCampaign, InspectionCampaignVersion

    InspectionCampaignVersion.objects.filter(campaign=pk).delete()
    InspectionCampaign.objects.filter(pk=pk).delete()


def _withdraw_division_draft(admin, number: str) -> None:
    from boundaries.models import DivisionDraft
    from boundaries.services import division_drafts

    division_drafts.reject(DivisionDraft.objects.get(number=number), user=admin, note="测试结束 end of the CSP test")


def _api(key: str, url: str, data: dict) -> dict:
    body = json.dumps(data, ensure_ascii=False)
    response = Client().post(url, body, content_type="application/json", HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code in (200, 201), (url, response.content.decode())
    return response.json()


def _application_in_notice(key: str) -> str:
    """A new-name application taken through review and an expert opinion into its public notice."""
    number = _api(
        key,
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": "静安沟",
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": "内容安全策略测试",
            "applicant": "测试单位",
        },
    )["number"]
    _api(key, f"/api/v1/naming-applications/{number}/review", {"note": "测试"})
    _api(key, f"/api/v1/naming-applications/{number}/opinions", {"expert": "测试专家", "verdict": "agree"})
    today = dt.date.today().isoformat()
    _api(key, f"/api/v1/naming-applications/{number}/notice", {"start": today, "days": settings.NAMING_NOTICE_DAYS})
    return number


# ---- the header ------------------------------------------------------------------------------------


def policy(header: str) -> dict[str, list[str]]:
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in directives}


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_the_policy(name, site):
    page = PAGES[name]
    client = Client()
    if page.staff:
        client.cookies[settings.SESSION_COOKIE_NAME] = site["session"]
    response = client.get(page.url(site))
    assert response.status_code == page.status, response.content.decode()[:500]
    sent = policy(response["Content-Security-Policy"])
    assert sent["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in sent["style-src"] and "'unsafe-eval'" not in sent["script-src"]
    assert sent["object-src"] == ["'none'"] and sent["frame-ancestors"] == ["'none'"]


def test_every_page_of_the_site_is_in_the_list(site):
    """The site's own pages (config/urls.py, outside the API, the tiles and the admin) are all in PAGES."""
    from django.urls import URLPattern, get_resolver, resolve

    listed = {resolve(page.url(site)).url_name for page in PAGES.values() if page.status == 200}
    pages = {
        pattern.name
        for pattern in get_resolver().url_patterns
        if isinstance(pattern, URLPattern) and not str(pattern.pattern).startswith(("api/v1/", "healthz", "tiles/"))
    }
    assert pages and pages <= listed, f"add these pages to PAGES: {sorted(pages - listed)}"


def test_the_policy_is_strict():
    sent = policy(Client().get("/")["Content-Security-Policy"])
    assert sent == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *sent["style-src"][1:]],
        "img-src": ["'self'", "data:", "blob:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
    assert all(source.startswith("'sha256-") for source in sent["style-src"][1:])


def test_a_base_map_server_joins_img_and_connect_src():
    from config.settings import _csp_origin

    assert _csp_origin("https://{a-c}.tiles.bureau.example/{z}/{x}/{y}.png") == ["https://*.tiles.bureau.example"]
    assert _csp_origin("http://10.1.2.3:8080/wmts/{z}/{x}/{y}.png") == ["http://10.1.2.3:8080"]
    assert _csp_origin("/basemap/{z}/{x}/{y}.png") == []  # on this server: 'self' covers it
    with pytest.raises(RuntimeError):
        _csp_origin("ftp://tiles.example/{z}/{x}/{y}.png")


# ---- in the browser --------------------------------------------------------------------------------

COLLECT_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', event => window.__cspViolations.push(
    `${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber} ${event.sample}`));
"""


def visit(page, site: dict, entry: Page) -> list[str]:
    """Open the page (logged in if it is for staff), wait for its scripts, return its CSP violations."""
    if entry.staff:
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": site["session"], "url": page.origin}])
    page.add_init_script(COLLECT_VIOLATIONS)
    response = page.goto(page.origin + entry.url(site))
    assert response.status == entry.status
    assert response.headers.get("content-security-policy")
    if entry.status >= 400:  # Chromium logs the page's own error status as a console error
        page.errors[:] = [error for error in page.errors if "status of" not in error]
    if entry.ready:
        page.wait_for_selector(entry.ready, state="attached", timeout=20_000)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.mark.browser
@pytest.mark.parametrize("name", PAGES)
def test_no_page_breaks_the_policy_in_the_browser(name, page, site):
    assert visit(page, site, PAGES[name]) == []


@pytest.mark.browser
def test_an_officer_draws_and_moves_a_point_on_the_admin_map(page, site):
    """The admin's map widget starts from its JSON options (no inline script): drawing a point fills the
    form's geometry, and dragging it moves it."""
    assert visit(page, site, PAGES["admin-place-add"]) == []
    page.wait_for_timeout(500)
    box = page.locator("#id_geom_map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.click(x, y)
    drawn = json.loads(page.locator("textarea#id_geom").input_value())
    assert drawn["type"] == "Point"
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 40, y + 25, steps=8)
    page.mouse.up()
    moved = json.loads(page.locator("textarea#id_geom").input_value())
    assert moved["type"] == "Point" and moved["coordinates"] != drawn["coordinates"]
    assert moved["coordinates"][0] > drawn["coordinates"][0]  # dragged east
    page.locator("#id_geom_div_map").screenshot(path=str(settings.BASE_DIR / "var" / "screenshot-admin-draw.png"))
    assert page.evaluate("window.__cspViolations") == []


@pytest.mark.browser
def test_the_csrf_failure_page_keeps_to_the_policy(page, site):
    """A form sent without its CSRF cookie (an expired one) gets the site's own 403 page, not Django's
    built-in one with its inline <style>."""
    assert visit(page, site, PAGES["admin-login"]) == []
    page.context.clear_cookies()
    page.fill("#id_username", "csp_admin")
    page.fill("#id_password", "not the password")
    with page.expect_navigation() as answer:
        page.click("input[type=submit]")
    assert answer.value.status == 403
    page.errors[:] = [error for error in page.errors if "status of 403" not in error]
    assert "表单已失效" in page.locator("h1").inner_text()
    assert page.evaluate("window.__cspViolations") == []


def test_a_base_map_server_in_the_environment_reaches_the_policy():
    """Through the settings module itself, as the server starts with PORTAL_BASEMAP_URL set."""
    import os
    import subprocess
    import sys

    code = "from django.conf import settings; import json; print(json.dumps(settings.CONTENT_SECURITY_POLICY))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env["PORTAL_BASEMAP_URL"] = "https://{a-c}.tiles.bureau.example/{z}/{x}/{y}.png"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    directives = json.loads(result.stdout.strip().splitlines()[-1])["DIRECTIVES"]
    assert directives["img-src"][-1] == directives["connect-src"][-1] == "https://*.tiles.bureau.example"
    assert directives["script-src"] == ["'self'"]
