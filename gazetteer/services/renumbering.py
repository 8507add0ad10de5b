"""Renumbering a whole road (门牌整顿): the engine numbers every current address of the road afresh
(gazetteer.services.numbering_engine.number_all; sub-numbers go, reserves and retired numbers are kept
out), and the result is proposed as a before/after table listing every record and sign it touches.
An approver (not the proposer) approves it, and it is applied whole in one changeset; or rejects it;
the proposer may withdraw it. A number of the road that changed since the proposal makes the approval
a conflict (VersionConflict, 409): propose again.

An address's compound rows (building, unit, room under the same gate number) follow their gate: the
gate (the row without building, unit and room, else the first) is what the engine places.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role
from accounts.roles import is_administrator, roles
from core.events import RecordChanged, announce
from core.geometry import from_geos
from core.history import VersionConflict, open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number
from gazetteer.models import HouseNumber, RenumberingProposal, Road
from gazetteer.services import house_numbers
from gazetteer.services import numbering_engine as engine

Status = RenumberingProposal.Status
PARKED = 10_000_000  # added to the numbers that move while the new ones are written


class RenumberingRefused(ValueError):
    """A proposal or decision the rules do not allow; ``forbidden``: the user's role is the reason."""

    def __init__(self, message: str, *, forbidden: bool = False):
        super().__init__(message)
        self.forbidden = forbidden


def _gates(road: Road) -> dict[tuple[int, int], list[HouseNumber]]:
    """The road's current addresses grouped by gate number (number, sub-number)."""
    found: dict[tuple[int, int], list[HouseNumber]] = defaultdict(list)
    current = road.house_numbers.exclude(status=HouseNumber.Status.RETIRED).select_related("road__place")
    for house in current.order_by("number", "suffix", "building_no", "unit_no", "room_no"):
        found[(house.number, house.suffix)].append(house)
    return found


def _gate_row(rows: list[HouseNumber]) -> HouseNumber:
    return next((r for r in rows if not (r.building_no or r.unit_no or r.room_no)), rows[0])


def table(road: Road) -> list[dict]:
    """The before/after table of a fresh numbering of the road, one row per gate number."""
    gates = _gates(road)
    line = house_numbers.line_of(road)
    placements = {key: house_numbers.placement_of(road, _point(_gate_row(rows)), line) for key, rows in gates.items()}
    retired = road.house_numbers.filter(status=HouseNumber.Status.RETIRED).values_list("number", flat=True)
    after = engine.number_all(placements, house_numbers.rule_of(road), used=set(retired))
    name = road.place.name
    rows = []
    for key in sorted(gates, key=lambda k: (placements[k].side, placements[k].distance_m)):
        before = engine.Allocation(*key)
        records = gates[key]
        rows.append(
            {
                "before": f"{name}{before.label}号",
                "after": f"{name}{after[key].label}号",
                "number": after[key].number,
                "suffix": after[key].suffix,
                "changes": (before.number, before.suffix) != (after[key].number, after[key].suffix),
                "side": placements[key].side,
                "distance_m": round(placements[key].distance_m, 1),
                "records": [{"id": r.pk, "address": r.label} for r in records],
                "signs": signs_showing([r.pk for r in records]),
            }
        )
    return rows


def signs_showing(house_ids: list[int]) -> list[dict]:
    """The signs (plates) that show these addresses: their text changes with the number."""
    from gazetteer import models as gazetteer_models  # the sign inventory (gazetteer.models_signs)

    sign_model = getattr(gazetteer_models, "Sign", None)
    if sign_model is None:
        return []
    signs = sign_model.objects.filter(house_number_id__in=house_ids).order_by("pk")
    return [{"id": s.pk, "number": getattr(s, "number", str(s.pk)), "kind": s.kind} for s in signs]


def _point(house: HouseNumber):
    return from_geos(house.geom)


def _number() -> str:
    try:
        return next_number("renumbering", RenumberingProposal.objects, "number", f"MZ-{timezone.localdate().year}-")
    except SerialsExhausted as exc:
        raise RenumberingRefused(str(exc)) from None


@transaction.atomic
def propose(road: Road, *, user, reason: str) -> RenumberingProposal:
    """The before/after table of renumbering the road, pending an approver's decision."""
    if not reason.strip():
        raise RenumberingRefused("a renumbering says why")
    if not house_numbers.may_number(user, road):
        raise RenumberingRefused("a renumbering is proposed by an officer of the road's county", forbidden=True)
    locked = lock(Road.objects.select_related("place"), road.pk)
    if locked.renumberings.filter(status=Status.PENDING).exists():
        raise RenumberingRefused(f"{locked.place.name} has a pending renumbering: decide it first")
    rows = table(locked)
    if not any(row["changes"] for row in rows):
        raise RenumberingRefused(f"{locked.place.name}'s numbers already follow the rule: nothing to renumber")
    proposal = RenumberingProposal.objects.create(
        number=_number(),
        road=locked,
        reason=reason.strip(),
        rows=rows,
        base_versions={str(r.pk): r.version for rows_ in _gates(locked).values() for r in rows_},
        proposed_by=user,
    )
    announce(RecordChanged("renumbering", proposal, frozenset({"status"}), created=True))
    return proposal


