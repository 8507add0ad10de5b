"""Numbering requests (门牌申请, gazetteer.services.numbering_requests): thin views on ``router``, mounted
under /api/v1/ by config.api; what they answer is in gazetteer.openapi_requests.

All of it is the bureau's working data: staff read it (the applicant's contact included, never shown to
the public: anonymous callers get 401), the officers of the road's counties take its steps (403 for
others). The certificate (门牌证明) is the PDF kept when the request was certified, answered with
Cache-Control: private, no-store.
"""

from __future__ import annotations

from typing import Annotated

from django.http import HttpResponse
from ninja import Path, Router
from pydantic import Field

from accounts.roles import is_staff_reader
from boundaries.models import AdminUnit
from core.api import ApiError
from core.geometry import from_geos
from core.http import json_response
from core.records import history_entries
from core.restapi import OFFICERS, Answer, Flag, Geometry, Json, OneOf, StrictSchema, Text, Version, endpoint
from gazetteer.models import NumberingRequest, Place, Road
from gazetteer.representation import geometry_json
from gazetteer.services import house_numbers
from gazetteer.services import numbering_requests as requests

router = Router()
RequestNumber = Annotated[Text(20), Path(description="The request's number (受理编号), e.g. MQ-2026-0001")]
Reason = Text(2000, min_length=1, description="Why: recorded in the change history.")
PDF = {"application/pdf": {"type": "string", "format": "binary"}}
BASE = "/api/v1/numbering-requests"
ROUTE = "/numbering-requests"  # on the router, which config.api mounts under /api/v1/


# ---- representation ------------------------------------------------------------------------------------


def brief(request: NumberingRequest) -> dict:
    road = request.road.place
    awaiting = requests.AWAITED.get(request.status)
    return {
        "number": request.number,
        "status": request.status,
        "status_label": request.get_status_display(),
        "applicant": request.applicant,
        "applicant_kind": request.applicant_kind,
        "road": {"code": road.code, "name": road.name, "romanization": road.romanization},
        "county": {"code": request.county.code, "name": request.county.name},
        "building_name": request.building_name,
        "house_number": request.house_number.label if request.house_number_id else None,
        "awaiting": awaiting.name if awaiting else None,
        "submitted_at": request.submitted_at.isoformat(),
        "synthetic": road.is_synthetic,
        "version": request.version,
    }


def _would_take(request: NumberingRequest) -> str | None:
    if request.status not in (requests.Status.SUBMITTED, requests.Status.CHECKED):
        return None
    try:
        (allocation, _), *_ = house_numbers.preview(request.road, [from_geos(request.geom)])
    except house_numbers.NumberingRefused:
        return None
    label = f"{allocation.number}-{allocation.suffix}" if allocation.suffix else str(allocation.number)
    return f"{request.road.place.name}{label}号"


def _number_detail(house) -> dict | None:
    if house is None:
        return None
    fields = ("label", "number", "suffix", "status", "version")
    return {name: getattr(house, name) for name in fields}


def detail(request: NumberingRequest) -> dict:
    house = request.house_number
    versions = request.versions.select_related("changeset").order_by("version")
    return {
        **brief(request),
        "applicant_contact": request.applicant_contact,
        "geometry": geometry_json(request.geom),
        "building": request.building.code if request.building_id else None,
        "documents": request.documents,
        "former_address": request.former_address,
        "conditions": request.conditions,
        "site_check": request.site_check,
        "number_detail": _number_detail(house),
        "would_take": _would_take(request),
        "certificate": (
            {
                "number": request.certificate_number,
                "issued_on": request.certified_on.isoformat(),
                "url": f"{BASE}/{request.number}/certificate.pdf",
            }
            if request.certificate_number
            else None
        ),
        "decision_reason": request.decision_reason,
        "submitted_by": request.submitted_by.get_username(),
        "history": history_entries(versions),
    }


# ---- helpers -------------------------------------------------------------------------------------------


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "numbering requests are the bureau's working data: staff only")


