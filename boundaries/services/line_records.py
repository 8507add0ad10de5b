"""Boundary lines as legal records: their representation, who may edit them, and the edit of what an
officer records of a line (its agreement, 协议书). A line's course is its topology edges'
(boundaries.services.topology); its parties are references (LineParty); the national border is drawn
and described but is not the bureau's to edit (``read_only``)."""

from __future__ import annotations

from django.db import transaction

from accounts.roles import may_write_in
from boundaries.models import BoundaryLine, BoundaryLineVersion, TopologyEdge
from core.events import RecordChanged, announce
from core.models import Changeset
from core.records import bump, changed_values, lock

EDITABLE = ("agreement_number", "agreement_date", "agreement_signatories")


class LineRuleError(ValueError):
    """A change the rules of lines do not allow (a read-only line, an unknown field)."""


def line_snapshot(line: BoundaryLine) -> dict:
    """A line's attributes as its history keeps them."""
    return {
        "code": line.code,
        "name": line.name,
        "level": line.level,
        "status": line.status,
        "read_only": line.read_only,
        "parties": line.parties,
        "agreement_number": line.agreement_number,
        "agreement_date": line.agreement_date.isoformat() if line.agreement_date else None,
        "agreement_signatories": line.agreement_signatories,
        "course_description": line.course_description,
        "valid_from": line.valid_from.isoformat() if line.valid_from else None,
        "valid_to": line.valid_to.isoformat() if line.valid_to else None,
        "derived_from": line.derived_from,
    }


def record_version(line: BoundaryLine, changeset: Changeset, changed: frozenset[str] = frozenset()) -> None:
    line.refresh_from_db()
    BoundaryLineVersion.objects.create(
        line=line, version=line.version, changeset=changeset, data=line_snapshot(line), geom=line.geom
    )
    announce(RecordChanged("line", line, changed, created=line.version == 1))


def counties_of(line: BoundaryLine) -> set[int]:
    """The county-level units along the line (the sides of its edges): whose officers keep it."""
    sides = TopologyEdge.objects.filter(line=line).values_list("left_id", "right_id")
    found = {unit_id for pair in sides for unit_id in pair if unit_id is not None}
    return found or {row.unit_id for row in line.party_rows.all() if row.unit_id}


def may_edit(user, line: BoundaryLine) -> bool:
    return not line.read_only and may_write_in(user, counties_of(line))


@transaction.atomic
def update_line(
    line: BoundaryLine, *, changes: dict, changeset: Changeset, expected_version: int | None = None
) -> BoundaryLine:
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise LineRuleError(f"not editable here: {', '.join(sorted(unknown))}")
    locked = lock(
        BoundaryLine.objects.prefetch_related("party_rows__unit", "party_rows__outside"), line.pk, expected_version
    )
    if locked.read_only:
        raise LineRuleError(f"{locked.name} is not the bureau's to edit: it is drawn and described only")
    changed = changed_values(
        locked, {k: ("" if v is None and k != "agreement_date" else v) for k, v in changes.items()}
    )
    if not changed:
        return locked
    for key, value in changed.items():
        setattr(locked, key, value)
    bump(locked)
    record_version(locked, changeset, frozenset(changed))
    return locked


def represent(line: BoundaryLine) -> dict:
    """One line as the API shows it (parties prefetched)."""
    return {
        "code": line.code,
        "name": line.name,
        "level": line.level,
        "level_label": line.get_level_display(),
        "status": line.status,
        "read_only": line.read_only,
        "parties": line.parties,
        "length_m": round(line.length_km * 1000, 1) if line.length_km is not None else None,
        "agreement": {
            "number": line.agreement_number,
            "date": line.agreement_date.isoformat() if line.agreement_date else None,
            "signatories": [s for s in line.agreement_signatories.splitlines() if s.strip()],
        },
        "course_description": line.course_description,
        "valid_from": line.valid_from.isoformat() if line.valid_from else None,
        "valid_to": line.valid_to.isoformat() if line.valid_to else None,
        "version": line.version,
    }
