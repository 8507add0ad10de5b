"""The staff's inbox (issue 11, point 15): the registry (core.inbox), the naming procedure's providers
(gazetteer.inbox) per role, and the page with the count in every admin page's header (web.inbox)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import create_officer
from core import inbox
from gazetteer.inbox import awaited_steps
from gazetteer.models import NamingApplication, Place
from gazetteer.permissions import may_take_step
from gazetteer.services import naming
from tests.gazetteer_helpers import NINGAN, on_day

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DONGNING = "231086"
SINCE = timezone.make_aware(dt.datetime(2026, 1, 5, 9, 0))

# A provider of a later subsystem, as a test registers it (by dotted path).
LATER = inbox.Provider(
    "boundary proposals",
    lambda user: [inbox.Item("界线变更 Boundary proposal", "2310-001", "会签 Agree", SINCE, "/admin/", "宁安市")],
    lambda user: 1,
)


@pytest.fixture
def people(db):
    made = {}
    for name, role, counties in [
        ("officer", Role.OFFICER, [NINGAN]),
        ("officer_dongning", Role.OFFICER, [DONGNING]),
        ("approver", Role.APPROVER, []),
        ("administrator", Role.ADMINISTRATOR, []),
    ]:
        made[name] = create_officer(f"inbox_{name}", role=role, counties=counties)[0]
    return made


def fresh(user):
    """The user as a new request reads them (roles are remembered on the object)."""
    return type(user).objects.get(pk=user.pk)


def rename(place_name: str, new_name: str, officer) -> NamingApplication:
    place = Place.objects.get(admin_unit__name=place_name)
    return naming.submit(
        kind="rename",
        county=place.unit.parent,
        submitted_by=officer,
        applicant=f"{place_name}人民政府",
        reason="恢复历史地名",
        place=place,
        proposed_name=new_name,
    )


def numbers(user, provider="naming steps") -> dict[str, str]:
    """The user's items of one provider: the record's number -> the step awaited."""
    kind = {"naming steps": "命名申请 Naming application", "comments to answer": "公示意见 Comment on a notice"}[
        provider
    ]
    return {item.title.split()[0]: item.awaited for item in inbox.items_for(fresh(user)) if item.kind == kind}


# ---- the registry -------------------------------------------------------------------------------------


def test_a_provider_registered_twice_is_one(monkeypatch):
    monkeypatch.setattr(inbox, "_registered", list(inbox._registered))
    before = len(inbox.providers())
    inbox.register("tests.test_inbox.LATER")
    inbox.register("tests.test_inbox.LATER")
    assert len(inbox.providers()) == before + 1
    assert inbox.providers()[-1] is LATER


def test_the_gazetteer_registers_its_providers_once():
    names = [provider.name for provider in inbox.providers()]
    assert names.count("naming steps") == 1 and names.count("comments to answer") == 1


def test_items_of_every_provider_newest_first(people, monkeypatch):
    monkeypatch.setattr(inbox, "_registered", list(inbox._registered))
    inbox.register("tests.test_inbox.LATER")
    rename("东京城镇", "渤海新镇", people["officer"])
    items = inbox.items_for(fresh(people["officer"]))
    assert "2310-001" in [item.title for item in items]
    assert [item.since for item in items] == sorted((item.since for item in items), reverse=True)
    assert inbox.count_for(fresh(people["officer"])) == len(items)


def test_nobody_signed_in_has_an_inbox():
    from django.contrib.auth.models import AnonymousUser

    assert inbox.items_for(AnonymousUser()) == [] and inbox.count_for(AnonymousUser()) == 0


# ---- the naming procedure ----------------------------------------------------------------------------


def test_each_status_awaits_at_most_one_step_and_a_closed_one_none():
    awaited = awaited_steps()
    assert {status: step.name for status, step in awaited.items()} == {
        "checked": "review",
        "in_review": "notice",
        "in_notice": "close-notice",
        "notice_closed": "approve",
        "approved": "file",  # 备案: a decision is filed upward once (then it awaits nothing)
        "effective": "file",
    }
    assert not set(awaited) & {NamingApplication.Status.REJECTED, NamingApplication.Status.WITHDRAWN}
    for status, step in awaited.items():
        assert status in step.open_in


def test_an_officer_sees_their_countys_applications_through_the_procedure(people):
    officer, approver = people["officer"], people["approver"]
    ningan = rename("东京城镇", "渤海新镇", officer)
    dongning = rename("东宁镇", "东宁新镇", people["officer_dongning"])

    assert numbers(officer)[ningan.number] == "送审 Send for review"
    assert dongning.number not in numbers(officer)
    assert numbers(people["officer_dongning"])[dongning.number] == "送审 Send for review"
    assert ningan.number not in numbers(people["officer_dongning"])
    assert ningan.number not in numbers(approver)  # not the approver's step
    assert {ningan.number, dongning.number} <= set(numbers(people["administrator"]))
    item = next(i for i in inbox.items_for(fresh(officer)) if i.title.startswith(ningan.number))
    assert item.county == "宁安市" and item.url == f"/admin/gazetteer/namingapplication/{ningan.pk}/change/"
    assert item.title == f"{ningan.number} 渤海新镇"

    ningan = naming.take_step(ningan, "review", actor=officer)
    assert numbers(officer)[ningan.number] == "记录专家论证意见 Record an expert opinion"
    ningan = naming.take_step(ningan, "opinions", actor=officer, expert="王教授", verdict="agree")
    assert numbers(officer)[ningan.number] == "公示 Open the public notice"

    ningan = naming.take_step(ningan, "notice", actor=officer)  # from today: it has not ended
    assert ningan.number not in numbers(officer) and ningan.number not in numbers(approver)


def test_a_notice_that_has_ended_awaits_its_close_and_then_the_decision(people):
    officer, approver = people["officer"], people["approver"]
    application = rename("东京城镇", "渤海新镇", officer)
    application = naming.take_step(application, "review", actor=officer)
    application = naming.take_step(application, "opinions", actor=officer, expert="王教授", verdict="agree")
    start = TODAY - dt.timedelta(days=40)
    with on_day(start):
        application = naming.take_step(application, "notice", actor=officer, start=start, days=30)

    assert numbers(officer)[application.number] == "结束公示 Close the notice"
    item = next(i for i in inbox.items_for(fresh(officer)) if i.title.startswith(application.number))
    assert item.since.date() == application.notice_end + dt.timedelta(days=1)  # waiting since it ended
    assert application.number not in numbers(approver)

    application = naming.take_step(application, "close-notice", actor=officer)
    assert application.number not in numbers(officer)
    assert numbers(approver)[application.number] == "批准 Approve"
    assert application.number in numbers(people["administrator"])

    naming.take_step(
        application,
        "approve",
        actor=approver,
        authority="牡丹江市人民政府",
        decision_date=TODAY,
        document_number="牡政函〔2026〕99号",
        effective_date=TODAY,
    )
    assert numbers(approver)[application.number] == "备案 File with the authority above"
    assert application.number not in numbers(officer)
    naming.take_step(
        NamingApplication.objects.get(pk=application.pk),
        "file",
        actor=approver,
        filed_on=TODAY,
        filed_with="黑龙江省民政厅",
        filing_reference="黑民备〔2026〕9号",
    )
    assert application.number not in numbers(approver) and application.number not in numbers(officer)


def test_what_the_inbox_offers_is_a_step_the_user_may_take(people):
    rename("东京城镇", "渤海新镇", people["officer"])
    rename("东宁镇", "东宁新镇", people["officer_dongning"])
    awaited = awaited_steps()
    for user in people.values():
        user = fresh(user)
        for number in numbers(user):
            application = NamingApplication.objects.get(number=number)
            assert may_take_step(user, application, awaited[application.status]), (user.username, number)


def test_a_comment_nobody_has_answered_awaits_the_countys_officer(people):
    officer = people["officer"]
    application = rename("东京城镇", "渤海新镇", officer)
    application = naming.take_step(application, "review", actor=officer)
    application = naming.take_step(application, "opinions", actor=officer, expert="王教授", verdict="agree")
    application = naming.take_step(application, "notice", actor=officer)
    naming.take_step(application, "comments", actor=officer, commenter="市民张某", comment="反对", received_on=TODAY)

    assert numbers(officer, "comments to answer") == {application.number: "答复意见 Answer the comment: 市民张某"}
    assert application.number not in numbers(people["officer_dongning"], "comments to answer")
    assert application.number not in numbers(people["approver"], "comments to answer")

    application.comments.update(response="已答复：名称依据史料")
    assert application.number not in numbers(officer, "comments to answer")


def test_the_count_costs_one_query_per_provider(people, django_assert_max_num_queries):
    officer = fresh(people["officer"])
    rename("东京城镇", "渤海新镇", people["officer"])
    inbox.items_for(officer)  # the roles are read once per request
    # At most one each: a provider that has nothing for the user's roles asks nothing.
    with django_assert_max_num_queries(len(inbox.providers())):
        assert inbox.count_for(officer) >= 1


# ---- the page ----------------------------------------------------------------------------------------


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_page_lists_what_awaits_an_officer_with_the_count_in_the_header(people):
    application = rename("东京城镇", "渤海新镇", people["officer"])
    response = signed_in(people["officer"]).get("/admin/inbox/")
    assert response.status_code == 200
    page = response.content.decode()
    count = inbox.count_for(fresh(people["officer"]))
    assert count >= 1
    assert f"待办 Inbox ({count})" in page and 'href="/admin/inbox/"' in page
    assert application.number in page and "送审 Send for review" in page and "宁安市" in page
    assert f'href="/admin/gazetteer/namingapplication/{application.pk}/change/"' in page
    assert "admin/css/base." in page and 'id="user-tools"' in page  # the admin's look
    assert response["Content-Security-Policy"] and "style=" not in page.split('id="content"')[1]


def test_every_admin_page_shows_the_count(people):
    rename("东京城镇", "渤海新镇", people["officer"])
    client = signed_in(people["officer"])
    count = inbox.count_for(fresh(people["officer"]))
    for url in ("/admin/", "/admin/gazetteer/namingapplication/", "/admin/gazetteer/place/import/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert f"待办 Inbox ({count})" in response.content.decode(), url


def test_an_approver_with_nothing_awaiting_sees_an_empty_inbox(people):
    page = signed_in(people["approver"]).get("/admin/inbox/").content.decode()
    assert inbox.count_for(fresh(people["approver"])) == 0  # no application in this test awaits a decision
    assert "待办 Inbox (0)" in page and "Nothing awaits you" in page


def test_the_anonymous_and_non_staff_are_sent_to_the_admin_login(db):
    response = Client().get("/admin/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/?next=/admin/inbox/")
    from django.contrib.auth import get_user_model

    member = get_user_model().objects.create_user("inbox_member", password="pw-12345-abc")
    response = signed_in(member).get("/admin/inbox/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_page_only_reads(people):
    assert signed_in(people["officer"]).post("/admin/inbox/").status_code == 405
