"""The officers' page of a division draft (GET /divisions/drafts/{number}): the draft, its steps and
the preview table (boundaries.services.division_drafts.preview), read-only; deciding is the admin's
and the API's. Staff only: others are sent to log in, or refused."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.roles import is_staff_reader
from boundaries.models import DivisionDraft
from boundaries.services import division_drafts
from web.i18n import remember_language, strings

NUMBER = r"QH-[0-9]{4}-[0-9]{4}"


@remember_language
@require_GET
def division_draft(request, number: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context = {"t": strings(request), "page_title": "区划调整方案"}
    if not is_staff_reader(request.user):
        return render(
            request, "404.html", {**context, "title": "无权限", "message": "仅限民政局工作人员。"}, status=403
        )
    draft = DivisionDraft.objects.select_related("drafted_by", "decided_by").filter(number=number).first()
    if draft is None:
        return render(request, "404.html", {**context, "message": f"没有区划调整方案 {number}"}, status=404)
    try:
        preview, error = division_drafts.preview(draft), None
    except division_drafts.DraftRefused as refusal:
        preview, error = None, f"此方案已与现行区划不符 The draft no longer fits the register: {refusal}"
    return render(
        request,
        "division_draft.html",
        {**context, "draft": draft, "preview": preview, "preview_error": error},
    )
