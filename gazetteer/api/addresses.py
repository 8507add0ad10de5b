"""Roads, house numbers and renumberings (gazetteer.services.house_numbers, .renumbering): thin views
on ``router``, mounted under /api/v1/ by config.api; what they answer is in gazetteer.openapi_addresses.

Roads and their current addresses are public (synthetic demonstration ones labelled); an address's
owner and its history's authors are the staff's. Officers number on the roads of their counties;
renumberings are decided by approvers."""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Query, Router, Schema
from pydantic import Field

from accounts.roles import is_staff_reader
from core.api import ApiError
from core.geometry import from_geos
from core.history import open_changeset
from core.http import json_response
from core.models import Changeset
from core.records import history_entries
from core.restapi import OFFICERS, Answer, Geometry, Json, Number, OneOf, StrictSchema, Text, Version, Whole, endpoint
from gazetteer.models import HouseNumber, RenumberingProposal, Road
from gazetteer.services import house_numbers, renumbering
from gazetteer.services.house_numbers import Entrance, NumberingRefused

router = Router()
ADDRESSES = "addresses"
PlaceCode = Annotated[Text(20), Path(description="The road's 20-digit place code")]
HouseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The house number's id")]
ProposalNumber = Annotated[Text(20), Path(description="The renumbering's number, e.g. MZ-2026-0001")]
Reason = Text(2000, min_length=1, description="Why: recorded in the change history.")
MAX_ENTRANCES = 500


# ---- looking things up --------------------------------------------------------------------------------


def _road(request, code: str) -> Road:
    road = Road.objects.select_related("place").filter(place__code=code).first()
    if road is None or not (road.place.is_public or is_staff_reader(request.user)):
        raise ApiError(404, f"no road has the place code {code!r}")
    return road


def _house(request, house_id: int) -> HouseNumber:
    house = HouseNumber.objects.select_related("road__place", "building").filter(pk=house_id).first()
    if house is None or not (house.road.place.is_public or is_staff_reader(request.user)):
        raise ApiError(404, f"no house number {house_id}")
    return house


def _officer_of(request, road: Road) -> None:
    if not house_numbers.may_number(request.user, road):
        raise ApiError(403, f"you do not number on {road.place.name}: an officer of its county does")


def _refused(exc: NumberingRefused | renumbering.RenumberingRefused) -> ApiError:
    if isinstance(exc, renumbering.RenumberingRefused) and exc.forbidden:
        return ApiError(403, str(exc))
    field = getattr(exc, "field", "")
    return ApiError(400, str(exc), **({"field": field} if field else {}))


# ---- what they answer ---------------------------------------------------------------------------------


def house_json(house: HouseNumber, *, staff: bool) -> dict:
    found = {
        "id": house.pk,
        "address": house.label,
        "road": house.road.place.code,
        "number": house.number,
        "suffix": house.suffix,
        "building_no": house.building_no,
        "unit_no": house.unit_no,
        "room_no": house.room_no,
        "side": house.side,
        "distance_m": house.distance_m,
        "status": house.status,
        "issued_on": house.issued_on.isoformat() if house.issued_on else None,
        "retired_on": house.retired_on.isoformat() if house.retired_on else None,
        "retired_reason": house.retired_reason,
        "former_address": house.former_address,
        "building": house.building.code if house.building_id else None,
        "building_name": house.building_name,
        "synthetic": house.is_synthetic,
        "geometry": {"type": "Point", "coordinates": [round(house.geom.x, 7), round(house.geom.y, 7)]},
        "version": house.version,
    }
    if staff:
        found["owner"] = house.owner
    return found


def road_json(road: Road, *, numbers: bool = False, staff: bool = False) -> dict:
    place = road.place
    found = {
        "code": place.code,
        "name": place.name,
        "romanization": place.romanization,
        "standing": place.standing,
        "synthetic": place.is_synthetic,
        "road_class": road.road_class,
        "route_ref": road.route_ref,
        "bureau_id": road.bureau_id,
        "numbered": road.numbered,
        "rule": {
            "numbering_from": road.numbering_from,
            "odd_side": road.odd_side or house_numbers.rule_of(road).odd_side,
            "odd_side_is_the_citys": not road.odd_side,
            "interval_m": road.rule_interval_m,
            "interval_is_the_citys": road.interval_m is None,
            "reserved": road.reserved,
        },
        "version": road.version,
    }
    if numbers:
        current = road.house_numbers.exclude(status=HouseNumber.Status.RETIRED).select_related("road__place")
        found["house_numbers"] = [house_json(h, staff=staff) for h in current]
        found["signs"] = renumbering.signs_showing(list(current.values_list("pk", flat=True)))
    return found


