"""Marker events (界桩事项): every change of a boundary marker (set, move, a state found or repaired,
replace, edit, abolish) is agreed by both sides before it is made (行政区域界线管理条例 第6条;
domain/boundaries.md §4). ``propose`` checks the change at once with the registry's own rules, nothing
written (markers_registry.check: a change the registry would refuse is refused now), and keeps it as a
pending MarkerEvent; ``approve`` records one party's approval, and the last one applies the change
through the registry (markers_registry.STEPS: the same functions, the same arguments) in one changeset:
a marker that changed meanwhile makes that approval a conflict (VersionConflict, a 409); ``reject``
(a party) or the proposer's withdrawal ends it with nothing applied.

Who must approve is boundaries.services.agreement's rule, the same as for the proposals that move an
edge: the counties answering for the marker on its line (boundaries.permissions.marker_counties, at its
position and, for a move, at the new one; the proposer's county approves by proposing), on the city's
outer lines the outside party's signed approval recorded by an officer, and the bureau's approver where
``needs_bureau`` says so. The parties are fixed when the event is proposed (MarkerEvent.counties,
needs_bureau).

The synthetic demonstration markers (boundaries.services.demo_markers) are written directly through
the registry: they are no one's agreement, only a picture of how markers look.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker, ContextArea, MarkerEvent, MarkerEventApproval
from boundaries.permissions import marker_counties
from boundaries.services import agreement
from boundaries.services import markers_registry as registry
from core.events import RecordChanged, announce
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number
from core.srid import STORAGE_SRID

Kind = MarkerEvent.Kind
Status = MarkerEvent.Status
Party = MarkerEventApproval.Party
EventRefused = agreement.Refused
# The registry's step that applies each kind of event; the event keeps that step's keyword arguments.
STEP = {
    Kind.SET: "register_marker",
    Kind.MOVE: "move_marker",
    Kind.STATUS: "record_status",
    Kind.REPLACE: "replace_marker",
    Kind.EDIT: "update_marker",
    Kind.ABOLISH: "abolish_marker",
}
DAYS = {"set_on", "abolished_on"}


def needs_bureau(kind: str, arguments: dict) -> bool:
    """Is the bureau's approver a party? Yes when markers are added, moved or abolished (set, move,
    abolish, or an edit that gives a new position): 条例 第6条 says moving or adding markers needs both
    sides' agreement *and* is filed with the approving authority, and the county-level scheme
    (domain/boundaries.md §4, 处理发现的问题) sends adding, moving or scrapping a marker to the 市民政局
    before anything is done. No for a state found or repaired, a replacement on the same spot with the
    same number, or an edit of the register's details (reference objects, description): the two sides
    record these together (a repair "with the adjacent side present"), as the joint inspection does."""
    if kind in (Kind.SET, Kind.MOVE, Kind.ABOLISH):
        return True
    return kind == Kind.EDIT and "geom" in (arguments.get("changes") or {})


def of_changes(changes: dict, reference_objects=None) -> tuple[str, dict]:
    """The kind of event an edit of the marker's attributes (EDITABLE_FIELDS) proposes, with its registry
    step's arguments: a new position alone is a move, a state alone a state found or repaired, anything
    else an edit."""
    references = {"reference_objects": reference_objects} if reference_objects is not None else {}
    if "geom" in changes and set(changes) <= {"geom", "off_line_reason"}:
        return Kind.MOVE, {"geom": changes["geom"], "off_line_reason": changes.get("off_line_reason", "")} | references
    if set(changes) == {"status"} and not references:
        return Kind.STATUS, {"status": changes["status"]}
    return Kind.EDIT, {"changes": changes} | references


# ---- the change as JSON -------------------------------------------------------------------------------


def to_json(value):
    """The registry's arguments as JSON: a Point as a GeoJSON Point, a day as YYYY-MM-DD."""
    if isinstance(value, Point):
        return {"type": "Point", "coordinates": [value.x, value.y]}
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, registry.ReferenceInput):
        return {
            "name": value.name,
            "bearing_deg": value.bearing_deg,
            "distance_m": value.distance_m,
            "position": to_json(value.geom) if value.geom is not None else None,
            "measured_part": value.measured_part,
        }
    if isinstance(value, dict):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def _point(value: dict | None) -> Point | None:
    return None if value is None else Point(*value["coordinates"], srid=STORAGE_SRID)


