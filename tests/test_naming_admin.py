"""The naming procedure through the admin: submit, take the steps, approve; and CSRF on pages."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import create_officer
from gazetteer.models import NamingApplication, Place
from tests.gazetteer_helpers import NINGAN, on_day

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
URL = "/admin/gazetteer/namingapplication/"


@pytest.fixture
def logins(db):
    clients = {}
    for name, role, counties in [("officer", Role.OFFICER, [NINGAN]), ("approver", Role.APPROVER, [])]:
        user, _ = create_officer(f"admin_{name}", role=role, counties=counties, password="pw-12345-abc")
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


def step(client, application, name, **values):
    data = {
        "step": name,
        "expected_version": application.version,
        **{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
    }
    for prefix in ("events", "opinions", "comments", "attachments"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = client.post(f"{URL}{application.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    application.refresh_from_db()
    return application


def test_the_whole_procedure_through_the_admin(logins):
    place = Place.objects.get(admin_unit__name="兰岗镇")
    response = logins["officer"].post(
        f"{URL}add/",
        {
            "kind": "rename",
            "county": place.unit.parent_id,
            "place": place.pk,
            "proposed_name": "兰岗河镇",
            "reason": "群众申请",
            "applicant": "兰岗镇人民政府",
            "location_description": "宁安市北部",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    application = NamingApplication.objects.get(proposed_name="兰岗河镇")
    assert application.status == "checked" and application.submitted_by.username == "admin_officer"
    step(logins["officer"], application, "review", note="送审")
    step(logins["officer"], application, "opinions", expert="李研究员", verdict="agree")
    with on_day(TODAY - dt.timedelta(days=31)):
        step(logins["officer"], application, "notice", start=TODAY - dt.timedelta(days=31), days=30)
    step(logins["officer"], application, "close-notice")
    stale = {"step": "approve", "expected_version": 1}
    logins["approver"].post(f"{URL}{application.pk}/change/", stale)
    application.refresh_from_db()
    assert application.status == "notice_closed"  # a stale form does nothing
    step(
        logins["approver"],
        application,
        "approve",
        authority="牡丹江市人民政府",
        decision_date=TODAY,
        document_number="牡政函〔2026〕30号",
        effective_date=TODAY,
    )
    assert application.status == "effective"
    assert Place.objects.get(pk=place.pk).name == "兰岗河镇"
    assert [e.step for e in application.events.order_by("at", "id")][-2:] == ["approved", "effective"]


def test_an_officer_cannot_approve_in_the_admin(logins):
    place = Place.objects.get(admin_unit__name="镜泊镇")
    logins["officer"].post(
        f"{URL}add/",
        {
            "kind": "rename",
            "county": place.unit.parent_id,
            "place": place.pk,
            "proposed_name": "镜泊湖镇",
            "reason": "旅游",
            "applicant": "镜泊镇",
        },
    )
    application = NamingApplication.objects.get(proposed_name="镜泊湖镇")
    logins["officer"].post(
        f"{URL}{application.pk}/change/",
        {
            "step": "reject",
            "reason": "想驳回",
            "expected_version": application.version,
            **{
                f"{p}-{k}": 0
                for p in ("events", "opinions", "comments", "attachments")
                for k in ("TOTAL_FORMS", "INITIAL_FORMS")
            },
        },
    )
    application.refresh_from_db()
    assert application.status == "checked"


def test_session_writes_need_the_csrf_token():
    user, _ = create_officer("csrf_officer", role=Role.OFFICER, counties=[NINGAN], password="pw-12345-abc")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    body = '{"name": "x", "category": "07200", "reason": "x"}'
    response = client.post("/api/v1/places", body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]["message"]
