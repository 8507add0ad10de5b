"""The sign survey (标志巡查) for a phone in the street: pick a sign by its number (from a short list of
the officer's counties' signs, fetched when online and kept on the phone for offline use), the condition
found, notes, the phone's position, photos. Each survey is kept on the phone (localStorage, photos in
IndexedDB) until the server has it; its id is made on the phone, so sending it twice is one survey
(gazetteer.services.sign_surveys). The page carries no records itself: the script
(static/js/sign_survey.js) reads and writes through the API."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.roles import assigned_counties, is_administrator, is_staff_reader
from boundaries.models import AdminUnit
from gazetteer.models_signs import Sign
from web.i18n import strings


@require_GET
def sign_survey(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context = {"t": strings(request)}
    if not is_staff_reader(request.user):
        return render(
            request, "404.html", {**context, "title": "未找到", "message": "标志巡查仅供工作人员使用。"}, status=404
        )
    counties = AdminUnit.objects.filter(pk__in=assigned_counties(request.user)).order_by("code")
    administrator = is_administrator(request.user)
    return render(
        request,
        "sign_survey.html",
        {
            **context,
            "counties": counties,
            "county_codes": ",".join(c.code for c in counties),
            "may_write": administrator or counties.exists(),
            "all_counties": administrator and not counties.exists(),
            "today": timezone.localdate().isoformat(),
            "condition_choices": Sign.Condition.choices,
        },
    )
