"""The boundary-marker registry (界桩): the only code that writes BoundaryMarker and ReferenceObject rows.

Every event of a marker's life is a change in a changeset, versioned like every record (core.records:
``lock`` refuses a stale base with VersionConflict, ``bump``, a version row, ``announce``): set (埋设,
``register_marker``), moved by agreement (``move_marker``), found damaged, lost or displaced and
repaired (``record_status``), replaced by a new stone on the same spot (``replace_marker``), abolished
(``abolish_marker``; a marker is never deleted and its number never reused). ``update_marker`` is the
general edit the others are made of. The event's name is kept in the version row's data.

Rules kept here:
- the number is ``number_prefix(line)`` + the 3-digit sequence + the type letter; sequences come from
  core.serials per line; a Q marker's sequence is its own, a pair (A/B) or a triple (C/D/E) shares one;
  a partner not yet registered is reported by ``unpartnered``, not refused;
- C/D/E stand only at a tri-point: within the line tolerance of a topology node where three or more
  edge ends meet, one of them an edge of this line (the simple rule; how tri-junction markers are
  numbered is unconfirmed, domain/boundaries.md §2);
- ``distance_along_m`` is recomputed on every save (shapely ``project`` in core.srid.METRIC_SRID, from
  the start of the line's first part); a marker farther from its line than MARKER_LINE_TOLERANCE_M
  (default 50 m) needs ``off_line_reason``;
- reference objects: none, or at least three; a known position gives the bearing and distance in the
  marker's Gauss-Kruger plane (marker_coords); hand-entered values with a position are checked
  (1 degree; 1 m + 1 %).
Every rule runs without writing too (``check``: the step's name and its arguments), so that a marker
event (boundaries.services.marker_events, 条例 第6条: both sides agree to each event) is refused when it
is proposed, and applied through these same functions once every party has approved it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.contrib.gis.geos import Point, Polygon
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q

from boundaries.models import BoundaryLine, TopologyEdge, TopologyNode
from boundaries.models_markers import MAX_SEQUENCE, BoundaryMarker, BoundaryMarkerVersion, ReferenceObject
from boundaries.services.marker_coords import bearing_and_distance, bearing_difference
from core.events import RecordChanged, announce
from core.geometry import from_geos
from core.metric import to_metric
from core.models import Changeset
from core.records import VersionConflict, bump, changed_values, lock
from core.serials import SerialsExhausted, next_serial

Kind = BoundaryMarker.Kind
Status = BoundaryMarker.Status
DEFAULT_LINE_TOLERANCE_M = 50.0
BEARING_TOLERANCE_DEG = 1.0
DISTANCE_TOLERANCE_M = 1.0
DISTANCE_TOLERANCE_SHARE = 0.01
MIN_REFERENCE_OBJECTS = 3  # "每个界桩的方位物不少于3个" (GB/T 17796-2009 via domain/boundaries.md §2); or none
FAMILIES = {"Q": "Q", "A": "AB", "B": "AB", "C": "CDE", "D": "CDE", "E": "CDE"}
GRADE_OF_LINE = {
    BoundaryLine.Level.PROVINCE: BoundaryMarker.Grade.PROVINCE,
    BoundaryLine.Level.PREFECTURE: BoundaryMarker.Grade.CITY,
    BoundaryLine.Level.COUNTY: BoundaryMarker.Grade.COUNTY,
    BoundaryLine.Level.TOWNSHIP: BoundaryMarker.Grade.TOWNSHIP,
}
# What an edit may change; the line, sequence and kind (the number) are fixed when the marker is set.
EDITABLE_FIELDS = (
    "grade",
    "shape",
    "material",
    "geom",
    "elevation_m",
    "position_description",
    "off_line_reason",
    "status",
    "set_on",
)
NUMBER = re.compile(r"^(?P<prefix>.+?)(?P<sequence>\d{3})(?P<kind>[QABCDE])$")


class MarkerRuleError(ValueError):
    """A change the marker rules refuse; ``field`` names the attribute at fault, where there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ReferenceInput:
    """A reference object as entered: a position, or a bearing and distance by hand, or both (checked)."""

    name: str
    bearing_deg: float | None = None
    distance_m: float | None = None
    geom: Point | None = None
    measured_part: str = ""


