"""The naming procedure through the API: checks, review, notice, decision, effect, notices."""

import datetime as dt
import subprocess

import pytest
from django.utils import timezone

from gazetteer.models import NamingApplication, Place, PlaceName
from gazetteer.services import naming
from tests.gazetteer_helpers import NINGAN, POINT_NINGAN, on_day

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def township_record(name="东京城镇") -> Place:
    return Place.objects.get(admin_unit__name=name)


def submit_rename(api, place, new_name="渤海国镇", **extra):
    payload = {
        "kind": "rename",
        "place": place.code,
        "county": NINGAN,
        "proposed_name": new_name,
        "reason": "恢复历史地名",
        "applicant": "宁安市人民政府",
        "meaning": "因渤海国上京遗址得名",
        "location_description": "宁安市西南部",
        **extra,
    }
    return api.post("/api/v1/naming-applications", payload)


def step(api, number, name, **data):
    response = api.post(f"/api/v1/naming-applications/{number}/{name}", data)
    assert response.status_code == 200, (name, response.content.decode())
    return response.json()


def through_notice(officer, number):
    """Review, one opinion, a notice that ran in the past, one comment, and its close."""
    step(officer, number, "review", note="送专家论证")
    step(officer, number, "opinions", expert="王教授", verdict="agree", comments="符合命名原则")
    start = TODAY - dt.timedelta(days=40)
    with on_day(start):
        step(officer, number, "notice", start=start.isoformat(), days=30)
    step(
        officer,
        number,
        "comments",
        commenter="市民张某",
        comment="赞成",
        received_on=(start + dt.timedelta(days=3)).isoformat(),
    )
    return step(officer, number, "close-notice")


def test_a_rename_takes_effect_on_its_day_and_keeps_the_old_name(accounts):
    place = township_record()
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    submitted = submit_rename(officer, place)
    assert submitted.status_code == 201, submitted.content
    number = submitted.json()["number"]
    assert submitted.json()["status"] == "checked"
    through_notice(officer, number)
    decided = step(
        approver,
        number,
        "approve",
        authority="牡丹江市人民政府",
        decision_date=TODAY.isoformat(),
        document_number="牡政函〔2026〕12号",
        effective_date=TODAY.isoformat(),
    )
    assert decided["status"] == "effective"
    place.refresh_from_db()
    assert place.name == "渤海国镇"
    former = place.names.get(name="东京城镇")
    assert (former.kind, former.valid_to) == (PlaceName.Kind.FORMER, TODAY)
    api = accounts["public"]
    assert api.get(f"/api/v1/places/{place.code}", at=TODAY.isoformat()).json()["properties"]["name"] == "渤海国镇"
    yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
    assert api.get(f"/api/v1/places/{place.code}", at=yesterday).json()["properties"]["name"] == "东京城镇"
    steps = [e["step"] for e in decided["events"]]
    assert steps == [
        "submitted",
        "checked",
        "review_started",
        "expert_opinion",
        "notice_opened",
        "comment",
        "notice_closed",
        "approved",
        "effective",
    ]
    assert all(e["by"] for e in decided["events"]) and decided["events"][-2]["by"] == "approver"


def test_a_rename_dated_later_waits_for_its_day(accounts):
    place = township_record("渤海镇")
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, place, new_name="上京镇").json()["number"]
    through_notice(officer, number)
    later = TODAY + dt.timedelta(days=10)
    decided = step(
        approver,
        number,
        "approve",
        authority="牡丹江市人民政府",
        decision_date=TODAY.isoformat(),
        document_number="牡政函〔2026〕13号",
        effective_date=later.isoformat(),
    )
    assert decided["status"] == "approved"
    assert Place.objects.get(pk=place.pk).name == "渤海镇"
    api = accounts["public"]
    assert api.get(f"/api/v1/places/{place.code}", at=later.isoformat()).json()["properties"]["name"] == "上京镇"
    naming.apply_due(later - dt.timedelta(days=1))
    assert Place.objects.get(pk=place.pk).name == "渤海镇"
    naming.apply_due(later)
    assert Place.objects.get(pk=place.pk).name == "上京镇"
    assert NamingApplication.objects.get(number=number).status == "effective"