def from_json(data: dict) -> dict:
    """The registry's arguments back from ``to_json``."""
    found = {}
    for key, value in data.items():
        if key == "geom":
            found[key] = _point(value)
        elif key in DAYS and value is not None:
            found[key] = dt.date.fromisoformat(value)
        elif key == "reference_objects" and value is not None:
            found[key] = [
                registry.ReferenceInput(
                    name=ref["name"],
                    bearing_deg=ref["bearing_deg"],
                    distance_m=ref["distance_m"],
                    geom=_point(ref["position"]),
                    measured_part=ref["measured_part"],
                )
                for ref in value
            ]
        elif key == "changes":
            found[key] = from_json(value)
        else:
            found[key] = value
    return found


# ---- the parties ----------------------------------------------------------------------------------------


def _new_position(kind: str, arguments: dict) -> Point | None:
    return arguments.get("geom") if kind != Kind.EDIT else (arguments.get("changes") or {}).get("geom")


def _parties_of(line: BoundaryLine, positions, bureau: bool) -> agreement.Parties:
    counties = set().union(*(marker_counties(line, geom) for geom in positions if geom is not None))
    return agreement.parties(AdminUnit.objects.filter(pk__in=counties), line, bureau=bureau, outer=True)


def parties(event: MarkerEvent) -> agreement.Parties:
    """The event's parties as fixed when it was proposed."""
    return agreement.parties(event.counties.all(), event.line, bureau=event.needs_bureau, outer=True)


def missing(event: MarkerEvent) -> list[agreement.Required]:
    return agreement.missing(parties(event), event.approvals.all())


# ---- the steps ------------------------------------------------------------------------------------------


def _number() -> str:
    """JZ-year-serial, e.g. JZ-2026-0001 (core.serials)."""
    try:
        prefix = f"JZ-{timezone.localdate().year}-"
        return next_number("marker-event", MarkerEvent.objects, "number", prefix)
    except SerialsExhausted as exc:
        raise EventRefused(str(exc)) from None


@transaction.atomic
def propose(
    kind: str,
    /,
    *,
    user,
    reason: str,
    line: BoundaryLine | None = None,
    marker: BoundaryMarker | None = None,
    expected_version: int | None = None,
    **arguments,
) -> MarkerEvent:
    """A pending event: ``kind`` with the arguments of its registry step (STEP; ``line`` for a marker to
    be set, else ``marker`` and the version it was drawn on). Refused now (MarkerRuleError, EventRefused,
    VersionConflict) as the registry would refuse it."""
    if kind not in STEP:
        raise EventRefused(f"a marker event is one of {', '.join(STEP)}, not {kind!r}")
    if not reason.strip():
        raise EventRefused("a marker event says why")
    if kind == Kind.SET:
        if line is None:
            raise EventRefused("a marker is set on a line")
        positions, base = [arguments.get("geom")], None
    else:
        marker = lock(BoundaryMarker.objects.select_related("line"), marker.pk, expected_version)
        line, base = marker.line, marker.version
        positions = [marker.geom, _new_position(kind, arguments)]
        pending = marker.events.filter(status=Status.PENDING).first()
        if pending is not None:
            raise EventRefused(f"marker {marker.number} has a pending event {pending.number}: decide it first")
    bureau = needs_bureau(kind, arguments)
    of = _parties_of(line, positions, bureau)
    if not agreement.may_propose(user, of):
        raise EventRefused(f"markers of line {line.code} are changed by officers of its counties")
    checked = {"line": line, **arguments} if kind == Kind.SET else arguments
    registry.check(STEP[kind], marker, expected_version=base, **checked)  # the registry's rules, nothing written
    event = MarkerEvent.objects.create(
        number=_number(),
        kind=kind,
        marker=marker,
        line=line,
        change=to_json(arguments),
        base_version=base,
        reason=reason.strip(),
        needs_bureau=bureau,
        proposed_by=user,
    )
    event.counties.set([need.unit for need in of.needed if need.party == Party.COUNTY])
    for need in agreement.by_proposing(user, of):  # the proposer's own county approves by proposing
        MarkerEventApproval.objects.create(event=event, party=Party.COUNTY, unit=need.unit, approved_by=user)
    announce(RecordChanged("marker_event", event, frozenset({"status"}), created=True))
    if not missing(event):  # nobody else to ask
        return _applied(event, user)
    return event


