"""Batch naming applications: one application carrying many names, decided with one decision and
published with one notice. Submitted through the API, its steps taken on the head and run on every
name, all or none."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.inbox import count_for, items_for
from gazetteer.models import NamingApplication, NoticeComment, Place
from gazetteer.services import naming
from tests.gazetteer_helpers import NINGAN, on_day
from tests.pdf_reading import pdftotext
from tests.test_heritage import listed

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
BATCH = "/api/v1/naming-applications/batch"
NAMES = {"杏花沟": [129.47, 44.34], "梨树岭": [129.48, 44.35], "桃源屯": [129.46, 44.33]}
DECISION = {
    "authority": "宁安市人民政府",
    "decision_date": TODAY.isoformat(),
    "document_number": "宁政函〔2026〕31号",
    "effective_date": TODAY.isoformat(),
}


def new_name(name: str, lon_lat: list[float], **extra) -> dict:
    return {
        "kind": "name",
        "proposed_name": name,
        "category": "07200",
        "geometry": {"type": "Point", "coordinates": lon_lat},
        "meaning": f"{name}的含义",
        **extra,
    }


def submit_batch(api, names: list[dict] | None = None):
    body = {
        "county": NINGAN,
        "applicant": "宁安市人民政府",
        "reason": "新建居民点批量命名",
        "names": names if names is not None else [new_name(n, p) for n, p in NAMES.items()],
    }
    return api.post(BATCH, body)


def submitted(api, names: list[dict] | None = None) -> dict:
    response = submit_batch(api, names)
    assert response.status_code == 201, response.content.decode()
    return response.json()


def step(api, number, name, status=200, **data):
    response = api.post(f"/api/v1/naming-applications/{number}/{name}", data)
    assert response.status_code == status, (name, response.content.decode())
    return response.json()


def statuses(numbers) -> set[str]:
    return set(NamingApplication.objects.filter(number__in=numbers).values_list("status", flat=True))


def into_notice(officer, head: str, start: dt.date = TODAY) -> None:
    step(officer, head, "review", note="送专家论证")
    step(officer, head, "opinions", expert="王教授", verdict="agree")
    with on_day(min(start, TODAY)):
        step(officer, head, "notice", start=start.isoformat(), days=30)


def through_notice(officer, head: str) -> None:
    into_notice(officer, head, TODAY - dt.timedelta(days=40))
    step(officer, head, "close-notice")


def text_of(page: str) -> str:
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


# ---- submission -------------------------------------------------------------------------------------


def test_a_batch_gets_a_number_per_name_each_checked_and_led_by_its_head(accounts):
    officer = accounts["officer_ningan"]
    head = submitted(officer)
    numbers = [head["number"], *head["members"]]
    assert len(set(numbers)) == 3 and head["batch"] is None
    assert (head["proposed_name"], head["status"]) == ("杏花沟", "checked")
    for number, name in zip(numbers[1:], list(NAMES)[1:], strict=True):
        member = officer.get(f"/api/v1/naming-applications/{number}").json()
        assert (member["batch"], member["members"], member["proposed_name"]) == (head["number"], [], name)
        assert member["status"] == "checked" and member["events"][1]["step"] == "checked"
        assert Place.objects.get(code=member["place"]).status == Place.Status.PROPOSED


@pytest.mark.parametrize(
    ("names", "message"),
    [
        ([new_name("杏花沟", [129.47, 44.34])], "names"),  # one name is no batch
        ([new_name("杏花沟", [129.47, 44.34]), new_name("杏花沟", [129.48, 44.35])], "both 杏花沟"),
        ([new_name("杏花沟", [129.47, 44.34]), new_name("梨树岭", [129.48, 44.35], category=None)], "name 2"),
        ([new_name("杏花沟", [129.47, 44.34]), new_name("梨树岭", [129.38, 44.57])], "name 2"),  # in 海林市
    ],
)
def test_a_batch_is_refused_whole_naming_the_name_at_fault(accounts, names, message):
    before = NamingApplication.objects.count()
    response = submit_batch(accounts["officer_ningan"], names)
    assert response.status_code == 400 and message in response.json()["error"]["message"], response.content
    assert NamingApplication.objects.count() == before


def test_only_an_officer_of_the_county_submits_a_batch(accounts):
    assert submit_batch(accounts["officer_hailin"]).status_code == 403
    assert submit_batch(accounts["public"]).status_code == 401


# ---- steps ------------------------------------------------------------------------------------------


def test_steps_on_the_head_take_every_name_to_its_decision_and_effect(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    head = submitted(officer)
    numbers = [head["number"], *head["members"]]
    through_notice(officer, head["number"])
    assert statuses(numbers) == {"notice_closed"}
    decided = step(approver, head["number"], "approve", **DECISION)
    assert decided["status"] == "effective"
    for number in numbers:
        application = officer.get(f"/api/v1/naming-applications/{number}").json()
        assert (application["status"], application["document_number"]) == ("effective", "宁政函〔2026〕31号")
        place = Place.objects.get(code=application["place"])
        assert (place.status, place.is_public, place.named_on) == ("in_use", True, TODAY)
        assert (place.decision_authority, place.decision_document) == ("宁安市人民政府", "宁政函〔2026〕31号")
    filed = {"filed_on": TODAY.isoformat(), "filed_with": "黑龙江省民政厅", "filing_reference": "黑民备〔2026〕9号"}
    step(approver, head["number"], "file", **filed)
    assert set(NamingApplication.objects.filter(number__in=numbers).values_list("filing_reference", flat=True)) == {
        "黑民备〔2026〕9号"
    }


def test_a_step_on_a_member_is_refused(accounts):
    officer = accounts["officer_ningan"]
    head = submitted(officer)
    member = head["members"][0]
    refused = step(officer, member, "review", status=400, note="x")
    assert f"part of batch {head['number']}" in refused["error"]["message"]
    assert statuses([member]) == {"checked"}


def test_a_member_that_refuses_refuses_the_step_for_every_name(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    heritage = listed(Place.objects.get(admin_unit__name="兰岗镇"))
    rename = {"kind": "rename", "place": heritage.code, "proposed_name": "兰岗新镇"}
    head = submitted(officer, [new_name("杏花沟", [129.47, 44.34]), new_name("梨树岭", [129.48, 44.35]), rename])
    numbers = [head["number"], *head["members"]]
    through_notice(officer, head["number"])
    versions = dict(NamingApplication.objects.filter(number__in=numbers).values_list("number", "version"))
    refused = step(approver, head["number"], "approve", status=400, **DECISION)
    assert head["members"][1] in refused["error"]["message"] and "heritage" in refused["error"]["message"]
    assert statuses(numbers) == {"notice_closed"}
    assert dict(NamingApplication.objects.filter(number__in=numbers).values_list("number", "version")) == versions
    new_records = Place.objects.filter(applications__number__in=numbers[:2])
    assert set(new_records.values_list("status", flat=True)) == {"proposed"}
    done = step(approver, head["number"], "approve", heritage_reason="经专家论证，恢复历史地名", **DECISION)
    assert done["status"] == "effective" and statuses(numbers) == {"effective"}


def test_rejecting_the_head_rejects_every_name(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    head = submitted(officer)
    numbers = [head["number"], *head["members"]]
    step(officer, head["number"], "review")
    step(approver, head["number"], "reject", reason="不符合地名规划")
    assert statuses(numbers) == {"rejected"}
    records = Place.objects.filter(applications__number__in=numbers)
    assert records.count() == 3 and not records.filter(valid_to__isnull=True).exists()


def test_a_stale_version_of_the_head_is_a_conflict(accounts):
    officer = accounts["officer_ningan"]
    head = submitted(officer)
    assert officer.post(f"/api/v1/naming-applications/{head['number']}/review", {"version": 99}).status_code == 409
    assert step(officer, head["number"], "review", version=head["version"])["status"] == "in_review"


def test_a_name_joins_a_batch_only_before_its_first_step(accounts):
    officer = accounts["officer_ningan"]
    head = NamingApplication.objects.get(number=submitted(officer)["number"])
    user = get_user_model().objects.get(username="officer_ningan")
    values = {"county": head.county, "submitted_by": user, "applicant": "x", "reason": "y", "kind": "rename"}
    place = Place.objects.get(admin_unit__name="沙兰镇")
    joined = naming.submit(**values, place=place, proposed_name="沙兰河镇", batch=head)
    assert joined.batch == head and head.members.count() == 3
    naming.take_step(head, "review", actor=user)
    later = {**values, "place": Place.objects.get(admin_unit__name="渤海镇"), "proposed_name": "上京镇"}
    with pytest.raises(naming.StepRefused, match="before its first step"):
        naming.submit(**later, batch=head)
    with pytest.raises(naming.StepRefused, match="part of batch"):
        naming.submit(**later, batch=joined)


# ---- notices, comments, the inbox -------------------------------------------------------------------


def test_one_notice_lists_every_name_and_a_members_number_leads_to_it(accounts, client, tmp_path):
    officer = accounts["officer_ningan"]
    head = submitted(officer)
    into_notice(officer, head["number"])
    title = "关于拟命名“杏花沟”等3处地名的公示"
    page = client.get(f"/notices/{head['number']}")
    assert page.status_code == 200
    text = text_of(page.content.decode())
    for value in (title, *NAMES, "Xinghuagou", "Lishuling", "Taoyuantun", "梨树岭的含义", "东经"):
        assert value in text, value
    member = head["members"][1]
    redirected = client.get(f"/notices/{member}")
    assert redirected.status_code == 302 and redirected["Location"] == f"/notices/{head['number']}"
    assert client.get(f"/notices/{member}.pdf")["Location"] == f"/notices/{head['number']}.pdf"
    listing = client.get("/notices").content.decode()
    assert head["number"] in listing and not any(number in listing for number in head["members"])
    assert "“杏花沟”等3处" in html.unescape(listing)

    pdf = client.get(f"/notices/{head['number']}.pdf")
    path = tmp_path / "batch-notice.pdf"
    path.write_bytes(pdf.content)
    squeezed = re.sub(r"\s+", "", pdftotext(path))
    for value in (title, *NAMES, "Xinghuagou", "Taoyuantun"):
        assert value in squeezed, value


def test_the_decision_notice_lists_every_name(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    head = submitted(officer)
    through_notice(officer, head["number"])
    step(approver, head["number"], "approve", **DECISION)
    for number in (head["number"], head["members"][0]):
        page = accounts["public"].get(f"/api/v1/naming-applications/{number}/notice.html").content.decode()
        for value in ("宁安市人民政府关于“杏花沟”等3处地名命名的公告", *NAMES, "Lishuling", "宁政函〔2026〕31号"):
            assert value in page, value


def test_comments_land_on_the_head(accounts, client):
    officer = accounts["officer_ningan"]
    head = submitted(officer)
    into_notice(officer, head["number"])
    comment = {"commenter": "李四", "contact": "", "comment": "赞成这批名称。"}
    assert client.post(f"/notices/{head['number']}", comment).status_code == 302
    assert client.post(f"/notices/{head['members'][0]}", comment).status_code == 302  # to the head's page
    step(officer, head["number"], "comments", commenter="市民张某", comment="赞成", received_on=TODAY.isoformat())
    comments = NoticeComment.objects.all()
    assert set(comments.values_list("application__number", flat=True)) == {head["number"]}
    assert officer.get(f"/api/v1/naming-applications/{head['members'][0]}").json()["comments"] == []
    answered = step(officer, head["number"], "answer", comment_number=comments.first().pk, response="感谢")
    assert answered["events"][-1]["step"] == "comment_answered"


def test_the_inbox_shows_a_batch_once(accounts):
    officer = accounts["officer_ningan"]
    user = get_user_model().objects.get(username="officer_ningan")
    before = count_for(user)
    head = submitted(officer)
    user = get_user_model().objects.get(pk=user.pk)
    assert count_for(user) == before + 1
    titles = [item.title for item in items_for(user)]
    assert any(title.startswith(head["number"]) and "等3处" in title for title in titles)
    assert not any(title.startswith(member) for member in head["members"] for title in titles)


# ---- the admin --------------------------------------------------------------------------------------

ADMIN = "/admin/gazetteer/namingapplication/"


def test_the_admin_shows_the_batch_and_takes_its_steps_on_the_head(accounts):
    from django.test import Client

    from tests.test_naming_admin import inline_forms

    head = submitted(accounts["officer_ningan"])
    officer = Client()
    officer.force_login(get_user_model().objects.get(username="officer_ningan"))
    first, member = (NamingApplication.objects.get(number=n) for n in (head["number"], head["members"][0]))
    page = officer.get(f"{ADMIN}{first.pk}/change/").content.decode()
    assert all(number in page for number in head["members"]) and "梨树岭" in page and 'name="step"' in page
    page = officer.get(f"{ADMIN}{member.pk}/change/").content.decode()
    assert f"{ADMIN}{first.pk}/change/" in page and "part of batch" in page and 'name="step"' not in page

    data = {"step": "review", "expected_version": first.version, "step_note": "送审", **inline_forms()}
    assert officer.post(f"{ADMIN}{first.pk}/change/", data).status_code == 302
    assert statuses([head["number"], *head["members"]]) == {"in_review"}


def test_a_name_is_added_to_a_batch_in_the_admin(accounts):
    from django.test import Client

    head = NamingApplication.objects.get(number=submitted(accounts["officer_ningan"])["number"])
    officer = Client()
    officer.force_login(get_user_model().objects.get(username="officer_ningan"))
    place = Place.objects.get(admin_unit__name="镜泊镇")
    data = {
        "kind": "rename",
        "county": place.unit.parent_id,
        "place": place.pk,
        "proposed_name": "镜泊湖镇",
        "reason": "旅游",
        "applicant": "镜泊镇",
        "batch": head.pk,
    }
    assert officer.post(f"{ADMIN}add/", data).status_code == 302
    assert NamingApplication.objects.get(proposed_name="镜泊湖镇").batch == head


def test_a_batch_is_submitted_from_a_geojson_file(accounts, tmp_path):
    import json

    from django.core.management import CommandError, call_command

    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": p}, "properties": {"proposed_name": n}}
        for n, p in NAMES.items()
    ]
    for feature in features:
        feature["properties"]["category"] = "07200"
    path = tmp_path / "names.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    options = {"county": NINGAN, "user": "officer_ningan", "applicant": "宁安市人民政府", "reason": "批量命名"}
    call_command("submit_naming_batch", str(path), **options)
    head = NamingApplication.objects.get(proposed_name="杏花沟")
    assert sorted(head.members.values_list("proposed_name", flat=True)) == sorted(list(NAMES)[1:])
    with pytest.raises(CommandError, match="may not"):
        call_command("submit_naming_batch", str(path), **{**options, "user": "officer_hailin"})
