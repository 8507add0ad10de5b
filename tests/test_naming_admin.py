"""The naming procedure through the admin: submit, take the steps, approve; and CSRF on pages."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import create_officer
from core.srid import STORAGE_SRID
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


def inline_forms() -> dict:
    return {
        f"{p}-{k}": 0
        for p in ("events", "opinions", "comments", "attachments")
        for k in ("TOTAL_FORMS", "INITIAL_FORMS")
    }


def submit(client, place_name: str, proposed: str, **extra):
    place = Place.objects.get(admin_unit__name=place_name)
    data = {
        "kind": "rename",
        "county": place.unit.parent_id,
        "place": place.pk,
        "proposed_name": proposed,
        "reason": "群众申请",
        "applicant": place_name,
        **extra,
    }
    return client.post(f"{URL}add/", data)


def step(client, application, name, **values):
    data = {
        "step": name,
        "expected_version": application.version,
        **{f"step_{k}": (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
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
            "step_reason": "想驳回",
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


def test_the_chosen_steps_inputs_are_editable_on_the_page(logins):
    submit(logins["officer"], "兰岗镇", "兰岗河镇")
    application = NamingApplication.objects.get(proposed_name="兰岗河镇")
    page = logins["approver"].get(f"{URL}{application.pk}/change/").content.decode()
    for name in ("step_authority", "step_decision_date", "step_document_number", "step_effective_date", "step_reason"):
        assert f'name="{name}"' in page, name
    assert "批准 Approve" in page and "不予批准 Reject" in page  # the steps by name, not by slug
    assert "js/admin_step_form." in page and "data-step-inputs" in page


def test_an_approver_rejects_and_an_officer_withdraws_in_the_admin(logins):
    submit(logins["officer"], "兰岗镇", "兰岗河镇")
    submit(logins["officer"], "镜泊镇", "镜泊湖镇")
    first = NamingApplication.objects.get(proposed_name="兰岗河镇")
    second = NamingApplication.objects.get(proposed_name="镜泊湖镇")
    assert step(logins["approver"], first, "reject", reason="与相邻乡镇重名").status == "rejected"
    assert first.rejection_reason == "与相邻乡镇重名"
    assert step(logins["officer"], second, "withdraw", reason="申请人撤回").status == "withdrawn"


def test_a_refused_step_says_so_once_and_nothing_else(logins):
    submit(logins["officer"], "兰岗镇", "兰岗河镇")
    application = NamingApplication.objects.get(proposed_name="兰岗河镇")
    data = {"step": "reject", "expected_version": application.version, **inline_forms()}  # no reason
    response = logins["approver"].post(f"{URL}{application.pk}/change/", data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("Not saved") and "reason" in errors[0]
    assert list(response.context["messages"]) == []
    application.refresh_from_db()
    assert application.status == "checked" and application.version == data["expected_version"]


def test_save_and_continue_after_adding_lands_on_the_new_application(logins):
    response = submit(logins["officer"], "兰岗镇", "兰岗河镇", _continue="1")
    application = NamingApplication.objects.get(proposed_name="兰岗河镇")
    assert response.status_code == 302 and response["Location"].endswith(f"/{application.pk}/change/")
    assert logins["officer"].get(response["Location"]).status_code == 200


def test_the_checks_read_as_lines_not_json(logins):
    submit(logins["officer"], "兰岗镇", "宁安市")  # a county's name: the same name exists in the city
    application = NamingApplication.objects.get(proposed_name="宁安市")
    assert application.checks, "the checks found nothing to show"
    page = logins["officer"].get(f"{URL}{application.pk}/change/").content.decode()
    assert "重名 Same name" in page and "须处理 Error" in page
    assert '"severity"' not in page and "same_name_" not in page


def test_the_application_page_shows_its_geometry_on_a_map_to_look_at(logins):
    submit(logins["officer"], "兰岗镇", "兰岗新镇")
    application = NamingApplication.objects.get(proposed_name="兰岗新镇")
    where = Point(129.47, 44.34, srid=STORAGE_SRID)  # in 宁安市
    NamingApplication.objects.filter(pk=application.pk).update(geom=where)
    page = logins["officer"].get(f"{URL}{application.pk}/change/").content.decode()
    assert 'id="id_application_geometry_div_map"' in page and "js/admin_map_widget." in page
    assert '"read_only": true' in page and "Delete all Features" not in page
    assert "&quot;type&quot;: &quot;Point&quot;" in page  # the geometry the map shows (web mercator)


def test_an_application_without_geometry_says_so(logins):
    submit(logins["officer"], "兰岗镇", "兰岗二镇")
    application = NamingApplication.objects.get(proposed_name="兰岗二镇")
    NamingApplication.objects.filter(pk=application.pk).update(geom=None)
    page = logins["officer"].get(f"{URL}{application.pk}/change/").content.decode()
    assert "无几何 No geometry" in page and "id_application_geometry_div_map" not in page


def test_a_comment_is_answered_in_the_admin_by_its_number(logins):
    from gazetteer.models import NoticeComment

    submit(logins["officer"], "兰岗镇", "兰岗三镇")
    application = NamingApplication.objects.get(proposed_name="兰岗三镇")
    for name, values in (
        ("review", {}),
        ("opinions", {"expert": "王教授", "verdict": "agree"}),
    ):
        step(logins["officer"], application, name, **values)
        application.refresh_from_db()
    start = timezone.localdate()
    step(logins["officer"], application, "notice", start=start, days=30)
    application.refresh_from_db()
    step(logins["officer"], application, "comments", commenter="市民", comment="建议保留旧名", received_on=start)
    application.refresh_from_db()
    comment = NoticeComment.objects.get(application=application)
    page = logins["officer"].get(f"{URL}{application.pk}/change/").content.decode()
    assert "意见编号" in page and "答复公示意见 Answer a comment on the notice" in page
    # the officer sees the timeline and the comments (read-only rows follow the record's view right)
    assert 'id="events-group"' in page and 'id="comments-group"' in page and "建议保留旧名" in page
    step(logins["officer"], application, "answer", comment_number=comment.pk, response="已研究，维持拟用名")
    comment.refresh_from_db()
    assert comment.response == "已研究，维持拟用名"
    assert "已研究，维持拟用名" in logins["officer"].get(f"{URL}{application.pk}/change/").content.decode()


def test_the_application_list_filters_by_county_and_township_not_by_committee(logins):
    from boundaries.models import AdminUnit

    assert submit(logins["officer"], "兰岗镇", "兰岗河镇").status_code == 302
    application = NamingApplication.objects.get(proposed_name="兰岗河镇")
    ningan = AdminUnit.objects.get(code=NINGAN)
    page = logins["approver"].get(URL, {"county__id__exact": ningan.pk}).content.decode()
    townships = AdminUnit.objects.current().filter(tier=3, parent=ningan)
    assert all(f"?county__id__exact={ningan.pk}&amp;township={t.code}" in page for t in townships)
    committee = AdminUnit.objects.current().filter(tier=4, parent__parent=ningan).first()
    assert committee.name not in page  # the hundreds of committees are no choice
    other = AdminUnit.objects.current().filter(tier=3).exclude(parent=ningan).first()
    assert f"township={other.code}" not in page  # another county's townships, once a county is chosen

    langang = AdminUnit.objects.get(name="兰岗镇")
    found = logins["approver"].get(URL, {"township": langang.code}).content.decode()
    assert application.number in found
    elsewhere = townships.exclude(pk=langang.pk).first()
    assert application.number not in logins["approver"].get(URL, {"township": elsewhere.code}).content.decode()
