"""A change to a shared boundary is a proposal (界线变更): a new course for one edge, checked at once
(topology.check_move: the move's own checks, nothing written), held until every party has
approved it, then applied whole by boundaries.services.topology.move_edge; nothing of it is applied
before. Who must approve:

- the officers of the county-level units on both sides of the edge (the proposer's own county counts
  as approved by proposing);
- inside the city, the bureau's approver;
- on the city's outer boundary, the party outside the system (a neighbouring prefecture, another
  province, Russia): an officer of a county on the line records its signed approval (who signed, on
  which day, the document).

Any required party may reject; the proposer may withdraw. An edge that moved on since the proposal was
drawn makes its last approval a conflict (core.records.VersionConflict): draw it again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.db import transaction
from django.utils import timezone

from accounts.models import Role
from accounts.roles import assigned_counties, is_administrator, may_write_in, roles
from boundaries.models import AdminUnit, BoundaryProposal, ContextArea, ProposalApproval, TopologyEdge
from boundaries.services import topology
from core.events import RecordChanged, announce
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number

Status = BoundaryProposal.Status
Party = ProposalApproval.Party


class ProposalRefused(ValueError):
    """The proposal, approval or refusal does not fit its state or the user's part."""


@dataclass(frozen=True)
class Required:
    party: str
    unit: AdminUnit | None = None
    outside: ContextArea | None = None

    @property
    def label(self) -> str:
        if self.party == Party.BUREAU:
            return "市民政局审批人 the bureau's approver"
        return (self.unit or self.outside).name


def required(proposal_or_edge) -> list[Required]:
    """The parties whose approval the change needs."""
    edge = proposal_or_edge.edge if isinstance(proposal_or_edge, BoundaryProposal) else proposal_or_edge
    needed = [Required(Party.COUNTY, unit=unit) for unit in (edge.left, edge.right) if unit is not None]
    needed.append(Required(Party.BUREAU))
    if edge.left_id is None or edge.right_id is None:
        line = edge.line
        outside = [row.outside for row in line.party_rows.select_related("outside") if row.outside_id] if line else []
        needed += [Required(Party.OUTSIDE, outside=area) for area in outside]
    return needed


def missing(proposal: BoundaryProposal) -> list[Required]:
    given = {(a.party, a.unit_id, a.outside_id) for a in proposal.approvals.all()}
    return [
        need
        for need in required(proposal)
        if (need.party, need.unit.pk if need.unit else None, need.outside.pk if need.outside else None) not in given
    ]


def _number() -> str:
    """BJ-year-serial, e.g. BJ-2026-0001 (core.serials)."""
    try:
        year = timezone.localdate().year
        return next_number("boundary-proposal", BoundaryProposal.objects, "number", f"BJ-{year}-")
    except SerialsExhausted as exc:
        raise ProposalRefused(str(exc)) from None


def _sides(edge: TopologyEdge) -> set[int]:
    return {unit_id for unit_id in (edge.left_id, edge.right_id) if unit_id is not None}


@transaction.atomic
def propose(edge: TopologyEdge, geometry: shapely.LineString, *, user, reason: str, expected_version: int | None):
    """A proposal for the edge's new course, checked now as the move would be; refused (TopologyRefused,
    saying where) when it would break the tiling."""
    if not reason.strip():
        raise ProposalRefused("a proposal says why")
    edges = TopologyEdge.objects.select_related("left", "right", "line", "start_node", "end_node")
    locked = lock(edges, edge.pk, expected_version)
    if not may_write_in(user, _sides(locked)):
        raise ProposalRefused("a change to a boundary is proposed by an officer of a county on either side")
    if BoundaryProposal.objects.filter(edge=locked, status=Status.PENDING).exists():
        raise ProposalRefused(f"edge {locked.pk} has a pending proposal: decide it first")
    topology.check_move(locked, geometry)  # refused here as the move itself would be; nothing written
    proposal = BoundaryProposal.objects.create(
        number=_number(),
        edge=locked,
        line=locked.line,
        geom=to_geos(geometry),
        base_version=locked.version,
        reason=reason.strip(),
        proposed_by=user,
    )
    for need in required(proposal):  # the proposer's own county approves by proposing
        if need.party == Party.COUNTY and need.unit.pk in assigned_counties(user):
            ProposalApproval.objects.create(proposal=proposal, party=Party.COUNTY, unit=need.unit, approved_by=user)
    announce(RecordChanged("proposal", proposal, frozenset({"status"}), created=True))
    return proposal


def _may_give(user, proposal: BoundaryProposal, need: Required) -> bool:
    if need.party == Party.BUREAU:
        return is_administrator(user) or Role.APPROVER in roles(user)
    if need.party == Party.COUNTY:
        return need.unit.pk in assigned_counties(user) or is_administrator(user)
    return may_write_in(user, _sides(proposal.edge))  # an officer along the line records the outside party's


