"""POST /api/v1/changesets: many edits of records of several kinds, applied all or nothing."""

from __future__ import annotations

from core.api import api_view, json_body
from core.changesets import apply_changeset
from core.http import json_response


@api_view("POST", login_required=True)
def changesets(request):
    status, answer = apply_changeset(request.user, json_body(request))
    return json_response(answer, status=status)
