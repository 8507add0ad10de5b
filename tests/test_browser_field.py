"""The joint inspection's field form on a phone-sized page (390 px) that loses its connection mid-form:
the check is kept on the phone, sent when the connection returns, and sending it twice makes one record;
a half-filled form survives a reload."""

from __future__ import annotations

import json

import pytest

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import (
    BoundaryLine,
    BoundaryMarker,
    BoundaryMarkerVersion,
    InspectionCampaign,
    InspectionCampaignVersion,
    InspectionTask,
    MarkerCheck,
    MarkerPhoto,
    ReferenceObject,
)
from boundaries.services import inspections
from boundaries.services.demo_markers import place_on
from core.models import Changeset
from tests.gazetteer_helpers import HAILIN, NINGAN
from tests.test_marker_photos import jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.browser]
PASSWORD = "field-form-test-password"
LINE = f"{HAILIN}-{NINGAN}"
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def campaign(django_db_blocker, server):
    """A committed inspection of the 海林—宁安 line, ready for field checks, with demonstration markers;
    everything it made is removed afterwards."""
    with django_db_blocker.unblock():
        last_changeset = Changeset.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        officer, _ = create_officer("browser_field", role=Role.OFFICER, counties=[HAILIN], password=PASSWORD)
        line = BoundaryLine.objects.get(code=LINE)
        had = set(line.markers.values_list("pk", flat=True))
        if not had:
            place_on(line)
        made = inspections.raise_campaign(
            line, user=officer, year=2026, reason="浏览器测试", occasion="other", cause="浏览器测试"
        )
        made = inspections.file_plan(
            made,
            user=officer,
            start=made.plan_due.replace(month=1, day=2),
            end=made.plan_due,
            teams=[
                {"side": HAILIN, "members": [{"name": "张明"}]},
                {"side": NINGAN, "members": [{"name": "李华"}]},
            ],
            reason="实施方案",
        )
        made = inspections.record_office_review(made, user=officer, notes="对照协议书核对")
    yield made
    with django_db_blocker.unblock():
        InspectionTask.objects.filter(campaign=made).delete()
        for photo in MarkerPhoto.objects.filter(checks__campaign=made):
            photo.file.delete(save=False)
            photo.public_file.delete(save=False)
            photo.checks.clear()
            photo.delete()
        MarkerCheck.objects.filter(campaign=made).delete()
        InspectionCampaignVersion.objects.filter(campaign=made).delete()
        InspectionCampaign.objects.filter(pk=made.pk).delete()
        new = list(line.markers.exclude(pk__in=had).values_list("pk", flat=True))
        ReferenceObject.objects.filter(marker__in=new).delete()
        BoundaryMarkerVersion.objects.filter(marker__in=new).delete()
        BoundaryMarker.objects.filter(pk__in=new).delete()
        Changeset.objects.filter(pk__gt=last_changeset).delete()
        officer.delete()


def _open(page, number: str) -> None:
    page.set_viewport_size(PHONE)
    path = f"/field/inspections/{number}"
    page.goto(page.origin + path)
    assert "/admin/login/" in page.url
    page.fill("#id_username", "browser_field")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(page.origin + path)


def test_a_check_entered_offline_is_kept_and_sent_once_when_the_connection_returns(page, campaign):
    _open(page, campaign.number)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    marker = campaign.line.markers.order_by("distance_along_m").first()

    page.context.set_offline(True)
    page.wait_for_function("() => document.getElementById('net-state').dataset.online === 'false'")
    page.select_option("#f-marker", marker.number)
    page.check("input[name=found][value=damaged]")
    page.fill("#f-notes", "桩体倾斜")
    lon, lat = marker.geom.x + 0.0002, marker.geom.y  # the photo taken about 16 m east of the marker
    page.set_input_files("#f-photos", {"name": "桩.jpg", "mimeType": "image/jpeg", "buffer": jpeg(lat=lat, lon=lon)})
    page.click("#f-save")
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '1'")
    page.wait_for_function("() => document.getElementById('photo-count').textContent === '1'")
    assert MarkerCheck.objects.filter(campaign=campaign).count() == 0  # nothing reached the server
    assert "本机" in page.text_content("#field-message")

    page.context.set_offline(False)  # the browser says "online": the queue is sent
    page.wait_for_function("() => document.getElementById('queue-count').textContent === '0'", timeout=20_000)
    page.wait_for_function("() => document.getElementById('photo-count').textContent === '0'", timeout=20_000)
    checks = list(MarkerCheck.objects.filter(campaign=campaign))
    assert [(c.marker_id, c.found, c.notes) for c in checks] == [(marker.pk, "damaged", "桩体倾斜")]
    photo = checks[0].photos.get()  # sent after its check, its position read from its EXIF
    assert photo.exif_position.x == pytest.approx(lon, abs=1e-6) and photo.source == "inspection"

    # The answer was lost on the way back and the phone sends the same check again: still one record.
    again = {
        "kind": "marker",
        "body": {
            "client_id": str(checks[0].client_id),
            "marker": marker.number,
            "found": "damaged",
            "checked_on": checks[0].checked_on.isoformat(),
            "inscription_repainted": False,
            "references_changed": False,
            "notes": "桩体倾斜",
        },
    }
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [f"field-queue:{campaign.number}", again],
    )
    page.click("#send-now")
    page.wait_for_function(
        "key => JSON.parse(localStorage.getItem(key) || '[]').length === 0", arg=f"field-queue:{campaign.number}"
    )
    assert MarkerCheck.objects.filter(campaign=campaign).count() == 1
    page.screenshot(path="/tmp/field_form_phone.png", full_page=True)


def test_a_half_filled_form_survives_a_reload_and_a_refusal_stays_visible(page, campaign):
    _open(page, campaign.number)
    page.fill("#f-notes", "方位物一号已拆除")
    page.reload()
    assert page.input_value("#f-notes") == "方位物一号已拆除"

    refused = {
        "kind": "stretch",
        "body": {
            "client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c01",
            "from_m": 0,
            "to_m": 99_000_000,
            "condition": "as_agreed",
            "checked_on": "2026-01-05",
            "notes": "",
        },
    }
    page.evaluate(
        "([key, item]) => localStorage.setItem(key, JSON.stringify([item]))",
        [f"field-queue:{campaign.number}", refused],
    )
    page.click("#send-now")
    page.wait_for_selector("#queue-list li.refused")
    assert "未被接受" in page.text_content("#queue-list li.refused")
    kept = json.loads(page.evaluate("key => localStorage.getItem(key)", f"field-queue:{campaign.number}"))
    assert kept[0]["refused"]  # kept, marked, until the officer discards it
    page.errors[:] = [e for e in page.errors if "status of 400" not in e]  # the refusal, expected
    page.click("#queue-list li.refused button")
    assert page.evaluate("key => JSON.parse(localStorage.getItem(key)).length", f"field-queue:{campaign.number}") == 0