# ---- numbers -------------------------------------------------------------------------------------------


def number_prefix(line: BoundaryLine) -> str:
    """The line's part of its markers' numbers: the agreement's number (协议书编号) where the line has
    one, else its internal code (e.g. 231083-231084). County-level line codes are fixed by no text found
    (domain/boundaries.md §1), so the prefix is the line's own setting, not a rule of ours."""
    return (line.agreement_number or "").strip() or line.code


def marker_number(prefix: str, sequence: int, kind: str) -> str:
    """界桩号: prefix + 3-digit sequence + type letter (a provincial line's 4-digit prefix gives 8 characters)."""
    if not 1 <= sequence <= MAX_SEQUENCE:
        raise MarkerRuleError(f"a marker's sequence runs from 1 to {MAX_SEQUENCE}, not {sequence}", "sequence")
    if kind not in FAMILIES:
        raise MarkerRuleError(f"a marker's type letter is one of {', '.join(FAMILIES)}, not {kind!r}", "kind")
    return f"{prefix}{sequence:03d}{kind}"


def parse_number(number: str) -> tuple[str, int, str]:
    """(prefix, sequence, type letter) of a marker number; ValueError for anything else."""
    found = NUMBER.match(number or "")
    if found is None or int(found["sequence"]) == 0:
        raise ValueError(f"{number!r} is not a marker number (prefix + 001..999 + Q/A/B/C/D/E)")
    return found["prefix"], int(found["sequence"]), found["kind"]


def _new_sequence(line: BoundaryLine) -> int:
    def highest_in_use() -> int:
        return BoundaryMarker.objects.filter(line=line).aggregate(m=Max("sequence"))["m"] or 0

    try:
        return next_serial(f"marker:{line.code}", floor=highest_in_use, maximum=MAX_SEQUENCE)
    except SerialsExhausted as exc:
        raise MarkerRuleError(str(exc), "sequence") from None


# ---- where the marker stands --------------------------------------------------------------------------


def line_tolerance_m() -> float:
    return float(getattr(settings, "MARKER_LINE_TOLERANCE_M", DEFAULT_LINE_TOLERANCE_M))


def placement(line: BoundaryLine, geom: Point) -> tuple[float, float]:
    """(metres along the line from its start to the point nearest the marker, metres off the line)."""
    metric_line = to_metric(from_geos(line.geom))
    metric_point = to_metric(from_geos(geom))
    return float(metric_line.project(metric_point)), float(metric_line.distance(metric_point))


def _distance_along(line: BoundaryLine, geom: Point, off_line_reason: str) -> float:
    along, off = placement(line, geom)
    tolerance = line_tolerance_m()
    if off > tolerance and not (off_line_reason or "").strip():
        raise MarkerRuleError(
            f"the marker stands {off:.0f} m from line {line.code} (more than {tolerance:g} m): "
            "give off_line_reason, or correct the position",
            "off_line_reason",
        )
    return round(along, 2)


def at_tri_point(line: BoundaryLine, geom: Point) -> bool:
    """Is there a topology node within the line tolerance of ``geom`` where three or more edge ends
    meet, one of them on ``line``?"""
    tolerance = line_tolerance_m()
    degrees = tolerance / 50_000  # more than the tolerance in degrees at this latitude, for the index
    box = Polygon.from_bbox((geom.x - degrees, geom.y - degrees, geom.x + degrees, geom.y + degrees))
    box.srid = geom.srid
    point = to_metric(from_geos(geom))
    for node in TopologyNode.objects.county_layer().filter(geom__bboverlaps=box):
        if to_metric(from_geos(node.geom)).distance(point) > tolerance:
            continue
        ends = TopologyEdge.objects.filter(Q(start_node=node) | Q(end_node=node))
        lines = [edge.line_id for edge in ends]
        count = len(lines) + ends.filter(start_node=node, end_node=node).count()  # a ring meets itself twice
        if count >= 3 and line.pk in lines:
            return True
    return False