# ---- roads ----------------------------------------------------------------------------------------------


class RoadQuery(Schema):
    q: Text(50, description="Part of the road's name") = ""
    road_class: OneOf(Road.RoadClass.values, "Only roads of this class") | None = None
    limit: Whole(ge=1, le=500, description="At most this many") = 100


@endpoint(
    router,
    "GET",
    "/roads",
    operation_id="listRoads",
    summary="Roads, streets and lanes with their class and numbering rule (synthetic ones labelled)",
    tag=ADDRESSES,
    public=True,
    answers=Answer("Roads", "Roads"),
    url_name="roads",
)
def road_list(request, query: Query[RoadQuery]):
    found = Road.objects.select_related("place").order_by("place__name")
    if not is_staff_reader(request.user):
        found = found.filter(place__is_public=True)
    if query.q:
        found = found.filter(place__name__contains=query.q)
    if query.road_class:
        found = found.filter(road_class=query.road_class)
    return json_response({"roads": [road_json(r) for r in found[: query.limit]]})


@endpoint(
    router,
    "GET",
    "/roads/{code}",
    operation_id="getRoad",
    summary="A road with its numbering rule, its current house numbers and the signs that show them",
    tag=ADDRESSES,
    public=True,
    answers=Answer("The road", "Road"),
    errors=("404",),
    url_name="road",
)
def road_detail(request, code: PlaceCode):
    staff = is_staff_reader(request.user)
    return json_response(road_json(_road(request, code), numbers=True, staff=staff))


class Reserved(StrictSchema):
    from_: int = Field(..., alias="from", ge=1, le=100_000, strict=True)
    to: int = Field(..., ge=1, le=100_000, strict=True)
    reason: Text(200) = ""


class RoadChanges(StrictSchema):
    road_class: OneOf(Road.RoadClass.values) | None = None
    route_ref: Text(12) | None = None
    bureau_id: Text(40, description="The road's id in the bureau's road file (道路编码)") | None = None
    numbered: bool | None = None
    numbering_from: OneOf(Road.NumberingFrom.values, "auto: the city's rule by the road's direction") | None = None
    odd_side: OneOf(Road.Side.values, "left, right, or empty for the city's") | None = None
    interval_m: float | None = Field(None, gt=0, le=1000)
    reserved: list[Reserved] | None = Field(None, max_length=house_numbers.MAX_RESERVED_RANGES)
    reason: Reason
    version: Version


@endpoint(
    router,
    "PATCH",
    "/roads/{code}",
    operation_id="updateRoadRule",
    summary="A road's class, route number and numbering rule (start, odd side, interval, reserved ranges)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The road", "Road"),
    url_name="road-update",
)
def road_update(request, code: PlaceCode, body: Json[RoadChanges]):
    road = _road(request, code)
    _officer_of(request, road)
    sent = body.model_dump(exclude_unset=True, by_alias=True)
    changes = {k: v for k, v in sent.items() if k not in ("reason", "version")}
    if "reserved" in changes:
        changes["reserved"] = [dict(r) for r in changes["reserved"]]
    changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
    try:
        done = house_numbers.set_rule(road, changes=changes, changeset=changeset, expected_version=body.version)
    except NumberingRefused as exc:
        raise _refused(exc) from None
    return json_response(road_json(done))


# ---- numbering ---------------------------------------------------------------------------------------


class EntranceIn(StrictSchema):
    geometry: Geometry
    building_name: Text(200) = ""
    owner: Text(200, description="产权人 (staff only)") = ""
    former_address: Text(200) = ""


class NumberingAsked(StrictSchema):
    entrances: list[EntranceIn] = Field(..., min_length=1, max_length=MAX_ENTRANCES)
    status: OneOf(["proposed", "issued"]) = "proposed"
    dry_run: bool = Field(False, description="Only say which numbers the entrances would take")
    reason: Reason


