"""The marker-replacement campaign (boundaries.services.replacement): thin views on ``router``, mounted
under /api/v1/ by config.api; what they answer is in boundaries.openapi_replacement. Staff only."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query, Router, Schema
from pydantic import Field

from accounts.roles import is_staff_reader
from boundaries.models import AdminUnit, BoundaryMarker, ReplacementCampaign, ReplacementItem
from boundaries.services import replacement
from core.api import ApiError
from core.http import json_response
from core.restapi import OFFICERS, Answer, Day, Json, OneOf, StrictSchema, Text, Version, Whole, endpoint

router = Router()
CampaignNumber = Annotated[Text(20), Path(description="The campaign's number, e.g. GH-2026-0001")]
Reason = Text(min_length=1, description="Why: recorded in the change history.")


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "the replacement campaigns are the bureau's working data: staff only")


def _campaign(number: str) -> ReplacementCampaign:
    found = ReplacementCampaign.objects.filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no replacement campaign {number!r}")
    return found


def _refused(exc: replacement.ReplacementRefused) -> ApiError:
    return ApiError(400, str(exc), **({"field": exc.field} if exc.field else {}))


def item_json(item: ReplacementItem) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "id": item.pk,
        "marker": item.marker.number,
        "synthetic": item.marker.is_synthetic,
        "line": item.marker.line.code,
        "county": item.county.code if item.county_id else None,
        "why": item.why,
        "step": item.step,
        "maker": item.maker,
        "order_reference": item.order_reference,
        "ordered_on": day(item.ordered_on),
        "made_on": day(item.made_on),
        "set_on": day(item.set_on),
        "accepted_on": day(item.accepted_on),
        "accepted_by": item.accepted_by,
        "note": item.note,
        "version": item.version,
    }


def campaign_json(campaign: ReplacementCampaign, *, items: bool = True) -> dict:
    found = {
        "number": campaign.number,
        "year": campaign.year,
        "title": campaign.title,
        "criteria": campaign.criteria,
        "status": campaign.status,
        "created_by": campaign.created_by.get_username(),
        "version": campaign.version,
    }
    if items:
        rows = campaign.items.select_related("marker__line", "county")
        found["items"] = [item_json(item) for item in rows]
    return found


class Criteria(StrictSchema):
    grades: list[OneOf(BoundaryMarker.Grade.values)] | None = Field(None, max_length=4)
    older_than_years: int | None = Field(None, ge=1, le=200, strict=True, description="Set at least this long ago")
    states: list[OneOf(BoundaryMarker.Status.values)] | None = Field(None, max_length=5)
    not_inspected_for_years: int | None = Field(None, ge=1, le=100, strict=True)
    line_codes: list[Text(40)] | None = Field(None, max_length=100)


class CriteriaQuery(Schema):
    grade: OneOf(BoundaryMarker.Grade.values, "Only markers of this grade") | None = None
    older_than_years: Whole(ge=1, le=200, description="Set at least this many years ago") = None
    state: OneOf(BoundaryMarker.Status.values, "In this state") | None = None
    not_inspected_for_years: Whole(ge=1, le=100, description="Not checked by a joint inspection for so long") = None


@endpoint(
    router,
    "GET",
    "/replacement-campaigns/due",
    operation_id="listMarkersDueForReplacement",
    summary="The markers a campaign with these criteria would select, with why (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Markers due", "MarkersDue"),
    errors=("400",),
    url_name="replacement-due",
)
def due(request, query: Query[CriteriaQuery]):
    _staff(request)
    criteria = {
        "grades": [query.grade] if query.grade else None,
        "older_than_years": query.older_than_years,
        "states": [query.state] if query.state else None,
        "not_inspected_for_years": query.not_inspected_for_years,
    }
    found = replacement.due_markers(**criteria)
    return json_response(
        {"markers": [{"number": m.number, "line": m.line.code, "status": m.status, "why": why} for m, why in found]}
    )


@endpoint(
    router,
    "GET",
    "/replacement-campaigns",
    operation_id="listReplacementCampaigns",
    summary="Marker-replacement campaigns, newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Campaigns", "ReplacementCampaigns"),
    url_name="replacement-list",
)
def campaign_list(request):
    _staff(request)
    found = ReplacementCampaign.objects.select_related("created_by").order_by("-year", "-number")[:200]
    return json_response({"campaigns": [campaign_json(c, items=False) for c in found]})


class CampaignNew(StrictSchema):
    year: int = Field(..., ge=1990, le=2100, strict=True)
    title: Text(200, min_length=1)
    criteria: Criteria
    reason: Reason


@endpoint(
    router,
    "POST",
    "/replacement-campaigns",
    operation_id="openReplacementCampaign",
    summary="Open a campaign of the markers due by the criteria (none given: the damaged, lost and moved ones)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign with its markers", "ReplacementCampaign", status="201"),
    url_name="replacement-create",
)
def open_campaign(request, body: Json[CampaignNew]):
    criteria = {k: v for k, v in body.criteria.dict().items() if v is not None}
    try:
        made = replacement.open_campaign(
            user=request.user, year=body.year, title=body.title, reason=body.reason, criteria=criteria
        )
    except replacement.ReplacementRefused as exc:
        raise _refused(exc) from None
    response = json_response(campaign_json(made), status=201)
    response["Location"] = f"/api/v1/replacement-campaigns/{made.number}"
    return response


@endpoint(
    router,
    "GET",
    "/replacement-campaigns/{number}",
    operation_id="getReplacementCampaign",
    summary="One campaign with each marker's step (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign", "ReplacementCampaign"),
    errors=("404",),
    url_name="replacement-detail",
)
def campaign_detail(request, number: CampaignNumber):
    _staff(request)
    return json_response(campaign_json(_campaign(number)))


@endpoint(
    router,
    "GET",
    "/replacement-campaigns/{number}/dashboard",
    operation_id="getReplacementDashboard",
    summary="Progress per county and per line, the orders per maker, and the year's figures (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The dashboard", "ReplacementDashboard"),
    errors=("404",),
    url_name="replacement-dashboard",
)
def dashboard(request, number: CampaignNumber):
    _staff(request)
    return json_response(replacement.dashboard(_campaign(number)))


class CampaignClose(StrictSchema):
    version: Version


@endpoint(
    router,
    "POST",
    "/replacement-campaigns/{number}/close",
    operation_id="closeReplacementCampaign",
    summary="Close a campaign whose markers are all accepted or dropped",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign", "ReplacementCampaign"),
    url_name="replacement-close",
)
def close(request, number: CampaignNumber, body: Json[CampaignClose]):
    try:
        done = replacement.close_campaign(_campaign(number), user=request.user, expected_version=body.version)
    except replacement.ReplacementRefused as exc:
        raise _refused(exc) from None
    return json_response(campaign_json(done))


class StepTaken(StrictSchema):
    step: OneOf([s for s in ReplacementItem.Step.values if s != "selected"], "The step reached")
    on: Day
    maker: Text(200, description="Ordered: the maker") = ""
    order_reference: Text(100, description="Ordered: the production order's reference") = ""
    side: Text(12, description="Accepted: the county that accepts (its code)") = ""
    note: Text(5000, description="Dropped: why") = ""
    version: Version


@endpoint(
    router,
    "PATCH",
    "/replacement-items/{item_id}",
    operation_id="advanceReplacementItem",
    summary="A marker's new stone: ordered, made, set, accepted by one side (the last writes the register), dropped",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The marker's item", "ReplacementItem"),
    url_name="replacement-item",
)
def advance(request, item_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: Json[StepTaken]):
    item = ReplacementItem.objects.filter(pk=item_id).first()
    if item is None:
        raise ApiError(404, f"no replacement item {item_id}")
    side = None
    if body.side:
        side = AdminUnit.objects.current().filter(code=body.side).first()
        if side is None:
            raise ApiError(400, f"no county has the code {body.side!r}", field="side")
    try:
        done = replacement.advance(
            item,
            user=request.user,
            step=body.step,
            on=body.on,
            maker=body.maker,
            order_reference=body.order_reference,
            note=body.note,
            side=side,
            expected_version=body.version,
        )
    except replacement.ReplacementRefused as exc:
        raise _refused(exc) from None
    return json_response(item_json(done))
