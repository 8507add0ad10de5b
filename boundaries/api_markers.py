"""The boundary-marker API (界桩): thin views over boundaries.services.markers_registry, rights from
boundaries.permissions, declared on ``router`` (config.api mounts it under /api/v1/); what they answer
is described in boundaries.openapi.

No real marker is public: anonymous readers (and accounts without a role) see the synthetic
demonstration markers only, and a real marker's number answers 404 to them, as a non-public place
record does. Writes are for an officer of a county that is party to the line (or an administrator), and
none is applied at once: each is proposed as a marker event (boundaries.services.marker_events), checked
now by the registry's rules, and answered 202 with the pending event (its number, the parties awaited);
it is applied when every party has approved it (boundaries.api_marker_events).
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from django.contrib.gis.geos import Point
from ninja import Path, Query, Router
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from boundaries import representation_markers as representation
from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.permissions import may_write_marker, visible_markers
from boundaries.services import marker_events
from boundaries.services import markers_registry as registry
from core.api import ApiError
from core.http import json_response
from core.restapi import (
    GEOJSON,
    MAX_TEXT,
    OFFICERS,
    Answer,
    Day,
    Geometry,
    Json,
    Number,
    OneOf,
    Page,
    StrictSchema,
    Text,
    Version,
    endpoint,
)

router = Router()

MARKERS = "markers"
PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
Status = BoundaryMarker.Status
# A number that is not a marker's is a 404, not a malformed request: no pattern beyond storable text.
MarkerNumber = Annotated[Text(200), Path(description="界桩号, e.g. 231083-231084001Q", examples=["231083-231084001Q"])]
FOUND_STATUSES = tuple(s for s in Status.values if s != Status.ABOLISHED)


def _real_number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number", "must be a number")
    return value


Bearing = Annotated[
    float, BeforeValidator(_real_number), Field(ge=0, lt=360, description="Grid bearing, decimal degrees")
]
Distance = Annotated[float, BeforeValidator(_real_number), Field(gt=0, le=100_000, description="Metres")]
Elevation = Annotated[float, BeforeValidator(_real_number), Field(ge=-500, le=9000, description="Metres")]
Prose = Text(4000)
Reason = Text(MAX_TEXT, min_length=1, description="Why: recorded in the change history.")


class ReferenceIn(StrictSchema):
    """A reference object (方位物): its position (bearing and distance are then computed), or its
    bearing and distance by hand, or both (then checked against each other: 1 degree, 1 m + 1 %)."""

    name: Text(200, min_length=1)
    measured_part: Text(200) = ""
    bearing_deg: Bearing | None = None
    distance_m: Distance | None = None
    position: Geometry = Field(None, description="A GeoJSON Point, WGS84")


References = Annotated[list[ReferenceIn], Field(max_length=20, description="None, or at least three")]


class MarkerCreate(StrictSchema):
    line: Text(40, min_length=1, description="The line's code, e.g. 231083-231084")
    kind: OneOf(BoundaryMarker.Kind.values, "Q single; A/B a pair; C/D/E a triple at a tri-point")
    geometry: Geometry = Field(description="A GeoJSON Point, WGS84")
    sequence: Number(ge=1, le=999, description="The sequence a B (or D, E) shares; empty: the next") | None = None
    grade: OneOf(BoundaryMarker.Grade.values, "Default: from the line's level") | None = None
    shape: OneOf(BoundaryMarker.Shape.values, "Default: three-faced for C/D/E, else two-faced") | None = None
    material: OneOf(BoundaryMarker.Material.values) = BoundaryMarker.Material.GRANITE.value
    elevation_m: Elevation | None = None
    position_description: Prose = ""
    off_line_reason: Prose = ""
    set_on: Day | None = None
    reference_objects: References = []
    reason: Reason


class MarkerUpdate(StrictSchema):
    version: Version
    reason: Reason
    geometry: Geometry = Field(None, description="A new agreed position (a GeoJSON Point): the marker is moved")
    grade: OneOf(BoundaryMarker.Grade.values) = None
    shape: OneOf(BoundaryMarker.Shape.values) = None
    material: OneOf(BoundaryMarker.Material.values) = None
    status: OneOf(FOUND_STATUSES, "What was found, or intact again after a repair; abolish has its own step") = None
    elevation_m: Elevation | None = None
    position_description: Prose | None = None
    off_line_reason: Prose | None = None
    set_on: Day | None = None
    reference_objects: References | None = Field(None, description="The whole new set (replaces the old)")


class MarkerAbolish(StrictSchema):
    version: Version
    reason: Reason
    abolished_on: Day = Field(description="The day the marker was abolished")


class MarkerFilters(Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    line: Text(40, description="A line's code", examples=["231083-231084"]) = ""
    status: OneOf(Status.values, "Only markers in this state") | None = None


# ---- helpers -----------------------------------------------------------------------------------------


def _marker(request, number: str) -> BoundaryMarker:
    marker = (
        visible_markers(request.user, representation.with_relations(BoundaryMarker.objects.all()))
        .filter(number=number)
        .first()
    )
    if marker is None:
        raise ApiError(404, f"no boundary marker has the number {number!r}", number=number)
    return marker


def _feature(request, number: str, status: int = 200):
    return json_response(representation.feature(_marker(request, number)), status=status, content_type=GEOJSON)


def _point(geom, field: str) -> Point:
    if geom.geom_type != "Point":
        raise ApiError(400, f"{field} must be a Point, not a {geom.geom_type}", field=field)
    return geom


def _references(items: list[ReferenceIn] | None) -> list[registry.ReferenceInput] | None:
    if items is None:
        return None
    return [
        registry.ReferenceInput(
            name=item.name,
            bearing_deg=item.bearing_deg,
            distance_m=item.distance_m,
            geom=_point(item.position, f"reference_objects[{n}].position") if item.position is not None else None,
            measured_part=item.measured_part,
        )
        for n, item in enumerate(items)
    ]


def _forbid_unless(user, line: BoundaryLine, *positions) -> None:
    if not user.is_authenticated:
        raise ApiError(401, "log in or send 'Authorization: Token <key>'")
    for geom in positions:
        if not may_write_marker(user, line, geom):
            raise ApiError(403, f"markers of line {line.code} are recorded by officers of its counties")


@contextlib.contextmanager
def _marker_rules():
    """A marker rule (or the event's) refusing the write: 400 naming the attribute where there is one (a
    stale version is 409, core.restapi)."""
    try:
        yield
    except registry.MarkerRuleError as exc:
        raise ApiError(400, str(exc), **({"field": exc.field} if exc.field else {})) from None
    except marker_events.EventRefused as exc:
        raise ApiError(400, str(exc)) from None


def _pending(event):
    """202: the change awaits the parties; the event's page says which."""
    response = json_response(marker_events.represent(event), status=202)
    response["Location"] = f"/api/v1/marker-events/{event.number}"
    return response