def _check_sequence(line: BoundaryLine, sequence: int, kind: str, geom: Point) -> None:
    """A Q marker's sequence is its own; a pair or triple shares one, each letter once."""
    others = list(BoundaryMarker.objects.filter(line=line, sequence=sequence).values_list("kind", "number"))
    if kind == Kind.Q and others:
        raise MarkerRuleError(
            f"sequence {sequence:03d} of line {line.code} is taken ({others[0][1]}): a single marker (Q) has its own",
            "sequence",
        )
    for other_kind, other_number in others:
        if FAMILIES[other_kind] != FAMILIES[kind] or other_kind == kind:
            raise MarkerRuleError(
                f"sequence {sequence:03d} of line {line.code} is taken by {other_number}: {kind} cannot share it",
                "sequence",
            )
    if FAMILIES[kind] == "CDE" and not at_tri_point(line, geom):
        raise MarkerRuleError(
            f"a triple marker ({kind}) stands at a tri-point: no node where three boundaries meet lies within "
            f"{line_tolerance_m():g} m of this position on line {line.code}",
            "kind",
        )


def _writable(line: BoundaryLine) -> None:
    if line.read_only or line.level == BoundaryLine.Level.NATIONAL:
        raise MarkerRuleError(
            f"line {line.code} is not the bureau's to mark (national border markers are another system)"
        )
    if line.status != BoundaryLine.Status.IN_FORCE or line.valid_to is not None:
        raise MarkerRuleError(f"line {line.code} is no longer in force", "line")


# ---- reference objects ----------------------------------------------------------------------------------


def _reference_values(marker_geom: Point, ref: ReferenceInput, order: int) -> tuple[float, float]:
    where = f"reference object {order} ({ref.name})"
    if ref.geom is not None:
        bearing, distance = bearing_and_distance(marker_geom, ref.geom)
        if distance < 0.01:
            raise MarkerRuleError(f"{where} stands where the marker stands", "reference_objects")
        if ref.bearing_deg is not None and bearing_difference(bearing, ref.bearing_deg) > BEARING_TOLERANCE_DEG:
            raise MarkerRuleError(
                f"{where}: the bearing entered ({ref.bearing_deg:.2f}°) differs from its position's "
                f"({bearing:.2f}°) by more than {BEARING_TOLERANCE_DEG:g}°",
                "reference_objects",
            )
        allowed = DISTANCE_TOLERANCE_M + DISTANCE_TOLERANCE_SHARE * distance
        if ref.distance_m is not None and abs(ref.distance_m - distance) > allowed:
            raise MarkerRuleError(
                f"{where}: the distance entered ({ref.distance_m:.1f} m) differs from its position's "
                f"({distance:.1f} m) by more than {allowed:.1f} m",
                "reference_objects",
            )
        return round(bearing, 6) % 360.0, round(distance, 2)  # 359.9999999 is 0
    if ref.bearing_deg is None or ref.distance_m is None:
        raise MarkerRuleError(f"{where}: give its position, or its bearing and distance", "reference_objects")
    if not 0 <= ref.bearing_deg < 360:
        raise MarkerRuleError(f"{where}: a bearing lies in 0 <= b < 360", "reference_objects")
    if not ref.distance_m > 0:
        raise MarkerRuleError(f"{where}: the distance must be more than 0 m", "reference_objects")
    return float(ref.bearing_deg), float(ref.distance_m)


