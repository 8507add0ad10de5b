"""The admin's face of a name's standing: registering a candidate as a standard name (登记) with the
decision that made it standard. gazetteer.services.standing decides; this page asks and shows."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from core.history import open_changeset
from core.models import Changeset
from core.records import VersionConflict
from gazetteer.models import Place
from gazetteer.permissions import Action, can
from gazetteer.services import standing


class RegistrationForm(forms.Form):
    authority = forms.CharField(label="批准机关 Authority", max_length=200)
    document_number = forms.CharField(label="批准文号 Document number", max_length=100)
    decision_date = forms.DateField(label="批准日期 Decision date", help_text="YYYY-MM-DD, not in the future")
    reason = forms.CharField(label="理由 Reason", widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


def register_view(model_admin: admin.ModelAdmin, request, object_id: str):
    place = model_admin.get_object(request, object_id)
    if place is None:
        raise Http404("no such record")
    if not can(request.user, Action.UPDATE, place):
        raise PermissionDenied
    form = RegistrationForm(request.POST or None, initial={"expected_version": place.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = standing.Decision.from_values(data["authority"], data["document_number"], data["decision_date"])
            changeset = open_changeset(Changeset.Kind.EDIT, data["reason"], author=request.user)
            standing.register_standard(place, decision, changeset=changeset, expected_version=data["expected_version"])
        except (standing.StandingRefused, VersionConflict) as refusal:
            form.add_error(None, f"Not registered: {refusal}")
        else:
            messages.success(
                request, f"{place.name} is registered as a standard name: {decision.authority} {decision.document}"
            )
            return HttpResponseRedirect(reverse("admin:gazetteer_place_change", args=[place.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Place._meta,
        "original": place,
        "form": form,
        "title": f"登记为标准地名 Register {place.name} as a standard name",
    }
    return TemplateResponse(request, "admin/gazetteer/place/register_standard.html", context)
