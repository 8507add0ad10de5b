"""The naming-application API: receive an application and take it through its steps.

Declared on ``router`` (config.api mounts it under /api/v1/). The bodies are typed: the submission
(NamingApplicationNew) and a batch's (NamingApplicationBatch, many names with one decision) here,
the step's (NamingApplicationStep) built from the steps' declaration (gazetteer.services.naming.STEPS);
the procedure's rules stay in the service. What the answers hold is described in
gazetteer.openapi_schemas (NamingApplication).
"""

from pathlib import Path
from typing import Annotated, Any

from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from ninja import Path as PathParam
from ninja import Query, Router
from pydantic import BeforeValidator, Field, create_model

from accounts.roles import assigned_counties, is_administrator
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.api import ApiError
from core.http import json_response
from core.restapi import (
    FILE,
    OFFICERS,
    READ_ERRORS,
    Answer,
    Day,
    Geometry,
    Json,
    Number,
    OneOf,
    StrictSchema,
    Text,
    Version,
    endpoint,
    ref,
)
from gazetteer.api import inputs
from gazetteer.models import ApplicationAttachment, NamingApplication, Place
from gazetteer.permissions import Action, can, can_run_application, may_take_step
from gazetteer.representation import geometry_json
from gazetteer.services import naming
from gazetteer.services.notices import notice_html, notice_pdf
from gazetteer.services.places import PlaceRuleError

router = Router()

# ---- parameters ------------------------------------------------------------------------------------

APPLICATION = "NamingApplication"
ApplicationNumber = Annotated[
    Text(40), PathParam(description="Application number (受理编号)", example="231084-2026-0001")
]
# Text, not OneOf: an unknown step or format is a 404 (no such resource), as it always was; the
# document still lists the known ones.
StepName = Annotated[Text(40, json_schema_extra={"enum": list(naming.STEPS)}), PathParam(description="The step")]
NoticeFormat = Annotated[Text(json_schema_extra={"enum": ["html", "pdf"]}), PathParam(description="html or pdf")]
AttachmentName = Annotated[
    Text(),
    PathParam(description="As in the application's attachments[].url", example="applications/2026/map.pdf"),
]
StatusFilter = Annotated[
    OneOf([*NamingApplication.Status.values, ""]), Query("", description="Only this status (empty: any)")
]


def _column_text(model, column: str, description: str | None = None) -> Any:
    """Text no longer than the model's column allows."""
    return Text(model._meta.get_field(column).max_length, description=description)


def _empty_as_none(value):
    return None if value == "" else value


def _blank(kind: Any, description: str | None = None) -> Any:
    """An optional member: left out, null and "" all mean not given (as the service takes them)."""
    return Annotated[kind | None, BeforeValidator(_empty_as_none), Field(description=description)]


class NamingApplicationName(StrictSchema):
    """One name of a batch, as a single application gives it; the service decides what a kind needs."""

    kind: OneOf(NamingApplication.Kind.values)
    place: _blank(Text(20), "The record renamed or abolished") = None
    proposed_name: _blank(_column_text(NamingApplication, "proposed_name")) = None
    category: _blank(Text(5)) = None
    geometry: _blank(Geometry) = None
    meaning: _blank(Text()) = None
    origin: _blank(Text()) = None
    location_description: _blank(Text()) = None


class NamingApplicationNew(NamingApplicationName):
    """What POST /api/v1/naming-applications takes; the service decides what a kind needs."""

    county: Text(12, min_length=1, description="Code of the county-level unit")
    reason: _blank(Text()) = None
    applicant: _blank(_column_text(NamingApplication, "applicant")) = None
    applicant_contact: _blank(_column_text(NamingApplication, "applicant_contact")) = None


class NamingApplicationBatch(StrictSchema):
    """What POST /api/v1/naming-applications/batch takes: one application carrying many names of one
    county, decided with one decision and published with one notice."""

    county: Text(12, min_length=1, description="Code of the county-level unit all the names lie in")
    reason: _blank(Text()) = None
    applicant: _blank(_column_text(NamingApplication, "applicant")) = None
    applicant_contact: _blank(_column_text(NamingApplication, "applicant_contact")) = None
    names: list[NamingApplicationName] = Field(
        min_length=2,
        max_length=naming.BATCH_MAX,
        description="The first leads the batch (its head); each name gets its own number and checks.",
    )


def _input_type(step_input: naming.StepInput) -> Any:
    """A step's input as the steps' declaration says it is read."""
    if step_input.kind == naming.DATE:
        return Day
    if step_input.kind == naming.INT:
        return Number()
    if step_input.column is not None:
        return _column_text(*step_input.column)
    return Text()


