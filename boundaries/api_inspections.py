"""Joint inspections (boundaries.services.inspections): thin views on ``router``, mounted under /api/v1/
by config.api; what they answer is in boundaries.openapi_inspections. All of it is the bureau's working
data: staff read it, the officers of the line's counties write it."""

from __future__ import annotations

import uuid
from typing import Annotated

from django.http import HttpResponse
from ninja import Path, Router
from pydantic import Field

from accounts.roles import is_staff_reader
from boundaries import representation_inspections as represent
from boundaries.models import (
    AdminUnit,
    BoundaryLine,
    BoundaryMarker,
    ContextArea,
    InspectionCampaign,
    InspectionTask,
    MarkerCheck,
)
from boundaries.services import inspection_reports, inspections, marker_photos
from core.api import ApiError
from core.http import json_response
from core.photos import PhotoRefused
from core.restapi import (
    OFFICERS,
    Answer,
    Day,
    Flag,
    Geometry,
    Json,
    Number,
    OneOf,
    StrictSchema,
    Text,
    Version,
    Whole,
    endpoint,
)

router = Router()
CampaignNumber = Annotated[Text(20), Path(description="The inspection's number, e.g. LJ-2026-0001")]
Reason = Text(min_length=1, description="Why: recorded in the change history.")
ClientId = Text(36, min_length=36, description="An id made on the phone (a UUID): the same check sent twice is one")
PDF = {"application/pdf": {"type": "string", "format": "binary"}}
Year = Annotated[int, Field(ge=1990, le=2100, strict=True)]


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "inspections are the bureau's working data: staff only")


def _campaign(number: str) -> InspectionCampaign:
    found = InspectionCampaign.objects.filter(number=number).select_related("line", "lead").first()
    if found is None:
        raise ApiError(404, f"no inspection {number!r}")
    return found


def _refused(exc: inspections.InspectionRefused) -> ApiError:
    return ApiError(400, str(exc), **({"field": exc.field} if exc.field else {}))


def _client_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, "client_id must be a UUID made on the phone", field="client_id") from None


def _side(code: str):
    found = AdminUnit.objects.current().filter(code=code).first() or ContextArea.objects.filter(code=code).first()
    if found is None:
        raise ApiError(400, f"no side has the code {code!r}", field="side")
    return found


# ---- reads ----------------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/inspections",
    operation_id="listInspections",
    summary="Joint inspections (界线联检), newest first: the archive by county and year (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Inspections", "InspectionList"),
    errors=("400",),
    url_name="inspection-list",
)
def inspection_list(
    request,
    county: Text(12, description="Only the lines this county is a side of (its code)") = "",
    year: Whole(ge=1990, le=2100, description="Only this year's") = None,
    status: OneOf(InspectionCampaign.Status.values, "Only those in this status") | None = None,
):
    _staff(request)
    unit = None
    if county:
        unit = AdminUnit.objects.current().filter(code=county).first()
        if unit is None:
            raise ApiError(400, f"no county has the code {county!r}", field="county")
    found = inspections.archive(county=unit, year=year)
    if status:
        found = found.filter(status=status)
    return json_response({"inspections": [represent.brief(c) for c in found[:500]]})


@endpoint(
    router,
    "GET",
    "/inspections/due",
    operation_id="listLinesDueForInspection",
    summary="Lines whose five-yearly inspection falls due by a year and has no campaign yet (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Lines due", "InspectionsDue"),
    errors=("400",),
    url_name="inspection-due",
)
def due(request, year: Whole(ge=1990, le=2100, description="The year")):
    _staff(request)
    return json_response(
        {
            "year": year,
            "lines": [
                {
                    "line": d["line"].code,
                    "name": d["line"].name,
                    "last_inspected": d["last_inspected"].isoformat() if d["last_inspected"] else None,
                    "due_year": d["due_year"],
                }
                for d in inspections.due_lines(year)
            ],
        }
    )


