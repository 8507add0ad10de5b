"""Applying a source's facts about units without wiping what officers have edited.

For each field a source supplies, the incoming value is applied when the field is empty or still
holds what this same source last set (a later vintage is then recorded as a dated change: a renamed
unit keeps its old name as a former name ending on the vintage date). When someone else has changed
the field since, the edited value is kept and an ImportConflict records the disagreement.
"""

from __future__ import annotations

import datetime as dt

from boundaries.models import AdminUnit, AdminUnitVersion, ImportConflict
from boundaries.services import units as unit_service
from core.imports import ImportContext
from core.models import DataSource


def _baseline(unit: AdminUnit, ctx: ImportContext) -> AdminUnitVersion | None:
    """The latest version of the unit written by an earlier run of this source."""
    return (
        AdminUnitVersion.objects.filter(unit=unit, changeset__importrun__source=ctx.source).order_by("-version").first()
    )


def _snapshot_value(version: AdminUnitVersion, field: str):
    return version.geom if field == "geom" else version.data.get(field)


def _comparable(value):
    """Values of the unit and of a history snapshot in one comparable form."""
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, AdminUnit):
        return value.code
    if isinstance(value, DataSource):
        return value.key
    if isinstance(value, dt.date):
        return value.isoformat()
    return value.wkt  # a point


def _same(field: str, a, b) -> bool:
    if field == "geom":
        if a is None or b is None:
            return a is b
        return a.equals_exact(b, tolerance=0)
    return _comparable(a) == _comparable(b)


def apply_unit_fact(
    ctx: ImportContext, code: str, values: dict, *, create: dict | None = None, noun: str = "units"
) -> AdminUnit | None:
    """Create the unit with ``values`` (plus ``create``-only values), or bring its fields up to date.

    Returns the unit, or None when it does not exist and ``create`` is None."""
    unit = AdminUnit.objects.current().filter(code=code).first()
    if unit is None:
        if create is None:
            return None
        unit = unit_service.create_unit(changeset=ctx.changeset, **create, **values)
        ctx.report.count(f"created {noun}")
        return unit

    baseline = _baseline(unit, ctx)
    to_apply, conflicts = {}, []
    for field, incoming in values.items():
        current = getattr(unit, field)
        if _same(field, current, incoming):
            continue
        empty = current in (None, "")
        if empty or (baseline is not None and _same(field, current, _snapshot_value(baseline, field))):
            to_apply[field] = incoming
        else:
            conflicts.append((field, current, incoming))

    if to_apply:
        unit = unit_service.update_unit(
            unit, changeset=ctx.changeset, changes=to_apply, effective=ctx.definition.vintage_date, source=ctx.source
        )
        ctx.report.count(f"updated {noun}")
    else:
        ctx.report.count(f"unchanged {noun}")
    for field, current, incoming in conflicts:
        _record_conflict(ctx, unit, field, current, incoming)
    return unit


def _record_conflict(ctx: ImportContext, unit: AdminUnit, field: str, current, incoming) -> None:
    def jsonable(value):
        if hasattr(value, "geojson"):
            return {"geojson_bytes": len(value.geojson)}
        return _comparable(value)

    _, created = ImportConflict.objects.get_or_create(
        unit=unit,
        source=ctx.source,
        field=field,
        status=ImportConflict.Status.OPEN,
        defaults={"current_value": jsonable(current), "incoming_value": jsonable(incoming), "changeset": ctx.changeset},
    )
    if created:
        ctx.report.count("conflicts kept for review")
        ctx.report.warn(
            f"{unit.code} {unit.name}: {field} was edited since the last import; "
            f"kept {jsonable(current)!r}, the source now says {jsonable(incoming)!r}"
        )