def may_decide(user) -> bool:
    return is_administrator(user) or Role.APPROVER in roles(user)


@transaction.atomic
def approve(proposal: RenumberingProposal, *, user, note: str = "", expected_version: int | None = None):
    """Apply the table in one changeset: every address of a changed row takes its new number and
    keeps its old one as its former address; a number that moved on since is a conflict."""
    locked = _pending(proposal, expected_version)
    if not may_decide(user):
        raise RenumberingRefused("a renumbering is approved by an approver", forbidden=True)
    if user.pk == locked.proposed_by_id and not is_administrator(user):
        raise RenumberingRefused("the proposer does not approve their own renumbering", forbidden=True)
    changeset = open_changeset(
        Changeset.Kind.DECISION, f"门牌整顿 {locked.number} {locked.road.place.name}: {locked.reason}", author=user
    )
    _check_unchanged(locked)
    moving = [record["id"] for row in locked.rows if row["changes"] for record in row["records"]]
    # Out of the way first (inside this transaction only), so that no new number meets an old one
    # that has not moved yet: the current-address constraint cannot be deferred.
    HouseNumber.objects.filter(pk__in=moving).update(number=F("number") + PARKED)
    for row in locked.rows:
        if not row["changes"]:
            continue
        for record in row["records"]:
            house = lock(HouseNumber.objects.select_related("road__place"), record["id"])
            allocation = engine.Allocation(row["number"], row["suffix"])
            house_numbers.renumber(house, allocation, former=record["address"], changeset=changeset)
    return _decide(locked, Status.APPLIED, user, note, changeset)


@transaction.atomic
def reject(proposal: RenumberingProposal, *, user, note: str, expected_version: int | None = None):
    """An approver says no, or the proposer withdraws: nothing changes."""
    locked = _pending(proposal, expected_version)
    if not note.strip():
        raise RenumberingRefused("a rejection or withdrawal says why")
    if user.pk == locked.proposed_by_id:
        return _decide(locked, Status.WITHDRAWN, user, note)
    if not may_decide(user):
        raise RenumberingRefused(
            "a renumbering is rejected by an approver (or withdrawn by its proposer)", forbidden=True
        )
    return _decide(locked, Status.REJECTED, user, note)


def _check_unchanged(proposal: RenumberingProposal) -> None:
    """Every address of the road as it was when the table was drawn, none added or retired since."""
    now = {str(h.pk): h for rows in _gates(proposal.road).values() for h in rows}
    base = proposal.base_versions
    for key in sorted(set(now) | set(base)):
        if key in now and now[key].version == base.get(key):
            continue
        house = now.get(key) or HouseNumber.objects.get(pk=int(key))
        raise VersionConflict(
            f"house number {house.label} (since renumbering {proposal.number})", base.get(key, 0), house.version
        )


def _pending(proposal: RenumberingProposal, expected_version: int | None) -> RenumberingProposal:
    locked = lock(RenumberingProposal.objects.select_related("road__place"), proposal.pk, expected_version)
    if locked.status != Status.PENDING:
        raise RenumberingRefused(f"renumbering {locked.number} is {locked.get_status_display()}")
    return locked


def _decide(proposal, status, user, note, changeset=None):
    proposal.status, proposal.decided_by, proposal.decided_at = status, user, timezone.now()
    proposal.decision_note, proposal.changeset = note.strip(), changeset
    bump(proposal)
    announce(RecordChanged("renumbering", proposal, frozenset({"status"})))
    return proposal


def awaiting(user) -> list[RenumberingProposal]:
    """Pending renumberings this user may decide (the inbox)."""
    if not may_decide(user):
        return []
    pending = RenumberingProposal.objects.filter(status=Status.PENDING).select_related("road__place")
    return [p for p in pending if p.proposed_by_id != user.pk or is_administrator(user)]


def represent(proposal: RenumberingProposal) -> dict:
    return {
        "number": proposal.number,
        "road": proposal.road.place.code,
        "road_name": proposal.road.place.name,
        "synthetic": proposal.road.place.is_synthetic,
        "status": proposal.status,
        "reason": proposal.reason,
        "rows": proposal.rows,
        "changed": sum(1 for row in proposal.rows if row["changes"]),
        "proposed_by": proposal.proposed_by.get_username(),
        "proposed_at": proposal.proposed_at.isoformat(),
        "decided_at": proposal.decided_at.isoformat() if proposal.decided_at else None,
        "decision_note": proposal.decision_note,
        "version": proposal.version,
    }
