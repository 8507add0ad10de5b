"""A candidate name as its users meet it in the browser: the public search marks it 候选, and an officer
registers it as standard from its admin page by citing the decision (screenshots in var/)."""

from __future__ import annotations

import uuid

import pytest

from tests.gazetteer_helpers import NINGAN
from tests.hostile_helpers import purge
from tests.live_server import PROJECT_DIR
from tests.test_browser_portal import open_portal, result_item

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PASSWORD = "standing-walk-pass-1"
DIGITS = "东西南北山前后上下新"  # one reading each: the name romanizes without guessing


@pytest.fixture(scope="module")
def candidate(django_db_blocker):
    """A candidate record and an officer of its county, committed so that the server sees them."""
    from django.contrib.gis.geos import Point

    from accounts.models import Role
    from accounts.services import create_officer
    from core.history import open_changeset
    from core.models import Changeset
    from core.srid import STORAGE_SRID
    from gazetteer.models import Category
    from gazetteer.services import places as place_service

    tag = uuid.uuid4().int
    name = "莲塘" + DIGITS[tag % 10] + DIGITS[tag // 10 % 10] + "屯"
    with django_db_blocker.unblock():
        officer, _ = create_officer(f"standing_{uuid.uuid4().hex[:8]}", role=Role.OFFICER, counties=[NINGAN])
        officer.set_password(PASSWORD)
        officer.save()
        changeset = open_changeset(Changeset.Kind.EDIT, "browser walk: a candidate", author=officer)
        place = place_service.create_place(
            changeset=changeset,
            name=name,
            category=Category.objects.get(code="07200"),
            geom=Point(129.52, 44.30, srid=STORAGE_SRID),
            registered_by=officer,
        )
    yield place, officer
    purge(django_db_blocker, [officer])  # the rest of the session sees the base data as it was


def _shot(page, name: str) -> None:
    page.screenshot(path=str(PROJECT_DIR / "var" / f"screenshot-standing-{name}.png"), full_page=True)


def test_the_search_marks_a_candidate(page, candidate):
    place, _ = candidate
    open_portal(page, f"/?q={place.name}")
    item = result_item(page, place.code)
    item.wait_for()
    assert "候选" in item.locator(".result-standing").inner_text()
    _shot(page, "search")


def test_an_officer_registers_a_candidate_in_the_admin(page, candidate):
    place, officer = candidate
    page.goto(page.origin + "/admin/login/")
    page.fill("#id_username", officer.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{page.origin}/admin/gazetteer/place/{place.pk}/change/")
    assert "候选地名" in page.locator(".field-standing").inner_text()
    page.get_by_role("link", name="登记为标准地名 Register as standard").click()
    page.wait_for_url("**/register-standard/")

    page.fill("#id_authority", "宁安市人民政府")
    page.fill("#id_document_number", "宁政发〔2012〕21号")
    page.fill("#id_decision_date", "2099-01-01")
    page.fill("#id_reason", "第二次全国地名普查成果")
    page.click("input[type=submit]")
    assert "still to come" in page.locator(".errorlist").inner_text()  # refused, the officer stays
    _shot(page, "refused")

    page.fill("#id_decision_date", "2012-06-01")
    page.click("input[type=submit]")
    page.wait_for_url(f"**/admin/gazetteer/place/{place.pk}/change/")
    assert "registered as a standard name" in page.locator(".messagelist").inner_text()
    assert "标准地名" in page.locator(".field-standing").inner_text()
    assert "宁政发〔2012〕21号" in page.locator(".field-decision_document").inner_text()
    assert page.get_by_role("link", name="登记为标准地名 Register as standard").count() == 0
    _shot(page, "registered")

    page.goto(f"{page.origin}/places/{place.code}?lang=zh")
    assert "宁安市人民政府 宁政发〔2012〕21号 2012-06-01" in page.locator("dd.standing").inner_text()