@endpoint(
    router,
    "GET",
    "/inspections/summary",
    operation_id="getInspectionSummary",
    summary="The December summary of a year's inspections (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The summary", "InspectionSummary"),
    errors=("400",),
    url_name="inspection-summary",
)
def summary(request, year: Whole(ge=1990, le=2100, description="The year")):
    _staff(request)
    return json_response(inspections.year_summary(year))


@endpoint(
    router,
    "GET",
    "/inspections/summary.pdf",
    operation_id="getInspectionSummaryPdf",
    summary="The December summary of a year's inspections, PDF (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The summary", media=PDF),
    errors=("400",),
    url_name="inspection-summary-pdf",
)
def summary_pdf(request, year: Whole(ge=1990, le=2100, description="The year")):
    _staff(request)
    response = HttpResponse(inspection_reports.summary_pdf(year), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="inspections-{year}.pdf"'
    return response


@endpoint(
    router,
    "GET",
    "/inspections/{number}",
    operation_id="getInspection",
    summary="One inspection: plan, teams, the line's markers, checks, tasks and signatures (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection"),
    errors=("404",),
    url_name="inspection-detail",
)
def detail(request, number: CampaignNumber):
    _staff(request)
    return json_response(represent.campaign(_campaign(number)))


@endpoint(
    router,
    "GET",
    "/inspections/{number}/report.pdf",
    operation_id="getInspectionReport",
    summary="The joint inspection report (联合检查报告) with its record sheet, PDF (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The report", media=PDF),
    errors=("404",),
    url_name="inspection-report",
)
def report_pdf(request, number: CampaignNumber):
    _staff(request)
    campaign = _campaign(number)
    response = HttpResponse(inspection_reports.report_pdf(campaign), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{campaign.number}.pdf"'
    return response


# ---- writes -----------------------------------------------------------------------------------------------


class CampaignNew(StrictSchema):
    line: Text(40, description="The line's code")
    year: Year
    occasion: OneOf(InspectionCampaign.Occasion.values, "regular (five-yearly) or the ad-hoc cause") = "regular"
    cause: Text(2000, description="An ad-hoc inspection's cause") = ""
    reason: Reason


@endpoint(
    router,
    "POST",
    "/inspections",
    operation_id="raiseInspection",
    summary="Raise a line's inspection: the five-yearly one or an ad-hoc one with its cause",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection", status="201"),
    url_name="inspection-create",
)
def raise_campaign(request, body: Json[CampaignNew]):
    line = BoundaryLine.objects.filter(code=body.line).first()
    if line is None:
        raise ApiError(400, f"no boundary line has the code {body.line!r}", field="line")
    try:
        made = inspections.raise_campaign(
            line, user=request.user, year=body.year, reason=body.reason, occasion=body.occasion, cause=body.cause
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    response = json_response(represent.campaign(made), status=201)
    response["Location"] = f"/api/v1/inspections/{made.number}"
    return response


class Member(StrictSchema):
    name: Text(100, min_length=1)
    role: Text(100) = ""


class Team(StrictSchema):
    side: Text(12, description="The side's code (a county, the city, or an outside party)")
    members: list[Member] = Field(..., max_length=50)


class PlanFiled(StrictSchema):
    start: Day
    end: Day
    teams: list[Team] = Field(..., max_length=10, description="Both sides' teams")
    lead: Text(12, description="The leading side's code (default: the first county)") = ""
    version: Version
    reason: Reason


@endpoint(
    router,
    "POST",
    "/inspections/{number}/plan",
    operation_id="fileInspectionPlan",
    summary="File the plan (实施方案): dates and both sides' teams; due by 31 May",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection"),
    url_name="inspection-plan",
)
def file_plan(request, number: CampaignNumber, body: Json[PlanFiled]):
    campaign = _campaign(number)
    lead = None
    if body.lead:
        lead = AdminUnit.objects.current().filter(code=body.lead).first()
        if lead is None:
            raise ApiError(400, f"no unit has the code {body.lead!r}", field="lead")
    try:
        done = inspections.file_plan(
            campaign,
            user=request.user,
            start=body.start,
            end=body.end,
            teams=[team.dict() for team in body.teams],
            lead=lead,
            reason=body.reason,
            expected_version=body.version,
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.campaign(done))


class OfficeReview(StrictSchema):
    notes: Text(20_000, min_length=1, description="内业核查: what was compared with the agreement and found")
    version: Version


@endpoint(
    router,
    "POST",
    "/inspections/{number}/office-review",
    operation_id="recordInspectionOfficeReview",
    summary="Record the office review against the agreement (内业核查)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection"),
    url_name="inspection-office-review",
)
def office_review(request, number: CampaignNumber, body: Json[OfficeReview]):
    try:
        done = inspections.record_office_review(
            _campaign(number), user=request.user, notes=body.notes, expected_version=body.version
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.campaign(done))


class MarkerCheckSent(StrictSchema):
    client_id: ClientId
    marker: Text(200, description="The marker's number")
    found: OneOf(inspections.Found.values, "What was found")
    checked_on: Day
    inscription_repainted: Flag = False
    references_changed: Flag = False
    measured: Geometry | None = Field(None, description="A Point: the position measured in the field")
    notes: Text(5000) = ""


@endpoint(
    router,
    "POST",
    "/inspections/{number}/marker-checks",
    operation_id="sendMarkerCheck",
    summary="A marker as found in the field; the same client_id sent again answers the check made",
    description="201 when the check is new; 200 with the same check when its client_id came before, so a "
    "phone that lost its connection may send it again without making a second record.",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The check, new", "MarkerCheck", status="201"),
        Answer("The check, as made before", "MarkerCheck"),
    ],
    url_name="inspection-marker-check",
)
def marker_check(request, number: CampaignNumber, body: Json[MarkerCheckSent]):
    campaign = _campaign(number)
    marker = BoundaryMarker.objects.filter(number=body.marker).first()
    if marker is None:
        raise ApiError(400, f"no marker {body.marker!r}", field="marker")
    if body.measured is not None and body.measured.geom_type != "Point":
        raise ApiError(400, "measured is a Point", field="measured")
    try:
        sent = inspections.record_marker_check(
            campaign,
            user=request.user,
            client_id=_client_id(body.client_id),
            marker=marker,
            found=body.found,
            checked_on=body.checked_on,
            inscription_repainted=body.inscription_repainted,
            references_changed=body.references_changed,
            measured=body.measured,
            notes=body.notes,
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.marker_check(sent.check), status=201 if sent.created else 200)