@transaction.atomic
def approve(
    proposal: BoundaryProposal,
    *,
    user,
    party: str,
    unit: AdminUnit | None = None,
    outside: ContextArea | None = None,
    signed_by: str = "",
    signed_on: dt.date | None = None,
    document: str = "",
    expected_version: int | None = None,
) -> BoundaryProposal:
    """One party's approval; the last one applies the change (in one changeset)."""
    locked = lock(
        BoundaryProposal.objects.select_related("edge__left", "edge__right", "edge__line"),
        proposal.pk,
        expected_version,
    )
    if locked.status != Status.PENDING:
        raise ProposalRefused(f"proposal {locked.number} is {locked.get_status_display()}")
    asked = Required(party, unit=unit, outside=outside)
    need = next((n for n in missing(locked) if n == asked), None)
    if need is None:
        wanted = "; ".join(n.label for n in missing(locked)) or "none"
        raise ProposalRefused(f"no approval of that party is awaited (awaited: {wanted})")
    if not _may_give(user, locked, need):
        raise ProposalRefused(f"your role does not give the approval of {need.label}")
    if need.party == Party.OUTSIDE and not (signed_by.strip() and document.strip() and signed_on):
        raise ProposalRefused(f"{need.label}'s approval is recorded with who signed, the day and the document")
    ProposalApproval.objects.create(
        proposal=locked,
        party=need.party,
        unit=need.unit,
        outside=need.outside,
        approved_by=user,
        signed_by=signed_by.strip(),
        signed_on=signed_on,
        document=document.strip(),
    )
    if not missing(locked):
        changeset = open_changeset(
            Changeset.Kind.DECISION,
            f"boundary proposal {locked.number} approved by every party: {locked.reason}",
            author=user,
        )
        topology.move_edge(locked.edge, _course(locked), changeset=changeset, expected_version=locked.base_version)
        return _decided(locked, Status.APPLIED)
    bump(locked)
    locked.refresh_from_db()
    return locked


def _course(proposal: BoundaryProposal) -> shapely.LineString:
    return from_geos(proposal.geom)


@transaction.atomic
def reject(proposal: BoundaryProposal, *, user, note: str, expected_version: int | None = None) -> BoundaryProposal:
    """A required party says no (or the proposer withdraws): nothing is applied."""
    locked = lock(BoundaryProposal.objects.select_related("edge"), proposal.pk, expected_version)
    if locked.status != Status.PENDING:
        raise ProposalRefused(f"proposal {locked.number} is {locked.get_status_display()}")
    if not note.strip():
        raise ProposalRefused("a rejection or withdrawal says why")
    if user.pk == locked.proposed_by_id:
        return _decided(locked, Status.WITHDRAWN, note)
    if not any(_may_give(user, locked, need) for need in required(locked)):
        raise ProposalRefused("only a party to the change may reject it")
    return _decided(locked, Status.REJECTED, note)


def _decided(proposal: BoundaryProposal, status: str, note: str = "") -> BoundaryProposal:
    proposal.status, proposal.decided_at, proposal.decision_note = status, timezone.now(), note.strip()
    bump(proposal)
    proposal.refresh_from_db()
    announce(RecordChanged("proposal", proposal, frozenset({"status"})))
    return proposal


def awaiting(user):
    """Pending proposals that await an approval this user may give."""
    found = []
    pending = BoundaryProposal.objects.filter(status=Status.PENDING).select_related(
        "edge__left", "edge__right", "edge__line", "line"
    )
    for proposal in pending.prefetch_related("approvals").order_by("-proposed_at"):
        if any(_may_give(user, proposal, need) for need in missing(proposal)):
            found.append(proposal)
    return found


def represent(proposal: BoundaryProposal) -> dict:
    return {
        "number": proposal.number,
        "status": proposal.status,
        "line": proposal.line.code,
        "edge": proposal.edge_id,
        "base_version": proposal.base_version,
        "reason": proposal.reason,
        "proposed_by": proposal.proposed_by.get_username(),
        "proposed_at": proposal.proposed_at.isoformat(),
        "approvals": [
            {
                "party": a.party,
                "unit": a.unit.code if a.unit_id else None,
                "outside": a.outside.code if a.outside_id else None,
                "approved_by": a.approved_by.get_username(),
                "approved_at": a.approved_at.isoformat(),
                "signed_by": a.signed_by,
                "signed_on": a.signed_on.isoformat() if a.signed_on else None,
                "document": a.document,
            }
            for a in proposal.approvals.select_related("unit", "outside", "approved_by")
        ],
        "awaiting": [
            {
                "party": n.party,
                "unit": n.unit.code if n.unit else None,
                "outside": n.outside.code if n.outside else None,
            }
            for n in (missing(proposal) if proposal.status == Status.PENDING else [])
        ],
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "decision_note": proposal.decision_note,
        "version": proposal.version,
    }
