"""The public notice (公示) of a naming proposal: its page /notices/<number> and PDF, the list of open
notices, and the comments the public leaves on the page (stored as such, shown to officers, limited per
client, refused after the notice and when the text cannot be stored)."""

from __future__ import annotations

import datetime as dt
import html
import re
from unittest import mock

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from gazetteer.models import NamingApplication, NoticeComment
from gazetteer.services import notices as notice_service
from tests.gazetteer_helpers import NINGAN, POINT_NINGAN, on_day
from tests.pdf_reading import pdftotext
from tests.test_csp import site  # noqa: F401 (fixture: committed records, an application in notice)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NAME = "静安沟"
MAX = notice_service.COMMENT_MAX_LENGTH


def _step(api, number, name, **data):
    response = api.post(f"/api/v1/naming-applications/{number}/{name}", data)
    assert response.status_code == 200, (name, response.content.decode())
    return response.json()


def _submit(api, name=NAME) -> str:
    response = api.post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": name,
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": "新建居民点",
            "applicant": "宁安市人民政府",
            "meaning": "因沟谷宁静得名",
            "origin": "清代已有人居住",
            "location_description": "宁安市城区东南",
        },
    )
    assert response.status_code == 201, response.content.decode()
    return response.json()["number"]


def _in_notice(api, name=NAME, start: dt.date = TODAY, days: int | None = None) -> str:
    """A new-name application taken through review and an opinion into a notice from ``start``."""
    number = _submit(api, name)
    _step(api, number, "review", note="送专家论证")
    _step(api, number, "opinions", expert="王教授", verdict="agree")
    with on_day(min(start, TODAY)):
        _step(api, number, "notice", start=start.isoformat(), days=days or settings.NAMING_NOTICE_DAYS)
    return number


def _comment(client, number, **fields):
    data = {"commenter": "李四", "contact": "", "comment": "赞成这个名称。", **fields}
    return client.post(f"/notices/{number}", data)


def _text(page: str) -> str:
    main = page.split("<main>", 1)[1].split("</main>", 1)[0]
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


# ---- the page, the PDF and the list -----------------------------------------------------------------


