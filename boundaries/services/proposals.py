"""A change to a shared boundary is a proposal (界线变更): a new course for one edge, checked at once
(topology.check_move: the move's own checks, nothing written), held until every party has
approved it, then applied whole by boundaries.services.topology.move_edge; nothing of it is applied
before. Who must approve, and who may give which approval, is boundaries.services.agreement's rule (the
same for marker events): the officers of the county-level units on both sides of the edge (the
proposer's own county counts as approved by proposing); the bureau's approver; on the city's outer
boundary, the party outside the system (a neighbouring prefecture, another province, Russia), whose
signed approval an officer of a county on the line records (who signed, on which day, the document).

Any required party may reject; the proposer may withdraw. An edge that moved on since the proposal was
drawn makes its last approval a conflict (core.records.VersionConflict): draw it again.
"""

from __future__ import annotations

import datetime as dt

import shapely
from django.db import transaction
from django.utils import timezone

from boundaries.models import AdminUnit, BoundaryProposal, ContextArea, ProposalApproval, ProposalGroup, TopologyEdge
from boundaries.services import agreement, topology
from boundaries.services.agreement import Required
from core.api import ApiError
from core.changesets import apply_agreed
from core.events import RecordChanged, announce
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number

Status = BoundaryProposal.Status
Party = ProposalApproval.Party
EDGE_KIND = "edge"  # the changeset kind of a topology edge (boundaries.changeset_kinds)
ProposalRefused = agreement.Refused  # the proposal, approval or refusal does not fit its state or the user's part


def parties(proposal: BoundaryProposal) -> agreement.Parties:
    return agreement.of_edge(proposal.edge)


def required(proposal_or_edge) -> list[Required]:
    """The parties whose approval the change needs."""
    edge = proposal_or_edge.edge if isinstance(proposal_or_edge, BoundaryProposal) else proposal_or_edge
    return list(agreement.of_edge(edge).needed)


def missing(proposal: BoundaryProposal) -> list[Required]:
    return agreement.missing(parties(proposal), proposal.approvals.all())


def _number() -> str:
    """BJ-year-serial, e.g. BJ-2026-0001 (core.serials)."""
    try:
        year = timezone.localdate().year
        return next_number("boundary-proposal", BoundaryProposal.objects, "number", f"BJ-{year}-")
    except SerialsExhausted as exc:
        raise ProposalRefused(str(exc)) from None


@transaction.atomic
def propose(edge: TopologyEdge, geometry: shapely.LineString, *, user, reason: str, expected_version: int | None):
    """A proposal for the edge's new course, checked now as the move would be; refused (TopologyRefused,
    saying where) when it would break the tiling."""
    if not reason.strip():
        raise ProposalRefused("a proposal says why")
    edges = TopologyEdge.objects.select_related("left", "right", "line", "start_node", "end_node")
    locked = lock(edges, edge.pk, expected_version)
    of = agreement.of_edge(locked)
    if not agreement.may_propose(user, of):
        raise ProposalRefused("a change to a boundary is proposed by an officer of a county on either side")
    if BoundaryProposal.objects.filter(edge=locked, status=Status.PENDING).exists():
        raise ProposalRefused(f"edge {locked.pk} has a pending proposal: decide it first")
    topology.check_move(locked, geometry)  # refused here as the move itself would be; nothing written
    return _create(locked, geometry, user=user, reason=reason)


def _create(edge: TopologyEdge, geometry, *, user, reason: str, group: ProposalGroup | None = None):
    proposal = BoundaryProposal.objects.create(
        number=_number(),
        edge=edge,
        line=edge.line,
        geom=to_geos(geometry),
        base_version=edge.version,
        reason=reason.strip(),
        proposed_by=user,
        group=group,
    )
    for need in agreement.by_proposing(user, agreement.of_edge(edge)):  # the proposer's county approves
        ProposalApproval.objects.create(proposal=proposal, party=Party.COUNTY, unit=need.unit, approved_by=user)
    announce(RecordChanged("proposal", proposal, frozenset({"status"}), created=True))
    return proposal


# ---- a changeset held whole (core.changesets' proposal keeper) ----------------------------------------------


@transaction.atomic
def hold_changeset(user, reason: str, edits: list) -> dict:
    """A changeset that moves shared edges (kind "edge", boundaries.changeset_kinds), held whole: one
    proposal per edge, its other edits kept as sent; nothing applied until every party of every proposal
    has approved (``approve`` then applies all of it in one changeset). The answer of the 202."""
    shared = [edit for edit in edits if edit.kind.needs_agreement(edit.record, edit.changes)]
    if any(edit.kind.name != EDGE_KIND for edit in shared):  # core.changesets speaks ApiError
        raise ApiError(400, "this changeset touches a shared record that needs the parties' agreement, "
                       "and only boundary edges are held as proposals")  # fmt: skip
    for edit in shared:
        if BoundaryProposal.objects.filter(edge=edit.record, status=Status.PENDING).exists():
            raise ApiError(400, f"edit {edit.index}: edge {edit.record.pk} has a pending proposal: decide it first")
    group = ProposalGroup.objects.create(reason=reason.strip(), proposed_by=user)
    made = []
    for edit in edits:
        if edit.kind.name == EDGE_KIND:
            made.append(_create(edit.record, edit.changes["geom"], user=user, reason=reason, group=group))
        else:
            group.held_edits.append(
                {"kind": edit.kind.name, "key": edit.key, "version": edit.version, "changes": edit.attributes}
            )
    group.save(update_fields=["held_edits"])
    return {
        "held": True,
        "reason": group.reason,
        "proposals": [represent(p) for p in made],
        "held_edits": group.held_edits,
    }


