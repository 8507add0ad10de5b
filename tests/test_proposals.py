"""A change to a shared boundary is a proposal (boundaries.services.proposals): checked at once, held
until both counties' officers and the bureau's approver (and, on the city's outline, the outside
party's recorded signature) have approved it, then applied whole; a party may reject it."""

from __future__ import annotations

import json

import pytest
import shapely
import shapely.geometry
from django.contrib.gis.geos import GEOSGeometry

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import AdminUnit, BoundaryLine, BoundaryProposal, TopologyEdge
from boundaries.services import topology
from core import inbox
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset
from tests.gazetteer_helpers import HAILIN, NINGAN, Api

pytestmark = pytest.mark.django_db
XIAN = "231005"
URL = "/api/v1/topology/proposals"


@pytest.fixture
def parties(accounts):
    user, key = create_officer("officer_xian", role=Role.OFFICER, counties=[XIAN], with_token=True)
    return {**accounts, "officer_xian": Api(key), "xian_user": user}


def _edge(a: str, b: str | None) -> TopologyEdge:
    edges = TopologyEdge.objects.filter(left__code__in=[a, b], right__code__in=[a, b]) if b else None
    if b is None:
        edges = TopologyEdge.objects.filter(left__isnull=True, right__code=a) | TopologyEdge.objects.filter(
            right__isnull=True, left__code=a
        )
        edges = edges.filter(line__level="prefecture")
    return edges.order_by("pk").first()


def _course(edge: TopologyEdge, dx: float, dy: float = 0.0) -> dict:
    coords = list(from_geos(edge.geom).coords)
    i = len(coords) // 2
    coords[i] = (coords[i][0] + dx, coords[i][1] + dy)
    return json.loads(GEOSGeometry(to_geos(shapely.LineString(coords)).wkt, srid=4490).json)


def _state(edge: TopologyEdge) -> tuple:
    units = tuple(
        AdminUnit.objects.filter(pk__in=[edge.left_id, edge.right_id]).order_by("pk").values_list("version", flat=True)
    )
    return TopologyEdge.objects.get(pk=edge.pk).geom.wkb, units


def _propose(api, edge, dx=0.001, dy=0.0005):
    return api.post(
        URL, {"edge": edge.pk, "geometry": _course(edge, dx, dy), "version": edge.version, "reason": "道路改线"}
    )


def _approve(api, number, **body):
    version = BoundaryProposal.objects.get(number=number).version
    return api.post(f"{URL}/{number}/approve", {"version": version, **body})


def test_a_shared_edge_changes_only_when_both_counties_and_the_bureau_approve(parties):
    edge = _edge(HAILIN, XIAN)
    before = _state(edge)
    made = _propose(parties["officer_hailin"], edge)
    assert made.status_code == 201, made.content
    proposal = made.json()
    number = proposal["number"]
    assert proposal["status"] == "pending" and made["Location"] == f"{URL}/{number}"
    assert proposal["approvals"][0]["unit"] == HAILIN  # the proposer's county approves by proposing
    assert [(a["party"], a["unit"]) for a in proposal["awaiting"]] == [("county", XIAN), ("bureau", None)]
    assert _state(edge) == before  # nothing applied yet

    refused = _approve(parties["officer_ningan"], number, party="county", unit=XIAN)
    assert refused.status_code == 400 and "your role does not give" in refused.json()["error"]["message"]
    wrong_party = _approve(parties["officer_xian"], number, party="bureau")
    assert wrong_party.status_code == 400
    assert _approve(parties["officer_xian"], number, party="county", unit=XIAN).json()["status"] == "pending"
    assert _state(edge) == before

    applied = _approve(parties["approver"], number, party="bureau")
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied" and applied.json()["awaiting"] == []
    geom, versions = _state(edge)
    assert geom != before[0] and all(v == w + 1 for v, w in zip(versions, before[1], strict=True))
    assert topology.validate() == []
    moved = shapely.geometry.shape(_course(edge, 0.001, 0.0005))
    line = from_geos(BoundaryLine.objects.get(pk=edge.line_id).geom)
    assert line.hausdorff_distance(moved) < 1e-6  # the line is its edge's new course


