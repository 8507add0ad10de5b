"""Who must agree to a change of a shared boundary, and who may give which approval: one rule for the
proposals that move an edge (boundaries.services.proposals) and for the marker events (界桩的设立、迁移、
修复、更换、废止: boundaries.services.marker_events).

The parties of a change (``Parties``):

- the county-level units on each side (an edge's left and right unit; a marker's line's counties,
  boundaries.permissions.marker_counties: on the city's outer lines the county the marker stands in
  answers for the city). The proposer's own county approves by proposing (``by_proposing``);
- the bureau's approver (市民政局审批人), where the change needs it: always for an edge; for a marker
  event the caller says (see marker_events.needs_bureau);
- on the city's outer lines, each party outside the system (a neighbouring prefecture, Jilin's 延边,
  Russia), from the line's party rows with ``outside`` set: its signed approval (who signed, on which
  day, the document) is recorded by an officer of a county on the line (``recorders``);
- for a township edge (boundaries.services.township_topology): the county and its two townships, whose
  signed approvals an officer of the county records (``of_edge``).

Who may give an approval (``may_give``): a county's, an officer assigned to that county (or an
administrator); the bureau's, an approver (or an administrator); an outside party's, an officer of one of
the recorders' counties (or an administrator), with the signature (``check_approval``). Any party may
reject; the proposer withdraws (``rejection``). The change applies when nothing is ``missing``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Role
from accounts.roles import assigned_counties, is_administrator, may_write_in, roles
from boundaries.models import AdminUnit, BoundaryLine, BoundaryProposal, ContextArea, ProposalApproval
from core.events import RecordChanged, announce
from core.records import bump

Party = ProposalApproval.Party
SIGNED = (Party.OUTSIDE, Party.TOWNSHIP)  # parties outside the system's users: their signature is recorded
Status = BoundaryProposal.Status  # the states of anything that awaits the parties (proposals, marker events)


class Refused(ValueError):
    """An approval, rejection or proposal that does not fit the change's state or the user's part."""


@dataclass(frozen=True)
class Required:
    party: str
    unit: AdminUnit | None = None
    outside: ContextArea | None = None

    @property
    def label(self) -> str:
        if self.party == Party.BUREAU:
            return "市民政局审批人 the bureau's approver"
        if self.party == Party.TOWNSHIP:
            return f"{self.unit.name}（乡镇签字 the township's signature）"
        return (self.unit or self.outside).name

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return self.party, self.unit.pk if self.unit else None, self.outside.pk if self.outside else None

    def as_json(self) -> dict:
        return {
            "party": self.party,
            "unit": self.unit.code if self.unit else None,
            "outside": self.outside.code if self.outside else None,
        }


@dataclass(frozen=True)
class Parties:
    """Everyone whose approval a change needs, and the counties whose officers record the outside ones."""

    needed: tuple[Required, ...]
    recorders: frozenset[int]


def outside_parties(line: BoundaryLine | None) -> list[ContextArea]:
    if line is None:
        return []
    return [row.outside for row in line.party_rows.select_related("outside") if row.outside_id]


def parties(counties: Iterable[AdminUnit], line: BoundaryLine | None, *, bureau: bool, outer: bool) -> Parties:
    """The parties of a change touching ``counties`` on ``line``; ``outer``: it lies on the city's outline."""
    units = sorted(counties, key=lambda unit: unit.code)
    needed = [Required(Party.COUNTY, unit=unit) for unit in units]
    if bureau:
        needed.append(Required(Party.BUREAU))
    if outer:
        needed += [Required(Party.OUTSIDE, outside=area) for area in outside_parties(line)]
    return Parties(tuple(needed), frozenset(unit.pk for unit in units))


