"""Draft division changes (boundaries.services.division_drafts): thin views declared on ``router``
(mounted under /api/v1/ by config.api); what they answer is in boundaries.openapi_drafts."""

from __future__ import annotations

from ninja import Router
from pydantic import Field

from accounts.roles import is_staff_reader
from boundaries.levels import Level
from boundaries.models import DivisionDraft
from boundaries.services import division_drafts as drafts
from core.api import ApiError
from core.http import json_response
from core.restapi import OFFICERS, Answer, Day, Json, OneOf, StrictSchema, Text, Version, endpoint

router = Router()
URL = "/division-drafts"
DraftNumber = Text(20, description="The draft's number, e.g. QH-2026-0001")
Code = Text(12, description="A unit's code (6, 9 or 12 digits)")
STEP_WORDS = (
    "establish (parent, name, level, code?), transfer (unit, to, code?, name?, level?), rename (unit, name?, "
    "code?, level?), abolish (unit), or fold (unit, to: every unit under it moves to `to` and it is "
    "abolished; stored as those steps). A missing code is allocated above every code ever used under the parent."
)


class Step(StrictSchema):
    op: OneOf([*drafts.OPS, "fold"], STEP_WORDS)
    unit: Code = None
    to: Text(12, description="transfer, fold: the new parent's code") = None
    parent: Text(12, description="establish: the parent's code") = None
    code: Text(12, description="The new code (allocated when left out)") = None
    name: Text(100, min_length=1, description="The new name") = None
    level: OneOf(Level.values, "The new level") | None = None


class DraftNew(StrictSchema):
    kind: OneOf(DivisionDraft.Kind.values, "合并 merge, 拆分 split, 划转 transfer, 更名, 撤销, 界线变更")
    title: Text(200, min_length=1, description="e.g. 海林农场并入海林镇")
    reason: Text(min_length=1, description="Why: recorded in the change history")
    steps: list[Step] = Field(..., min_length=1, max_length=2000)
    effective_date: Day | None = Field(None, description="The day it takes effect (required to approve)")


class DraftChanges(StrictSchema):
    kind: OneOf(DivisionDraft.Kind.values) = None
    title: Text(200, min_length=1) = None
    reason: Text(min_length=1) = None
    steps: list[Step] | None = Field(None, min_length=1, max_length=2000)
    effective_date: Day | None = None
    version: Version


class Basis(StrictSchema):
    authority: Text(200, description="批准机关 approving authority, e.g. 黑龙江省人民政府") = ""
    document: Text(100, description="批准文号 document number, e.g. 黑政函〔2026〕12号") = ""
    date: Day | None = Field(None, description="批准日期 the day of the approval")
    effective_date: Day | None = Field(None, description="The day it takes effect, if not the draft's")
    version: Version


class Refusal(StrictSchema):
    note: Text(min_length=1, description="Why: recorded with the decision")
    version: Version


def _draft(request, number: str) -> DivisionDraft:
    if not is_staff_reader(request.user):
        raise ApiError(403, "division drafts are the bureau's working data: staff only")
    found = DivisionDraft.objects.filter(number=number).select_related("drafted_by", "decided_by").first()
    if found is None:
        raise ApiError(404, f"no division draft {number!r}")
    return found


def _refused(exc: drafts.DraftRefused) -> ApiError:
    if exc.forbidden:
        return ApiError(403, str(exc))
    return ApiError(400, str(exc), **({"step": exc.step} if exc.step is not None else {}))


def _steps(steps: list[Step]) -> list[dict]:
    return [step.model_dump(exclude_none=True) for step in steps]


@endpoint(
    router,
    "POST",
    URL,
    operation_id="createDivisionDraft",
    summary="Draw up a division change (merge, split, transfer, rename, abolish, boundary adjustment)",
    description="Checked at once against the register: the units exist and are current, a transfer goes to a "
    "unit of the tier above, codes fit their parent and were never used. Nothing is applied before approval.",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The draft", "DivisionDraft", status="201"),
    url_name="division-draft-create",
)
def create(request, body: Json[DraftNew]):
    try:
        made = drafts.create(
            user=request.user,
            kind=body.kind,
            title=body.title,
            reason=body.reason,
            steps=_steps(body.steps),
            effective_date=body.effective_date,
        )
    except drafts.DraftRefused as exc:
        raise _refused(exc) from None
    response = json_response(drafts.represent(made), status=201)
    response["Location"] = f"/api/v1{URL}/{made.number}"
    return response


