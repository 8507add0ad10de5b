"""The field check form of a joint inspection (界线联检外业), for a phone in the field: the line's markers,
a form per marker or stretch, and a queue kept on the phone (localStorage) until each check is sent.
Each check carries an id made on the phone, so sending it again never makes a second record
(boundaries.services.inspections). The page reads the inspection through the API's representation;
the script (static/js/field.js) writes through the API."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import is_staff_reader
from boundaries import representation_inspections as represent
from boundaries.models import InspectionCampaign
from boundaries.services import inspections
from web.i18n import strings


@require_GET
def field_form(request, number: str):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context = {"t": strings(request)}
    campaign = InspectionCampaign.objects.filter(number=number).select_related("line", "lead").first()
    if campaign is None or not is_staff_reader(request.user):
        return render(
            request, "404.html", {**context, "title": "未找到", "message": f"没有联检 {number}。"}, status=404
        )
    data = represent.campaign(campaign)
    found = dict(inspections.Found.choices)
    for check in data["marker_checks"]:
        check["found_label"] = found[check["found"]]
    return render(
        request,
        "field_inspection.html",
        {
            **context,
            "campaign": campaign,
            "data": data,
            "may_write": inspections.may_work_on(request.user, campaign.line),
            "today": timezone.localdate().isoformat(),
            "found_choices": inspections.Found.choices,
            "condition_choices": inspections.Condition.choices,
        },
    )