def of_edge(edge) -> Parties:
    """An edge's: its two sides' counties, the bureau, and on the city's outline the outside party. A
    township edge's (``within`` its county): the county, and each township's signed approval, recorded
    by an officer of the county (a township line is the county's to decide, 乡镇界线由县级人民政府批准;
    the townships sign the agreement); not the bureau's."""
    if edge.within_id is not None:
        townships = sorted((edge.left, edge.right), key=lambda unit: unit.code)
        needed = [Required(Party.COUNTY, unit=edge.within), *(Required(Party.TOWNSHIP, unit=t) for t in townships)]
        return Parties(tuple(needed), frozenset({edge.within_id}))
    sides = [unit for unit in (edge.left, edge.right) if unit is not None]
    return parties(sides, edge.line, bureau=True, outer=edge.left_id is None or edge.right_id is None)


def missing(of: Parties, approvals: Iterable) -> list[Required]:
    """The parties whose approval is not among ``approvals`` (rows with party, unit_id, outside_id)."""
    given = {(a.party, a.unit_id, a.outside_id) for a in approvals}
    return [need for need in of.needed if need.key not in given]


def may_give(user, need: Required, of: Parties) -> bool:
    if need.party == Party.BUREAU:
        return is_administrator(user) or Role.APPROVER in roles(user)
    if need.party == Party.COUNTY:
        return need.unit.pk in assigned_counties(user) or is_administrator(user)
    # an officer along the line records the outside party's, an officer of the county a township's
    return may_write_in(user, set(of.recorders))


def may_propose(user, of: Parties) -> bool:
    return may_write_in(user, set(of.recorders))


def by_proposing(user, of: Parties) -> list[Required]:
    """The approvals the proposer gives by proposing: those of the proposer's own counties."""
    mine = assigned_counties(user)
    return [need for need in of.needed if need.party == Party.COUNTY and need.unit.pk in mine]


def check_approval(
    user,
    of: Parties,
    given: Iterable,
    *,
    party: str,
    unit: AdminUnit | None = None,
    outside: ContextArea | None = None,
    signed_by: str = "",
    signed_on: dt.date | None = None,
    document: str = "",
) -> Required:
    """The awaited party this approval is for; Refused when none is, the user may not give it, or an
    outside party's comes without its signature."""
    asked = Required(party, unit=unit, outside=outside)
    awaited = missing(of, given)
    need = next((n for n in awaited if n == asked), None)
    if need is None:
        wanted = "; ".join(n.label for n in awaited) or "none"
        raise Refused(f"no approval of that party is awaited (awaited: {wanted})")
    if not may_give(user, need, of):
        raise Refused(f"your role does not give the approval of {need.label}")
    if need.party in SIGNED and not (signed_by.strip() and document.strip() and signed_on):
        raise Refused(f"{need.label}'s approval is recorded with who signed, the day and the document")
    return need


def approval_values(need: Required, user, *, signed_by: str, signed_on: dt.date | None, document: str) -> dict:
    """The fields of the approval row recording ``need`` (ProposalApproval, MarkerEventApproval)."""
    signed = need.party in SIGNED
    return {
        "party": need.party,
        "unit": need.unit,
        "outside": need.outside,
        "approved_by": user,
        "signed_by": signed_by.strip() if signed else "",
        "signed_on": signed_on if signed else None,
        "document": document.strip() if signed else "",
    }


def ensure_pending(record, what: str) -> None:
    if record.status != Status.PENDING:
        raise Refused(f"{what} {record.number} is {record.get_status_display()}")


def rejection(record, user, of: Parties, note: str) -> str:
    """The status a rejection gives: withdrawn by the proposer, rejected by a party; Refused otherwise."""
    if not note.strip():
        raise Refused("a rejection or withdrawal says why")
    if user.pk == record.proposed_by_id:
        return Status.WITHDRAWN
    if not any(may_give(user, need, of) for need in of.needed):
        raise Refused("only a party to the change may reject it")
    return Status.REJECTED


def decide(record, status: str, note: str = ""):
    """Close a pending record (applied, rejected, withdrawn): versioned and announced."""
    record.status, record.decided_at, record.decision_note = status, timezone.now(), note.strip()
    bump(record)
    record.refresh_from_db()
    announce(RecordChanged(record.record_kind, record, frozenset({"status"})))
    return record


def represent_approvals(approvals: Iterable) -> list[dict]:
    return [
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
        for a in approvals
    ]