PENDING = "The marker event, awaiting the parties' approval (Location header); nothing is changed yet"


# ---- reads ----------------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/boundary-markers",
    operation_id="listBoundaryMarkers",
    summary="Boundary markers (界桩)",
    tag=MARKERS,
    answers=Answer("A page of markers, by line and number", "MarkerCollection", GEOJSON),
    errors=("400",),
    public=True,
    description="The bureau's staff see every marker; anyone else the synthetic demonstration markers only "
    "(`synthetic: true`), as no real marker is public.",
    url_name="marker-list",
)
def marker_list(request, query: Query[MarkerFilters]):
    markers = visible_markers(request.user, BoundaryMarker.objects.all())
    if query.line:
        markers = markers.filter(line__code=query.line)
    if query.status:
        markers = markers.filter(status=query.status)
    total = markers.count()
    page = representation.with_relations(markers).order_by("line__code", "sequence", "kind")
    page = page[query.offset : query.offset + query.limit]
    return json_response(
        {
            "type": "FeatureCollection",
            "count": total,
            "offset": query.offset,
            "limit": query.limit,
            "features": [representation.feature(marker) for marker in page],
        },
        content_type=GEOJSON,
    )


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}",
    operation_id="getBoundaryMarker",
    summary="One boundary marker",
    tag=MARKERS,
    answers=Answer("The marker", "Marker", GEOJSON),
    errors=("400", "404"),
    public=True,
    description="A real marker answers 404 to anyone but the bureau's staff.",
    url_name="marker-detail",
)
def marker_detail(request, number: MarkerNumber):
    return _feature(request, number)


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/history",
    operation_id="getBoundaryMarkerHistory",
    summary="Versions of a boundary marker (set, moved, damaged, repaired, replaced, abolished)",
    tag=MARKERS,
    answers=Answer("History", "MarkerHistory"),
    errors=("400", "404"),
    public=True,
    url_name="marker-history",
)
def marker_history(request, number: MarkerNumber):
    return json_response(representation.history(_marker(request, number)))