def _apply_group(group: ProposalGroup, user) -> None:
    """Every proposal of the group approved: the moves, then the held edits, in one changeset."""
    members = list(group.proposals.select_related("edge").order_by("pk"))
    changeset = open_changeset(
        Changeset.Kind.DECISION, f"changeset approved by every party of {len(members)} proposal(s): {group.reason}",
        author=user,
    )  # fmt: skip
    for member in members:
        topology.move_edge(member.edge, _course(member), changeset=changeset, expected_version=member.base_version)
    try:
        apply_agreed(group.proposed_by, group.held_edits, changeset)
    except ApiError as error:
        raise ProposalRefused(f"the changeset's other edits no longer apply: {error.message}") from None
    for member in members:
        if member.status == Status.PENDING:
            agreement.decide(member, Status.APPLIED)


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
    agreement.ensure_pending(locked, "proposal")
    of = parties(locked)
    signature = {"signed_by": signed_by, "signed_on": signed_on, "document": document}
    need = agreement.check_approval(
        user, of, locked.approvals.all(), party=party, unit=unit, outside=outside, **signature
    )
    ProposalApproval.objects.create(proposal=locked, **agreement.approval_values(need, user, **signature))
    if locked.group_id:
        return _approve_in_group(locked, need, user, signature)
    if not agreement.missing(of, locked.approvals.all()):
        changeset = open_changeset(
            Changeset.Kind.DECISION,
            f"boundary proposal {locked.number} approved by every party: {locked.reason}",
            author=user,
        )
        topology.move_edge(locked.edge, _course(locked), changeset=changeset, expected_version=locked.base_version)
        return agreement.decide(locked, Status.APPLIED)
    bump(locked)
    locked.refresh_from_db()
    return locked


def _approve_in_group(proposal: BoundaryProposal, need: Required, user, signature: dict) -> BoundaryProposal:
    """The same party's approval goes to every other proposal of the changeset that awaits it; the last
    approval of the whole group applies all of it."""
    others = (
        BoundaryProposal.objects.filter(group_id=proposal.group_id, status=Status.PENDING)
        .exclude(pk=proposal.pk)
        .select_related("edge__left", "edge__right", "edge__line")
        .select_for_update(of=("self",))
    )
    for other in others:
        if need in agreement.missing(parties(other), other.approvals.all()):
            ProposalApproval.objects.create(proposal=other, **agreement.approval_values(need, user, **signature))
            bump(other)
    group = BoundaryProposal.objects.filter(group_id=proposal.group_id)
    if all(not missing(member) for member in group):
        _apply_group(proposal.group, user)
        proposal.refresh_from_db()
        return proposal
    bump(proposal)
    proposal.refresh_from_db()
    return proposal


def _course(proposal: BoundaryProposal) -> shapely.LineString:
    return from_geos(proposal.geom)


@transaction.atomic
def reject(proposal: BoundaryProposal, *, user, note: str, expected_version: int | None = None) -> BoundaryProposal:
    """A required party says no (or the proposer withdraws): nothing is applied."""
    locked = lock(BoundaryProposal.objects.select_related("edge"), proposal.pk, expected_version)
    agreement.ensure_pending(locked, "proposal")
    outcome = agreement.rejection(locked, user, parties(locked), note)
    if locked.group_id:  # a changeset held whole is rejected whole
        for other in BoundaryProposal.objects.filter(group_id=locked.group_id, status=Status.PENDING).exclude(
            pk=locked.pk
        ):
            agreement.decide(other, outcome, f"{locked.number}: {note}")
    return agreement.decide(locked, outcome, note)


def awaiting(user):
    """Pending proposals that await an approval this user may give."""
    found = []
    pending = BoundaryProposal.objects.filter(status=Status.PENDING).select_related(
        "edge__left", "edge__right", "edge__line", "line"
    )
    for proposal in pending.prefetch_related("approvals").order_by("-proposed_at"):
        of = parties(proposal)
        if any(agreement.may_give(user, need, of) for need in agreement.missing(of, proposal.approvals.all())):
            found.append(proposal)
    return found


def represent(proposal: BoundaryProposal) -> dict:
    return {
        "number": proposal.number,
        "status": proposal.status,
        "line": proposal.line.code,
        "edge": proposal.edge_id,
        "held_with": [
            other.number
            for other in BoundaryProposal.objects.filter(group_id=proposal.group_id).exclude(pk=proposal.pk)
        ]
        if proposal.group_id
        else [],
        "base_version": proposal.base_version,
        "reason": proposal.reason,
        "proposed_by": proposal.proposed_by.get_username(),
        "proposed_at": proposal.proposed_at.isoformat(),
        "approvals": agreement.represent_approvals(proposal.approvals.select_related("unit", "outside", "approved_by")),
        "awaiting": [need.as_json() for need in (missing(proposal) if proposal.status == Status.PENDING else [])],
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "decision_note": proposal.decision_note,
        "version": proposal.version,
    }