@endpoint(
    router,
    "GET",
    URL,
    operation_id="listDivisionDrafts",
    summary="Division drafts, newest first (staff)",
    tag=OFFICERS,
    officer=True,
    errors=("400", "401", "403"),
    answers=Answer("Drafts", "DivisionDrafts"),
    url_name="division-draft-list",
)
def draft_list(request, status: OneOf(DivisionDraft.Status.values, "Only those in this status") | None = None):
    if not is_staff_reader(request.user):
        raise ApiError(403, "division drafts are the bureau's working data: staff only")
    found = DivisionDraft.objects.select_related("drafted_by", "decided_by").order_by("-drafted_at")
    if status:
        found = found.filter(status=status)
    return json_response({"drafts": [drafts.represent(d) for d in found[:200]]})


@endpoint(
    router,
    "GET",
    URL + "/{number}",
    operation_id="getDivisionDraft",
    summary="One division draft, with the events its approval wrote (staff)",
    tag=OFFICERS,
    officer=True,
    errors=("400", "401", "403", "404"),
    answers=Answer("The draft", "DivisionDraft"),
    url_name="division-draft-detail",
)
def draft_detail(request, number: DraftNumber):
    return json_response(drafts.represent(_draft(request, number)))


@endpoint(
    router,
    "GET",
    URL + "/{number}/preview",
    operation_id="previewDivisionDraft",
    summary="The units as they would stand: names, codes, parents, child counts and areas before and after",
    description="An approved draft shows the preview as it stood when approved. A draft that no longer fits "
    "the register (a unit ended meanwhile) is a 400 that says which step.",
    tag=OFFICERS,
    officer=True,
    errors=("400", "401", "403", "404"),
    answers=Answer("The preview", "DivisionDraftPreview"),
    url_name="division-draft-preview",
)
def draft_preview(request, number: DraftNumber):
    try:
        return json_response(drafts.preview(_draft(request, number)))
    except drafts.DraftRefused as exc:
        raise _refused(exc) from None


@endpoint(
    router,
    "PATCH",
    URL + "/{number}",
    operation_id="editDivisionDraft",
    summary="Change a draft while it is a draft (409 when it moved on since your version)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The draft", "DivisionDraft"),
    url_name="division-draft-edit",
)
def edit(request, number: DraftNumber, body: Json[DraftChanges]):
    draft = _draft(request, number)
    changes = {name: getattr(body, name) for name in body.model_fields_set if name != "version"}
    if "steps" in changes:
        if changes["steps"] is None:
            raise ApiError(400, "steps: a draft has at least one step", field="steps")
        changes["steps"] = _steps(body.steps)
    for name in ("kind", "title", "reason"):
        if name in changes and changes[name] is None:
            raise ApiError(400, f"{name}: required", field=name)
    try:
        done = drafts.edit(draft, user=request.user, changes=changes, expected_version=body.version)
    except drafts.DraftRefused as exc:
        raise _refused(exc) from None
    return json_response(drafts.represent(done))


@endpoint(
    router,
    "POST",
    URL + "/{number}/approve",
    operation_id="approveDivisionDraft",
    summary="Approve a draft with its legal basis: every step applied in one changeset as dated events",
    description="The bureau's approver or an administrator. The basis (authority, document, date) and the "
    "effective day are required; the new state holds from the effective day, the old one ends the day before.",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The draft, approved, with its division changes", "DivisionDraft"),
    url_name="division-draft-approve",
)
def approve(request, number: DraftNumber, body: Json[Basis]):
    draft = _draft(request, number)
    try:
        done = drafts.approve(
            draft,
            user=request.user,
            authority=body.authority,
            document=body.document,
            basis_date=body.date,
            effective_date=body.effective_date,
            expected_version=body.version,
        )
    except drafts.DraftRefused as exc:
        raise _refused(exc) from None
    return json_response(drafts.represent(done))


@endpoint(
    router,
    "POST",
    URL + "/{number}/reject",
    operation_id="rejectDivisionDraft",
    summary="The approver rejects a draft (its drafter withdraws it); nothing is applied",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The draft, rejected or withdrawn", "DivisionDraft"),
    url_name="division-draft-reject",
)
def reject(request, number: DraftNumber, body: Json[Refusal]):
    draft = _draft(request, number)
    try:
        done = drafts.reject(draft, user=request.user, note=body.note, expected_version=body.version)
    except drafts.DraftRefused as exc:
        raise _refused(exc) from None
    return json_response(drafts.represent(done))
