"""Boundary proposals in the admin: read as the parties see them, approved or rejected through
boundaries.services.proposals (the page asks, the service decides). The decision form and its view
(``DecidedByTheParties``) serve the marker events too (boundaries.admin_marker_events)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse

from accounts.roles import is_staff_reader
from boundaries.models import BoundaryProposal, ProposalApproval
from boundaries.services import agreement, proposals, topology
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from core.records import VersionConflict


class ApprovalInline(ReadOnlyInline):
    model = ProposalApproval
    fields = ["party", "unit", "outside", "approved_by", "approved_at", "signed_by", "signed_on", "document"]
    readonly_fields = fields


class DecisionForm(forms.Form):
    choice = forms.ChoiceField(label="决定 Decision", widget=forms.RadioSelect)
    signed_by = forms.CharField(label="签字人 Signed by (outside party or township)", required=False, max_length=200)
    signed_on = forms.DateField(label="签字日期 Signed on (outside party or township)", required=False)
    document = forms.CharField(label="文件 Document (outside party or township)", required=False, max_length=200)
    note = forms.CharField(label="理由 Why (rejection)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, awaited: list[agreement.Required], **kwargs):
        super().__init__(*args, **kwargs)
        self.awaited = awaited
        self.fields["choice"].choices = [
            *((f"approve:{i}", f"批准 Approve for {need.label}") for i, need in enumerate(awaited)),
            ("reject", "不同意 / 撤回 Reject (or withdraw, if you proposed it)"),
        ]


class DecidedByTheParties:
    """The decision form on the change page of a record that awaits the parties (a boundary proposal, a
    marker event): ``service`` has ``missing``, ``approve`` and ``reject``; the page asks, it decides."""

    service = proposals
    refusals: tuple[type[Exception], ...] = (proposals.ProposalRefused, topology.TopologyRefused, VersionConflict)

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def _decide_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_decide"

    def get_urls(self):
        decide = path(
            "<path:object_id>/decide/", self.admin_site.admin_view(self.decide_view), name=self._decide_name()
        )
        return [decide, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if record is not None and record.status == BoundaryProposal.Status.PENDING:
            awaited = self.service.missing(record)
            extra["decision_form"] = DecisionForm(awaited=awaited, initial={"expected_version": record.version})
            extra["awaited"] = [need.label for need in awaited]
            extra["decide_url"] = reverse(f"admin:{self._decide_name()}", args=[record.pk])
        return super().change_view(request, object_id, form_url, extra)

    def decide_view(self, request, object_id):
        record = self.get_object(request, object_id)
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
        if record is None or request.method != "POST":
            return HttpResponseRedirect(back)
        form = DecisionForm(request.POST, awaited=self.service.missing(record))
        if not form.is_valid():
            messages.error(request, f"Not done: {form.errors.as_text()}")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        try:
            if data["choice"] == "reject":
                self.service.reject(
                    record, user=request.user, note=data["note"], expected_version=data["expected_version"]
                )
            else:
                need = form.awaited[int(data["choice"].split(":")[1])]
                self.service.approve(
                    record,
                    user=request.user,
                    party=need.party,
                    unit=need.unit,
                    outside=need.outside,
                    signed_by=data["signed_by"],
                    signed_on=data["signed_on"],
                    document=data["document"],
                    expected_version=data["expected_version"],
                )
        except self.refusals as refusal:
            messages.error(request, f"Not done: {refusal}")
        else:
            record.refresh_from_db()
            messages.success(request, f"{record.number}: {record.get_status_display()}")
        return HttpResponseRedirect(back)


@admin.register(BoundaryProposal)
class BoundaryProposalAdmin(DecidedByTheParties, ReadOnlyAdmin):
    list_display = ["number", "line", "status", "proposed_by", "proposed_at"]
    list_filter = ["status"]
    readonly_fields = ["number", "line", "edge", "status", "course", "base_version", "reason", "proposed_by"]
    fields = readonly_fields
    inlines = [ApprovalInline]
    change_form_template = "admin/boundaries/boundaryproposal/change_form.html"

    class Media:
        js = OfflineMapWidget.Media.js
        css = OfflineMapWidget.Media.css

    @admin.display(description="拟定走向 Proposed course")
    def course(self, obj):
        return OfflineMapWidget(read_only=True).render("course", obj.geom, attrs={"id": "id_course"})