def _found(number: str) -> NumberingRequest:
    found = (
        NumberingRequest.objects.filter(number=number)
        .select_related("road__place__category", "county", "house_number__road__place", "building", "submitted_by")
        .first()
    )
    if found is None:
        raise ApiError(404, f"no numbering request {number!r}")
    return found


def _answer(done: NumberingRequest, status: int = 200):
    return json_response(detail(_found(done.number)), status=status)


def _step(http_request, number: str, step: str, version: int, **data):
    record = _found(number)
    try:
        done = requests.take_step(record, step, user=http_request.user, expected_version=version, **data)
    except requests.RequestForbidden as exc:
        raise ApiError(403, str(exc)) from None
    except requests.RequestRefused as exc:
        raise ApiError(400, str(exc), **({"field": exc.field} if exc.field else {})) from None
    return _answer(done)


# ---- reads ---------------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    ROUTE,
    operation_id="listNumberingRequests",
    summary="Numbering requests (门牌申请), newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Requests", "NumberingRequestList"),
    errors=("400", "401", "403"),
    url_name="numbering-request-list",
)
def request_list(
    request,
    status: OneOf(NumberingRequest.Status.values, "Only those in this status") | None = None,
    county: Text(12, description="Only this county's (its code)") = "",
    road: Text(20, description="Only those on this road (its place code)") = "",
):
    _staff(request)
    found = NumberingRequest.objects.select_related("road__place", "county", "house_number__road__place")
    if status:
        found = found.filter(status=status)
    if county:
        unit = AdminUnit.objects.current().filter(code=county).first()
        if unit is None:
            raise ApiError(400, f"no county has the code {county!r}", parameter="county")
        found = found.filter(county=unit)
    if road:
        found = found.filter(road__place__code=road)
    return json_response({"requests": [brief(r) for r in found[:500]]})


@endpoint(
    router,
    "GET",
    ROUTE + "/{number}",
    operation_id="getNumberingRequest",
    summary="One numbering request: the entrance, conditions, number, certificate and history (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The request", "NumberingRequest"),
    errors=("400", "401", "403", "404"),
    url_name="numbering-request-detail",
)
def request_detail(request, number: RequestNumber):
    _staff(request)
    return json_response(detail(_found(number)))