def test_a_proposal_that_would_break_the_tiling_is_refused_with_where(parties):
    edge = _edge(HAILIN, XIAN)
    refused = _propose(parties["officer_hailin"], edge, dx=0.3, dy=0.3)
    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["field"] == "geometry" and len(error["where"]) == 2
    assert not BoundaryProposal.objects.exists()
    assert _propose(parties["officer_ningan"], edge).status_code == 400  # no party to this edge


def test_on_the_citys_outline_the_outside_party_signs_and_an_officer_records_it(parties):
    edge = _edge(HAILIN, None)  # 海林市 and 哈尔滨市 across the city's outline
    made = _propose(parties["officer_hailin"], edge)
    assert made.status_code == 201, made.content.decode()
    number = made.json()["number"]
    proposal = BoundaryProposal.objects.get(number=number)
    awaiting = parties["officer_hailin"].get(f"{URL}/{number}").json()["awaiting"]
    outside = next(a["outside"] for a in awaiting if a["party"] == "outside")
    assert outside == "230100"
    unsigned = _approve(parties["officer_hailin"], number, party="outside", outside=outside)
    assert unsigned.status_code == 400 and "who signed" in unsigned.json()["error"]["message"]
    signed = _approve(
        parties["officer_hailin"],
        number,
        party="outside",
        outside=outside,
        signed_by="哈尔滨市民政局 李某",
        signed_on="2026-11-30",
        document="哈民函〔2026〕88号",
    )
    assert signed.status_code == 200 and signed.json()["status"] == "pending"
    assert _approve(parties["approver"], number, party="bureau").json()["status"] == "applied"
    assert proposal.approvals.get(party="outside").document == "哈民函〔2026〕88号"


def test_a_party_rejects_or_the_proposer_withdraws_and_nothing_is_applied(parties):
    edge = _edge(HAILIN, XIAN)
    before = _state(edge)
    number = _propose(parties["officer_hailin"], edge).json()["number"]
    version = BoundaryProposal.objects.get(number=number).version
    outsider = parties["officer_ningan"].post(f"{URL}/{number}/reject", {"note": "不同意", "version": version})
    assert outsider.status_code == 400
    rejected = parties["officer_xian"].post(f"{URL}/{number}/reject", {"note": "界址有争议", "version": version})
    assert rejected.json()["status"] == "rejected" and _state(edge) == before
    number = _propose(parties["officer_hailin"], edge).json()["number"]  # a new one may be drawn now
    version = BoundaryProposal.objects.get(number=number).version
    withdrawn = parties["officer_hailin"].post(f"{URL}/{number}/reject", {"note": "重新测量", "version": version})
    assert withdrawn.json()["status"] == "withdrawn" and _state(edge) == before


def test_an_edge_that_moved_on_makes_the_last_approval_a_conflict(parties):
    edge = _edge(HAILIN, XIAN)
    number = _propose(parties["officer_hailin"], edge).json()["number"]
    assert _approve(parties["officer_xian"], number, party="county", unit=XIAN).status_code == 200
    coords = list(from_geos(edge.geom).coords)
    coords[3] = (coords[3][0] + 0.0002, coords[3][1])
    changeset = open_changeset(Changeset.Kind.EDIT, "moved meanwhile", label="tests")
    topology.move_edge(edge, shapely.LineString(coords), changeset=changeset, expected_version=edge.version)
    conflict = _approve(parties["approver"], number, party="bureau")
    assert conflict.status_code == 409
    assert BoundaryProposal.objects.get(number=number).status == "pending"


def test_pending_proposals_wait_in_the_parties_inboxes(parties):
    edge = _edge(HAILIN, XIAN)
    number = _propose(parties["officer_hailin"], edge).json()["number"]
    provider = next(p for p in inbox.providers() if p.name == "boundary proposals")
    xian = parties["xian_user"]
    assert provider.count(xian) == 1 and [i.title.split()[0] for i in provider.items(xian)] == [number]
    from django.contrib.auth import get_user_model

    approver = get_user_model().objects.get(username="approver")
    hailin = get_user_model().objects.get(username="officer_hailin")
    assert provider.count(approver) == 1 and provider.count(hailin) == 0  # 海林市 approved by proposing
    _approve(parties["officer_xian"], number, party="county", unit=XIAN)
    assert provider.count(xian) == 0 and provider.count(approver) == 1