def test_the_notice_has_its_page_and_pdf_while_in_notice(accounts, client, tmp_path):
    number = _in_notice(accounts["officer_ningan"])
    response = client.get(f"/notices/{number}")
    assert response.status_code == 200
    text = _text(response.content.decode())
    for value in (
        f"关于拟命名“{NAME}”的公示",
        "Jing'angou",
        "宁安市",
        "东经",
        "因沟谷宁静得名",
        "清代已有人居住",
        TODAY.isoformat(),
        (TODAY + dt.timedelta(days=settings.NAMING_NOTICE_DAYS - 1)).isoformat(),
        settings.GAZETTEER_PUBLISHER,
        "发表意见",
    ):
        assert value in text, value
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()
    english = _text(client.get(f"/notices/{number}?lang=en").content.decode())
    assert "Leave a comment" in english and "Open for comment" in english and NAME in english

    pdf = client.get(f"/notices/{number}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "public-notice.pdf"
    path.write_bytes(pdf.content)
    words = pdftotext(path)
    squeezed = re.sub(r"\s+", "", words)
    for value in (NAME, f"关于拟命名“{NAME}”的公示", "公示期", "宁安市", f"/notices/{number}"):
        assert value in squeezed, value
    assert "Jing'angou" in words or "Jing’angou" in words


def test_the_list_shows_the_open_notices_newest_first(accounts, client):
    officer = accounts["officer_ningan"]
    older = _in_notice(officer, "静安沟", start=TODAY - dt.timedelta(days=5))
    newer = _in_notice(officer, "安宁岭")
    ended = _in_notice(officer, "宁静屯", start=TODAY - dt.timedelta(days=40), days=30)
    not_yet = _in_notice(officer, "新安屯", start=TODAY + dt.timedelta(days=3))
    listing = client.get("/notices").content.decode()
    assert newer in listing and older in listing and listing.index(newer) < listing.index(older)
    assert ended not in listing and not_yet not in listing
    assert 'href="/notices"' in client.get("/divisions").content.decode()  # the footer's link


def test_no_notice_before_it_begins_or_for_an_application_withdrawn_before_it(accounts, client):
    officer = accounts["officer_ningan"]
    submitted = _submit(officer, "安宁岭")
    withdrawn = _submit(officer, "宁静屯")
    _step(officer, withdrawn, "withdraw", reason="申请人撤回")
    not_yet = _in_notice(officer, "新安屯", start=TODAY + dt.timedelta(days=3))
    for number in (submitted, withdrawn, not_yet, "231084-2099-9999"):
        assert client.get(f"/notices/{number}").status_code == 404, number
        assert client.get(f"/notices/{number}.pdf").status_code == 404, number
        assert _comment(client, number).status_code == 404, number
    assert not NoticeComment.objects.filter(application__number__in=[submitted, withdrawn, not_yet]).exists()


def test_a_closed_notice_stays_readable_marked_closed_and_takes_no_comment(accounts, client):
    officer = accounts["officer_ningan"]
    number = _in_notice(officer, start=TODAY - dt.timedelta(days=40), days=30)
    page = client.get(f"/notices/{number}").content.decode()
    assert "公示已结束" in page and 'name="comment"' not in page
    response = _comment(client, number)
    assert response.status_code == 409 and "公示期已结束，意见未能提交。" in response.content.decode()
    _step(officer, number, "close-notice")
    assert NamingApplication.objects.get(number=number).status == NamingApplication.Status.NOTICE_CLOSED
    assert "公示已结束" in client.get(f"/notices/{number}").content.decode()
    assert client.get(f"/notices/{number}.pdf").status_code == 200
    assert _comment(client, number).status_code == 409
    assert not NoticeComment.objects.filter(application__number=number).exists()
    with pytest.raises(notice_service.CommentRefused):
        notice_service.record_public_comment(NamingApplication.objects.get(number=number), commenter="x", comment="y")


# ---- comments -------------------------------------------------------------------------------------


def test_a_public_comment_is_stored_as_such_and_officers_see_it(accounts, admin_client):
    officer = accounts["officer_ningan"]
    number = _in_notice(officer)
    application = NamingApplication.objects.get(number=number)
    version = application.version
    client = Client(enforce_csrf_checks=True)
    assert _comment(client, number).status_code == 403  # no CSRF token
    client.get(f"/notices/{number}")
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    response = _comment(
        client,
        number,
        csrfmiddlewaretoken=token,
        commenter="市民王某",
        contact="138-0000-0000",
        comment="建议保留。\n谢谢",
    )
    assert response.status_code == 302 and response["Location"] == f"/notices/{number}?received=1#comment"
    assert "您的意见已收到" in client.get(response["Location"]).content.decode()

    stored = NoticeComment.objects.get(application__number=number)
    assert stored.channel == NoticeComment.Channel.PUBLIC and stored.recorded_by is None
    assert (stored.commenter, stored.contact, stored.comment) == ("市民王某", "138-0000-0000", "建议保留。\n谢谢")
    assert stored.received_on == TODAY
    assert NamingApplication.objects.get(number=number).version == version  # nothing else written

    _step(officer, number, "comments", commenter="市民张某", comment="赞成", received_on=TODAY.isoformat())
    comments = officer.get(f"/api/v1/naming-applications/{number}").json()["comments"]
    by_channel = {c["channel"]: c for c in comments}
    assert by_channel["public"]["commenter"] == "市民王某" and by_channel["public"]["recorded_by"] is None
    assert by_channel["officer"]["recorded_by"] == "officer_ningan"

    page = admin_client.get(f"/admin/gazetteer/namingapplication/{application.pk}/change/").content.decode()
    assert "市民王某" in page and "建议保留" in page and "公众留言（公示页面）" in page
    assert "公示页面留言 left on the public notice page" in page and "市民张某" in page


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"comment": ""}, "此项必填。"),
        ({"comment": "   "}, "此项必填。"),
        ({"commenter": ""}, "此项必填。"),
        ({"comment": "响铃\x07"}, "含有不能保存的控制字符。"),
        ({"commenter": "李\x1b四"}, "含有不能保存的控制字符。"),
        (
            {"comment": "长" * (notice_service.COMMENT_MAX_LENGTH + 1)},
            f"不能超过 {notice_service.COMMENT_MAX_LENGTH} 个字符",
        ),
        ({"commenter": "名" * 101}, "不能超过 100 个字符"),
        ({"contact": "1" * 201}, "不能超过 200 个字符"),
    ],
)
def test_bad_input_is_refused_with_the_forms_error_and_nothing_stored(accounts, client, fields, error):
    number = _in_notice(accounts["officer_ningan"])
    response = _comment(client, number, **fields)
    assert response.status_code == 400
    answer = response.content.decode()
    assert error in answer and "意见未能提交，请修改以下内容" in answer
    assert not NoticeComment.objects.filter(application__number=number).exists()