def test_a_new_name_is_a_proposed_record_until_approved(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    submitted = officer.post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": "镜湖路",
            "category": "08100",
            "geometry": {"type": "LineString", "coordinates": [[129.46, 44.33], [129.48, 44.35]]},
            "reason": "新建道路",
            "applicant": "宁安市住建局",
            "meaning": "通往镜泊湖方向",
        },
    )
    assert submitted.status_code == 201, submitted.content
    code = submitted.json()["place"]
    record = Place.objects.get(code=code)
    assert (record.status, record.is_public) == ("proposed", False)
    assert accounts["public"].get(f"/api/v1/places/{code}").status_code == 404
    number = submitted.json()["number"]
    through_notice(officer, number)
    step(
        approver,
        number,
        "approve",
        authority="宁安市人民政府",
        decision_date=TODAY.isoformat(),
        document_number="宁政函〔2026〕3号",
        effective_date=TODAY.isoformat(),
    )
    record.refresh_from_db()
    assert (record.status, record.is_public, record.valid_from, record.named_on) == ("in_use", True, TODAY, TODAY)
    assert record.romanization == "Jinghu Lu"


def test_a_rejection_carries_its_reason(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, township_record("石岩镇"), new_name="石岩新镇").json()["number"]
    assert approver.post(f"/api/v1/naming-applications/{number}/reject", {}).status_code == 400
    rejected = step(approver, number, "reject", reason="不符合地名命名原则")
    assert (rejected["status"], rejected["rejection_reason"]) == ("rejected", "不符合地名命名原则")
    assert Place.objects.get(admin_unit__name="石岩镇").name == "石岩镇"
    assert approver.post(f"/api/v1/naming-applications/{number}/approve", {}).status_code == 400


def test_steps_out_of_order_and_by_the_wrong_role_are_refused(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, township_record("沙兰镇"), new_name="沙兰河镇").json()["number"]
    out_of_order = officer.post(f"/api/v1/naming-applications/{number}/notice", {})
    assert out_of_order.status_code == 400 and "this step needs" in out_of_order.json()["error"]["message"]
    assert officer.post(f"/api/v1/naming-applications/{number}/approve", {}).status_code == 403
    assert accounts["officer_hailin"].post(f"/api/v1/naming-applications/{number}/review", {}).status_code == 404
    assert approver.post(f"/api/v1/naming-applications/{number}/review", {}).status_code == 403
    stale = officer.post(f"/api/v1/naming-applications/{number}/review", {"version": 99})
    assert stale.status_code == 409


def test_abolishing_retires_the_record(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    place = Place.objects.filter(admin_unit__parent__name="马河乡").first()
    number = officer.post(
        "/api/v1/naming-applications",
        {
            "kind": "abolish",
            "place": place.code,
            "county": NINGAN,
            "reason": "村庄合并",
            "applicant": "马河乡人民政府",
        },
    ).json()["number"]
    through_notice(officer, number)
    step(
        approver,
        number,
        "approve",
        authority="宁安市人民政府",
        decision_date=TODAY.isoformat(),
        document_number="宁政函〔2026〕9号",
        effective_date=TODAY.isoformat(),
    )
    place.refresh_from_db()
    assert (place.status, place.valid_to) == ("historical", TODAY)


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("宁安镇", "same_name_county"),  # an existing township of 宁安市
        ("海林镇", "same_name_city"),  # an existing township of 海林市
        ("凝安镇", "same_pinyin_county"),  # sounds as 宁安镇
        ("綏陽新村", "non_standard_characters"),  # traditional forms
        ("万达置业广场", "company_name"),
        ("宁安市东京城镇渤海上京龙泉府遗址南侧新村", "overlong"),
    ],
)
def test_automatic_checks_find(accounts, name, check):
    response = accounts["officer_ningan"].post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": name,
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": "测试",
            "applicant": "测试单位",
        },
    )
    assert response.status_code == 201, response.content
    assert check in {f["check"] for f in response.json()["checks"]}


def test_a_good_name_passes_the_checks(accounts):
    response = accounts["officer_ningan"].post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": "杏花沟",
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": "测试",
            "applicant": "测试单位",
        },
    )
    assert response.json()["checks"] == []


def test_the_notice_as_html_and_pdf(accounts, tmp_path):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, township_record("海浪镇"), new_name="海浪河镇").json()["number"]
    assert accounts["public"].get(f"/api/v1/naming-applications/{number}/notice.html").status_code == 404
    through_notice(officer, number)
    step(
        approver,
        number,
        "approve",
        authority="牡丹江市人民政府",
        decision_date="2026-11-20",
        document_number="牡政函〔2026〕21号",
        effective_date=TODAY.isoformat(),
    )
    html = accounts["public"].get(f"/api/v1/naming-applications/{number}/notice.html").content.decode()
    for text in (
        "海浪河镇",
        "Hailanghe Zhen",
        "牡丹江市人民政府",
        "2026年11月20日",
        "牡政函〔2026〕21号",
        "宁安市",
        "宁安市西南部",
        "原名称",
        "海浪镇",
    ):
        assert text in html, text
    pdf = accounts["public"].get(f"/api/v1/naming-applications/{number}/notice.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "notice.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "海浪河镇" in text and "Hailanghe Zhen" in text and "牡政函〔2026〕21号" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "CJK" in fonts and all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:] if line.strip())


