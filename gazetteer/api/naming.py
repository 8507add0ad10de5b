"""The naming-application API: receive an application and take it through its steps."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpResponse

from accounts.roles import assigned_counties, is_administrator
from boundaries.levels import Tier
from core.api import ApiError, api_view, json_body, only, parse_date, parse_int, require
from core.history import VersionConflict
from core.http import json_response
from gazetteer.api import inputs
from gazetteer.models import ApplicationAttachment, NamingApplication, Place
from gazetteer.permissions import Action, can, can_run_application, may_take_step
from gazetteer.representation import geometry_json
from gazetteer.services import naming
from gazetteer.services.notices import notice_html, notice_pdf
from gazetteer.services.places import PlaceRuleError


def _application(request, number: str) -> NamingApplication:
    application = (
        NamingApplication.objects.select_related("place", "county", "category", "submitted_by")
        .filter(number=number)
        .first()
    )
    if application is None or not _may_read(request.user, application):
        raise ApiError(404, f"no naming application has the number {number!r}", number=number)
    return application


def _may_read(user, application: NamingApplication) -> bool:
    return can_run_application(user, application) or can(user, Action.DECIDE)


def _as_dict(application: NamingApplication) -> dict:
    return {
        "number": application.number,
        "kind": application.kind,
        "status": application.status,
        "status_label": application.get_status_display(),
        "version": application.version,
        "place": application.place.code if application.place else None,
        "county": {"code": application.county.code, "name": application.county.name},
        "proposed_name": application.proposed_name,
        "category": application.category.code if application.category else None,
        "geometry": geometry_json(application.geom),
        "location_description": application.location_description,
        "meaning": application.meaning,
        "origin": application.origin,
        "reason": application.reason,
        "applicant": application.applicant,
        "submitted_by": application.submitted_by.get_username(),
        "submitted_at": application.submitted_at.isoformat(),
        "checks": application.checks,
        "notice_start": _iso(application.notice_start),
        "notice_end": _iso(application.notice_end),
        "authority": application.authority,
        "decision_date": _iso(application.decision_date),
        "document_number": application.document_number,
        "effective_date": _iso(application.effective_date),
        "rejection_reason": application.rejection_reason,
        "opinions": [
            {
                "expert": o.expert,
                "verdict": o.verdict,
                "comments": o.comments,
                "recorded_by": o.recorded_by.get_username(),
                "at": o.recorded_at.isoformat(),
            }
            for o in application.opinions.select_related("recorded_by")
        ],
        "comments": [
            {
                "commenter": c.commenter,
                "comment": c.comment,
                "received_on": c.received_on.isoformat(),
                "recorded_by": c.recorded_by.get_username(),
            }
            for c in application.comments.all()
        ],
        "events": [
            {
                "step": e.step,
                "by": e.actor.get_username() if e.actor else "system",
                "at": e.at.isoformat(),
                "note": e.note,
            }
            for e in application.events.select_related("actor")
        ],
        "attachments": [
            {"title": a.title, "url": a.file.url, "uploaded_at": a.uploaded_at.isoformat()}
            for a in application.attachments.all()
        ],
    }


def _iso(value) -> str | None:
    return value.isoformat() if value else None


@api_view("GET", "POST", login_required=True)
def application_collection(request):
    if request.method == "POST":
        return _submit(request)
    applications = NamingApplication.objects.select_related("place", "county", "category", "submitted_by")
    if not (can(request.user, Action.DECIDE) or is_administrator(request.user)):
        applications = applications.filter(county_id__in=assigned_counties(request.user))
    if request.GET.get("status"):
        if request.GET["status"] not in NamingApplication.Status.values:
            raise ApiError(400, f"status must be one of {', '.join(NamingApplication.Status.values)}", field="status")
        applications = applications.filter(status=request.GET["status"])
    return json_response({"results": [_as_dict(a) for a in applications.order_by("-submitted_at")[:200]]})


SUBMIT_FIELDS = (
    "kind",
    "place",
    "county",
    "proposed_name",
    "category",
    "geometry",
    "meaning",
    "origin",
    "location_description",
    "reason",
    "applicant",
    "applicant_contact",
)


def _submit(request):
    data = only(json_body(request), SUBMIT_FIELDS)
    kind = require(data, "kind")
    if kind not in NamingApplication.Kind.values:
        raise ApiError(400, f"kind must be one of {', '.join(NamingApplication.Kind.values)}", field="kind")
    place = None
    if data.get("place"):
        place = Place.objects.filter(code=str(data["place"])).first()
        if place is None:
            raise ApiError(400, f"no place record has the code {data['place']!r}", field="place")
    county = inputs.unit(require(data, "county"))
    if county.tier != Tier.COUNTY:
        raise ApiError(400, f"{county.name} is not a county-level unit", field="county")
    geom = inputs.geometry(data["geometry"]) if data.get("geometry") else None
    try:
        naming.check_county(county, place=place, geom=geom)
    except naming.StepRefused as exc:
        raise ApiError(400, str(exc), field="county") from None
    if not can(request.user, Action.APPLY, counties={county.id}):
        raise ApiError(403, f"your role does not allow naming applications in {county.name}")
    proposed = data.get("proposed_name")
    try:
        application = naming.submit(
            kind=kind,
            county=county,
            submitted_by=request.user,
            place=place,
            proposed_name=inputs.place_name(proposed, "proposed_name") if proposed else "",
            category=inputs.category(data["category"]) if data.get("category") else None,
            geom=geom,
            meaning=inputs.text(data.get("meaning"), "meaning"),
            origin=inputs.text(data.get("origin"), "origin"),
            location_description=inputs.text(data.get("location_description"), "location_description"),
            reason=inputs.text(data.get("reason"), "reason"),
            applicant=inputs.column_text(data.get("applicant"), NamingApplication, "applicant"),
            applicant_contact=inputs.column_text(data.get("applicant_contact"), NamingApplication, "applicant_contact"),
        )
    except (naming.StepRefused, PlaceRuleError) as exc:
        raise ApiError(400, str(exc)) from None
    response = json_response(_as_dict(application), status=201)
    response["Location"] = f"/api/v1/naming-applications/{application.number}"
    return response


@api_view("GET", login_required=True)
def application_detail(request, number: str):
    return json_response(_as_dict(_application(request, number)))


def _step_value(step_input: naming.StepInput, value):
    """A step's input read from the JSON body as the steps' declaration says (gazetteer.services.naming)."""
    name = step_input.name
    if step_input.kind == naming.DATE:
        return parse_date(value, name)
    if step_input.kind == naming.INT:
        return parse_int(value, name)
    if step_input.column is not None:
        model, column = step_input.column
        return inputs.column_text(value, model, column, name=name)
    return inputs.text(value, name)


@api_view("POST", login_required=True)
def application_step(request, number: str, step: str):
    if step not in naming.STEPS:
        raise ApiError(404, f"unknown step {step!r}; one of {', '.join(naming.STEPS)}")
    application = _application(request, number)
    declared = naming.STEPS[step]
    if not may_take_step(request.user, application, declared):
        raise ApiError(403, f"your role does not allow the step '{step}'")
    data = only(json_body(request), (*(i.name for i in declared.inputs), "version"))
    values = {i.name: _step_value(i, data.get(i.name)) for i in declared.inputs}
    try:
        application = naming.take_step(
            application, step, actor=request.user, expected_version=parse_int(data.get("version"), "version"), **values
        )
    except VersionConflict as exc:
        raise ApiError(409, str(exc), your_version=exc.expected_version, current_version=exc.current_version) from None
    except naming.StepRefused as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(_as_dict(application))


@api_view("POST", login_required=True)
def application_attachments(request, number: str):
    """multipart/form-data: ``file`` and ``title``."""
    application = _application(request, number)
    if not can_run_application(request.user, application):
        raise ApiError(403, "your role does not allow attachments to this application")
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, "send the document as multipart/form-data (fields 'file' and 'title')")
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(400, "send the document as multipart/form-data field 'file'", field="file")
    try:
        title = inputs.column_text(request.POST.get("title"), ApplicationAttachment, "title")
        naming.attach(application, actor=request.user, title=title, upload=upload)
    except naming.StepRefused as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(_as_dict(_application(request, number)), status=201)


# The content types attachments are served with, by extension (naming.ATTACHMENT_TYPES); anything else
# is served as bytes to save, never for the browser to interpret.
ATTACHMENT_CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".txt": "text/plain; charset=utf-8",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
}


@api_view("GET", "HEAD", login_required=True)
def attachment_file(request, name: str):
    """An attachment, to those who may read its application; always a download (Content-Disposition)."""
    attachment = ApplicationAttachment.objects.select_related("application__county").filter(file=name).first()
    if attachment is None or not _may_read(request.user, attachment.application):
        raise ApiError(404, "no attachment at this address")
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise ApiError(410, "the attachment's file is missing on the server; restore it from a backup") from None
    extension = Path(attachment.file.name).suffix.lower()
    filename = attachment.title if Path(attachment.title).suffix.lower() == extension else attachment.title + extension
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=ATTACHMENT_CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    return response


@api_view("GET")
def application_notice(request, number: str, fmt: str):
    if fmt not in ("html", "pdf"):
        raise ApiError(404, "the notice is available as notice.html and notice.pdf")
    application = (
        NamingApplication.objects.select_related("place__unit", "county", "category").filter(number=number).first()
    )
    public = application is not None and application.status in (
        NamingApplication.Status.IN_NOTICE,
        NamingApplication.Status.APPROVED,
        NamingApplication.Status.EFFECTIVE,
    )
    if application is None or not (public or _may_read(request.user, application)):
        raise ApiError(404, f"no published notice for application {number!r}")
    if fmt == "pdf":
        response = HttpResponse(notice_pdf(application), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="notice-{number}.pdf"'
        return response
    return HttpResponse(notice_html(application), content_type="text/html; charset=utf-8")
