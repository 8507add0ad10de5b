"""Boundary lines as legal records and the topology under them: thin views over
boundaries.services.line_records and boundaries.services.topology, declared on ``router`` (mounted
under /api/v1/ by config.api); what they answer is described in boundaries.openapi."""

from __future__ import annotations

import json

from django.http import HttpResponse
from ninja import Router
from pydantic import Field

from accounts.roles import is_staff_reader
from boundaries.models import BoundaryLine, TopologyEdge
from boundaries.services import line_records, marker_tables, topology
from boundaries.services.licensing import full_geometry_released, generalised, generalised_note
from core.api import ApiError
from core.history import open_changeset
from core.http import json_response
from core.models import Changeset
from core.records import history_entries
from core.restapi import GEOJSON, OFFICERS, Answer, Day, Json, StrictSchema, Text, Version, endpoint
from core.srid import API_SRID

router = Router()
LINES, TOPOLOGY = "boundary lines", "topology"
LineCode = Text(40, description="The line's internal code: its parties' codes, e.g. 231083-231084")
Reason = Text(min_length=1, description="Why: recorded in the change history.")


def _line(code: str) -> BoundaryLine:
    line = BoundaryLine.objects.filter(code=code).prefetch_related("party_rows__unit", "party_rows__outside").first()
    if line is None:
        raise ApiError(404, f"no boundary line has the code {code!r}", code=code)
    return line


def _geometry(line: BoundaryLine, user) -> tuple[dict, dict | None]:
    """The line's course; to anyone but staff its generalised course (it follows the Amap-lineage
    polygons, boundaries.services.licensing)."""
    geometry = json.loads(line.geom.transform(API_SRID, clone=True).json)
    if full_geometry_released(user):
        return geometry, None
    return generalised(geometry), generalised_note(None)


@endpoint(
    router,
    "GET",
    "/boundary-lines",
    operation_id="listBoundaryLines",
    summary="Boundary lines: their parties, level, status, agreement and length",
    tag=LINES,
    answers=Answer("Lines by level and code", "BoundaryLineList"),
    url_name="boundary-line-list",
)
def line_list(request):
    lines = BoundaryLine.objects.prefetch_related("party_rows__unit", "party_rows__outside").order_by("level", "code")
    return json_response({"lines": [line_records.represent(line) for line in lines]})


@endpoint(
    router,
    "GET",
    "/boundary-lines/{code}",
    operation_id="getBoundaryLine",
    summary="One boundary line with its course",
    tag=LINES,
    answers=Answer("The line", "BoundaryLine", GEOJSON),
    errors=("404",),
    url_name="boundary-line-detail",
)
def line_detail(request, code: LineCode):
    line = _line(code)
    geometry, note = _geometry(line, request.user)
    properties = line_records.represent(line)
    if note:
        properties["geometry_generalised"] = note
    return json_response({"type": "Feature", "geometry": geometry, "properties": properties}, content_type=GEOJSON)


@endpoint(
    router,
    "GET",
    "/boundary-lines/{code}/history",
    operation_id="getBoundaryLineHistory",
    summary="Every version of a boundary line",
    tag=LINES,
    answers=Answer("Versions, oldest first", "BoundaryLineHistory"),
    errors=("404",),
    url_name="boundary-line-history",
)
def line_history(request, code: LineCode):
    line = _line(code)
    return json_response(
        {"code": line.code, "versions": history_entries(line.versions.select_related("changeset").order_by("version"))}
    )


@endpoint(
    router,
    "GET",
    "/boundary-lines/{code}/markers.pdf",
    operation_id="getBoundaryMarkerTable",
    summary="The line's markers as its results table (界桩成果表), PDF (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The results table", media={"application/pdf": {"type": "string", "format": "binary"}}),
    errors=("404",),
    url_name="boundary-line-marker-table",
)
def marker_table(request, code: LineCode):
    if not is_staff_reader(request.user):
        raise ApiError(403, "the marker tables are the bureau's working files: staff only")
    line = _line(code)
    response = HttpResponse(marker_tables.results_table_pdf(line), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="markers-{line.code}.pdf"'
    return response


class LineChange(StrictSchema):
    """The agreement (协议书) of a line; the members sent change, the others stay."""

    version: Version
    reason: Reason
    agreement_number: Text(100) = Field(None, description="协议书编号")
    agreement_date: Day | None = Field(None, description="协议书签订日期")
    agreement_signatories: Text(2000) = Field(None, description="签字方, one per line")


@endpoint(
    router,
    "PATCH",
    "/boundary-lines/{code}",
    operation_id="updateBoundaryLine",
    summary="Record a line's agreement (an officer of a party; the national border is read-only)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The line", "BoundaryLine", GEOJSON),
    url_name="boundary-line-update",
)
def line_update(request, code: LineCode, body: Json[LineChange]):
    line = _line(code)
    if not line_records.may_edit(request.user, line):
        raise ApiError(403, f"{line.name} is edited by the officers of its parties")
    changes = {name: getattr(body, name) for name in body.model_fields_set if name not in ("version", "reason")}
    changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
    try:
        line_records.update_line(line, changes=changes, changeset=changeset, expected_version=body.version)
    except line_records.LineRuleError as exc:
        raise ApiError(400, str(exc)) from None
    return line_detail(request, code)


# ---- the topology -------------------------------------------------------------------------------------


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "the topology is the bureau's working data: staff only")


@endpoint(
    router,
    "GET",
    "/topology/validation",
    operation_id="validateTopology",
    summary="What breaks the tiling of the city by its counties or of a county by its townships, with where",
    tag=TOPOLOGY,
    officer=True,
    answers=Answer("Findings (none: the counties tile the city)", "TopologyValidation"),
    url_name="topology-validation",
)
def validation(request):
    _staff(request)
    findings = topology.validate_all()
    return json_response(
        {
            "ok": not findings,
            "edges": TopologyEdge.objects.filter(retired_at__isnull=True).count(),
            "findings": [finding.as_dict() for finding in findings],
        }
    )


@endpoint(
    router,
    "GET",
    "/topology/edges",
    operation_id="listTopologyEdges",
    summary="The edges (each stretch of boundary stored once) with their two sides and line",
    tag=TOPOLOGY,
    officer=True,
    answers=Answer("Edges", "TopologyEdges", GEOJSON),
    url_name="topology-edges",
)
def edges(request, line: LineCode = ""):
    _staff(request)
    found = TopologyEdge.objects.filter(retired_at__isnull=True).select_related("left", "right", "line", "within")
    found = found.order_by("pk")
    if line:
        found = found.filter(line__code=line)
    return json_response(
        {"type": "FeatureCollection", "features": [_edge_feature(edge) for edge in found]}, content_type=GEOJSON
    )


def _edge_feature(edge: TopologyEdge) -> dict:
    return {
        "type": "Feature",
        "id": edge.pk,
        "geometry": json.loads(edge.geom.transform(API_SRID, clone=True).json),
        "properties": {
            "id": edge.pk,
            "version": edge.version,
            "left": edge.left.code if edge.left_id else None,
            "right": edge.right.code if edge.right_id else None,
            "line": edge.line.code if edge.line_id else None,
            "start_node": edge.start_node_id,
            "end_node": edge.end_node_id,
            "within": edge.within.code if edge.within_id else None,  # a township edge: its county
        },
    }