PHOTO_FORM = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"}},
    "required": ["file"],
}


@endpoint(
    router,
    "POST",
    "/inspections/{number}/marker-checks/{client_id}/photos",
    operation_id="addMarkerCheckPhoto",
    summary="A photo taken at a marker check (multipart: file); its EXIF position is read",
    description="Checked as every marker photo is (by its bytes, a size limit before decoding, a pixel limit); "
    "kept as the marker's photo and tied to the check. The same photo sent again answers 200 with the one kept.",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The check with its photos", "MarkerCheck", status="201"),
        Answer("The photo had come before: the check", "MarkerCheck"),
    ],
    request_body={"required": True, "content": {"multipart/form-data": {"schema": PHOTO_FORM}}},
    url_name="inspection-check-photo",
)
def check_photo(request, number: CampaignNumber, client_id: Annotated[Text(36), Path(description="The check's id")]):
    campaign = _campaign(number)
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, "send the photo as multipart/form-data (field 'file')")
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(400, "send the photo as the multipart field 'file'", field="file")
    try:
        _, new = inspections.attach_photo(campaign, _client_id(client_id), upload, user=request.user)
    except PhotoRefused as refused:
        raise ApiError(refused.status, refused.message, field="file") from None
    except (inspections.InspectionRefused, marker_photos.PhotoRuleError, marker_photos.PhotoForbidden) as exc:
        raise ApiError(400, str(exc), field=getattr(exc, "field", None) or "file") from None
    check = MarkerCheck.objects.select_related("marker", "checked_by").get(client_id=client_id)
    return json_response(represent.marker_check(check), status=201 if new else 200)


