"""Division drafts in the admin: the draft with its preview table, approved (with its legal basis) or
rejected through boundaries.services.division_drafts (the page asks, the service decides). Drafts are
drawn up through the API (POST /api/v1/division-drafts)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from accounts.roles import is_staff_reader
from boundaries.models import DivisionDraft
from boundaries.services import division_drafts as drafts
from core.admin_base import ReadOnlyAdmin
from core.records import VersionConflict


class DraftDecisionForm(forms.Form):
    choice = forms.ChoiceField(
        label="决定 Decision",
        widget=forms.RadioSelect,
        choices=[("approve", "批准 Approve"), ("reject", "不同意 / 撤回 Reject (or withdraw, if you drew it up)")],
    )
    authority = forms.CharField(label="批准机关 Approving authority", required=False, max_length=200)
    document = forms.CharField(label="批准文号 Document number", required=False, max_length=100)
    basis_date = forms.DateField(label="批准日期 Date of approval", required=False)
    effective_date = forms.DateField(label="生效日期 Effective day (if not the draft's)", required=False)
    note = forms.CharField(label="理由 Why (rejection)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(DivisionDraft)
class DivisionDraftAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "kind", "status", "effective_date", "drafted_by", "drafted_at"]
    list_filter = ["status", "kind"]
    search_fields = ["number", "title"]
    readonly_fields = [
        *("number", "title", "kind", "status", "reason", "steps", "effective_date"),
        *("basis_authority", "basis_document", "basis_date", "drafted_by", "drafted_at"),
        *("decided_by", "decided_at", "decision_note", "changeset"),
    ]
    fields = readonly_fields
    change_form_template = "admin/boundaries/divisiondraft/change_form.html"

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def get_urls(self):
        decide = path(
            "<path:object_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="boundaries_divisiondraft_decide",
        )
        return [decide, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        draft = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if draft is not None:
            try:
                extra["preview"] = drafts.preview(draft)
            except drafts.DraftRefused as refusal:
                extra["preview_error"] = f"此方案已与现行区划不符 The draft no longer fits the register: {refusal}"
            if draft.status == DivisionDraft.Status.DRAFT:
                extra["decision_form"] = DraftDecisionForm(initial={"expected_version": draft.version})
                extra["decide_url"] = reverse("admin:boundaries_divisiondraft_decide", args=[object_id])
        return super().change_view(request, object_id, form_url, extra)

    def decide_view(self, request, object_id):
        draft = self.get_object(request, object_id)
        back = reverse("admin:boundaries_divisiondraft_change", args=[object_id])
        if draft is None or request.method != "POST":
            return HttpResponseRedirect(back)
        form = DraftDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Not done: {form.errors.as_text()}")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["choice"] == "reject":
                drafts.reject(draft, user=request.user, note=data["note"], expected_version=data["expected_version"])
            else:
                drafts.approve(
                    draft,
                    user=request.user,
                    authority=data["authority"],
                    document=data["document"],
                    basis_date=data["basis_date"],
                    effective_date=data["effective_date"],
                    expected_version=data["expected_version"],
                )
        except (drafts.DraftRefused, VersionConflict) as refusal:
            messages.error(request, f"Not done: {refusal}")
        else:
            draft.refresh_from_db()
            messages.success(request, f"{draft.number}: {draft.get_status_display()}")
        return HttpResponseRedirect(back)
