"""Numbering requests (门牌申请) through the API: received, site-checked, numbered by the engine and
certified, the certificate (门牌证明) read back from its PDF; steps out of order and stale steps refused,
the conditions required, another county's officer refused, a rejected request leaving no current number,
the officers' inbox listing what awaits them, the answers fitting the documented schemas."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import LineString
from django.utils import timezone

from core import inbox
from core.history import open_changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Category, HouseNumber, NumberingRequest
from gazetteer.services import house_numbers
from gazetteer.services import places as place_service
from gazetteer.services.house_number_certificate import address_code
from tests.pdf_reading import pdftotext
from tests.test_openapi import _validator

pytestmark = pytest.mark.django_db

BASE = "/api/v1/numbering-requests"
WEST, LAT = 129.465, 44.340  # an east-west road in 宁安市, about 800 m long
ENTRANCE = {"type": "Point", "coordinates": [129.4712, 44.3403]}  # about 33 m north of it
ALL_MET = {"lawful_building": True, "ground_floor_finished": True, "entrance_fixed": True}


@pytest.fixture
def road(db):
    changeset = open_changeset("edit", "测试道路", label="tests")
    line = LineString((WEST, LAT), (WEST + 0.01, LAT), srid=STORAGE_SRID)
    place = place_service.create_place(
        changeset=changeset, name="试验路", category=Category.objects.get(code="08100"), geom=line, synthetic=True
    )
    return house_numbers.register_road(place, changeset=changeset)


def _fits(path: str, method: str, status: int, body: dict) -> None:
    errors = sorted(_validator(path, method, str(status)).iter_errors(body), key=str)
    assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]


def _submit(api, road, **changes) -> dict:
    body = {
        "road": road.place.code,
        "geometry": ENTRANCE,
        "applicant": "牡丹江宁安置业有限公司",
        "applicant_kind": "developer",
        "applicant_contact": "13900000000",
        "building_name": "宁安花园1号楼",
        "documents": [{"kind": "不动产权证", "number": "黑(2026)宁安市不动产权第0001号"}],
        "former_address": "宁安镇东村3组",
        "reason": "开发单位申请门牌",
        **changes,
    }
    return api.post(BASE, body)


def _step(api, number: str, step: str, version: int, **body):
    return api.post(f"{BASE}/{number}/{step}", {"version": version, **body})


def test_a_request_goes_from_submitted_to_certified_and_the_certificate_reads_back(accounts, road, tmp_path):
    officer = accounts["officer_ningan"]
    made = _submit(officer, road)
    assert made.status_code == 201, made.content
    request = made.json()
    _fits(BASE, "post", 201, request)
    number = request["number"]
    assert re.fullmatch(rf"MQ-{timezone.localdate().year}-\d{{4}}", number)
    assert request["status"] == "submitted" and request["awaiting"] == "check" and request["synthetic"] is True
    assert request["applicant_contact"] == "13900000000" and request["house_number"] is None
    would_take = request["would_take"]
    assert would_take and would_take.startswith("试验路")

    checked = _step(officer, number, "check", request["version"], conditions=ALL_MET, notes="首层已封顶，出入口已定")
    assert checked.status_code == 200, checked.content
    checked = checked.json()
    assert checked["status"] == "checked"
    assert set(checked["conditions"]) == set(ALL_MET)
    assert all(c["by"] == "officer_ningan" for c in checked["conditions"].values())

    numbered = _step(officer, number, "number", checked["version"]).json()
    assert numbered["status"] == "numbered", numbered
    house = HouseNumber.objects.get(road=road)
    assert house.status == "proposed" and house.owner == "牡丹江宁安置业有限公司"
    assert numbered["house_number"] == house.label == would_take  # the number the request was told it would take

    certified = _step(officer, number, "certify", numbered["version"]).json()
    assert certified["status"] == "certified", certified
    house.refresh_from_db()
    assert house.status == "issued" and house.issued_on == timezone.localdate()
    certificate = certified["certificate"]
    assert re.fullmatch(rf"MZ-{timezone.localdate().year}-\d{{4}}", certificate["number"])
    assert [entry["data"]["step"] for entry in certified["history"]] == ["submit", "check", "number", "certify"]
    _fits(BASE + "/{number}", "get", 200, officer.get(f"{BASE}/{number}").json())

    pdf = officer.get(certificate["url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert {part.strip() for part in pdf["Cache-Control"].split(",")} >= {"private", "no-store"}
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf.content)
    text = "".join(pdftotext(path).split())  # the words without the layout's spaces and line breaks
    today = timezone.localdate()
    for expected in (
        "门牌证明",
        house.label,  # the standard address: 试验路N号
        house.number_label,
        "牡丹江宁安置业有限公司",
        f"{today.year}年{today.month}月{today.day}日",
        certificate["number"],
        address_code(house),
        "宁安市",
        "宁安镇东村3组",
        "黑(2026)宁安市不动产权第0001号",
        "牡丹江市民政局",
        "户籍",
        "示例",
        "不是有效证明",
        f"{road.place.romanization}{house.number}".replace(" ", ""),
    ):
        assert expected in text, expected
    assert address_code(house) == f"{road.place.code}{house.number:05d}00"


def test_the_conditions_are_required_and_steps_out_of_order_or_stale_are_refused(accounts, road):
    officer = accounts["officer_ningan"]
    request = _submit(officer, road).json()
    number, version = request["number"], request["version"]

    early = _step(officer, number, "number", version)
    assert early.status_code == 400 and early.json()["error"]["field"] == "status"
    assert _step(officer, number, "certify", version).status_code == 400

    unmet = _step(
        officer, number, "check", version, conditions={**ALL_MET, "entrance_fixed": False}, notes="出入口未定"
    )
    assert unmet.status_code == 400 and unmet.json()["error"]["field"] == "conditions"
    assert "出入口已固定" in unmet.json()["error"]["message"]
    no_notes = _step(officer, number, "check", version, conditions=ALL_MET, notes="")
    assert no_notes.status_code == 400
    assert NumberingRequest.objects.get(number=number).status == "submitted"

    checked = _step(officer, number, "check", version, conditions=ALL_MET, notes="核查无误").json()
    stale = _step(officer, number, "number", version)  # based on the version before the check
    assert stale.status_code == 409, stale.content
    assert stale.json()["error"]["current_version"] == checked["version"]
    again = _step(officer, number, "check", checked["version"], conditions=ALL_MET, notes="再查")
    assert again.status_code == 400 and again.json()["error"]["field"] == "status"
    assert not HouseNumber.objects.filter(road=road).exists()


def test_only_officers_of_the_roads_county_take_the_steps_and_only_staff_read(accounts, road):
    request = _submit(accounts["officer_ningan"], road).json()
    number = request["number"]
    other = accounts["officer_hailin"]
    assert _submit(other, road).status_code == 403
    assert _step(other, number, "check", request["version"], conditions=ALL_MET, notes="x").status_code == 403
    assert _step(accounts["approver"], number, "reject", request["version"], reason="x").status_code == 403
    assert accounts["public"].get(f"{BASE}/{number}").status_code == 401  # the contact is never public
    assert accounts["public"].get(BASE).status_code == 401
    assert b"13900000000" not in accounts["public"].get(f"{BASE}/{number}").content
    by_admin = _step(accounts["administrator"], number, "check", request["version"], conditions=ALL_MET, notes="ok")
    assert by_admin.status_code == 200


def test_a_rejected_request_leaves_no_current_number(accounts, road):
    officer = accounts["officer_ningan"]
    first = _submit(officer, road).json()
    checked = _step(officer, first["number"], "check", first["version"], conditions=ALL_MET, notes="ok").json()
    assert _step(officer, first["number"], "reject", checked["version"], reason="").status_code == 400
    rejected = _step(officer, first["number"], "reject", checked["version"], reason="违法建筑，不予编号").json()
    assert rejected["status"] == "rejected" and rejected["decision_reason"] == "违法建筑，不予编号"
    assert rejected["house_number"] is None and not HouseNumber.objects.filter(road=road).exists()
    assert _step(officer, first["number"], "number", rejected["version"]).status_code == 400

    second = _submit(officer, road, building_name="宁安花园2号楼").json()
    version = _step(officer, second["number"], "check", second["version"], conditions=ALL_MET, notes="ok").json()
    numbered = _step(officer, second["number"], "number", version["version"]).json()
    assert numbered["house_number"]
    withdrawn = _step(officer, second["number"], "withdraw", numbered["version"], reason="申请人撤回").json()
    assert withdrawn["status"] == "withdrawn"
    (house,) = HouseNumber.objects.filter(road=road)
    assert house.status == "retired" and second["number"] in house.retired_reason
    assert officer.get(f"{BASE}/{second['number']}/certificate.pdf").status_code == 404


def test_requests_awaiting_a_step_are_in_the_county_officers_inbox(accounts, road):
    officer = accounts["officer_ningan"]
    users = get_user_model().objects
    ningan, hailin = users.get(username="officer_ningan"), users.get(username="officer_hailin")
    request = _submit(officer, road).json()
    number = request["number"]

    def listed(user) -> list[inbox.Item]:
        return [item for item in inbox.items_for(user) if item.title.startswith(number)]

    (item,) = listed(ningan)
    assert item.awaited.startswith("现场核查") and item.county == "宁安市" and "示例" in item.title
    assert item.url.endswith(f"/{NumberingRequest.objects.get(number=number).pk}/change/")
    assert listed(hailin) == [] and inbox.count_for(ningan) >= 1
    checked = _step(officer, number, "check", request["version"], conditions=ALL_MET, notes="ok").json()
    (item,) = listed(ningan)
    assert item.awaited.startswith("编号")
    _step(officer, number, "reject", checked["version"], reason="不予编号")
    assert listed(ningan) == []


def test_the_admin_takes_a_step_through_the_service(accounts, road, client):
    request = _submit(accounts["officer_ningan"], road).json()
    record = NumberingRequest.objects.get(number=request["number"])
    client.force_login(get_user_model().objects.get(username="officer_ningan"))
    page = client.get(f"/admin/gazetteer/numberingrequest/{record.pk}/change/")
    assert page.status_code == 200 and "现场核查".encode() in page.content
    step = f"/admin/gazetteer/numberingrequest/{record.pk}/step/"
    post = {"step": "check", "notes": "现场核查无误", "expected_version": record.version}
    client.post(step, {**post, "lawful_building": "on", "ground_floor_finished": "on"})  # one condition missing
    record.refresh_from_db()
    assert record.status == "submitted"
    client.post(step, {**post, "lawful_building": "on", "ground_floor_finished": "on", "entrance_fixed": "on"})
    record.refresh_from_db()
    assert record.status == "checked" and record.site_check == "现场核查无误"