def _reference_rows(marker: BoundaryMarker, refs: Sequence[ReferenceInput]) -> list[ReferenceObject]:
    """The reference objects as rows of ``marker`` (not saved), each checked."""
    if refs and len(refs) < MIN_REFERENCE_OBJECTS:
        raise MarkerRuleError(
            f"a marker has no reference objects or at least {MIN_REFERENCE_OBJECTS}, not {len(refs)}",
            "reference_objects",
        )
    rows = []
    for order, ref in enumerate(refs, start=1):
        if not (ref.name or "").strip():
            raise MarkerRuleError(f"reference object {order} needs a name", "reference_objects")
        bearing, distance = _reference_values(marker.geom, ref, order)
        rows.append(
            ReferenceObject(
                marker=marker,
                order=order,
                name=ref.name.strip(),
                measured_part=(ref.measured_part or "").strip(),
                bearing_deg=bearing,
                distance_m=distance,
                geom=ref.geom,
            )
        )
    return rows


def _write_references(marker: BoundaryMarker, rows: list[ReferenceObject]) -> None:
    marker.reference_objects.all().delete()  # the earlier set is kept in the version rows
    ReferenceObject.objects.bulk_create(rows)


def references_of(marker: BoundaryMarker) -> list[ReferenceInput]:
    """The marker's reference objects as inputs: a moved marker measures the positioned ones again."""
    return [
        ReferenceInput(
            r.name, None if r.geom else r.bearing_deg, None if r.geom else r.distance_m, r.geom, r.measured_part
        )
        for r in marker.reference_objects.order_by("order")
    ]


# ---- history ---------------------------------------------------------------------------------------------


def snapshot(marker: BoundaryMarker) -> dict:
    """The marker's attributes as plain JSON (its position is the version row's geometry)."""

    def day(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "number": marker.number,
        "line": marker.line.code,
        "sequence": marker.sequence,
        "kind": marker.kind,
        "grade": marker.grade,
        "shape": marker.shape,
        "material": marker.material,
        "elevation_m": marker.elevation_m,
        "position_description": marker.position_description,
        "distance_along_m": marker.distance_along_m,
        "off_line_reason": marker.off_line_reason,
        "status": marker.status,
        "set_on": day(marker.set_on),
        "abolished_on": day(marker.abolished_on),
        "is_synthetic": marker.is_synthetic,
        "reference_objects": [
            {
                "order": r.order,
                "name": r.name,
                "measured_part": r.measured_part,
                "bearing_deg": r.bearing_deg,
                "distance_m": r.distance_m,
                "position": [r.geom.x, r.geom.y] if r.geom else None,
            }
            for r in marker.reference_objects.order_by("order")
        ],
    }


def _record_version(marker: BoundaryMarker, changeset: Changeset, event: str, changed=frozenset()) -> None:
    BoundaryMarkerVersion.objects.create(
        marker=marker,
        version=marker.version,
        changeset=changeset,
        data={**snapshot(marker), "event": event},
        geom=marker.geom,
    )
    announce(RecordChanged("marker", marker, frozenset(changed), created=marker.version == 1))


