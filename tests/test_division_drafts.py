"""Draft division changes (boundaries.services.division_drafts): a farm's villages folded into a
township (the plan's 乡镇设置调整 as 森工、农垦 units join local government), previewed before anyone
approves it, applied on approval as dated events citing the legal basis, seen through ?at=."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from boundaries.models import AdminUnit, DivisionChange, DivisionDraft
from boundaries.services import division_drafts
from tests.gazetteer_helpers import HAILIN

pytestmark = pytest.mark.django_db
URL = "/api/v1/division-drafts"
FARM, TOWN = "231083500", "231083100"  # 海林农场 (statistical, from the NBS list) and 海林镇
EFFECTIVE, DAY_BEFORE = "2026-06-01", "2026-05-31"
BASIS = {"authority": "黑龙江省人民政府", "document": "黑政函〔2026〕12号", "date": "2026-05-20"}
FOLD = {
    "kind": "transfer",
    "title": "海林农场并入海林镇",
    "reason": "农垦社区移交属地管理",
    "steps": [{"op": "fold", "unit": FARM, "to": TOWN}],
    "effective_date": EFFECTIVE,
}


def _draft(accounts, body=None) -> dict:
    made = accounts["officer_hailin"].post(URL, body or FOLD)
    assert made.status_code == 201, made.content
    return made.json()


def _units_under(parent: str, at: str) -> set[str]:
    params = {"parent": parent, "at": at, "geometry": "none"}
    answer = Client().get("/api/v1/units", params)
    assert answer.status_code == 200, answer.content
    return {f["properties"]["code"] for f in answer.json()["features"]}


def _state() -> list:
    return list(AdminUnit.objects.order_by("pk").values_list("pk", "code", "parent_id", "valid_to", "version"))


def test_folding_a_farm_into_a_township_previews_then_applies_as_dated_events(accounts):
    farm_children = set(AdminUnit.objects.current().filter(parent__code=FARM).values_list("code", flat=True))
    assert farm_children, "the NBS list holds village-tier units under 海林农场"
    before = _state()

    draft = _draft(accounts)
    number = draft["number"]
    assert draft["status"] == "draft" and draft["number"].startswith("QH-")
    transfers = [s for s in draft["steps"] if s["op"] == "transfer"]
    assert {s["unit"] for s in transfers} == farm_children and draft["steps"][-1] == {"op": "abolish", "unit": FARM}
    new_codes = {s["code"] for s in transfers}
    assert all(code.startswith(TOWN) and len(code) == 12 for code in new_codes)

    preview = accounts["officer_hailin"].get(f"{URL}/{number}/preview").json()
    rows = {row["code"]: row for row in preview["units"]}
    town, farm, county = rows[TOWN], rows[FARM], rows[HAILIN]
    villages = AdminUnit.objects.current().filter(parent__code=TOWN).count()
    assert town["children"] == {"before": {"village": villages}, "after": {"village": villages + len(farm_children)}}
    assert farm["change"] == "abolished" and farm["after"] is None
    assert farm["children"]["before"] == {"village": len(farm_children)}
    assert county["children"]["before"]["township"] - county["children"]["after"]["township"] == 1
    assert county["children"]["before"]["village"] == county["children"]["after"]["village"]
    assert county["area_km2"]["before"] == county["area_km2"]["after"] > 1000  # 海林市, EPSG:4511
    assert town["area_km2"]["before"] is None and "no polygon" in town["area_km2"]["note"]
    moved = next(iter(farm_children))
    assert rows[moved]["change"] == "transferred" and rows[moved]["after"]["parent"]["code"] == TOWN
    assert _state() == before  # nothing changes before approval

    version = DivisionDraft.objects.get(number=number).version
    unbased = accounts["approver"].post(f"{URL}/{number}/approve", {"version": version})
    assert unbased.status_code == 400 and "legal basis" in unbased.json()["error"]["message"]
    assert _state() == before

    approved = accounts["approver"].post(f"{URL}/{number}/approve", {**BASIS, "version": version})
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert body["status"] == "approved" and body["basis"]["document"] == BASIS["document"]

    assert farm_children <= _units_under(FARM, DAY_BEFORE) and not new_codes & _units_under(TOWN, DAY_BEFORE)
    assert new_codes <= _units_under(TOWN, EFFECTIVE) and not farm_children & _units_under(TOWN, EFFECTIVE)
    then = Client().get(f"/api/v1/units/{moved}", {"at": DAY_BEFORE, "geometry": "none"}).json()["properties"]
    assert then["parent"]["code"] == FARM
    assert Client().get(f"/api/v1/units/{moved}", {"at": EFFECTIVE}).status_code == 404  # ended the day before
    farm_then = Client().get("/api/v1/units", {"parent": HAILIN, "at": DAY_BEFORE, "geometry": "none"}).json()
    assert FARM in {f["properties"]["code"] for f in farm_then["features"]}
    assert FARM not in _units_under(HAILIN, EFFECTIVE)

    events = DivisionChange.objects.filter(changeset=DivisionDraft.objects.get(number=number).changeset)
    kinds = sorted(events.values_list("kind", flat=True))
    assert kinds == sorted(["abolished", *["transferred"] * len(farm_children)])
    for event in events:
        assert event.document_number == BASIS["document"] and str(event.effective_date) == EFFECTIVE
        assert event.source_record["basis"] == BASIS and event.source_record["draft"] == number
    move = events.get(old_code=moved)
    assert (move.old_parent_code, move.new_parent_code) == (FARM, TOWN) and move.new_code in new_codes
    assert len(body["division_changes"]) == len(kinds)
    kept = accounts["approver"].get(f"{URL}/{number}/preview").json()
    assert kept["status"] == "approved" and {r["code"] for r in kept["units"]} == set(rows)


def test_a_stale_edit_is_a_409_and_an_officer_cannot_approve(accounts):
    draft = _draft(accounts)
    number, version = draft["number"], draft["version"]
    edited = accounts["officer_hailin"].patch(
        f"{URL}/{number}", {"title": "海林农场社区移交海林镇", "version": version}
    )
    assert edited.status_code == 200 and edited.json()["version"] == version + 1
    stale = accounts["officer_hailin"].patch(f"{URL}/{number}", {"title": "again", "version": version})
    assert stale.status_code == 409
    assert stale.json()["error"]["current_version"] == version + 1

    refused = accounts["officer_hailin"].post(f"{URL}/{number}/approve", {**BASIS, "version": version + 1})
    assert refused.status_code == 403
    assert DivisionDraft.objects.get(number=number).status == "draft"
    assert AdminUnit.objects.current().filter(code=FARM).exists()


def test_the_steps_are_checked_against_the_register(accounts):
    officer = accounts["officer_hailin"]
    village = AdminUnit.objects.current().filter(parent__code=FARM).order_by("code").first()
    cases = [
        ([{"op": "transfer", "unit": village.code, "to": HAILIN}], "tier"),  # a village under a county
        ([{"op": "transfer", "unit": "231083999999", "to": TOWN}], "no current unit"),
        ([{"op": "transfer", "unit": village.code, "to": TOWN, "code": "231083100001"}], "in use"),
        ([{"op": "transfer", "unit": village.code, "to": TOWN, "code": "231084100201"}], "under its parent"),
        ([{"op": "abolish", "unit": FARM}], "units under it"),
        ([{"op": "rename", "unit": FARM, "name": "海林农场"}], "only abolish, transfer"),  # not a transfer's step
    ]
    drafts_before = DivisionDraft.objects.count()
    for steps, words in cases:
        kind = "abolish" if steps[0]["op"] == "abolish" else "transfer"
        answer = officer.post(URL, {**FOLD, "kind": kind, "steps": steps})
        assert answer.status_code == 400, (steps, answer.content)
        assert words in answer.json()["error"]["message"], answer.json()
    other_county = accounts["officer_ningan"].post(URL, FOLD)
    assert other_county.status_code == 403
    assert DivisionDraft.objects.count() == drafts_before


def test_rejected_by_the_approver_or_withdrawn_by_the_drafter(accounts):
    first, second = _draft(accounts), _draft(accounts, {**FOLD, "title": "第二方案"})
    assert first["steps"][0]["code"] != second["steps"][0]["code"]  # an open draft's codes are kept for it
    rejected = accounts["approver"].post(f"{URL}/{first['number']}/reject", {"note": "材料不全", "version": 1})
    assert rejected.json()["status"] == "rejected" and rejected.json()["decided_by"] == "approver"
    withdrawn = accounts["officer_hailin"].post(f"{URL}/{second['number']}/reject", {"note": "重拟", "version": 1})
    assert withdrawn.json()["status"] == "withdrawn"
    again = accounts["approver"].post(f"{URL}/{first['number']}/approve", {**BASIS, "version": 2})
    assert again.status_code == 400 and AdminUnit.objects.current().filter(code=FARM).exists()


def test_a_rename_keeps_the_unit_and_dates_its_former_name(accounts):
    admin = get_user_model().objects.get(username="administrator")
    draft = division_drafts.create(
        user=admin,
        kind="rename",
        title="海林镇更名",
        reason="测试",
        steps=[{"op": "rename", "unit": TOWN, "name": "海林新镇"}],
    )
    basis = {"authority": "黑龙江省民政厅", "document": "黑民函〔2026〕3号", "basis_date": dt.date(2026, 5, 1)}
    with pytest.raises(division_drafts.DraftRefused, match="effective"):
        division_drafts.approve(draft, user=admin, **basis)
    done = division_drafts.approve(draft, user=admin, **basis, effective_date=dt.date(2026, 6, 1))
    town = AdminUnit.objects.get(code=TOWN, valid_to__isnull=True)
    assert done.status == "approved" and town.name == "海林新镇" and town.pk == AdminUnit.objects.get(code=TOWN).pk

    def name_on(day: str) -> str:
        return Client().get(f"/api/v1/units/{TOWN}", {"at": day, "geometry": "none"}).json()["properties"]["name"]

    assert (name_on(DAY_BEFORE), name_on(EFFECTIVE)) == ("海林镇", "海林新镇")