def _entrances(body) -> list[Entrance]:
    found = []
    for i, item in enumerate(body.entrances):
        if item.geometry.geom_type != "Point":
            raise ApiError(400, f"entrance {i}: an entrance is a Point", field="geometry")
        found.append(
            Entrance(from_geos(item.geometry), item.building_name, owner=item.owner, former_address=item.former_address)
        )
    return found


@endpoint(
    router,
    "POST",
    "/roads/{code}/house-numbers",
    operation_id="numberEntrances",
    summary="Number entrance points on a road by its rule (a later building takes a free number or a sub-number)",
    tag=OFFICERS,
    officer=True,
    answers=(
        Answer("The new house numbers", "HouseNumbers", status="201"),
        Answer("With dry_run: the numbers they would take", "NumberingPreview"),
    ),
    url_name="road-number",
)
def number(request, code: PlaceCode, body: Json[NumberingAsked]):
    road = _road(request, code)
    _officer_of(request, road)
    entrances = _entrances(body)
    try:
        if body.dry_run:
            found = house_numbers.preview(road, [e.point for e in entrances])
            rows = [
                {"number": a.number, "suffix": a.suffix, "label": f"{road.place.name}{a.label}号", "side": p.side,
                 "distance_m": round(p.distance_m, 1)}
                for a, p in found
            ]  # fmt: skip
            return json_response({"road": code, "numbers": rows})
        changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
        made = house_numbers.number_entrances(road, entrances, changeset=changeset, status=body.status)
    except NumberingRefused as exc:
        raise _refused(exc) from None
    return json_response({"house_numbers": [house_json(h, staff=True) for h in made]}, status=201)


class NumberGiven(StrictSchema):
    geometry: Geometry
    number: Number(ge=1, le=100_000)
    suffix: Number(ge=0, le=99) = 0
    building_name: Text(200) = ""
    owner: Text(200) = ""
    former_address: Text(200) = ""
    reuse_reason: Text(2000, description="Required when the number was used before and retired") = ""
    reason: Reason


@endpoint(
    router,
    "POST",
    "/roads/{code}/house-numbers/issue",
    operation_id="issueHouseNumber",
    summary="Issue an officer's own number (its side's parity; a retired number only with a reason)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The house number", "HouseNumber", status="201"),
    url_name="road-issue",
)
def issue(request, code: PlaceCode, body: Json[NumberGiven]):
    road = _road(request, code)
    _officer_of(request, road)
    if body.geometry.geom_type != "Point":
        raise ApiError(400, "an entrance is a Point", field="geometry")
    entrance = Entrance(
        from_geos(body.geometry), body.building_name, owner=body.owner, former_address=body.former_address
    )
    changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
    try:
        made = house_numbers.issue(
            road, entrance, number=body.number, suffix=body.suffix, changeset=changeset, reuse_reason=body.reuse_reason
        )
    except NumberingRefused as exc:
        raise _refused(exc) from None
    return json_response(house_json(made, staff=True), status=201)


@endpoint(
    router,
    "GET",
    "/house-numbers/{house_id}",
    operation_id="getHouseNumber",
    summary="One address with its history (the owner and the authors to staff only)",
    tag=ADDRESSES,
    public=True,
    answers=Answer("The house number", "HouseNumber"),
    errors=("404",),
    url_name="house-number",
)
def house_detail(request, house_id: HouseId):
    house = _house(request, house_id)
    staff = is_staff_reader(request.user)
    found = house_json(house, staff=staff)
    entries = history_entries(house.versions.select_related("changeset").order_by("version"))
    if not staff:
        entries = [{k: v for k, v in e.items() if k != "by"} for e in entries]
        for entry in entries:
            entry["data"] = {k: v for k, v in entry["data"].items() if k != "owner"}
    found["history"] = entries
    return json_response(found)


class HouseChanges(StrictSchema):
    building_no: Text(20) | None = None
    unit_no: Text(20) | None = None
    room_no: Text(20) | None = None
    building_name: Text(200) | None = None
    owner: Text(200) | None = None
    former_address: Text(200) | None = None
    status: OneOf(["issued", "in_use"], "Move the number on: proposed → issued → in use") | None = None
    reason: Reason
    version: Version