def _step_body() -> type[StrictSchema]:
    """The body of POST .../{number}/{step}: the inputs of every step (gazetteer.services.naming.STEPS),
    each saying which steps take it, and the version. The view refuses the inputs of other steps; the
    service, a required one missing."""
    declared: dict[str, naming.StepInput] = {}
    steps_of: dict[str, list[str]] = {}
    for step in naming.STEPS.values():
        for step_input in step.inputs:
            first = declared.setdefault(step_input.name, step_input)
            if (first.kind, first.column) != (step_input.kind, step_input.column):
                raise ValueError(f"the steps read the input {step_input.name!r} in two ways")
            steps_of.setdefault(step_input.name, []).append(step.name)
    fields: dict[str, Any] = {"version": (_blank(Version), None)}
    for name, steps in steps_of.items():
        needed = [s for s in steps if name in naming.STEPS[s].required]
        note = f"step {', '.join(steps)}" + (f" (required for {', '.join(needed)})" if needed else "")
        fields[name] = (_blank(_input_type(declared[name]), note), None)
    return create_model(
        "NamingApplicationStep",
        __base__=StrictSchema,
        __doc__="Send the fields of the step taken, and the version.",
        **fields,
    )


NamingApplicationStep = _step_body()


# ---- reading ---------------------------------------------------------------------------------------


def _application(request, number: str) -> NamingApplication:
    application = (
        NamingApplication.objects.select_related("place", "county", "category", "submitted_by", "batch")
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
        "batch": application.batch.number if application.batch_id else None,
        "members": [m.number for m in sorted(application.members.all(), key=lambda m: m.pk)],
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
        "filed_on": _iso(application.filed_on),
        "filed_with": application.filed_with,
        "filing_reference": application.filing_reference,
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
                "channel": c.channel,  # officer: recorded by an officer; public: left on the notice's page
                "recorded_by": c.recorded_by.get_username() if c.recorded_by else None,
            }
            for c in application.comments.select_related("recorded_by").order_by("received_on", "id")
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


# ---- the endpoints ---------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/naming-applications",
    operation_id="listApplications",
    summary="Naming applications (yours, or all for approvers)",
    tag=OFFICERS,
    officer=True,
    answers=Answer(
        "The latest 200", {"type": "object", "properties": {"results": {"type": "array", "items": ref(APPLICATION)}}}
    ),
    errors=READ_ERRORS,
    url_name="application-list",
)
def application_list(request, status: StatusFilter):
    applications = NamingApplication.objects.select_related(
        "place", "county", "category", "submitted_by", "batch"
    ).prefetch_related(Prefetch("members", queryset=NamingApplication.objects.only("pk", "number", "batch_id")))
    if not (can(request.user, Action.DECIDE) or is_administrator(request.user)):
        applications = applications.filter(county_id__in=assigned_counties(request.user))
    if status:
        applications = applications.filter(status=status)
    return json_response({"results": [_as_dict(a) for a in applications.order_by("-submitted_at")[:200]]})


@endpoint(
    router,
    "POST",
    "/naming-applications",
    operation_id="submitApplication",
    summary="Submit a naming, renaming or abolition application",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The application (Location header)", APPLICATION, status="201"),
    url_name="application-list-post",
)
def application_submit(request, body: Json[NamingApplicationNew]):
    place = _place(body.place)
    county = _county(body.county)
    try:
        naming.check_county(county, place=place, geom=body.geometry)
    except naming.StepRefused as exc:
        raise ApiError(400, str(exc), field="county") from None
    _may_apply(request.user, county)
    try:
        application = naming.submit(
            county=county,
            submitted_by=request.user,
            reason=body.reason or "",
            applicant=body.applicant or "",
            applicant_contact=body.applicant_contact or "",
            **_name_inputs(body, place),
        )
    except (naming.StepRefused, PlaceRuleError) as exc:
        raise ApiError(400, str(exc)) from None
    return _created(application)


@endpoint(
    router,
    "POST",
    "/naming-applications/batch",
    operation_id="submitApplicationBatch",
    summary="Submit one application carrying many names (one decision, one notice)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The batch's head, its members listed (Location header)", APPLICATION, status="201"),
    description="Every name is checked as a single application's would be; one refused refuses the batch, "
    "as do two names of the batch that are the same name. The steps are then taken on the head "
    "(POST /api/v1/naming-applications/{head}/{step}) and run on every name.",
    url_name="application-batch",
)
def application_batch(request, body: Json[NamingApplicationBatch]):
    county = _county(body.county)
    _may_apply(request.user, county)
    names = [
        _name_inputs(item, _place(item.place, f"names[{i}].place"), f"names[{i}].") for i, item in enumerate(body.names)
    ]
    try:
        head = naming.submit_batch(
            county=county,
            submitted_by=request.user,
            reason=body.reason or "",
            applicant=body.applicant or "",
            applicant_contact=body.applicant_contact or "",
            names=names,
        )
    except (naming.StepRefused, PlaceRuleError) as exc:
        raise ApiError(400, str(exc)) from None
    return _created(head)


