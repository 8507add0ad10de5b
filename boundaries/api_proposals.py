"""Proposals to change a shared boundary (boundaries.services.proposals): thin views declared on
``router`` (mounted under /api/v1/ by config.api); what they answer is in boundaries.openapi."""

from __future__ import annotations

from typing import Annotated

from ninja import Router
from pydantic import Field, Strict

from accounts.roles import is_staff_reader
from boundaries.models import AdminUnit, BoundaryProposal, ContextArea, TopologyEdge
from boundaries.services import proposals, topology
from core.api import ApiError
from core.geometry import from_geos
from core.http import json_response
from core.restapi import OFFICERS, Answer, Day, Geometry, Json, OneOf, StrictSchema, Text, Version, endpoint

router = Router()
ProposalNumber = Text(20, description="The proposal's number, e.g. BJ-2026-0001")
Reason = Text(min_length=1, description="Why: recorded in the change history.")


def _proposal(number: str) -> BoundaryProposal:
    found = BoundaryProposal.objects.filter(number=number).select_related("line", "proposed_by").first()
    if found is None:
        raise ApiError(404, f"no boundary proposal {number!r}")
    return found


def _refused(exc: Exception):
    extra = {"where": list(exc.where)} if getattr(exc, "where", None) else {}
    return ApiError(400, str(exc), **({"field": "geometry"} if extra else {}), **extra)


class ProposalNew(StrictSchema):
    edge: Annotated[int, Strict(), Field(ge=1, le=2**31 - 1, description="The edge's id (GET /api/v1/topology/edges)")]
    geometry: Geometry = Field(..., description="The new course: a LineString between the edge's own two nodes")
    version: Version
    reason: Reason


@endpoint(
    router,
    "POST",
    "/topology/proposals",
    operation_id="proposeBoundaryChange",
    summary="Propose a new course for an edge; it takes effect when every party has approved it",
    description="Checked at once as the move would be: refused with a 400 that says where when the course "
    "leaves its nodes, crosses itself or another edge, or would leave a gap, an overlap or a sliver.",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The proposal, awaiting the parties", "BoundaryProposal", status="201"),
    url_name="boundary-proposal-create",
)
def propose(request, body: Json[ProposalNew]):
    edge = TopologyEdge.objects.filter(pk=body.edge, retired_at__isnull=True).first()
    if edge is None:
        raise ApiError(404, f"no edge {body.edge}")
    try:
        made = proposals.propose(
            edge, from_geos(body.geometry), user=request.user, reason=body.reason, expected_version=body.version
        )
    except (proposals.ProposalRefused, topology.TopologyRefused) as exc:
        raise _refused(exc) from None
    response = json_response(proposals.represent(made), status=201)
    response["Location"] = f"/api/v1/topology/proposals/{made.number}"
    return response


@endpoint(
    router,
    "GET",
    "/topology/proposals",
    operation_id="listBoundaryProposals",
    summary="Proposals to change a boundary, newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Proposals", "BoundaryProposals"),
    url_name="boundary-proposal-list",
)
def proposal_list(request, status: OneOf(BoundaryProposal.Status.values, "Only those in this status") | None = None):
    if not is_staff_reader(request.user):
        raise ApiError(403, "proposals are the bureau's working data: staff only")
    found = BoundaryProposal.objects.select_related("line", "proposed_by").order_by("-proposed_at")
    if status:
        found = found.filter(status=status)
    return json_response({"proposals": [proposals.represent(p) for p in found[:200]]})


@endpoint(
    router,
    "GET",
    "/topology/proposals/{number}",
    operation_id="getBoundaryProposal",
    summary="One proposal, with the approvals given and awaited (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The proposal", "BoundaryProposal"),
    url_name="boundary-proposal-detail",
)
def proposal_detail(request, number: ProposalNumber):
    if not is_staff_reader(request.user):
        raise ApiError(403, "proposals are the bureau's working data: staff only")
    return json_response(proposals.represent(_proposal(number)))


class ApprovalGiven(StrictSchema):
    party: OneOf(proposals.Party.values, "Whose approval: a county's, the bureau's, an outside party's or a township's")
    unit: Text(12, description="The county's code (party county) or the township's (party township)") = None
    outside: Text(12, description="The outside party's code, e.g. 222400 or RUS (party outside)") = None
    signed_by: Text(200, description="Outside party or township: who signed") = ""
    signed_on: Day | None = Field(None, description="Outside party or township: the day it signed")
    document: Text(200, description="Outside party or township: the signed document") = ""
    version: Version


def approving_party(body: ApprovalGiven) -> tuple[AdminUnit | None, ContextArea | None]:
    """The county, township or outside party an approval names by its code (the bureau by no code)."""
    unit = AdminUnit.objects.current().filter(code=body.unit).first() if body.unit else None
    outside = ContextArea.objects.filter(code=body.outside).first() if body.outside else None
    if (body.unit and unit is None) or (body.outside and outside is None):
        raise ApiError(400, "unknown party code", field="unit" if body.unit else "outside")
    return unit, outside


@endpoint(
    router,
    "POST",
    "/topology/proposals/{number}/approve",
    operation_id="approveBoundaryProposal",
    summary="Give one party's approval; the last one applies the change",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The proposal (status applied once every party has approved)", "BoundaryProposal"),
    url_name="boundary-proposal-approve",
)
def approve(request, number: ProposalNumber, body: Json[ApprovalGiven]):
    proposal = _proposal(number)
    unit, outside = approving_party(body)
    try:
        done = proposals.approve(
            proposal,
            user=request.user,
            party=body.party,
            unit=unit,
            outside=outside,
            signed_by=body.signed_by,
            signed_on=body.signed_on,
            document=body.document,
            expected_version=body.version,
        )
    except (proposals.ProposalRefused, topology.TopologyRefused) as exc:
        raise _refused(exc) from None
    return json_response(proposals.represent(done))


class Refusal(StrictSchema):
    note: Reason
    version: Version


@endpoint(
    router,
    "POST",
    "/topology/proposals/{number}/reject",
    operation_id="rejectBoundaryProposal",
    summary="A party rejects the proposal (the proposer withdraws it); nothing is applied",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The proposal, rejected or withdrawn", "BoundaryProposal"),
    url_name="boundary-proposal-reject",
)
def reject(request, number: ProposalNumber, body: Json[Refusal]):
    try:
        done = proposals.reject(_proposal(number), user=request.user, note=body.note, expected_version=body.version)
    except proposals.ProposalRefused as exc:
        raise _refused(exc) from None
    return json_response(proposals.represent(done))
