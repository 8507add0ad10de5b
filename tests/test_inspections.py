"""Joint inspections (boundaries.services.inspections) end to end on the real 海林市—宁安市 line with
synthetic demonstration markers: raise, plan (both sides' teams), office review, field checks sent from
a phone (twice: one record), findings as tasks, the report, both sides' signatures, the register
updated, the report and the December summary read back from their PDFs."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import is_administrator
from boundaries.inbox_inspections import inspection_work
from boundaries.models import BoundaryLine, BoundaryMarker, InspectionCampaign, InspectionTask, MarkerCheck
from boundaries.services import inspections
from boundaries.services.demo_markers import place_on
from core import inbox
from tests.gazetteer_helpers import HAILIN, NINGAN
from tests.pdf_reading import pdftotext
from tests.test_marker_photos import jpeg

pytestmark = pytest.mark.django_db
LINE = f"{HAILIN}-{NINGAN}"
URL = "/api/v1/inspections"
TODAY = timezone.localdate()
YEAR = TODAY.year


@pytest.fixture
def line(db) -> BoundaryLine:
    found = BoundaryLine.objects.get(code=LINE)
    place_on(found)
    return found


def _teams():
    return [
        {"side": HAILIN, "members": [{"name": "张明", "role": "海林市民政局区划地名股"}]},
        {"side": NINGAN, "members": [{"name": "李华", "role": "宁安市民政局"}]},
    ]


def _raise(api, **body):
    return api.post(URL, {"line": LINE, "year": YEAR, "reason": "五年一次的例行联检", **body})


def _version(number: str) -> int:
    return InspectionCampaign.objects.get(number=number).version


def _ready_for_field(api, number: str | None = None) -> str:
    number = number or _raise(api).json()["number"]
    start = dt.date(YEAR, 1, 2)
    planned = api.post(
        f"{URL}/{number}/plan",
        {"start": start.isoformat(), "end": TODAY.isoformat(), "teams": _teams(), "version": 1, "reason": "实施方案"},
    )
    assert planned.status_code == 200, planned.content
    reviewed = api.post(
        f"{URL}/{number}/office-review", {"notes": "对照协议书附图逐段核对，走向一致。", "version": _version(number)}
    )
    assert reviewed.status_code == 200, reviewed.content
    return number


def _check(api, number, marker, found="intact", **extra):
    body = {"client_id": str(uuid.uuid4()), "marker": marker.number, "found": found, "checked_on": TODAY.isoformat()}
    return api.post(f"{URL}/{number}/marker-checks", {**body, **extra})


def test_an_inspection_end_to_end(accounts, line):
    hailin, ningan = accounts["officer_hailin"], accounts["officer_ningan"]
    markers = list(line.markers.order_by("distance_along_m"))
    assert len(markers) >= 3

    made = _raise(hailin)
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    assert number.startswith(f"LJ-{YEAR}-") and made.json()["plan_due"] == f"{YEAR}-05-31"
    assert _raise(ningan).status_code == 400  # one regular inspection per line and year

    one_side = hailin.post(
        f"{URL}/{number}/plan",
        {"start": f"{YEAR}-01-02", "end": f"{YEAR}-01-03", "teams": _teams()[:1], "version": 1, "reason": "方案"},
    )
    assert one_side.status_code == 400 and "both sides" in one_side.json()["error"]["message"]
    assert _check(hailin, number, markers[0]).status_code == 400  # no field checks before the office review
    _ready_for_field(hailin, number)

    # The phone sends a check, loses the answer and sends it again: one record.
    client_id = str(uuid.uuid4())
    body = {"client_id": client_id, "marker": markers[0].number, "found": "damaged", "checked_on": TODAY.isoformat()}
    first = ningan.post(f"{URL}/{number}/marker-checks", {**body, "notes": "桩体裂缝"})
    again = ningan.post(f"{URL}/{number}/marker-checks", {**body, "notes": "桩体裂缝"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert MarkerCheck.objects.filter(client_id=client_id).count() == 1

    # Measured 30 m away: moved, whatever was ticked; references changed: a re-survey task too.
    moved_to = Point(markers[1].geom.x + 0.0004, markers[1].geom.y, srid=4490)
    moved = _check(
        hailin, number, markers[1], measured={"type": "Point", "coordinates": [moved_to.x, moved_to.y]},
        references_changed=True, inscription_repainted=True,
    )  # fmt: skip
    assert moved.status_code == 201 and moved.json()["found"] == "moved"
    photo_url = f"{URL}/{number}/marker-checks/{moved.json()['client_id']}/photos"
    snap = jpeg(lat=moved_to.y, lon=moved_to.x)
    sent = hailin.client.post(photo_url, {"file": SimpleUploadedFile("桩.jpg", snap)}, **hailin.headers)
    assert sent.status_code == 201, sent.content
    assert 25 < sent.json()["photos"][0]["distance_from_marker_m"] < 40  # where the photo was taken
    resent = hailin.client.post(photo_url, {"file": SimpleUploadedFile("桩.jpg", snap)}, **hailin.headers)
    assert resent.status_code == 200 and len(resent.json()["photos"]) == 1
    text = hailin.client.post(photo_url, {"file": SimpleUploadedFile("桩.jpg", b"not a photo")}, **hailin.headers)
    assert text.status_code == 400 and text.json()["error"]["field"] == "file"
    assert 25 < moved.json()["displacement_m"] < 40
    for marker in markers[2:]:
        assert _check(hailin, number, marker).status_code == 201
    stretch = hailin.post(
        f"{URL}/{number}/stretch-checks",
        {"client_id": str(uuid.uuid4()), "from_m": 1000, "to_m": 2500, "condition": "illegible",
         "checked_on": TODAY.isoformat(), "notes": "林地采伐后界线不清"},
    )  # fmt: skip
    assert stretch.status_code == 201, stretch.content

    tasks = {t.kind: t for t in InspectionTask.objects.filter(campaign__number=number)}
    assert set(tasks) == {"repair", "restore", "resurvey_references", "resurvey_line"}
    assert tasks["repair"].due_on == TODAY + dt.timedelta(days=90) and tasks["repair"].owner.code == HAILIN
    done = ningan.patch(
        f"/api/v1/inspection-tasks/{tasks['repair'].pk}",
        {"status": "done", "done_on": TODAY.isoformat(), "note": "双方到场修复", "version": 1},
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    stale = ningan.patch(f"/api/v1/inspection-tasks/{tasks['restore'].pk}", {"due_on": TODAY.isoformat(), "version": 9})
    assert stale.status_code == 409

    report = hailin.post(f"{URL}/{number}/report", {"summary": "界线清楚，界桩基本完好。", "version": _version(number)})
    assert report.status_code == 200, report.content
    assert report.json()["status"] == "reported"
    assert [s["code"] for s in report.json()["awaiting_signatures"]] == [HAILIN, NINGAN]

    def sign(api, side):
        return api.post(
            f"{URL}/{number}/sign",
            {"side": side, "signed_by": "局长", "signed_on": TODAY.isoformat(), "version": _version(number)},
        )

    assert sign(hailin, NINGAN).status_code == 400  # 海林's officer does not sign for 宁安
    assert BoundaryMarker.objects.get(pk=markers[0].pk).status == "intact"
    assert sign(hailin, HAILIN).json()["status"] == "reported"
    assert BoundaryMarker.objects.get(pk=markers[0].pk).status == "intact"  # nothing written before both sign
    closed = sign(ningan, NINGAN).json()
    assert closed["status"] == "closed" and closed["closed_on"] == TODAY.isoformat()
    # Both sides signed: the register says what the report found, in one changeset.
    assert BoundaryMarker.objects.get(pk=markers[0].pk).status == "damaged"
    assert BoundaryMarker.objects.get(pk=markers[1].pk).status == "moved"
    written = {
        m.versions.order_by("-version").first().changeset_id
        for m in BoundaryMarker.objects.filter(pk__in=[markers[0].pk, markers[1].pk])
    }
    assert len(written) == 1
    assert inspections.last_inspected(line) == TODAY and inspections.due_year(line) == YEAR + 5


def test_the_report_and_the_summary_read_back(accounts, line, tmp_path):
    hailin = accounts["officer_hailin"]
    number = _ready_for_field(hailin)
    marker = line.markers.order_by("distance_along_m").first()
    assert _check(hailin, number, marker, found="lost", notes="界桩缺失").status_code == 201

    pdf = hailin.client.get(f"{URL}/{number}/report.pdf", **hailin.headers)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.content)
    text = pdftotext(path)
    assert "联合检查报告" in text and line.name in text and number in text
    assert marker.number in text and "丢失" in text and "补设界桩" in text
    assert "张明" in text and "示例" in text  # both sides' teams; the markers are demonstration ones
    assert "内业核查" in text and "走向一致" in text

    archive = {c: [i["number"] for i in hailin.get(URL, county=c).json()["inspections"]] for c in (NINGAN, "231086")}
    assert number in archive[NINGAN] and number not in archive["231086"]  # by the counties the line runs between
    summary = hailin.get(f"{URL}/summary?year={YEAR}").json()
    assert summary["totals"]["campaigns"] == 1 and summary["totals"]["found_lost"] == 1
    assert summary["campaigns"][0]["number"] == number and summary["totals"]["tasks_open"] == 1
    assert LINE not in [d["line"] for d in summary["due_without_campaign"]]
    path = tmp_path / "summary.pdf"
    path.write_bytes(hailin.client.get(f"{URL}/summary.pdf?year={YEAR}", **hailin.headers).content)
    text = pdftotext(path)
    assert f"{YEAR}年度" in text and line.name in text and "丢失" in text


def test_staff_only_and_only_the_line_s_officers_write(accounts, line, django_user_model):
    assert accounts["public"].get(URL).status_code == 401
    made = _raise(accounts["officer_hailin"]).json()["number"]
    assert accounts["approver"].get(f"{URL}/{made}").status_code == 200  # staff read
    other = BoundaryLine.objects.exclude(code=LINE).filter(level="county", read_only=False)
    far = next(
        candidate for candidate in other.order_by("code") if HAILIN not in candidate.code
    )  # a line 海林 is not a side of
    refused = accounts["officer_hailin"].post(URL, {"line": far.code, "year": YEAR, "reason": "x"})
    assert refused.status_code == 400 and "only the officers" in refused.json()["error"]["message"]
    national = BoundaryLine.objects.filter(read_only=True).first()
    assert accounts["administrator"].post(URL, {"line": national.code, "year": YEAR, "reason": "x"}).status_code == 400
    far_future = inspections.InspectionRefused
    with pytest.raises(
        far_future, match="between 1990 and 2100"
    ):  # the service's own bound (the admin's form has none)
        inspections.raise_campaign(line, user=django_user_model.objects.get(username="officer_hailin"), year=32767,
                                   reason="x")  # fmt: skip
    ad_hoc = accounts["officer_hailin"].post(URL, {"line": LINE, "year": YEAR, "occasion": "flood", "reason": "汛后"})
    assert ad_hoc.status_code == 400 and ad_hoc.json()["error"]["field"] == "cause"


def test_a_check_is_refused_clearly(accounts, line):
    hailin = accounts["officer_hailin"]
    number = _ready_for_field(hailin)
    marker = line.markers.first()
    other_line = BoundaryLine.objects.get(code="231025-231083")  # 林口县—海林市线: 海林's line, not this one
    place_on(other_line)
    foreign = other_line.markers.first()
    bad_id = hailin.post(
        f"{URL}/{number}/marker-checks",
        {"client_id": "x" * 36, "marker": marker.number, "found": "intact", "checked_on": TODAY.isoformat()},
    )
    assert bad_id.status_code == 400 and bad_id.json()["error"]["field"] == "client_id"
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    assert _check(hailin, number, marker, checked_on=tomorrow).status_code == 400
    refused = _check(hailin, number, foreign)
    assert refused.status_code == 400 and "is not on" in refused.json()["error"]["message"]
    reused = str(uuid.uuid4())
    assert _check(hailin, number, marker, client_id=reused).status_code == 201
    second = _raise(hailin, occasion="road_works", cause="G11 拓宽").json()["number"]
    InspectionCampaign.objects.filter(number=second).update(status="field")
    assert _check(hailin, second, marker, client_id=reused).status_code == 400  # an id of another inspection
    too_long = hailin.post(
        f"{URL}/{number}/stretch-checks",
        {"client_id": str(uuid.uuid4()), "from_m": 0, "to_m": 9_000_000, "condition": "as_agreed",
         "checked_on": TODAY.isoformat()},
    )  # fmt: skip
    assert too_long.status_code == 400 and "within the line" in too_long.json()["error"]["message"]
    report = hailin.post(f"{URL}/{number}/report", {"summary": "x", "version": _version(number)})
    assert report.status_code == 400 and "not checked yet" in report.json()["error"]["message"]


def test_lines_fall_due_five_years_after_their_last_inspection(line, django_user_model):
    assert LINE in [d["line"].code for d in inspections.due_lines(YEAR)]  # never inspected: due
    InspectionCampaign.objects.create(
        number=f"LJ-{YEAR - 2}-0001", line=line, year=YEAR - 2, plan_due=dt.date(YEAR - 2, 5, 31),
        status="closed", closed_on=dt.date(YEAR - 2, 9, 1), created_by=django_user_model.objects.create_user("due"),
    )  # fmt: skip
    assert inspections.due_year(line) == YEAR + 3
    assert LINE not in [d["line"].code for d in inspections.due_lines(YEAR)]
    assert LINE in [d["line"].code for d in inspections.due_lines(YEAR + 3)]


def test_the_admin_raises_an_inspection_and_takes_its_steps(admin_client, line):
    add = admin_client.post(
        "/admin/boundaries/inspectioncampaign/add/",
        {"line": line.pk, "year": YEAR, "occasion": "flood", "cause": "2026年8月洪水", "reason": "汛后专项检查"},
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    campaign = InspectionCampaign.objects.get(line=line, occasion="flood")
    page = admin_client.get(f"/admin/boundaries/inspectioncampaign/{campaign.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "报送实施方案" in html and f"/api/v1/inspections/{campaign.number}/report.pdf" in html
    step = f"/admin/boundaries/inspectioncampaign/{campaign.pk}/step/"

    def take(**data):
        version = InspectionCampaign.objects.get(pk=campaign.pk).version
        return admin_client.post(step, {"expected_version": version, **data}, follow=True).content.decode()

    refused = take(step="plan", start=f"{YEAR}-01-02", end=f"{YEAR}-01-03", teams=f"{HAILIN}: 张明/股长")
    assert "both sides" in refused  # the refusal is shown; nothing written
    assert InspectionCampaign.objects.get(pk=campaign.pk).planned_at is None
    take(step="plan", start=f"{YEAR}-01-02", end=f"{YEAR}-01-03", teams=f"{HAILIN}: 张明/股长, 王强\n{NINGAN}: 李华")
    done = InspectionCampaign.objects.get(pk=campaign.pk)
    assert [len(t["members"]) for t in done.teams] == [2, 1] and done.teams[0]["members"][0]["role"] == "股长"
    take(step="review", text="对照协议书核对")
    assert InspectionCampaign.objects.get(pk=campaign.pk).status == "office_review"
    stale = admin_client.post(step, {"expected_version": 1, "step": "review", "text": "again"}, follow=True)
    assert "Not done" in stale.content.decode()


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(sends=st.lists(st.integers(0, 4), min_size=1, max_size=12))
def test_any_sequence_of_resends_makes_one_record_per_check(accounts, line, sends):
    """A phone resends its checks in any order, any number of times: one record per client id, and the
    answer to a resend is the record first made."""
    hailin = accounts["officer_hailin"]
    campaign = InspectionCampaign.objects.filter(line=line, status__in=["office_review", "field"]).first()
    number = campaign.number if campaign else _ready_for_field(hailin)
    markers = list(line.markers.order_by("distance_along_m")[:5])
    ids = [uuid.uuid5(uuid.NAMESPACE_URL, f"{number}/{i}/{len(sends)}/{sends}") for i in range(5)]
    first: dict[int, dict] = {}
    for i in sends:
        sent = _check(hailin, number, markers[i], client_id=str(ids[i]), notes=f"check {i}")
        assert sent.status_code == (200 if i in first else 201)
        first.setdefault(i, sent.json())
        assert sent.json() == first[i]
    assert MarkerCheck.objects.filter(client_id__in=ids).count() == len(set(sends))


def test_tasks_and_reports_to_sign_wait_in_the_inbox(accounts, line, django_user_model, django_assert_max_num_queries):
    hailin, ningan = accounts["officer_hailin"], accounts["officer_ningan"]
    users = {name: django_user_model.objects.get(username=name) for name in ("officer_hailin", "officer_ningan")}
    number = _ready_for_field(hailin)
    markers = list(line.markers.order_by("distance_along_m"))
    assert _check(hailin, number, markers[0], found="lost").status_code == 201
    for marker in markers[1:]:
        assert _check(hailin, number, marker).status_code == 201

    def waiting(name):
        is_administrator(users[name])  # the roles are read once per request
        with django_assert_max_num_queries(1):
            count = inspection_work.count(users[name])
        items = inspection_work.items(users[name])
        assert count == len(items)
        assert all(i in inbox.items_for(users[name]) for i in items)  # registered: in the inbox itself
        return items

    assert [i.awaited[:4] for i in waiting("officer_hailin")] == ["补设界桩"]  # the lead side owns the task
    assert waiting("officer_ningan") == []
    hailin.post(f"{URL}/{number}/report", {"summary": "结论", "version": _version(number)})
    assert any("Sign the joint report" in i.awaited for i in waiting("officer_ningan"))
    ningan.post(
        f"{URL}/{number}/sign",
        {"side": NINGAN, "signed_by": "局长", "signed_on": TODAY.isoformat(), "version": _version(number)},
    )
    assert waiting("officer_ningan") == []
    assert any("Sign the joint report" in i.awaited for i in waiting("officer_hailin"))
