"""Changing administrative units: the only place that writes AdminUnit rows.

Every change bumps the unit's version and writes an AdminUnitVersion row inside a changeset. An
update that carries the version it was based on is refused with VersionConflict when the unit has
moved on since, so a second editor never silently overwrites the first.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from boundaries.models import AdminUnit, AdminUnitVersion, UnitCode, UnitName
from core.events import RecordChanged, announce
from core.models import Changeset, DataSource
from core.records import bump, changed_values, lock

# The attributes that the history snapshot keeps and that an update may change.
EDITABLE_FIELDS = (
    "code",
    "name",
    "level",
    "tier",
    "parent",
    "valid_from",
    "valid_to",
    "geom",
    "seat",
    "source",
    "geometry_source",
    "seat_source",
)


class UnitRuleError(ValueError):
    """A change the rules of the division list do not allow (e.g. a validity that ends before it starts)."""


def snapshot(unit: AdminUnit) -> dict:
    """The unit's attributes as plain JSON (geometry is stored beside it, not in it)."""

    def key(source: DataSource | None) -> str | None:
        return source.key if source else None

    return {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "tier": unit.tier,
        "parent": unit.parent.code if unit.parent_id else None,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
        "seat": unit.seat.wkt if unit.seat else None,
        "source": key(unit.source),
        "geometry_source": key(unit.geometry_source),
        "seat_source": key(unit.seat_source),
    }


def _record_version(unit: AdminUnit, changeset: Changeset, changed: frozenset[str] = frozenset()) -> None:
    AdminUnitVersion.objects.create(
        unit=unit, version=unit.version, changeset=changeset, data=snapshot(unit), geom=unit.geom
    )
    # The boundary lines, the cached tiles and the generalised geometry follow (their apps subscribe).
    announce(RecordChanged("unit", unit, changed, created=unit.version == 1))


def create_unit(*, changeset: Changeset, **fields) -> AdminUnit:
    unit = AdminUnit(version=1, **fields)
    unit.full_clean(exclude=["parent", "source", "geometry_source", "seat_source"], validate_constraints=False)
    unit.save()
    _record_version(unit, changeset)
    return unit


@transaction.atomic
def update_unit(
    unit: AdminUnit,
    *,
    changeset: Changeset,
    changes: dict,
    expected_version: int | None = None,
    effective: dt.date | None = None,
    source: DataSource | None = None,
) -> AdminUnit:
    """Apply ``changes`` to the unit. A changed name or code keeps the old one as a former name or
    code whose validity ends on ``effective`` (the day the change takes effect)."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    locked = lock(AdminUnit.objects.all(), unit.pk, expected_version)
    changed = changed_values(locked, changes)
    if not changed:
        return locked
    if "name" in changed:
        UnitName.objects.get_or_create(
            unit=locked,
            name=locked.name,
            kind=UnitName.Kind.FORMER,
            defaults={"valid_to": effective, "source": source, "note": changeset.reason[:500]},
        )
    if "code" in changed:
        UnitCode.objects.get_or_create(
            unit=locked,
            code=locked.code,
            kind=UnitCode.Kind.FORMER,
            defaults={"valid_to": effective, "source": source, "note": changeset.reason[:500]},
        )
    for name, value in changed.items():
        setattr(locked, name, value)
    if locked.valid_from and locked.valid_to and locked.valid_to <= locked.valid_from:
        raise UnitRuleError(
            f"unit {locked.code}: valid_to ({locked.valid_to}) must be after valid_from ({locked.valid_from})"
        )
    bump(locked)
    _record_version(locked, changeset, frozenset(changed))
    locked.refresh_from_db()
    return locked


def retire_unit(
    unit: AdminUnit, *, changeset: Changeset, valid_to: dt.date, expected_version: int | None = None
) -> AdminUnit:
    """End a unit's validity. Units are never deleted."""
    return update_unit(unit, changeset=changeset, changes={"valid_to": valid_to}, expected_version=expected_version)