def test_attachments_are_kept_with_the_application(accounts, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    submitted = submit_rename(accounts["officer_ningan"], township_record("卧龙朝鲜族乡"), new_name="卧龙乡")
    number = submitted.json()["number"]
    client = accounts["officer_ningan"]
    url = f"/api/v1/naming-applications/{number}/attachments"
    pdf = SimpleUploadedFile("四至图.pdf", b"%PDF-1.4 four boundaries", content_type="application/pdf")
    response = client.client.post(url, {"file": pdf, "title": "四至界线图"}, **client.headers)
    assert response.status_code == 201, response.content
    assert response.json()["attachments"][0]["title"] == "四至界线图"
    assert response.json()["events"][-1]["step"] == "attachment"
    script = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    refused = client.client.post(url, {"file": script}, **client.headers)
    assert refused.status_code == 400 and ".exe" in refused.json()["error"]["message"]
    assert (
        accounts["officer_hailin"].client.post(url, {"file": pdf}, **accounts["officer_hailin"].headers).status_code
        == 404
    )


def test_the_procedure_ends_with_the_filing_upward_once(accounts):
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, township_record(), new_name="渤海上京镇").json()["number"]
    through_notice(officer, number)
    decision = {"authority": "牡丹江市人民政府", "document_number": "牡政函〔2026〕13号"}
    step(approver, number, "approve", decision_date=TODAY.isoformat(), effective_date=TODAY.isoformat(), **decision)
    filing = {"filed_with": "黑龙江省民政厅", "filing_reference": "黑民备〔2026〕3号"}
    officer_try = officer.post(f"/api/v1/naming-applications/{number}/file", {"filed_on": TODAY.isoformat(), **filing})
    assert officer_try.status_code == 403  # the bureau files its decisions: an approver's step
    early = approver.post(
        f"/api/v1/naming-applications/{number}/file",
        {"filed_on": (TODAY - dt.timedelta(days=1)).isoformat(), **filing},
    )
    assert early.status_code == 400 and "on or after the day it was made" in early.json()["error"]["message"]
    filed = step(approver, number, "file", filed_on=TODAY.isoformat(), **filing)
    assert (filed["filed_on"], filed["filed_with"], filed["filing_reference"]) == (TODAY.isoformat(), *filing.values())
    assert filed["events"][-1]["step"] == "filed" and filed["status"] == "effective"
    again = approver.post(f"/api/v1/naming-applications/{number}/file", {"filed_on": TODAY.isoformat(), **filing})
    assert again.status_code == 400 and "was filed on" in again.json()["error"]["message"]


def test_the_filing_waits_in_the_approvers_inbox_until_done(accounts):
    from django.contrib.auth import get_user_model

    from core.inbox import items_for

    officer, approver = accounts["officer_ningan"], accounts["approver"]
    number = submit_rename(officer, township_record(), new_name="渤海中京镇").json()["number"]
    through_notice(officer, number)
    decision = {"authority": "牡丹江市人民政府", "document_number": "牡政函〔2026〕14号"}
    step(approver, number, "approve", decision_date=TODAY.isoformat(), effective_date=TODAY.isoformat(), **decision)
    user = get_user_model().objects.get(username="approver")
    assert any(number in item.title and "备案" in item.awaited for item in items_for(user))
    step(approver, number, "file", filed_on=TODAY.isoformat(), filed_with="黑龙江省民政厅", filing_reference="x-1")
    assert not any(number in item.title for item in items_for(user))


def test_a_comment_on_the_notice_is_answered_once(accounts):
    from gazetteer.models import NoticeComment

    officer = accounts["officer_ningan"]
    number = submit_rename(officer, township_record(), new_name="渤海东京镇").json()["number"]
    through_notice(officer, number)
    comment = NoticeComment.objects.get(application__number=number)
    answered = step(officer, number, "answer", comment_number=comment.pk, response="已采纳，感谢关注")
    assert answered["events"][-1]["step"] == "comment_answered"
    comment.refresh_from_db()
    assert comment.response == "已采纳，感谢关注"
    twice = officer.post(
        f"/api/v1/naming-applications/{number}/answer", {"comment_number": comment.pk, "response": "再答"}
    )
    assert twice.status_code == 400 and "answered already" in twice.json()["error"]["message"]
    unknown = officer.post(f"/api/v1/naming-applications/{number}/answer", {"comment_number": 999999, "response": "x"})
    assert unknown.status_code == 400 and "no comment number" in unknown.json()["error"]["message"]