@endpoint(
    router,
    "PATCH",
    "/house-numbers/{house_id}",
    operation_id="updateHouseNumber",
    summary="What an address says of its building, unit, room, owner and former address, or its next status",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The house number", "HouseNumber"),
    url_name="house-number-update",
)
def house_update(request, house_id: HouseId, body: Json[HouseChanges]):
    house = _house(request, house_id)
    _officer_of(request, house.road)
    changes = {k: v for k, v in body.model_dump(exclude_unset=True).items() if k not in ("reason", "version")}
    if any(v is None for v in changes.values()):
        raise ApiError(400, "send a value, not null", field=next(k for k, v in changes.items() if v is None))
    changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
    try:
        done = house_numbers.update(house, changes=changes, changeset=changeset, expected_version=body.version)
    except NumberingRefused as exc:
        raise _refused(exc) from None
    return json_response(house_json(done, staff=True))


class Retirement(StrictSchema):
    reason: Reason
    version: Version


@endpoint(
    router,
    "POST",
    "/house-numbers/{house_id}/retire",
    operation_id="retireHouseNumber",
    summary="Retire a number (kept; the engine never issues it again)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The house number, retired", "HouseNumber"),
    url_name="house-number-retire",
)
def house_retire(request, house_id: HouseId, body: Json[Retirement]):
    house = _house(request, house_id)
    _officer_of(request, house.road)
    changeset = open_changeset(Changeset.Kind.EDIT, body.reason, author=request.user)
    try:
        done = house_numbers.retire(house, reason=body.reason, changeset=changeset, expected_version=body.version)
    except NumberingRefused as exc:
        raise _refused(exc) from None
    return json_response(house_json(done, staff=True))


# ---- renumbering ------------------------------------------------------------------------------------


def _proposal(request, number: str) -> RenumberingProposal:
    if not is_staff_reader(request.user):
        raise ApiError(403, "renumberings in progress are the bureau's working data: staff only")
    found = RenumberingProposal.objects.select_related("road__place", "proposed_by").filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no renumbering {number!r}")
    return found


class RenumberingAsked(StrictSchema):
    reason: Reason


@endpoint(
    router,
    "POST",
    "/roads/{code}/renumbering",
    operation_id="proposeRenumbering",
    summary="Propose renumbering the whole road: the before/after table with every record and sign it touches",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The proposal, pending an approver", "Renumbering", status="201"),
    url_name="road-renumbering",
)
def propose_renumbering(request, code: PlaceCode, body: Json[RenumberingAsked]):
    road = _road(request, code)
    try:
        made = renumbering.propose(road, user=request.user, reason=body.reason)
    except (NumberingRefused, renumbering.RenumberingRefused) as exc:
        raise _refused(exc) from None
    response = json_response(renumbering.represent(made), status=201)
    response["Location"] = f"/api/v1/renumberings/{made.number}"
    return response


@endpoint(
    router,
    "GET",
    "/renumberings/{number}",
    operation_id="getRenumbering",
    summary="A renumbering with its before/after table (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The renumbering", "Renumbering"),
    errors=("401", "403", "404"),
    url_name="renumbering",
)
def renumbering_detail(request, number: ProposalNumber):
    return json_response(renumbering.represent(_proposal(request, number)))


class Decision(StrictSchema):
    note: Text(2000) = ""
    version: Version


@endpoint(
    router,
    "POST",
    "/renumberings/{number}/approve",
    operation_id="approveRenumbering",
    summary="Approve: every changed address takes its new number in one changeset (approvers)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The renumbering, applied", "Renumbering"),
    url_name="renumbering-approve",
)
def renumbering_approve(request, number: ProposalNumber, body: Json[Decision]):
    proposal = _proposal(request, number)
    try:
        done = renumbering.approve(proposal, user=request.user, note=body.note, expected_version=body.version)
    except (NumberingRefused, renumbering.RenumberingRefused) as exc:
        raise _refused(exc) from None
    return json_response(renumbering.represent(done))


@endpoint(
    router,
    "POST",
    "/renumberings/{number}/reject",
    operation_id="rejectRenumbering",
    summary="Reject (an approver) or withdraw (the proposer): nothing changes",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The renumbering, rejected or withdrawn", "Renumbering"),
    url_name="renumbering-reject",
)
def renumbering_reject(request, number: ProposalNumber, body: Json[Decision]):
    proposal = _proposal(request, number)
    try:
        done = renumbering.reject(proposal, user=request.user, note=body.note, expected_version=body.version)
    except renumbering.RenumberingRefused as exc:
        raise _refused(exc) from None
    return json_response(renumbering.represent(done))