def _place(code: str | None, field: str = "place") -> Place | None:
    if not code:
        return None
    place = Place.objects.filter(code=code).first()
    if place is None:
        raise ApiError(400, f"no place record has the code {code!r}", field=field)
    return place


def _county(code: str) -> AdminUnit:
    county = inputs.unit(code)
    if county.tier != Tier.COUNTY:
        raise ApiError(400, f"{county.name} is not a county-level unit", field="county")
    return county


def _may_apply(user, county: AdminUnit) -> None:
    if not can(user, Action.APPLY, counties={county.id}):
        raise ApiError(403, f"your role does not allow naming applications in {county.name}")


def _name_inputs(item: NamingApplicationName, place: Place | None, prefix: str = "") -> dict:
    """One name's inputs as naming.submit takes them; ``prefix`` names the name's place in the body."""
    category = None
    if item.category:
        try:
            category = inputs.category(item.category)
        except ApiError as exc:
            raise ApiError(400, exc.message, field=f"{prefix}category") from None
    return {
        "kind": item.kind,
        "place": place,
        "proposed_name": inputs.place_name(item.proposed_name, f"{prefix}proposed_name") if item.proposed_name else "",
        "category": category,
        "geom": item.geometry,
        "meaning": item.meaning or "",
        "origin": item.origin or "",
        "location_description": item.location_description or "",
    }


def _created(application: NamingApplication):
    response = json_response(_as_dict(application), status=201)
    response["Location"] = f"/api/v1/naming-applications/{application.number}"
    return response


@endpoint(
    router,
    "GET",
    "/naming-applications/{number}",
    operation_id="getApplication",
    summary="One application",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The application", APPLICATION),
    errors=READ_ERRORS,
    url_name="application-detail",
)
def application_detail(request, number: ApplicationNumber):
    return json_response(_as_dict(_application(request, number)))


# Before .../{number}/{step}, which would take "attachments" and "notice.pdf" for steps.
@endpoint(
    router,
    "GET",
    "/naming-applications/{number}/notice.{fmt}",
    operation_id="getNotice",
    summary="The naming notice (公告) of an application in notice, approved or effective",
    tag="notices",
    public=True,
    answers=Answer("The notice", media={"text/html": {"type": "string"}, "application/pdf": FILE}),
    errors=("400", "404"),
    url_name="application-notice",
)
def application_notice(request, number: ApplicationNumber, fmt: NoticeFormat):
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


@endpoint(
    router,
    "POST",
    "/naming-applications/{number}/attachments",
    operation_id="attachToApplication",
    summary="Attach a document (multipart: file, title)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The application with the attachment", APPLICATION, status="201"),
    request_body={
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": FILE, "title": {"type": "string"}},
                    "required": ["file"],
                }
            }
        },
    },
    url_name="application-attachments",
)
def application_attachments(request, number: ApplicationNumber):
    # multipart/form-data, ``file`` and ``title``, read here after the rights (naming.attach decides
    # what a file may be); the multipart body is documented by request_body above.
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


@endpoint(
    router,
    "POST",
    "/naming-applications/{number}/{step}",
    operation_id="takeApplicationStep",
    summary="Take a step: " + ", ".join(naming.STEPS),
    tag=OFFICERS,
    officer=True,
    answers=Answer("The application after the step", APPLICATION),
    description="approve and reject are the approver's; the others the county officer's. Taken on a batch's "
    "head, a step runs on every name of the batch, all or none (comments and answers are the head's alone); "
    "taken on a member of a batch, it is refused.",
    url_name="application-step",
)
def application_step(request, number: ApplicationNumber, step: StepName, body: Json[NamingApplicationStep]):
    if step not in naming.STEPS:
        raise ApiError(404, f"unknown step {step!r}; one of {', '.join(naming.STEPS)}")
    application = _application(request, number)
    declared = naming.STEPS[step]
    if not may_take_step(request.user, application, declared):
        raise ApiError(403, f"your role does not allow the step '{step}'")
    taken = [i.name for i in declared.inputs]
    others = sorted(body.model_fields_set - {*taken, "version"})
    if others:
        raise ApiError(
            400,
            f"the step '{step}' does not take {', '.join(map(repr, others))}; "
            f"it takes {', '.join(sorted([*taken, 'version']))}",
            field=others[0],
        )
    try:
        application = naming.take_step(
            application,
            step,
            actor=request.user,
            expected_version=body.version,
            **{name: getattr(body, name) for name in taken},
        )
    except naming.StepRefused as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(_as_dict(application))


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


@endpoint(
    router,
    "GET",
    "/attachments/{path:name}",
    operation_id="getAttachment",
    summary="An application's attached document, to those who may read the application",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The file, as a download (Content-Disposition: attachment)", FILE, "application/octet-stream"),
    errors=("400", "401", "404", "410"),
    url_name="attachment-file",
)
def attachment_file(request, name: AttachmentName):
    # An attachment, to those who may read its application; always a download (Content-Disposition).
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