@endpoint(
    router,
    "GET",
    ROUTE + "/{number}/certificate.pdf",
    operation_id="getHouseNumberCertificatePdf",
    summary="The house-number certificate (门牌证明) of a certified request, PDF (staff)",
    description="The certificate as made when the request was certified (kept, not drawn again). A synthetic "
    "demonstration road's certificate says 示例 SYNTHETIC and that it is not valid.",
    tag=OFFICERS,
    officer=True,
    answers=Answer(
        "The certificate", media=PDF, headers=(("Cache-Control", "private, no-store: the owner's name is on it"),)
    ),
    errors=("400", "401", "403", "404"),
    url_name="numbering-request-certificate",
)
def certificate(request, number: RequestNumber):
    _staff(request)
    record = _found(number)
    if record.status != requests.Status.CERTIFIED or record.certificate_pdf is None:
        raise ApiError(404, f"{record.number} has no certificate: it is {record.get_status_display()}")
    response = HttpResponse(bytes(record.certificate_pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{record.certificate_number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# ---- writes --------------------------------------------------------------------------------------------


class Document(StrictSchema):
    kind: Text(50, min_length=1, description="不动产权证, 房屋所有权证, 建设工程规划许可证 ...")
    number: Text(100, min_length=1, description="The document's number")


class RequestNew(StrictSchema):
    road: Text(20, min_length=1, description="The road's place code")
    geometry: Geometry = Field(description="The entrance: a Point beside the road")
    applicant: Text(200, min_length=1, description="申请人: the owner, developer or organisation")
    applicant_kind: OneOf(NumberingRequest.ApplicantKind.values, "产权人 owner, 开发单位 developer, 单位 organisation")
    applicant_contact: Text(200, description="Staff only") = ""
    building_name: Text(200) = ""
    building: Text(20, description="The building's place code, where it has a record") = ""
    documents: Annotated[list[Document], Field(max_length=requests.MAX_DOCUMENTS)] = []
    former_address: Text(200, description="原地址") = ""
    reason: Reason


@endpoint(
    router,
    "POST",
    ROUTE,
    operation_id="submitNumberingRequest",
    summary="Receive a numbering request (门牌申请, 受理) for an entrance on a road",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The request", "NumberingRequest", status="201"),
    url_name="numbering-request-submit",
)
def submit(request, body: Json[RequestNew]):
    road = Road.objects.select_related("place").filter(place__code=body.road).first()
    if road is None:
        raise ApiError(400, f"no road has the place code {body.road!r}", field="road")
    building = None
    if body.building:
        building = Place.objects.filter(code=body.building).first()
        if building is None:
            raise ApiError(400, f"no place has the code {body.building!r}", field="building")
    try:
        made = requests.submit(
            user=request.user, road=road, point=body.geometry, applicant=body.applicant,
            applicant_kind=body.applicant_kind, applicant_contact=body.applicant_contact,
            building_name=body.building_name, building=building,
            documents=[d.dict() for d in body.documents], former_address=body.former_address, reason=body.reason,
        )  # fmt: skip
    except requests.RequestForbidden as exc:
        raise ApiError(403, str(exc)) from None
    except requests.RequestRefused as exc:
        raise ApiError(400, str(exc), **({"field": exc.field} if exc.field else {})) from None
    return _answer(made, status=201)


class Conditions(StrictSchema):
    lawful_building: Flag = Field(description=requests.CONDITIONS["lawful_building"])
    ground_floor_finished: Flag = Field(description=requests.CONDITIONS["ground_floor_finished"])
    entrance_fixed: Flag = Field(description=requests.CONDITIONS["entrance_fixed"])


class SiteCheck(StrictSchema):
    conditions: Conditions
    notes: Text(5000, min_length=1, description="现场核查: what was found at the site")
    version: Version


class Plain(StrictSchema):
    version: Version
    reason: Text(2000, description="Why (optional: the step's name is recorded otherwise)") = ""


class Ended(StrictSchema):
    version: Version
    reason: Reason


STEP = dict(tag=OFFICERS, officer=True, answers=Answer("The request", "NumberingRequest"))


@endpoint(router, "POST", ROUTE + "/{number}/check", operation_id="checkNumberingRequest",
          summary="The site check (现场核查): every condition confirmed, with notes",
          url_name="numbering-request-check", **STEP)  # fmt: skip
def check(request, number: RequestNumber, body: Json[SiteCheck]):
    return _step(request, number, "check", body.version, conditions=body.conditions.dict(), notes=body.notes)


@endpoint(router, "POST", ROUTE + "/{number}/number", operation_id="numberNumberingRequest",
          summary="Number the entrance by the engine (编号, written as proposed)",
          url_name="numbering-request-number", **STEP)  # fmt: skip
def number_it(request, number: RequestNumber, body: Json[Plain]):
    return _step(request, number, "number", body.version, reason=body.reason)


@endpoint(router, "POST", ROUTE + "/{number}/certify", operation_id="certifyNumberingRequest",
          summary="Issue the number and its certificate (发证, 门牌证明)", url_name="numbering-request-certify",
          **STEP)  # fmt: skip
def certify(request, number: RequestNumber, body: Json[Plain]):
    return _step(request, number, "certify", body.version, reason=body.reason)


@endpoint(router, "POST", ROUTE + "/{number}/reject", operation_id="rejectNumberingRequest",
          summary="Reject the request (不予编号) with the reason; a proposed number is retired",
          url_name="numbering-request-reject", **STEP)  # fmt: skip
def reject(request, number: RequestNumber, body: Json[Ended]):
    return _step(request, number, "reject", body.version, reason=body.reason)


@endpoint(router, "POST", ROUTE + "/{number}/withdraw", operation_id="withdrawNumberingRequest",
          summary="The applicant withdraws the request (撤回); a proposed number is retired",
          url_name="numbering-request-withdraw", **STEP)  # fmt: skip
def withdraw(request, number: RequestNumber, body: Json[Ended]):
    return _step(request, number, "withdraw", body.version, reason=body.reason)
