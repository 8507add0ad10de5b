"""A name's standing (gazetteer.services.standing): new records are candidates; a name becomes standard
through the procedure, a registration citing its decision, or an official register; synthetic records
never; a standard name ends only by abolition; every face (API, page, search, tiles, files) says which."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point
from django.test import Client
from django.utils import timezone

from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Category, Place
from gazetteer.services import places as place_service
from gazetteer.services import standing
from gazetteer.services.open_data import published_places
from gazetteer.services.place_io import export_places, import_places
from tests.gazetteer_helpers import NINGAN, POINT_NINGAN, on_day
from tests.test_places_api import create

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DECISION = {"authority": "宁安市人民政府", "document_number": "宁政发〔2019〕8号", "decision_date": "2019-05-06"}


def _record(name="莲花湾", **fields) -> Place:
    changeset = open_changeset(Changeset.Kind.EDIT, "standing test", label="tests")
    return place_service.create_place(
        changeset=changeset,
        name=name,
        category=Category.objects.get(code="07200"),
        geom=_point(),
        **fields,
    )


def _point():
    return Point(*POINT_NINGAN["coordinates"], srid=STORAGE_SRID)


# ---- where a name comes from ------------------------------------------------------------------------


def test_the_loaded_registers_are_standard_and_geonames_are_candidates():
    official = Place.objects.filter(source__key__in=["mca-townships", "nbs-villages"])
    assert official.exists()
    assert set(official.values_list("standing", "standard_basis").distinct()) == {("standard", "official_source")}
    geonames = Place.objects.filter(source__key__startswith="geonames")
    assert geonames.exists()
    assert set(geonames.values_list("standing", flat=True)) == {"candidate"}


def test_a_new_record_through_the_api_is_a_candidate_unless_it_cites_its_decision(accounts):
    officer = accounts["officer_ningan"]
    candidate = create(officer).json()["properties"]
    assert candidate["standing"] == {
        "code": "candidate",
        "label": Place.Standing.CANDIDATE.label,
        "basis": None,
        "basis_label": None,
        "decision": None,
    }
    registered = create(officer, name="荷花湾", decision=DECISION).json()["properties"]
    assert registered["standing"]["code"] == "standard" and registered["standing"]["basis"] == "registered"
    assert registered["standing"]["decision"] == {
        "authority": "宁安市人民政府",
        "document": "宁政发〔2019〕8号",
        "date": "2019-05-06",
    }


@pytest.mark.parametrize(
    ("decision", "message"),
    [
        ({**DECISION, "authority": " "}, "authority missing"),
        ({**DECISION, "decision_date": (TODAY + dt.timedelta(days=3)).isoformat()}, "still to come"),
    ],
)
def test_a_decision_cited_in_part_or_from_the_future_is_refused(accounts, decision, message):
    before = Place.objects.count()
    response = create(accounts["officer_ningan"], decision=decision)
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert Place.objects.count() == before


def test_a_candidate_is_registered_as_standard_by_its_own_action(accounts):
    officer = accounts["officer_ningan"]
    code = create(officer).json()["properties"]["code"]
    url = f"/api/v1/places/{code}/register-standard"
    assert officer.post(url, {**DECISION, "version": 1, "reason": ""}).status_code == 400
    assert accounts["officer_hailin"].post(url, {**DECISION, "version": 1, "reason": "普查"}).status_code == 403
    stale = officer.post(url, {**DECISION, "version": 7, "reason": "普查"})
    assert stale.status_code == 409
    done = officer.post(url, {**DECISION, "version": 1, "reason": "第二次全国地名普查成果"})
    assert done.status_code == 200, done.content
    assert done.json()["properties"]["standing"]["basis"] == "registered"
    again = officer.post(url, {**DECISION, "version": 2, "reason": "again"})
    assert again.status_code == 400 and "standard name already" in again.json()["error"]["message"]
    last = officer.get(f"/api/v1/places/{code}/history").json()["versions"][-1]
    assert last["reason"] == "第二次全国地名普查成果" and last["data"]["standing"] == "standard"
    assert last["data"]["decision_document"] == "宁政发〔2019〕8号"


def test_synthetic_records_are_never_standard(accounts):
    demo = _record("示例屯", synthetic=True)
    assert demo.standing == "synthetic" and demo.is_synthetic
    with pytest.raises(standing.StandingRefused, match="never a standard name"):
        standing.register_standard(
            demo,
            standing.Decision("某政府", "某文号", dt.date(2020, 1, 1)),
            changeset=open_changeset(Changeset.Kind.EDIT, "t", label="tests"),
        )
    with pytest.raises(standing.StandingRefused, match="never a standard name"):
        _record("示例沟", synthetic=True, decision=standing.Decision("某政府", "某文号", dt.date(2020, 1, 1)))
    response = accounts["officer_ningan"].post(
        "/api/v1/naming-applications",
        {
            "kind": "rename",
            "county": NINGAN,
            "place": demo.code,
            "proposed_name": "示范屯",
            "reason": "更名",
            "applicant": "宁安市人民政府",
        },
    )
    assert response.status_code == 400 and "never a standard name" in response.json()["error"]["message"]


# ---- ending a name ------------------------------------------------------------------------------------


def test_a_standard_name_is_not_retired_directly_but_a_candidate_is(accounts):
    officer = accounts["officer_ningan"]
    standard = Place.objects.filter(standing="standard", unit__parent__code=NINGAN, admin_unit__isnull=False).first()
    body = {"valid_to": TODAY.isoformat(), "version": standard.version, "reason": "撤并"}
    refused = officer.post(f"/api/v1/places/{standard.code}/retire", body)
    assert refused.status_code == 400
    assert "abolition" in refused.json()["error"]["message"] and "销名" in refused.json()["error"]["message"]
    for edit in ({"valid_to": "2030-01-01"}, {"status": "historical"}):  # nor by an edit that would end it
        patched = officer.patch(f"/api/v1/places/{standard.code}", {**edit, "version": standard.version, "reason": "x"})
        assert patched.status_code == 400 and "abolition" in patched.json()["error"]["message"], edit
    assert Place.objects.get(pk=standard.pk).status != Place.Status.HISTORICAL
    code = create(officer).json()["properties"]["code"]
    retired = officer.post(f"/api/v1/places/{code}/retire", {**body, "version": 1, "valid_to": "2030-01-01"})
    assert retired.status_code == 200 and retired.json()["properties"]["status"] == "historical"


def _through_the_procedure(accounts, number: str, decided: dt.date) -> dict:
    officer, approver = accounts["officer_ningan"], accounts["approver"]
    for step, data in [
        ("review", {}),
        ("opinions", {"expert": "王教授", "verdict": "agree"}),
        ("notice", {"start": decided.isoformat(), "days": 30}),
    ]:
        with on_day(decided):
            assert officer.post(f"/api/v1/naming-applications/{number}/{step}", data).status_code == 200
    later = decided + dt.timedelta(days=31)
    with on_day(later):
        assert officer.post(f"/api/v1/naming-applications/{number}/close-notice", {}).status_code == 200
        approval = {
            "authority": "牡丹江市人民政府",
            "decision_date": later.isoformat(),
            "document_number": "牡政函〔2026〕5号",
            "effective_date": later.isoformat(),
        }
        response = approver.post(f"/api/v1/naming-applications/{number}/approve", approval)
        assert response.status_code == 200, response.content
    return response.json()


def test_the_procedure_makes_a_candidate_standard_and_keeps_its_record(accounts):
    officer = accounts["officer_ningan"]
    candidate = create(officer).json()["properties"]
    submitted = officer.post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "place": candidate["code"],
            "reason": "确认候选地名",
            "applicant": "宁安市民政局",
        },
    )
    assert submitted.status_code == 201, submitted.content
    number = submitted.json()["number"]
    decided = TODAY - dt.timedelta(days=40)
    _through_the_procedure(accounts, number, decided)
    place = Place.objects.get(code=candidate["code"])
    assert Place.objects.filter(name="莲花湾").count() == 1  # no second record: the candidate was named
    assert (place.standing, place.standard_basis, place.decision_document) == (
        "standard",
        "procedure",
        "牡政函〔2026〕5号",
    )


def test_abolition_ends_a_standard_name(accounts):
    officer = accounts["officer_ningan"]
    code = create(officer, decision=DECISION).json()["properties"]["code"]
    submitted = officer.post(
        "/api/v1/naming-applications",
        {"kind": "abolish", "county": NINGAN, "place": code, "reason": "村屯撤并", "applicant": "宁安市民政局"},
    )
    number = submitted.json()["number"]
    _through_the_procedure(accounts, number, TODAY - dt.timedelta(days=40))
    assert Place.objects.get(code=code).status == Place.Status.HISTORICAL


# ---- files --------------------------------------------------------------------------------------------


def _csv(rows: list[dict], tmp_path) -> list:
    path = tmp_path / "places.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return [path]


def test_an_import_creates_candidates_unless_a_row_cites_its_decision(tmp_path, admin_user):
    base = {"category": "07200", "lon": "129.47", "lat": "44.34"}
    rows = [
        {**base, "name": "甲屯", "批准机关": "", "批准文号": "", "批准日期": ""},
        {
            **base,
            "name": "乙屯",
            "批准机关": "宁安市人民政府",
            "批准文号": "宁政发〔2001〕3号",
            "批准日期": "2001-03-04",
        },
        {**base, "name": "丙屯", "批准机关": "宁安市人民政府", "批准文号": "", "批准日期": ""},
    ]
    refused = import_places(
        _csv(rows, tmp_path), user=admin_user, reason="普查成果导入", dry_run=False, crs="EPSG:4490"
    )
    assert not refused.committed
    assert [(p.row, p.field) for p in refused.errors] == [(3, "decision")]
    assert "document number, date missing" in refused.errors[0].message
    report = import_places(
        _csv(rows[:2], tmp_path), user=admin_user, reason="普查成果导入", dry_run=False, crs="EPSG:4490"
    )
    assert report.committed, report.as_dict()
    assert [(r["name"], r["standing"]) for r in report.records] == [("甲屯", "candidate"), ("乙屯", "standard")]
    assert Place.objects.get(name="乙屯").decision_document == "宁政发〔2001〕3号"

    # Re-imported with a decision, the candidate is registered; an exported file says which is which.
    code = Place.objects.get(name="甲屯").code
    again = [{**rows[1], "name": "甲屯", "code": code, "批准文号": "宁政发〔2001〕4号"}]
    report = import_places(
        _csv(again, tmp_path), user=admin_user, reason="补登批准文号", dry_run=False, crs="EPSG:4490"
    )
    assert report.committed and report.records[0]["standing"] == "standard"
    content, _, _ = export_places(Place.objects.filter(name__in=["甲屯", "乙屯"]), "csv")
    exported = {r["name"]: r for r in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    assert exported["甲屯"]["standing"] == "standard" and exported["甲屯"]["standard_basis"] == "registered"
    assert exported["乙屯"]["decision_date"] == "2001-03-04"


def test_open_data_publishes_standard_names_only(accounts):
    candidate = create(accounts["officer_ningan"]).json()["properties"]["code"]
    demo = _record("示例屯", synthetic=True)
    published = published_places()
    assert not published.filter(code__in=[candidate, demo.code]).exists()
    assert published.exists() and not published.exclude(standing="standard").exists()


# ---- the faces ----------------------------------------------------------------------------------------


def test_search_the_page_and_the_tiles_say_a_candidate_is_one(accounts):
    code = create(accounts["officer_ningan"], name="莲花湾").json()["properties"]["code"]
    anonymous = Client()
    results = anonymous.get("/api/v1/places/search", {"q": "莲花湾"}).json()["results"]
    found = next(r for r in results if r["code"] == code)
    assert found["standing"] == "candidate"
    suggestions = anonymous.get("/api/v1/places/suggest", {"q": "莲花湾"}).json()["suggestions"]
    assert next(s for s in suggestions if s["code"] == code)["standing"] == "candidate"
    standard = next(r for r in anonymous.get("/api/v1/places/search", {"q": "宁安市"}).json()["results"])
    assert standard["standing"] == "standard"

    page = anonymous.get(f"/places/{code}").content.decode()
    assert "候选地名（尚未经命名程序，非标准地名）" in page
    english = anonymous.get(f"/places/{code}?lang=en").content.decode()
    assert "candidate (not yet through the naming procedure, not a standard name)" in english
    registered = create(accounts["officer_ningan"], name="荷花湾", decision=DECISION).json()["properties"]["code"]
    page = anonymous.get(f"/places/{registered}?lang=zh").content.decode()
    assert "标准地名 · 登记已有的标准地名 · 宁安市人民政府 宁政发〔2019〕8号 2019-05-06" in page

    official = Place.objects.filter(source__key="mca-townships", admin_unit__code=NINGAN).get()
    page = anonymous.get(f"/places/{official.code}?lang=zh").content.decode()
    assert "标准地名 · 官方名录 · 中华人民共和国民政部 全国行政区划信息查询平台" in page

    style = anonymous.get("/tiles/style.json").json()
    labels = [layer for layer in style["layers"] if layer["id"].startswith("places-rank-")]
    assert labels and all(
        layer["layout"]["text-field"][:2] == ["match", ["get", "standing"]]
        and ["concat", ["get", "name"], "（候选）"] in layer["layout"]["text-field"]
        for layer in labels
    )
