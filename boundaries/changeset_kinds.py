"""Administrative units in changesets (core.changesets). Units change by the State Council's and the
province's decisions, so only administrators edit them (as in the admin); the unit service keeps the
former name, the version and the history, and announces the change (lines and tiles follow)."""

from django.contrib.gis.geos import MultiPolygon

from accounts.roles import is_administrator
from boundaries.models import AdminUnit
from boundaries.services import topology
from boundaries.services.queries import UnknownUnit, unit_by_code
from boundaries.services.units import UnitRuleError, update_unit
from core.api import ApiError
from core.changesets import EditKind, register
from core.records import lock
from core.restapi import Day, Geometry, StrictSchema, Text, validated


class UnitChanges(StrictSchema):
    """What a changeset may change of a unit (each member optional; null clears a date)."""

    name: Text(AdminUnit._meta.get_field("name").max_length, min_length=1) = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    geometry: Geometry = None


def _find(user, code: str) -> AdminUnit | None:
    try:
        return unit_by_code(code)
    except UnknownUnit:
        return None


def _prepare(user, unit: AdminUnit, attributes: dict) -> dict:
    if not is_administrator(user):
        raise ApiError(403, "administrative units are edited by administrators")
    sent = validated(UnitChanges, attributes)
    changes = {name: getattr(sent, name) for name in sent.model_fields_set if name != "geometry"}
    if "geometry" in sent.model_fields_set:
        if topology.keeps_outline(unit):
            raise ApiError(400, f"{unit.name}: {topology.OUTLINE_BY_EDGES}", field="geometry")
        geom = sent.geometry
        if geom.geom_type == "Polygon":
            geom = MultiPolygon(geom, srid=geom.srid)
        if geom.geom_type != "MultiPolygon":
            raise ApiError(400, "a unit's geometry is a Polygon or MultiPolygon", field="geometry")
        changes["geom"] = geom
    return changes


def _apply(unit: AdminUnit, changes: dict, changeset, expected_version: int) -> AdminUnit:
    try:
        return update_unit(unit, changeset=changeset, changes=changes, expected_version=expected_version)
    except UnitRuleError as exc:
        raise ApiError(400, str(exc), field="valid_to") from None


UNIT = EditKind(
    name="unit",
    find=_find,
    prepare=_prepare,
    apply=_apply,
    lock=lambda unit, version: lock(AdminUnit.objects.all(), unit.pk, version),
    describe=lambda unit: {"version": unit.version, "url": f"/api/v1/units/{unit.code}"},
)


def register_kinds() -> None:
    register(UNIT)