class StretchCheckSent(StrictSchema):
    client_id: ClientId
    from_m: Number(ge=0, le=10_000_000, description="Metres along the line where the stretch starts")
    to_m: Number(ge=1, le=10_000_000, description="Metres along the line where it ends")
    condition: OneOf(inspections.Condition.values, "What was found")
    checked_on: Day
    notes: Text(5000) = ""


@endpoint(
    router,
    "POST",
    "/inspections/{number}/stretch-checks",
    operation_id="sendStretchCheck",
    summary="A stretch of the line as found; the same client_id sent again answers the check made",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The check, new", "StretchCheck", status="201"),
        Answer("The check, as made before", "StretchCheck"),
    ],
    url_name="inspection-stretch-check",
)
def stretch_check(request, number: CampaignNumber, body: Json[StretchCheckSent]):
    try:
        sent = inspections.record_stretch_check(
            _campaign(number),
            user=request.user,
            client_id=_client_id(body.client_id),
            from_m=body.from_m,
            to_m=body.to_m,
            condition=body.condition,
            checked_on=body.checked_on,
            notes=body.notes,
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.stretch_check(sent.check), status=201 if sent.created else 200)


class ReportDrawn(StrictSchema):
    summary: Text(20_000, min_length=1, description="The joint report's conclusions")
    version: Version


@endpoint(
    router,
    "POST",
    "/inspections/{number}/report",
    operation_id="drawUpInspectionReport",
    summary="Draw up the joint report once every marker of the line is checked",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection"),
    url_name="inspection-report-draw",
)
def draw_report(request, number: CampaignNumber, body: Json[ReportDrawn]):
    try:
        done = inspections.submit_report(
            _campaign(number), user=request.user, summary=body.summary, expected_version=body.version
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.campaign(done))


class Signature(StrictSchema):
    side: Text(12, description="The side's code")
    signed_by: Text(200, min_length=1, description="Who signed (name and office)")
    signed_on: Day
    document: Text(200, description="A side outside the system: its signed document") = ""
    filing_reference: Text(100, description="备案: the filing's reference, when known") = ""
    version: Version


@endpoint(
    router,
    "POST",
    "/inspections/{number}/sign",
    operation_id="signInspectionReport",
    summary="One side signs the report; the last signature closes it and writes its findings to the register",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The inspection", "Inspection"),
    url_name="inspection-sign",
)
def sign(request, number: CampaignNumber, body: Json[Signature]):
    try:
        done = inspections.sign(
            _campaign(number),
            user=request.user,
            side=_side(body.side),
            signed_by=body.signed_by,
            signed_on=body.signed_on,
            document=body.document,
            filing_reference=body.filing_reference,
            expected_version=body.version,
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.campaign(done))


class TaskChange(StrictSchema):
    status: OneOf(["done", "cancelled"], "Done (with done_on) or cancelled (with a note)") | None = None
    done_on: Day | None = None
    owner: Text(12, description="Hand it to this side (its code)") = ""
    due_on: Day | None = None
    note: Text(5000) = ""
    version: Version


@endpoint(
    router,
    "PATCH",
    "/inspection-tasks/{task_id}",
    operation_id="updateInspectionTask",
    summary="A repair or re-survey task: done, cancelled, handed over or given a new due day",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The task", "InspectionTask"),
    url_name="inspection-task",
)
def update_task(request, task_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: Json[TaskChange]):
    task = InspectionTask.objects.filter(pk=task_id).select_related("campaign").first()
    if task is None:
        raise ApiError(404, f"no inspection task {task_id}")
    owner = None
    if body.owner:
        owner = AdminUnit.objects.current().filter(code=body.owner).first()
        if owner is None:
            raise ApiError(400, f"no unit has the code {body.owner!r}", field="owner")
    try:
        done = inspections.update_task(
            task,
            user=request.user,
            status=body.status,
            done_on=body.done_on,
            owner=owner,
            due_on=body.due_on,
            note=body.note,
            expected_version=body.version,
        )
    except inspections.InspectionRefused as exc:
        raise _refused(exc) from None
    return json_response(represent.task(done))