@transaction.atomic
def approve(
    event: MarkerEvent,
    *,
    user,
    party: str,
    unit: AdminUnit | None = None,
    outside: ContextArea | None = None,
    signed_by: str = "",
    signed_on: dt.date | None = None,
    document: str = "",
    expected_version: int | None = None,
) -> MarkerEvent:
    """One party's approval; the last one applies the change through the registry (in one changeset)."""
    locked = lock(MarkerEvent.objects.select_related("line", "marker"), event.pk, expected_version)
    agreement.ensure_pending(locked, "marker event")
    of = parties(locked)
    signature = {"signed_by": signed_by, "signed_on": signed_on, "document": document}
    need = agreement.check_approval(
        user, of, locked.approvals.all(), party=party, unit=unit, outside=outside, **signature
    )
    MarkerEventApproval.objects.create(event=locked, **agreement.approval_values(need, user, **signature))
    if not agreement.missing(of, locked.approvals.all()):
        return _applied(locked, user)
    bump(locked)
    locked.refresh_from_db()
    return locked


def _applied(event: MarkerEvent, user) -> MarkerEvent:
    changeset = open_changeset(
        Changeset.Kind.DECISION,
        f"marker event {event.number} ({event.kind}) approved by every party: {event.reason}",
        author=user,
    )
    arguments = from_json(event.change)
    step = getattr(registry, STEP[event.kind])
    if event.kind == Kind.SET:
        event.marker = step(changeset=changeset, line=event.line, **arguments)
        event.save(update_fields=["marker"])
    else:
        step(event.marker, changeset=changeset, expected_version=event.base_version, **arguments)
    return agreement.decide(event, Status.APPLIED)


@transaction.atomic
def reject(event: MarkerEvent, *, user, note: str, expected_version: int | None = None) -> MarkerEvent:
    """A party says no (or the proposer withdraws): nothing is applied."""
    locked = lock(MarkerEvent.objects.select_related("line"), event.pk, expected_version)
    agreement.ensure_pending(locked, "marker event")
    return agreement.decide(locked, agreement.rejection(locked, user, parties(locked), note), note)


# ---- reading --------------------------------------------------------------------------------------------


def awaiting(user) -> list[MarkerEvent]:
    """Pending events that await an approval this user may give."""
    found = []
    pending = MarkerEvent.objects.filter(status=Status.PENDING).select_related("line", "marker")
    for event in pending.prefetch_related("approvals", "counties").order_by("-proposed_at"):
        of = parties(event)
        if any(agreement.may_give(user, need, of) for need in agreement.missing(of, event.approvals.all())):
            found.append(event)
    return found


def represent(event: MarkerEvent) -> dict:
    pending = event.status == Status.PENDING
    return {
        "number": event.number,
        "kind": event.kind,
        "status": event.status,
        "line": event.line.code,
        "marker": event.marker.number if event.marker_id else None,
        "synthetic": bool(event.marker_id and event.marker.is_synthetic),
        "change": event.change,
        "base_version": event.base_version,
        "reason": event.reason,
        "needs_bureau": event.needs_bureau,
        "proposed_by": event.proposed_by.get_username(),
        "proposed_at": event.proposed_at.isoformat(),
        "approvals": agreement.represent_approvals(event.approvals.select_related("unit", "outside", "approved_by")),
        "awaiting": [need.as_json() for need in (missing(event) if pending else [])],
        "decided_at": event.decided_at.isoformat() if event.decided_at else None,
        "decision_note": event.decision_note,
        "version": event.version,
    }