# ---- writes ---------------------------------------------------------------------------------------------


@endpoint(
    router,
    "POST",
    "/boundary-markers",
    operation_id="registerBoundaryMarker",
    summary="Propose a marker as set (埋设) on a line; set, with its number, once both sides approve",
    tag=OFFICERS,
    officer=True,
    answers=Answer(PENDING, "MarkerEvent", status="202"),
    url_name="marker-list-post",
)
def marker_register(request, body: Json[MarkerCreate]):
    line = BoundaryLine.objects.filter(code=body.line).first()
    if line is None:
        raise ApiError(400, f"no boundary line has the code {body.line!r}", field="line")
    geom = _point(body.geometry, "geometry")
    references = _references(body.reference_objects)
    _forbid_unless(request.user, line, geom)
    with _marker_rules():
        event = marker_events.propose(
            marker_events.Kind.SET,
            user=request.user,
            reason=body.reason,
            line=line,
            kind=body.kind,
            geom=geom,
            sequence=body.sequence,
            grade=body.grade,
            shape=body.shape,
            material=body.material,
            elevation_m=body.elevation_m,
            position_description=body.position_description,
            off_line_reason=body.off_line_reason,
            set_on=body.set_on,
            reference_objects=references,
        )
    return _pending(event)


TEXTS = ("position_description", "off_line_reason")


@endpoint(
    router,
    "PATCH",
    "/boundary-markers/{number}",
    operation_id="updateBoundaryMarker",
    summary="Propose a change of a marker: moved, found damaged, lost or displaced, repaired, or its details",
    tag=OFFICERS,
    officer=True,
    answers=Answer(PENDING, "MarkerEvent", status="202"),
    url_name="marker-detail-patch",
)
def marker_update(request, number: MarkerNumber, body: Json[MarkerUpdate]):
    marker = _marker(request, number)
    sent = body.model_fields_set - {"version", "reason", "reference_objects"}
    changes = {("geom" if name == "geometry" else name): getattr(body, name) for name in sent}
    for name in TEXTS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    for name in ("grade", "shape", "material", "status"):
        if name in changes and changes[name] is None:
            raise ApiError(400, f"'{name}' cannot be null", field=name)
    positions = [marker.geom]
    if "geom" in changes:
        positions.append(_point(changes["geom"], "geometry"))
    references = _references(body.reference_objects)
    _forbid_unless(request.user, marker.line, *positions)
    kind, arguments = marker_events.of_changes(changes, references)
    with _marker_rules():
        event = marker_events.propose(
            kind, user=request.user, reason=body.reason, marker=marker, expected_version=body.version, **arguments
        )
    return _pending(event)


@endpoint(
    router,
    "POST",
    "/boundary-markers/{number}/abolish",
    operation_id="abolishBoundaryMarker",
    summary="Propose abolishing a marker (废止): it stays in the register, its number never given again",
    tag=OFFICERS,
    officer=True,
    answers=Answer(PENDING, "MarkerEvent", status="202"),
    url_name="marker-abolish",
)
def marker_abolish(request, number: MarkerNumber, body: Json[MarkerAbolish]):
    marker = _marker(request, number)
    _forbid_unless(request.user, marker.line, marker.geom)
    with _marker_rules():
        event = marker_events.propose(
            marker_events.Kind.ABOLISH,
            user=request.user,
            reason=body.reason,
            marker=marker,
            expected_version=body.version,
            abolished_on=body.abolished_on,
        )
    return _pending(event)