def test_the_parties_decide_on_the_proposals_admin_page(parties):
    from django.contrib.auth import get_user_model
    from django.test import Client

    edge = _edge(HAILIN, XIAN)
    number = _propose(parties["officer_hailin"], edge).json()["number"]
    proposal = BoundaryProposal.objects.get(number=number)
    page = f"/admin/boundaries/boundaryproposal/{proposal.pk}/change/"
    xian = Client()
    xian.force_login(parties["xian_user"])
    shown = xian.get(page).content.decode()
    assert "批准 Approve for 西安区" in shown and "批准 Approve for 市民政局审批人" in shown
    decided = xian.post(
        f"{page.removesuffix('change/')}decide/", {"choice": "approve:0", "expected_version": proposal.version}
    )
    assert decided.status_code == 302
    assert proposal.approvals.filter(unit__code=XIAN).exists()

    approver = Client()
    approver.force_login(get_user_model().objects.get(username="approver"))
    proposal.refresh_from_db()
    approver.post(
        f"{page.removesuffix('change/')}decide/", {"choice": "approve:0", "expected_version": proposal.version}
    )
    proposal.refresh_from_db()
    assert proposal.status == "applied"
    after = approver.get(page).content.decode()
    assert "已生效 applied" in after and "decide/" not in after


# ---- a changeset that touches shared boundaries is held whole ---------------------------------------------


def _edge_edit(edge: TopologyEdge, dx: float) -> dict:
    return {"kind": "edge", "key": str(edge.pk), "version": edge.version, "changes": {"geometry": _course(edge, dx)}}


def test_a_changeset_moving_two_edges_and_a_place_is_held_whole_until_every_party_approves(parties):
    from tests.test_changesets_api import place_edit, places_in

    first, second = _edge(HAILIN, XIAN), _edge(HAILIN, NINGAN)
    (place,) = places_in(HAILIN, 1)
    before = (_state(first), _state(second), place.version)
    body = {
        "reason": "道路改线，两段界线随路调整",
        "edits": [_edge_edit(first, 0.001), _edge_edit(second, 0.0008), place_edit(place, description="改线后")],
    }
    held = parties["officer_hailin"].post("/api/v1/changesets", body)
    assert held.status_code == 202, held.content
    numbers = [p["number"] for p in held.json()["proposals"]]
    assert len(numbers) == 2 and held.json()["held_edits"][0]["key"] == place.code
    assert held.json()["proposals"][0]["held_with"] == numbers[1:]
    assert (_state(first), _state(second), type(place).objects.get(pk=place.pk).version) == before

    # The bureau's approval of one is its approval of the whole changeset.
    assert _approve(parties["approver"], numbers[0], party="bureau").status_code == 200
    assert [a["party"] for a in BoundaryProposal.objects.get(number=numbers[1]).approvals.values("party")] == [
        "county",
        "bureau",
    ]
    assert _approve(parties["officer_xian"], numbers[0], party="county", unit=XIAN).json()["status"] == "pending"
    assert _state(first) == before[0]  # its own parties have all approved, but the changeset is one
    last = _approve(parties["officer_ningan"], numbers[1], party="county", unit=NINGAN)
    assert last.status_code == 200 and last.json()["status"] == "applied", last.content
    assert BoundaryProposal.objects.get(number=numbers[0]).status == "applied"
    assert _state(first) != before[0] and _state(second) != before[1]
    assert type(place).objects.get(pk=place.pk).description == "改线后"


def test_a_changeset_held_whole_is_rejected_whole(parties):
    first, second = _edge(HAILIN, XIAN), _edge(HAILIN, NINGAN)
    body = {"reason": "x", "edits": [_edge_edit(first, 0.001), _edge_edit(second, 0.0008)]}
    numbers = [p["number"] for p in parties["officer_hailin"].post("/api/v1/changesets", body).json()["proposals"]]
    version = BoundaryProposal.objects.get(number=numbers[1]).version
    refused = parties["officer_ningan"].post(f"{URL}/{numbers[1]}/reject", {"note": "不同意", "version": version})
    assert refused.json()["status"] == "rejected"
    assert BoundaryProposal.objects.get(number=numbers[0]).status == "rejected"
    bad = {"reason": "x", "edits": [_edge_edit(first, 0.5)]}  # far off its nodes' course: refused at once
    answer = parties["officer_hailin"].post("/api/v1/changesets", bad)
    assert answer.status_code == 400 and answer.json()["error"]["edit"] == 0
    assert BoundaryProposal.objects.filter(edge=first, status="pending").count() == 0
