"""The marker-replacement campaign (boundaries.services.replacement) on the 海林市—宁安市 line with
demonstration markers: selection by state and age, each stone ordered, made, set and accepted by both
sides (the last acceptance writes the register), the dashboard's figures, and closing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from boundaries.models import BoundaryLine, BoundaryMarker, ReplacementItem
from boundaries.services import markers_registry as registry
from boundaries.services import replacement
from boundaries.services.demo_markers import place_on
from core.history import open_changeset
from core.models import Changeset
from tests.gazetteer_helpers import HAILIN, NINGAN

pytestmark = pytest.mark.django_db
URL = "/api/v1/replacement-campaigns"
TODAY = timezone.localdate()


@pytest.fixture
def worn(django_user_model) -> list[BoundaryMarker]:
    """The line's first marker damaged, its second lost, its third set in 1996, the rest as they are."""
    line = BoundaryLine.objects.get(code=f"{HAILIN}-{NINGAN}")
    place_on(line)
    markers = list(line.markers.order_by("distance_along_m"))
    changeset = open_changeset(Changeset.Kind.EDIT, "测试", author=django_user_model.objects.create_user("worn"))
    registry.record_status(markers[0], "damaged", changeset=changeset)
    registry.record_status(markers[1], "lost", changeset=changeset)
    registry.update_marker(markers[2], changeset=changeset, changes={"set_on": dt.date(1996, 5, 1)})
    return [BoundaryMarker.objects.get(pk=m.pk) for m in markers]


def test_the_markers_due_are_selected_with_why(worn):
    default = {m.number: why for m, why in replacement.due_markers(line_codes=[worn[0].line.code])}
    assert set(default) == {worn[0].number, worn[1].number}  # no criterion: the worn ones
    assert "损坏" in default[worn[0].number] and "丢失" in default[worn[1].number]
    old = {m.number: why for m, why in replacement.due_markers(older_than_years=25, line_codes=[worn[0].line.code])}
    assert set(old) == {worn[2].number} and "1996" in old[worn[2].number]
    never = replacement.due_markers(not_inspected_for_years=5, line_codes=[worn[0].line.code])
    assert len(never) == len(worn) and all(why == "never inspected" for _, why in never)


def _step(api, item_id, **body):
    version = ReplacementItem.objects.get(pk=item_id).version
    return api.patch(f"/api/v1/replacement-items/{item_id}", {"on": TODAY.isoformat(), "version": version, **body})


def test_a_stone_from_order_to_acceptance_by_both_sides(accounts, worn):
    hailin, ningan = accounts["officer_hailin"], accounts["officer_ningan"]
    made = hailin.post(
        URL,
        {
            "year": TODAY.year,
            "title": "海林—宁安线界桩更换",
            "criteria": {"states": ["damaged", "lost"], "line_codes": [worn[0].line.code]},
            "reason": "界桩更换工程",
        },
    )
    assert made.status_code == 201, made.content
    campaign = made.json()
    items = {item["marker"]: item for item in campaign["items"]}
    assert set(items) == {worn[0].number, worn[1].number} and campaign["number"].startswith("GH-")
    again = hailin.post(URL, {"year": TODAY.year, "title": "重复", "criteria": {"line_codes": [worn[0].line.code]},
                              "reason": "x"}).json()  # fmt: skip
    assert again["items"] == []  # a marker is in one open campaign at a time

    item = items[worn[0].number]["id"]
    assert _step(hailin, item, step="made").status_code == 400  # ordered first
    assert _step(hailin, item, step="ordered").json()["error"]["field"] == "maker"
    assert _step(hailin, item, step="ordered", maker="牡丹江石材厂", order_reference="DD-2026-01").status_code == 200
    assert _step(hailin, item, step="made").status_code == 200
    assert _step(hailin, item, step="set").json()["step"] == "set"
    stale = hailin.patch(
        f"/api/v1/replacement-items/{item}", {"step": "accepted", "on": TODAY.isoformat(), "version": 1}
    )
    assert stale.status_code == 409
    assert _step(hailin, item, step="accepted", side=NINGAN).status_code == 400  # 海林's officer accepts for 海林
    half = _step(hailin, item, step="accepted", side=HAILIN).json()
    assert half["step"] == "set" and [a["side"] for a in half["accepted_by"]] == [HAILIN]
    assert BoundaryMarker.objects.get(pk=worn[0].pk).status == "damaged"  # the register waits for both sides
    done = _step(ningan, item, step="accepted", side=NINGAN).json()
    assert done["step"] == "accepted" and done["accepted_on"] == TODAY.isoformat()
    marker = BoundaryMarker.objects.get(pk=worn[0].pk)
    assert (marker.status, marker.set_on) == ("intact", TODAY)
    assert marker.versions.order_by("-version").first().data["event"] == "replaced"

    number = campaign["number"]
    figures = hailin.get(f"{URL}/{number}/dashboard").json()
    assert figures["totals"]["total"] == 2 and figures["totals"]["accepted"] == 1 and figures["accepted_in_year"] == 1
    assert figures["by_line"][0]["code"] == worn[0].line.code and figures["by_line"][0]["selected"] == 1
    assert sum(c["total"] for c in figures["by_county"]) == 2
    assert figures["orders"] == [{"maker": "牡丹江石材厂", "markers": [worn[0].number], "references": ["DD-2026-01"]}]

    version = hailin.get(f"{URL}/{number}").json()["version"]
    refused = hailin.post(f"{URL}/{number}/close", {"version": version})
    assert refused.status_code == 400 and "not accepted or dropped" in refused.json()["error"]["message"]
    other = items[worn[1].number]["id"]
    assert _step(hailin, other, step="dropped").json()["error"]["field"] == "note"
    assert _step(hailin, other, step="dropped", note="并入下年度").status_code == 200
    assert hailin.post(f"{URL}/{number}/close", {"version": version}).json()["status"] == "closed"


def test_staff_only(accounts, worn):
    assert accounts["public"].get(URL).status_code == 401
    assert accounts["public"].get(f"{URL}/due").status_code == 401
    due = accounts["approver"].get(f"{URL}/due", state="lost").json()["markers"]
    assert [m["number"] for m in due] == [worn[1].number]
