"""Marker events (界桩事项: boundaries.services.marker_events): thin views declared on ``router``
(mounted under /api/v1/ by config.api), in the shape of the boundary proposals' (boundaries.api_proposals);
what they answer is in boundaries.openapi_markers. The marker write endpoints (boundaries.api_markers)
propose the events; here the parties read, approve and reject them. Staff only, as real markers are."""

from __future__ import annotations

from ninja import Query, Router

from accounts.roles import is_staff_reader
from boundaries.api_proposals import ApprovalGiven, approving_party
from boundaries.models import MarkerEvent
from boundaries.services import marker_events
from boundaries.services import markers_registry as registry
from core.api import ApiError
from core.http import json_response
from core.restapi import OFFICERS, Answer, Json, OneOf, Page, StrictSchema, Text, Version, endpoint

router = Router()
EventNumber = Text(20, description="The marker event's number, e.g. JZ-2026-0001")
Note = Text(min_length=1, description="Why: recorded with the decision.")
PAGE_SIZE, MAX_PAGE_SIZE = 100, 500


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "marker events are the bureau's working data: staff only")


def _event(request, number: str) -> MarkerEvent:
    _staff(request)
    found = MarkerEvent.objects.filter(number=number).select_related("line", "marker", "proposed_by").first()
    if found is None:
        raise ApiError(404, f"no marker event {number!r}")
    return found


def _refused(exc: Exception) -> ApiError:
    field = getattr(exc, "field", None)
    return ApiError(400, str(exc), **({"field": field} if field else {}))


class EventFilters(Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    status: OneOf(MarkerEvent.Status.values, "Only those in this status") | None = None
    line: Text(40, description="A line's code", examples=["231083-231084"]) = ""


@endpoint(
    router,
    "GET",
    "/marker-events",
    operation_id="listMarkerEvents",
    summary="Marker events (set, move, state, replace, edit, abolish), newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("A page of marker events", "MarkerEvents"),
    url_name="marker-event-list",
)
def event_list(request, query: Query[EventFilters]):
    _staff(request)
    found = MarkerEvent.objects.select_related("line", "marker", "proposed_by").order_by("-proposed_at", "-pk")
    if query.status:
        found = found.filter(status=query.status)
    if query.line:
        found = found.filter(line__code=query.line)
    page = found[query.offset : query.offset + query.limit]
    return json_response(
        {
            "count": found.count(),
            "offset": query.offset,
            "limit": query.limit,
            "events": [marker_events.represent(event) for event in page],
        }
    )


@endpoint(
    router,
    "GET",
    "/marker-events/{number}",
    operation_id="getMarkerEvent",
    summary="One marker event, with the approvals given and awaited (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The marker event", "MarkerEvent"),
    url_name="marker-event-detail",
)
def event_detail(request, number: EventNumber):
    return json_response(marker_events.represent(_event(request, number)))


@endpoint(
    router,
    "POST",
    "/marker-events/{number}/approve",
    operation_id="approveMarkerEvent",
    summary="Give one party's approval; the last one applies the change to the marker register",
    description="A marker that changed since the event was drawn makes the last approval a 409; a change "
    "the register's rules refuse by then is a 400, and nothing is applied.",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The marker event (status applied once every party has approved)", "MarkerEvent"),
    url_name="marker-event-approve",
)
def approve(request, number: EventNumber, body: Json[ApprovalGiven]):
    event = _event(request, number)
    unit, outside = approving_party(body)
    try:
        done = marker_events.approve(
            event,
            user=request.user,
            party=body.party,
            unit=unit,
            outside=outside,
            signed_by=body.signed_by,
            signed_on=body.signed_on,
            document=body.document,
            expected_version=body.version,
        )
    except (marker_events.EventRefused, registry.MarkerRuleError) as exc:
        raise _refused(exc) from None
    return json_response(marker_events.represent(done))


class Refusal(StrictSchema):
    note: Note
    version: Version


@endpoint(
    router,
    "POST",
    "/marker-events/{number}/reject",
    operation_id="rejectMarkerEvent",
    summary="A party rejects the marker event (the proposer withdraws it); nothing is applied",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The marker event, rejected or withdrawn", "MarkerEvent"),
    url_name="marker-event-reject",
)
def reject(request, number: EventNumber, body: Json[Refusal]):
    try:
        done = marker_events.reject(
            _event(request, number), user=request.user, note=body.note, expected_version=body.version
        )
    except marker_events.EventRefused as exc:
        raise _refused(exc) from None
    return json_response(marker_events.represent(done))
