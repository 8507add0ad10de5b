"""Every change of a boundary marker is an event both sides approve (boundaries.services.marker_events):
checked at once by the registry's rules, held until every party has approved it, applied once by the
last approval; the parties are boundaries.services.agreement's, as for the proposals that move an edge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker, MarkerEvent
from boundaries.permissions import marker_counties
from boundaries.services import agreement, marker_events
from boundaries.services import markers_registry as registry
from core import inbox
from core.history import VersionConflict, open_changeset
from core.models import Changeset
from tests.gazetteer_helpers import HAILIN, NINGAN, Api
from tests.test_markers import create_body, on_line, the_line

pytestmark = pytest.mark.django_db
MARKERS = "/api/v1/boundary-markers"
EVENTS = "/api/v1/marker-events"
DONGNING = "231086"
WHO = {("county", HAILIN): "officer_hailin", ("county", NINGAN): "officer_ningan", ("bureau", None): "approver"}


def user(name: str):
    return get_user_model().objects.get(username=name)


def direct_marker(fraction: float = 0.5, line: BoundaryLine | None = None) -> BoundaryMarker:
    """A marker written straight into the register (as the demonstration markers are)."""
    line = line or the_line()
    changeset = open_changeset(Changeset.Kind.EDIT, "登记既有界桩", label="tests")
    return registry.register_marker(changeset=changeset, line=line, kind="Q", geom=on_line(line, fraction))


def approve(api: Api, event: dict, **body):
    return api.post(f"{EVENTS}/{event['number']}/approve", {"version": event["version"], **body})


def test_both_counties_must_approve_and_the_second_approval_applies(accounts):
    marker = direct_marker()
    proposed = accounts["officer_ningan"].patch(
        f"{MARKERS}/{marker.number}", {"version": 1, "reason": "联检发现损坏", "status": "damaged"}
    )
    assert proposed.status_code == 202, proposed.content
    event = proposed.json()
    assert proposed["Location"] == f"{EVENTS}/{event['number']}" and event["number"].startswith("JZ-")
    assert (event["kind"], event["status"], event["marker"], event["needs_bureau"]) == (
        "status",
        "pending",
        marker.number,
        False,
    )
    assert [a["unit"] for a in event["approvals"]] == [NINGAN]  # the proposer's county approves by proposing
    assert event["awaiting"] == [{"party": "county", "unit": HAILIN, "outside": None}]
    marker.refresh_from_db()
    assert (marker.status, marker.version) == ("intact", 1)  # nothing applied yet

    applied = approve(accounts["officer_hailin"], event, party="county", unit=HAILIN)
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied" and applied.json()["awaiting"] == []
    marker.refresh_from_db()
    assert (marker.status, marker.version) == ("damaged", 2)
    latest = marker.versions.get(version=2)
    assert latest.data["event"] == "damaged" and latest.changeset.kind == Changeset.Kind.DECISION
    assert event["number"] in latest.changeset.reason
    again = approve(accounts["officer_hailin"], applied.json(), party="county", unit=HAILIN)
    assert again.status_code == 400 and BoundaryMarker.objects.get(pk=marker.pk).version == 2


def test_setting_a_marker_waits_for_both_counties_and_the_bureau(accounts):
    made = accounts["officer_ningan"].post(MARKERS, create_body(the_line()))
    assert made.status_code == 202, made.content
    event = made.json()
    assert event["kind"] == "set" and event["marker"] is None and event["needs_bureau"] is True
    assert [(a["party"], a["unit"]) for a in event["awaiting"]] == [("county", HAILIN), ("bureau", None)]
    assert not BoundaryMarker.objects.exists()
    event = approve(accounts["officer_hailin"], event, party="county", unit=HAILIN).json()
    assert event["status"] == "pending" and not BoundaryMarker.objects.exists()
    event = approve(accounts["approver"], event, party="bureau").json()
    assert event["status"] == "applied" and event["marker"]
    marker = BoundaryMarker.objects.get(number=event["marker"])
    assert marker.reference_objects.count() == 3 and marker.versions.get().data["event"] == "set"
    shown = accounts["approver"].get(f"{MARKERS}/{marker.number}").json()["properties"]
    assert shown["reference_objects"][0]["bearing"] == "0°00′"
    listed = accounts["approver"].get(EVENTS, status="applied", line=the_line().code).json()
    assert listed["count"] == 1 and listed["events"][0]["number"] == event["number"]
    assert accounts["approver"].get(EVENTS, status="pending").json()["count"] == 0


def test_a_rejection_or_a_withdrawal_leaves_the_register_untouched(accounts):
    marker = direct_marker()
    url = f"{MARKERS}/{marker.number}/abolish"
    event = (
        accounts["officer_ningan"].post(url, {"version": 1, "reason": "界线调整", "abolished_on": "2026-06-01"}).json()
    )
    assert event["kind"] == "abolish" and event["needs_bureau"] is True
    unrelated = accounts["approver"].post(f"{EVENTS}/{event['number']}/reject", {"note": "", "version": 1})
    assert unrelated.status_code == 400  # a note is required
    rejected = accounts["officer_hailin"].post(
        f"{EVENTS}/{event['number']}/reject", {"note": "界桩位置有争议", "version": event["version"]}
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["decision_note"] == "界桩位置有争议"
    marker.refresh_from_db()
    assert (marker.status, marker.version, marker.abolished_on) == ("intact", 1, None)
    assert approve(accounts["approver"], rejected.json(), party="bureau").status_code == 400
    again = accounts["officer_ningan"].post(url, {"version": 1, "reason": "界线调整", "abolished_on": "2026-06-01"})
    withdrawn = accounts["officer_ningan"].post(
        f"{EVENTS}/{again.json()['number']}/reject", {"note": "重新勘测", "version": again.json()["version"]}
    )
    assert withdrawn.json()["status"] == "withdrawn" and BoundaryMarker.objects.get(pk=marker.pk).version == 1


def test_an_officer_of_an_unrelated_county_cannot_approve_or_reject(accounts):
    _, key = create_officer("officer_dongning", role=Role.OFFICER, counties=[DONGNING], with_token=True)
    dongning = Api(key)
    marker = direct_marker()
    event = (
        accounts["officer_ningan"]
        .patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "丢失", "status": "lost"})
        .json()
    )
    for body in ({"party": "county", "unit": HAILIN}, {"party": "county", "unit": DONGNING}, {"party": "bureau"}):
        refused = approve(dongning, event, **body)
        assert refused.status_code == 400, body
    assert "your role does not give" in approve(dongning, event, party="county", unit=HAILIN).json()["error"]["message"]
    rejected = dongning.post(f"{EVENTS}/{event['number']}/reject", {"note": "不同意", "version": event["version"]})
    assert rejected.status_code == 400
    assert (
        dongning.patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "x", "status": "lost"}).status_code == 403
    )
    assert accounts["public"].get(EVENTS).status_code == 401
    assert MarkerEvent.objects.get(number=event["number"]).status == "pending"


def test_a_marker_that_changed_meanwhile_makes_the_last_approval_a_409(accounts):
    marker = direct_marker()
    event = (
        accounts["officer_ningan"]
        .patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "修复", "status": "damaged"})
        .json()
    )
    changeset = open_changeset(Changeset.Kind.EDIT, "meanwhile", label="tests")
    registry.update_marker(marker, changeset=changeset, changes={"position_description": "路东"}, expected_version=1)
    conflict = approve(accounts["officer_hailin"], event, party="county", unit=HAILIN)
    assert conflict.status_code == 409
    assert conflict.json()["error"]["your_version"] == 1 and conflict.json()["error"]["current_version"] == 2
    assert MarkerEvent.objects.get(number=event["number"]).status == "pending"
    assert BoundaryMarker.objects.get(pk=marker.pk).status == "intact"
    stale = accounts["officer_ningan"].patch(
        f"{MARKERS}/{marker.number}", {"version": 1, "reason": "x", "status": "lost"}
    )
    assert stale.status_code == 409  # a stale base is refused when proposed too


def test_a_set_event_that_breaks_a_rule_is_refused_when_proposed(accounts):
    line = the_line()
    officer = accounts["officer_ningan"]
    away = {"type": "Point", "coordinates": [129.47, 44.34]}  # 13 km from the line
    refused = officer.post(MARKERS, create_body(line) | {"geometry": away})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "off_line_reason"
    taken = direct_marker(0.3)
    duplicate = officer.post(MARKERS, create_body(line, 0.31) | {"sequence": taken.sequence})
    assert duplicate.status_code == 400 and "taken" in duplicate.json()["error"]["message"]
    twin = officer.post(MARKERS, create_body(line, 0.31) | {"sequence": taken.sequence, "kind": "B"})
    assert twin.status_code == 400 and twin.json()["error"]["field"] == "sequence"
    assert not MarkerEvent.objects.exists()
    assert officer.post(MARKERS, create_body(line) | {"kind": "C"}).status_code == 400  # no tri-point here
    pending = officer.patch(f"{MARKERS}/{taken.number}", {"version": 1, "reason": "损坏", "status": "damaged"})
    second = officer.patch(f"{MARKERS}/{taken.number}", {"version": 1, "reason": "丢失", "status": "lost"})
    assert (
        pending.status_code == 202
        and second.status_code == 400
        and "pending event" in second.json()["error"]["message"]
    )


def _outer_marker() -> tuple[BoundaryMarker, AdminUnit]:
    line = BoundaryLine.objects.get(code="231000-230100")  # 牡丹江市—哈尔滨市线
    marker = direct_marker(0.5, line)
    (county_id,) = marker_counties(line, marker.geom)
    return marker, AdminUnit.objects.get(pk=county_id)


def test_on_the_citys_outline_the_outside_partys_signature_is_recorded(accounts):
    marker, county = _outer_marker()
    _, key = create_officer("officer_outer", role=Role.OFFICER, counties=[county.code], with_token=True)
    officer = Api(key)
    event = officer.patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "损坏", "status": "damaged"}).json()
    assert event["awaiting"] == [{"party": "outside", "unit": None, "outside": "230100"}]
    unsigned = approve(officer, event, party="outside", outside="230100")
    assert unsigned.status_code == 400 and "who signed" in unsigned.json()["error"]["message"]
    assert (
        approve(
            accounts["officer_hailin" if county.code != HAILIN else "officer_ningan"],
            event,
            party="outside",
            outside="230100",
            signed_by="李某",
            signed_on="2026-11-30",
            document="哈民函〔2026〕9号",
        ).status_code
        == 400
    )
    signed = approve(
        officer,
        event,
        party="outside",
        outside="230100",
        signed_by="哈尔滨市民政局 李某",
        signed_on="2026-11-30",
        document="哈民函〔2026〕88号",
    )
    assert signed.status_code == 200 and signed.json()["status"] == "applied"
    assert signed.json()["approvals"][-1]["document"] == "哈民函〔2026〕88号"
    assert BoundaryMarker.objects.get(pk=marker.pk).status == "damaged"


def test_pending_events_wait_in_the_parties_inboxes(accounts):
    provider = next(p for p in inbox.providers() if p.name == "marker events")
    marker = direct_marker()
    status = (
        accounts["officer_ningan"]
        .patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "损坏", "status": "damaged"})
        .json()
    )
    hailin, ningan, approver = user("officer_hailin"), user("officer_ningan"), user("approver")
    assert provider.count(hailin) == 1 and [i.title.split()[0] for i in provider.items(hailin)] == [status["number"]]
    assert provider.count(ningan) == 0 and provider.count(approver) == 0  # no bureau for a state found
    set_event = accounts["officer_hailin"].post(MARKERS, create_body(the_line(), 0.7)).json()
    assert provider.count(approver) == 1 and provider.count(ningan) == 1 and provider.count(hailin) == 1
    approve(accounts["officer_ningan"], set_event, party="county", unit=NINGAN)
    assert provider.count(ningan) == 0 and provider.count(approver) == 1
    for who in (hailin, ningan, approver, user("administrator")):
        assert provider.count(who) == len(provider.items(who))
    marker_, county = _outer_marker()
    outer, key = create_officer("officer_outer", role=Role.OFFICER, counties=[county.code], with_token=True)
    before = provider.count(outer)
    Api(key).patch(f"{MARKERS}/{marker_.number}", {"version": 1, "reason": "损坏", "status": "damaged"})
    assert provider.count(outer) == before + 1 == len(provider.items(outer))  # the outside party's to record


def test_the_parties_decide_on_the_events_admin_page(accounts):
    marker = direct_marker()
    event = (
        accounts["officer_ningan"]
        .patch(f"{MARKERS}/{marker.number}", {"version": 1, "reason": "损坏", "status": "damaged"})
        .json()
    )
    row = MarkerEvent.objects.get(number=event["number"])
    page = f"/admin/boundaries/markerevent/{row.pk}/change/"
    hailin = Client()
    hailin.force_login(user("officer_hailin"))
    shown = hailin.get(page).content.decode()
    assert "批准 Approve for 海林市" in shown and "decide/" in shown and "damaged" in shown
    decided = hailin.post(
        f"{page.removesuffix('change/')}decide/", {"choice": "approve:0", "expected_version": row.version}
    )
    assert decided.status_code == 302
    row.refresh_from_db()
    assert row.status == "applied" and BoundaryMarker.objects.get(pk=marker.pk).status == "damaged"
    assert "已生效 applied" in hailin.get(page).content.decode()


# ---- any order of approvals applies the event once, and only when every party has approved -------------


@pytest.fixture
def actors(db):
    made = {}
    for name, role, counties in (
        ("p_hailin", Role.OFFICER, [HAILIN]),
        ("p_ningan", Role.OFFICER, [NINGAN]),
        ("p_approver", Role.APPROVER, []),
        ("p_dongning", Role.OFFICER, [DONGNING]),
        ("p_admin", Role.ADMINISTRATOR, []),
    ):
        made[name], _ = create_officer(name, role=role, counties=counties)
    return made


STEPS = st.lists(
    st.sampled_from(
        [
            ("p_hailin", "county", HAILIN),
            ("p_ningan", "county", NINGAN),
            ("p_approver", "bureau", None),
            ("p_dongning", "county", DONGNING),
            ("p_dongning", "county", HAILIN),
            ("p_hailin", "county", NINGAN),
            ("p_ningan", "bureau", None),
        ]
    ),
    max_size=9,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_any_order_of_approvals_applies_the_event_exactly_once(actors, steps):
    units = {code: AdminUnit.objects.current().get(code=code) for code in (HAILIN, NINGAN, DONGNING)}
    with transaction.atomic():
        marker = direct_marker(0.5)
        event = marker_events.propose(
            marker_events.Kind.MOVE,
            user=actors["p_admin"],  # an administrator gives no county's approval by proposing
            reason="道路施工迁移",
            marker=marker,
            expected_version=1,
            geom=on_line(the_line(), 0.502),
        )
        needed = {need.key for need in marker_events.parties(event).needed}
        assert len(needed) == 3  # both counties and the bureau (a move)
        given_ = set()
        for name, party, code in steps:
            unit = units[code] if code else None
            try:
                event = marker_events.approve(event, user=actors[name], party=party, unit=unit)
            except agreement.Refused:
                pass
            else:
                given_.add((party, unit.pk if unit else None, None))
            event.refresh_from_db()
            marker.refresh_from_db()
            applied = MarkerEvent.objects.get(pk=event.pk).status == "applied"
            assert applied == (given_ == needed)
            moves = marker.versions.filter(data__event="moved").count()
            assert (moves, marker.version) == ((1, 2) if applied else (0, 1))
        transaction.set_rollback(True)


def test_the_registry_checks_without_writing(accounts):
    marker = direct_marker()
    with pytest.raises(registry.MarkerRuleError, match="abolished by its own step"):
        registry.check("update_marker", marker, changes={"status": "abolished"})
    with pytest.raises(VersionConflict):
        registry.check("record_status", marker, expected_version=5, status="lost")
    registry.check("replace_marker", marker, set_on=dt.date(2026, 6, 1), material="reinforced_concrete")
    registry.check("move_marker", marker, geom=on_line(the_line(), 0.51))
    marker.refresh_from_db()
    assert (marker.version, marker.material, marker.set_on) == (1, "granite", None)
