"""core's own endpoints: the health check and POST /api/v1/changesets (config.api mounts the router)."""

from typing import Any

from ninja import Router
from pydantic import Field

from core import views
from core.changesets import MAX_EDITS, apply_changeset
from core.http import json_response
from core.restapi import OFFICERS, Answer, Json, StrictSchema, Text, Version, endpoint

router = Router()

endpoint(
    router,
    "GET",
    "/healthz",
    operation_id="healthz",
    summary="Health check",
    tag="service",
    answers=[
        Answer("Up, and the database answers", "Health"),
        Answer("The database is unreachable", "Health", status="503"),
    ],
    url_name="healthz",
)(views.healthz)


class ChangesetEdit(StrictSchema):
    kind: Text(40, min_length=1, description="The kind of record: place, unit, edge")
    key: Text(40, min_length=1, description="The record's code")
    version: Version
    changes: dict[str, Any] = Field(
        min_length=1,
        description="The attributes changed, as the record's own endpoint takes them "
        "(PATCH /api/v1/places/{code} for a place).",
    )


class ChangesetNew(StrictSchema):
    reason: Text(2000, min_length=1, description="Why: recorded in the change history.")
    edits: list[ChangesetEdit] = Field(
        min_length=1, max_length=MAX_EDITS, description="Applied in this order, in one transaction."
    )


@endpoint(
    router,
    "POST",
    "/api/v1/changesets",
    operation_id="applyChangeset",
    summary="Edit several records of several kinds at once, all or nothing",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The changeset and every record after it", "Changeset", status="201"),
        Answer("Held whole as proposals: it touches a shared boundary (an edge)", "Object", status="202"),
    ],
    description="Each edit is checked as the record's own endpoint checks it. A stale version refuses the "
    "whole changeset: the 409 lists every conflict (`conflicts`: edit, kind, key, your_version, "
    "current_version). Any refusal names the edit (`edit`, `kind`, `key`). A changeset that moves a "
    "boundary edge (kind `edge`, key its id, changes `{geometry}`) is held whole: one proposal per edge, "
    "the other edits kept, nothing applied until every party of every proposal has approved (202).",
    url_name="changesets",
)
def changesets(request, body: Json[ChangesetNew]):
    status, answer = apply_changeset(request.user, body.reason, [edit.model_dump() for edit in body.edits])
    return json_response(answer, status=status)
