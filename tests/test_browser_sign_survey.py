"""The sign survey on a phone-sized page (390 px) that loses its connection: the officer's signs are
listed from what was fetched online, the survey (and its photo) is kept on the phone, sent when the
connection returns, and sending it twice makes one survey."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from accounts.models import Role
from accounts.services import create_officer
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Place, Sign, SignPhoto, SignSurvey, SignVersion
from gazetteer.services import signs as sign_service
from tests.gazetteer_helpers import NINGAN, POINT_NINGAN
from tests.test_marker_photos import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
PASSWORD = "sign-survey-test-password"
USER = "browser_sign_survey"
PHONE = {"width": 390, "height": 844}
PATH = "/signs/survey"


@pytest.fixture(scope="module")
def sign(django_db_blocker, server):
    """A committed village sign in 宁安市 kept by a committed officer; everything made is removed afterwards."""
    with django_db_blocker.unblock():
        last_changeset = Changeset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        officer, _ = create_officer(USER, role=Role.OFFICER, counties=[NINGAN], password=PASSWORD)
        place = Place.objects.filter(valid_to__isnull=True).order_by("code").first()
        lon, lat = POINT_NINGAN["coordinates"]
        made = sign_service.register_sign(
            user=officer, reason="浏览器测试", kind="village", geom=Point(lon, lat, srid=STORAGE_SRID), place=place
        )
    yield made
    with django_db_blocker.unblock():
        for survey in SignSurvey.objects.filter(sign=made):
            survey.photos.clear()
        SignSurvey.objects.filter(sign=made).delete()
        for photo in SignPhoto.objects.filter(sign=made):
            photo.file.delete(save=False)
            photo.public_file.delete(save=False)
            photo.delete()
        SignVersion.objects.filter(sign=made).delete()
        Sign.objects.filter(pk=made.pk).delete()
        Changeset.objects.filter(pk__gt=last_changeset).delete()
        officer.delete()


def _open(page) -> None:
    page.set_viewport_size(PHONE)
    page.goto(page.origin + PATH)
    assert "/admin/login/" in page.url
    page.fill("#id_username", USER)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(page.origin + PATH)


def test_a_survey_made_offline_is_kept_and_sent_once_when_the_connection_returns(page, sign):
    _open(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    page.wait_for_function("() => document.getElementById('sign-total').textContent !== '0'")  # kept for offline

    page.context.set_offline(True)
    page.wait_for_function("() => document.getElementById('net-state').dataset.online === 'false'")
    page.fill("#s-sign", sign.number)
    assert sign.number in page.text_content("#s-chosen")  # known from the list kept on the phone
    page.click("label.condition:has(input[value=damaged]) span")
    page.fill("#s-notes", "标志板断裂")
    page.set_input_files("#s-photos", {"name": "牌.jpg", "mimeType": "image/jpeg", "buffer": jpeg()})
    page.click("#s-save")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    page.wait_for_function("() => document.getElementById('photo-count').textContent === '1'")
    assert SignSurvey.objects.filter(sign=sign).count() == 0  # nothing reached the server
    assert "本机" in page.text_content("#survey-message")
    assert sign.number in page.text_content("#queue-list")

    page.context.set_offline(False)  # the browser says "online": the queue is sent
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'", timeout=20_000)
    page.wait_for_function("() => document.getElementById('photo-count').textContent === '0'", timeout=20_000)
    survey = SignSurvey.objects.get(sign=sign)
    assert (survey.condition, survey.notes, survey.surveyor.username) == ("damaged", "标志板断裂", USER)
    assert survey.photos.count() == 1
    sign.refresh_from_db()
    assert sign.condition == "damaged" and sign.last_inspected_on == survey.surveyed_on
    assert page.text_content("#sent-count") == "1" and sign.number in page.text_content("#sent-list")

    # The answer was lost on the way back and the phone sends the same survey again: still one survey.
    again = {
        "sign": sign.number,
        "body": {
            "client_id": str(survey.client_id),
            "condition": "damaged",
            "surveyed_on": survey.surveyed_on.isoformat(),
            "notes": "标志板断裂",
        },
    }
    key = f"sign-survey-queue:{USER}"
    page.evaluate("([key, item]) => localStorage.setItem(key, JSON.stringify([item]))", [key, again])
    page.click("#send-now")
    page.wait_for_function("key => JSON.parse(localStorage.getItem(key) || '[]').length === 0", arg=key)
    assert SignSurvey.objects.filter(sign=sign).count() == 1
    assert page.text_content("#sent-count") == "1"
    page.screenshot(path="/tmp/sign_survey_phone.png", full_page=True)


def test_a_refused_survey_stays_visible_until_discarded(page, sign):
    _open(page)
    refused = {
        "sign": "BZ-1999-999999",
        "body": {
            "client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c02",
            "condition": "faded",
            "surveyed_on": "2026-01-05",
            "notes": "",
        },
    }
    key = f"sign-survey-queue:{USER}"
    page.evaluate("([key, item]) => localStorage.setItem(key, JSON.stringify([item]))", [key, refused])
    page.click("#send-now")
    page.wait_for_selector("#queue-list li.refused")
    assert "未被接受" in page.text_content("#queue-list li.refused")
    page.errors[:] = [e for e in page.errors if "status of 404" not in e]  # the refusal, expected
    page.click("#queue-list li.refused button")
    assert page.evaluate("key => JSON.parse(localStorage.getItem(key)).length", key) == 0
