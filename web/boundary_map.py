"""The staff's boundary map (界线工作图): the city drawn from the staff's own tiles (/tiles/staff/...: every
boundary marker, and the pending boundary proposals drawn dashed), beside a panel of what awaits a
decision: the pending boundary proposals, the pending marker events and the joint inspections.

A thin view: the page gets the map's coordinate systems and the labels of the records' codes; the
script (static/js/boundary_map.js) reads the records through the API, which decides what each user sees.
Bureau staff only (accounts.roles.is_staff_reader, as the staff's tiles); others are sent to log in."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.roles import is_staff_reader
from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker, InspectionCampaign
from web.i18n import strings
from web.views import _map_context

TITLE = "界线工作图"


def _labels() -> dict:
    """The labels of the codes the API answers with: the current lines' and county-level units' names."""
    lines = BoundaryLine.objects.filter(valid_to__isnull=True).order_by("code").values_list("code", "name")
    units = AdminUnit.objects.current().filter(tier__lte=Tier.COUNTY).order_by("code").values_list("code", "name")
    return {
        "units": dict(units),
        "levels": dict(BoundaryLine.Level.choices),
        "inspection_status": dict(InspectionCampaign.Status.choices),
        "marker_grades": dict(BoundaryMarker.Grade.choices),
        "lines": dict(lines),
    }


@require_GET
def boundary_map(request: HttpRequest):
    """The map with the staff's tiles and the panel of pending proposals, marker events and inspections."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context = {"t": strings(request), "page_title": TITLE}
    if not is_staff_reader(request.user):
        message = "界线工作图仅限民政局工作人员。"
        return render(request, "404.html", {**context, "title": "无权限", "message": message}, status=403)
    return render(request, "boundary_map.html", {**context, **_map_context(), "labels": _labels()})
