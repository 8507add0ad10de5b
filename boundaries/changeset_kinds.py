"""Administrative units and boundary edges in changesets (core.changesets).

Units change by the State Council's and the province's decisions, so only administrators edit them (as
in the admin); the unit service keeps the former name, the version and the history, and announces the
change (lines and tiles follow). A topology edge (kind "edge") is shared by its two sides: an edit of
one is checked at once as its move would be, and the whole changeset is then held as proposals
(boundaries.services.proposals.hold_changeset) until every party has approved."""

from django.contrib.gis.geos import MultiPolygon

from accounts.roles import is_administrator
from boundaries.models import AdminUnit, TopologyEdge
from boundaries.services import agreement, proposals, topology
from boundaries.services.proposals import EDGE_KIND
from boundaries.services.queries import UnknownUnit, unit_by_code
from boundaries.services.units import UnitRuleError, update_unit
from core.api import ApiError
from core.changesets import EditKind, keep_proposals_with, register
from core.geometry import from_geos
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


class EdgeChanges(StrictSchema):
    """A topology edge's new course (its own two nodes kept)."""

    geometry: Geometry


def _find_edge(user, key: str) -> TopologyEdge | None:
    if not key.isdigit() or len(key) > 10:
        return None
    return (
        TopologyEdge.objects.select_related("left", "right", "line", "start_node", "end_node")
        .filter(pk=int(key), retired_at__isnull=True)
        .first()
    )


def _prepare_edge(user, edge: TopologyEdge, attributes: dict) -> dict:
    if not agreement.may_propose(user, agreement.of_edge(edge)):
        raise ApiError(403, "a change to a boundary is proposed by an officer of a county on either side")
    geometry = validated(EdgeChanges, attributes).geometry
    if geometry.geom_type != "LineString":
        raise ApiError(400, "an edge's course is a LineString", field="geometry")
    course = from_geos(geometry)
    try:
        topology.check_move(edge, course)  # refused now as the move itself would be; nothing written
    except topology.TopologyRefused as refused:
        raise ApiError(400, str(refused), field="geometry", where=list(refused.where)) from None
    return {"geom": course}


def _apply_edge(edge, changes, changeset, expected_version):
    raise ApiError(400, "an edge changes only when its parties have approved the proposal")  # held, never here


EDGE = EditKind(
    name=EDGE_KIND,
    find=_find_edge,
    prepare=_prepare_edge,
    apply=_apply_edge,
    lock=lambda edge, version: lock(TopologyEdge.objects.select_related("left", "right", "line"), edge.pk, version),
    describe=lambda edge: {
        "version": edge.version,
        "url": f"/api/v1/topology/edges?line={edge.line.code if edge.line_id else ''}",
    },
    needs_agreement=lambda edge, changes: True,  # every edge is shared: a county's neighbour or the outside
)


def register_kinds() -> None:
    register(UNIT)
    register(EDGE)
    keep_proposals_with(proposals.hold_changeset)