def _clean(marker: BoundaryMarker) -> None:
    try:
        marker.full_clean(exclude=["line", "distance_along_m"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise MarkerRuleError(f"{field}: {' '.join(messages)}", field) from None
    if marker.abolished_on and marker.set_on and marker.abolished_on < marker.set_on:
        raise MarkerRuleError(
            f"abolished_on ({marker.abolished_on}) is before set_on ({marker.set_on})", "abolished_on"
        )


# ---- the events ------------------------------------------------------------------------------------------


def _new_marker(
    line: BoundaryLine,
    kind: str,
    geom: Point,
    sequence: int,
    *,
    grade: str | None,
    shape: str | None,
    material: str,
    elevation_m: float | None,
    position_description: str,
    off_line_reason: str,
    set_on: dt.date | None,
    reference_objects: Sequence[ReferenceInput],
    is_synthetic: bool,
) -> tuple[BoundaryMarker, list[ReferenceObject]]:
    """The marker ``register_marker`` sets and its reference objects, every rule checked, nothing saved."""
    number = marker_number(number_prefix(line), sequence, kind)
    _check_sequence(line, sequence, kind, geom)
    if BoundaryMarker.objects.filter(number=number).exists():
        raise MarkerRuleError(f"marker number {number} is taken", "sequence")
    marker = BoundaryMarker(
        line=line,
        number=number,
        sequence=sequence,
        kind=kind,
        grade=grade or GRADE_OF_LINE.get(line.level, BoundaryMarker.Grade.COUNTY),
        shape=shape
        or (BoundaryMarker.Shape.THREE_FACED if FAMILIES[kind] == "CDE" else BoundaryMarker.Shape.TWO_FACED),
        material=material,
        geom=geom,
        elevation_m=elevation_m,
        position_description=position_description,
        off_line_reason=off_line_reason,
        set_on=set_on,
        is_synthetic=is_synthetic,
        version=1,
    )
    marker.distance_along_m = _distance_along(line, geom, off_line_reason)
    _clean(marker)
    return marker, _reference_rows(marker, reference_objects)


def _settable(line: BoundaryLine, kind: str) -> None:
    _writable(line)
    if kind not in FAMILIES:
        raise MarkerRuleError(f"a marker's type letter is one of {', '.join(FAMILIES)}, not {kind!r}", "kind")


@transaction.atomic
def register_marker(
    *,
    changeset: Changeset,
    line: BoundaryLine,
    kind: str,
    geom: Point,
    sequence: int | None = None,
    grade: str | None = None,
    shape: str | None = None,
    material: str = BoundaryMarker.Material.GRANITE,
    elevation_m: float | None = None,
    position_description: str = "",
    off_line_reason: str = "",
    set_on: dt.date | None = None,
    reference_objects: Sequence[ReferenceInput] = (),
    is_synthetic: bool = False,
) -> BoundaryMarker:
    """Set (埋设) a marker on ``line``: a new sequence unless ``sequence`` names the pair or triple it
    completes (or an existing register's number being entered)."""
    line = BoundaryLine.objects.select_for_update().get(pk=line.pk)  # one registration per line at a time
    _settable(line, kind)
    marker, rows = _new_marker(
        line,
        kind,
        geom,
        _new_sequence(line) if sequence is None else sequence,
        grade=grade,
        shape=shape,
        material=material,
        elevation_m=elevation_m,
        position_description=position_description,
        off_line_reason=off_line_reason,
        set_on=set_on,
        reference_objects=reference_objects,
        is_synthetic=is_synthetic,
    )
    marker.save()
    _write_references(marker, rows)
    _record_version(marker, changeset, "set")
    return marker


def check_register(*, line: BoundaryLine, kind: str, geom: Point, sequence: int | None = None, **values) -> None:
    """``register_marker``'s rules on these arguments, nothing written (no sequence taken: an empty one
    is checked as the next free one)."""
    line = BoundaryLine.objects.get(pk=line.pk)
    _settable(line, kind)
    if sequence is None:
        sequence = (BoundaryMarker.objects.filter(line=line).aggregate(m=Max("sequence"))["m"] or 0) + 1
        if sequence > MAX_SEQUENCE:
            raise MarkerRuleError(f"line {line.code} has no free marker sequence (1..{MAX_SEQUENCE})", "sequence")
    defaults = {"grade": None, "shape": None, "material": BoundaryMarker.Material.GRANITE, "elevation_m": None}
    defaults |= {"position_description": "", "off_line_reason": "", "set_on": None, "reference_objects": ()}
    _new_marker(line, kind, geom, sequence, **(defaults | {"is_synthetic": False} | values))


def _refuse_change(marker: BoundaryMarker, changes: dict, *, abolishing: bool = False) -> None:
    if abolishing:
        if marker.status == Status.ABOLISHED:
            raise MarkerRuleError(f"marker {marker.number} was abolished on {marker.abolished_on}", "status")
        return
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise MarkerRuleError(f"not editable: {', '.join(sorted(unknown))}", sorted(unknown)[0])
    if marker.status == Status.ABOLISHED:
        raise MarkerRuleError(f"marker {marker.number} is abolished: it changes no more", "status")
    if changes.get("status") == Status.ABOLISHED:
        raise MarkerRuleError("a marker is abolished by its own step (abolish), with the day", "status")


@transaction.atomic
def update_marker(
    marker: BoundaryMarker,
    *,
    changeset: Changeset,
    changes: dict,
    expected_version: int | None = None,
    reference_objects: Sequence[ReferenceInput] | None = None,
    event: str | None = None,
) -> BoundaryMarker:
    """Apply ``changes`` (EDITABLE_FIELDS) and, when given, a new set of reference objects. Nothing
    changed, nothing written. An abolished marker changes no more; abolition is ``abolish_marker``."""
    if set(changes) - set(EDITABLE_FIELDS):
        _refuse_change(marker, changes)
    locked = lock(BoundaryMarker.objects.select_related("line"), marker.pk, expected_version)
    _refuse_change(locked, changes)
    return _apply(locked, changeset, changes, reference_objects, event)


def _prepare(marker: BoundaryMarker, changes: dict, reference_objects) -> tuple[dict, list[ReferenceObject] | None]:
    """Set the changed values on ``marker`` (in memory) and check every rule: (what changed, the new
    reference objects' rows or None when they stay)."""
    changed = changed_values(marker, changes)
    for name, value in changed.items():
        setattr(marker, name, value)
    if "geom" in changed and FAMILIES[marker.kind] == "CDE" and not at_tri_point(marker.line, marker.geom):
        raise MarkerRuleError(f"a triple marker ({marker.kind}) stays at its tri-point", "geom")
    marker.distance_along_m = _distance_along(marker.line, marker.geom, marker.off_line_reason)
    _clean(marker)
    if reference_objects is not None:
        return changed, _reference_rows(marker, reference_objects)
    if "geom" in changed:
        return changed, _reference_rows(marker, references_of(marker))  # measured again from the new position
    return changed, None


def _apply(locked: BoundaryMarker, changeset, changes: dict, reference_objects, event: str | None) -> BoundaryMarker:
    before = snapshot(locked)
    changed, rows = _prepare(locked, changes, reference_objects)
    if rows is not None:
        _write_references(locked, rows)
    after = snapshot(locked)
    if after == before and "geom" not in changed:
        return locked
    if reference_objects is not None and after["reference_objects"] != before["reference_objects"]:
        changed = {**changed, "reference_objects": None}
    bump(locked)
    _record_version(locked, changeset, event or _event_of(changed), frozenset(changed))
    return locked


def _event_of(changed: dict) -> str:
    if "geom" in changed:
        return "moved"
    if "status" in changed:
        return STATUS_EVENTS[changed["status"]]
    return "edited"


STATUS_EVENTS = {
    Status.INTACT: "repaired",
    Status.DAMAGED: "damaged",
    Status.LOST: "lost",
    Status.MOVED: "displaced",
    Status.ABOLISHED: "abolished",
}


def _move_changes(geom: Point, off_line_reason: str = "") -> dict:
    return {"geom": geom, "off_line_reason": off_line_reason, "status": Status.INTACT}


def _replace_changes(set_on: dt.date, material: str | None = None, shape: str | None = None) -> dict:
    changes = {"status": Status.INTACT, "set_on": set_on}
    changes |= {"material": material} if material else {}
    return changes | ({"shape": shape} if shape else {})


def _abolish_changes(abolished_on: dt.date) -> dict:
    return {"status": Status.ABOLISHED, "abolished_on": abolished_on}


def move_marker(
    marker: BoundaryMarker,
    *,
    changeset: Changeset,
    geom: Point,
    off_line_reason: str = "",
    expected_version: int | None = None,
    reference_objects: Sequence[ReferenceInput] | None = None,
) -> BoundaryMarker:
    """Move a marker to a new agreed position (迁移): it stands there intact; positioned reference
    objects are measured again, hand-entered ones kept (survey them again: 方位物修测)."""
    return update_marker(
        marker,
        changeset=changeset,
        changes=_move_changes(geom, off_line_reason),
        expected_version=expected_version,
        reference_objects=reference_objects,
        event="moved",
    )


def record_status(
    marker: BoundaryMarker, status: str, *, changeset: Changeset, expected_version: int | None = None
) -> BoundaryMarker:
    """A state found or restored: damaged (损坏), lost (丢失), displaced (移位), repaired (完好 again)."""
    return update_marker(
        marker,
        changeset=changeset,
        changes={"status": status},
        expected_version=expected_version,
        event=STATUS_EVENTS.get(status),
    )


def replace_marker(
    marker: BoundaryMarker,
    *,
    changeset: Changeset,
    set_on: dt.date,
    material: str | None = None,
    shape: str | None = None,
    expected_version: int | None = None,
) -> BoundaryMarker:
    """A new stone on the same spot with the same number (更换界桩): intact, set on ``set_on``."""
    return update_marker(
        marker,
        changeset=changeset,
        changes=_replace_changes(set_on, material, shape),
        expected_version=expected_version,
        event="replaced",
    )


@transaction.atomic
def abolish_marker(
    marker: BoundaryMarker, *, changeset: Changeset, abolished_on: dt.date, expected_version: int | None = None
) -> BoundaryMarker:
    """Abolish a marker (废止): it stays in the register with its number, which is never given again."""
    locked = lock(BoundaryMarker.objects.select_related("line"), marker.pk, expected_version)
    changes = _abolish_changes(abolished_on)
    _refuse_change(locked, changes, abolishing=True)
    return _apply(locked, changeset, changes, None, "abolished")


# What each step of a marker's life changes, from its own arguments (``check`` runs them without writing).
STEP_CHANGES = {
    "update_marker": lambda changes, reference_objects=None: (changes, reference_objects),
    "move_marker": lambda reference_objects=None, **moved: (_move_changes(**moved), reference_objects),
    "record_status": lambda status: ({"status": status}, None),
    "replace_marker": lambda **replaced: (_replace_changes(**replaced), None),
    "abolish_marker": lambda abolished_on: (_abolish_changes(abolished_on), None),
}
STEPS = ("register_marker", *STEP_CHANGES)


def check(step: str, marker: BoundaryMarker | None = None, *, expected_version: int | None = None, **arguments):
    """The rules of ``step`` (one of STEPS: ``register_marker``, ``update_marker``, ``move_marker``, ...) on
    ``arguments`` (the step's own keyword arguments, without the changeset), nothing written: the
    MarkerRuleError the step would raise, or VersionConflict for a stale ``expected_version``."""
    if step == "register_marker":
        check_register(**arguments)
        return
    current = BoundaryMarker.objects.select_related("line").get(pk=marker.pk)  # a copy, changed in memory only
    if expected_version is not None and current.version != expected_version:
        raise VersionConflict(current.record_label, expected_version, current.version)
    changes, reference_objects = STEP_CHANGES[step](**arguments)
    _refuse_change(current, changes, abolishing=step == "abolish_marker")
    _prepare(current, changes, reference_objects)


# ---- checks ---------------------------------------------------------------------------------------------


def unpartnered(lines: Iterable[BoundaryLine] | None = None) -> list[dict]:
    """Pairs (A/B) and triples (C/D/E) of which a letter is not registered yet (abolished markers left
    out): [{line, sequence, have, missing}], by line and sequence."""
    markers = BoundaryMarker.objects.exclude(status=Status.ABOLISHED).exclude(kind=Kind.Q)
    if lines is not None:
        markers = markers.filter(line__in=list(lines))
    groups: dict[tuple[str, int], set[str]] = defaultdict(set)
    for code, sequence, kind in markers.values_list("line__code", "sequence", "kind"):
        groups[(code, sequence)].add(kind)
    found = []
    for (code, sequence), kinds in sorted(groups.items()):
        family = FAMILIES[next(iter(kinds))]
        missing = [letter for letter in family if letter not in kinds]
        if missing:
            found.append(
                {"line": code, "sequence": sequence, "have": "".join(sorted(kinds)), "missing": "".join(missing)}
            )
    return found