def test_the_comment_form_is_rate_limited_per_client(accounts, client, settings):
    settings.COMMENT_RATE_LIMIT_PER_MINUTE = 2
    number = _in_notice(accounts["officer_ningan"])
    moment = timezone.now().replace(second=10)
    with mock.patch("core.ratelimit.timezone.now", return_value=moment):
        assert _comment(client, number, comment="一").status_code == 302
        assert _comment(client, number, comment="二").status_code == 302
        refused = _comment(client, number, comment="三")
        assert refused.status_code == 429 and "提交过于频繁" in refused.content.decode()
        assert refused["Retry-After"]
        other = Client(REMOTE_ADDR="10.9.8.7")
        assert _comment(other, number, comment="四").status_code == 302  # another client has its own count
        assert client.get(f"/notices/{number}").status_code == 200  # reading is not a comment
    stored = NoticeComment.objects.filter(application__number=number).values_list("comment", flat=True)
    assert sorted(stored) == sorted(["一", "二", "四"])


def test_a_nul_is_refused_at_the_door_and_by_the_form(accounts, client):
    """The project's input check (core.api_errors) refuses a form field holding NUL before the view; the
    form refuses it too, should it ever arrive."""
    from web.i18n import ZH
    from web.notices import CommentForm

    number = _in_notice(accounts["officer_ningan"])
    response = _comment(client, number, comment="好\x00名字")
    assert response.status_code == 400
    assert "the form field 'comment' holds a NUL character" in _text(response.content.decode())
    assert not NoticeComment.objects.filter(application__number=number).exists()
    form = CommentForm({"commenter": "李四", "comment": "好\x00名字"}, t=ZH)
    assert not form.is_valid() and form.errors["comment"] == ["含有不能保存的控制字符。"]


@pytest.fixture(scope="module")
def notice_site(site, django_db_blocker):  # noqa: F811
    """test_csp's committed records; the comments the server stored on its notice are removed after the
    module (outside any test's transaction, which would undo the removal)."""
    yield site
    with django_db_blocker.unblock():
        NoticeComment.objects.filter(application__number=site["application_number"]).delete()


@pytest.mark.browser
def test_a_comment_through_the_page_in_the_browser(page, notice_site):
    """In Chromium against the server: the list, the notice, a comment sent and thanked for, a refused
    one with its error in English; no outside request, no CSP violation. Screenshots in var/."""
    number = notice_site["application_number"]
    _walk(page, notice_site, number, settings.BASE_DIR / "var")
    stored = NoticeComment.objects.filter(application__number=number)  # committed by the server process
    assert list(stored.values_list("channel", "commenter")) == [("public", "浏览器中的市民")]


def _walk(page, site, number, shots):  # noqa: F811 (the fixture's value)
    from tests.test_csp import PAGES, visit

    assert visit(page, site, PAGES["public-notices"]) == []
    assert number in page.locator("table.notices").inner_text()
    page.screenshot(path=str(shots / "screenshot-public-notices.png"), full_page=True)
    assert visit(page, site, PAGES["public-notice"]) == []
    page.screenshot(path=str(shots / "screenshot-public-notice.png"), full_page=True)
    page.fill("#id_commenter", "浏览器中的市民")
    page.fill("#id_comment", "名称很好。")
    with page.expect_navigation():
        page.click(".comment-form button[type=submit]")
    assert "您的意见已收到" in page.locator(".comment-received").inner_text()
    page.goto(page.origin + f"/notices/{number}?lang=en")
    page.fill("#id_commenter", "x")
    assert page.locator("#id_comment").get_attribute("required") is not None  # the browser asks first
    page.locator("form.comment-form").evaluate("form => form.noValidate = true")  # as an old browser would
    with page.expect_navigation() as answer:
        page.click(".comment-form button[type=submit]")
    assert answer.value.status == 400
    page.errors[:] = [error for error in page.errors if "status of 400" not in error]
    assert "This field is required." in page.locator("#comment-error").inner_text()
    page.screenshot(path=str(shots / "screenshot-public-notice-error.png"), full_page=True)
    assert page.evaluate("window.__cspViolations") == [] and page.errors == [] and page.outside_requests == []
