"""Numbering requests (门牌申请) in the admin: receive one (the add form, through numbering_requests.submit),
then take it through its steps from its page (the step form, through numbering_requests.take_step): the
page asks, the service decides, under the same rights as the API. The certificate is linked once made."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.geos import Point
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.roles import is_staff_reader
from core.admin_base import ReadOnlyInline, Refused, ServiceAdmin
from core.records import VersionConflict
from core.srid import STORAGE_SRID
from gazetteer.models import NumberingRequest, NumberingRequestVersion
from gazetteer.services import numbering_requests as service

SUBMIT_FIELDS = ["road", "longitude", "latitude", "applicant", "applicant_kind", "applicant_contact",
                 "building_name", "building", "documents_text", "former_address", "reason"]  # fmt: skip
SHOWN = ["number", "status", "awaiting", "applicant", "applicant_kind", "applicant_contact", "road", "county",
         "entrance", "building_name", "building", "document_list", "former_address", "condition_list",
         "site_check", "house_number", "certificate", "decision_reason", "submitted_by", "submitted_at",
         "version"]  # fmt: skip


def documents_from(text: str) -> list[dict]:
    """One document per line: "不动产权证: 黑(2026)宁安市不动产权第0001号"."""
    found = []
    for row in filter(None, (line.strip() for line in text.splitlines())):
        kind, _, number = row.replace("：", ":").partition(":")
        found.append({"kind": kind.strip(), "number": number.strip()})
    return found


class SubmitForm(forms.ModelForm):
    longitude = forms.FloatField(label="经度 Longitude (entrance)", min_value=-180, max_value=180)
    latitude = forms.FloatField(label="纬度 Latitude (entrance)", min_value=-90, max_value=90)
    documents_text = forms.CharField(
        label="产权证明 Property documents: one per line, 种类: 编号", required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "不动产权证: 黑(2026)宁安市不动产权第0001号"}),
    )  # fmt: skip
    reason = forms.CharField(label="理由 Why", widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = NumberingRequest
        fields = ["road", "applicant", "applicant_kind", "applicant_contact", "building_name", "building",
                  "former_address"]  # fmt: skip


class NumberingRequestVersionInline(ReadOnlyInline):
    model = NumberingRequestVersion
    fields = ["version", "changeset", "data"]
    readonly_fields = fields
    ordering = ["-version"]


class StepForm(forms.Form):
    step = forms.ChoiceField(
        label="步骤 Step", widget=forms.RadioSelect, choices=[(s.name, s.label) for s in service.STEPS.values()]
    )
    lawful_building = forms.BooleanField(label=service.CONDITIONS["lawful_building"], required=False)
    ground_floor_finished = forms.BooleanField(label=service.CONDITIONS["ground_floor_finished"], required=False)
    entrance_fixed = forms.BooleanField(label=service.CONDITIONS["entrance_fixed"], required=False)
    notes = forms.CharField(label="现场核查 Site check notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(label="理由 Reason (reject, withdraw)", required=False, widget=forms.Textarea({"rows": 2}))
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(NumberingRequest)
class NumberingRequestAdmin(ServiceAdmin):
    list_display = ["number", "status", "applicant", "road", "building_name", "house_number", "county", "submitted_at"]
    list_filter = ["status", "applicant_kind", "county"]
    search_fields = ["number", "applicant", "building_name", "road__place__name", "certificate_number"]
    raw_id_fields = ["road", "building"]
    inlines = [NumberingRequestVersionInline]
    refusals = (service.RequestRefused, service.RequestForbidden)
    change_form_template = "admin/gazetteer/numberingrequest/change_form.html"

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_staff_reader(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and is_staff_reader(request.user)  # a request changes by its steps

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SubmitForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return SHOWN if obj else SUBMIT_FIELDS

    def get_readonly_fields(self, request, obj=None):
        return SHOWN if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return service.submit(
            user=request.user, road=data["road"], point=Point(data["longitude"], data["latitude"], srid=STORAGE_SRID),
            applicant=data["applicant"], applicant_kind=data["applicant_kind"],
            applicant_contact=data.get("applicant_contact") or "", building_name=data.get("building_name") or "",
            building=data.get("building"), documents=documents_from(data.get("documents_text") or ""),
            former_address=data.get("former_address") or "", reason=data["reason"],
        )  # fmt: skip

    # ---- what the page shows -------------------------------------------------------------------------------

    @admin.display(description="待办 Awaiting")
    def awaiting(self, obj):
        step = service.AWAITED.get(obj.status)
        return step.label if step else "—"

    @admin.display(description="出入口 Entrance")
    def entrance(self, obj):
        return f"{obj.geom.x:.6f}, {obj.geom.y:.6f}"

    @admin.display(description="产权证明 Documents")
    def document_list(self, obj):
        return format_html_join("", "<div>{}: {}</div>", ((d["kind"], d["number"]) for d in obj.documents)) or "—"

    @admin.display(description="核查条件 Conditions")
    def condition_list(self, obj):
        rows = (
            (label, f"✓ {obj.conditions[name]['by']} {obj.conditions[name]['at']}" if name in obj.conditions else "—")
            for name, label in service.CONDITIONS.items()
        )
        return format_html_join("", "<div>{}: {}</div>", rows)

    @admin.display(description="门牌证明 Certificate")
    def certificate(self, obj):
        if not obj.certificate_number:
            return "—"
        return format_html(
            '<a href="/api/v1/numbering-requests/{}/certificate.pdf">{} ({}) PDF</a>',
            obj.number,
            obj.certificate_number,
            obj.certified_on,
        )

    # ---- the steps -----------------------------------------------------------------------------------------

    def _step_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_step"

    def get_urls(self):
        step = path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name=self._step_name())
        return [step, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if record is not None and record.status in service.OPEN and service.may_step(request.user, record):
            extra["step_form"] = StepForm(initial={"expected_version": record.version})
            extra["step_url"] = reverse(f"admin:{self._step_name()}", args=[record.pk])
            extra["awaited"] = service.AWAITED[record.status].label
        return super().change_view(request, object_id, form_url, extra)

    def step_view(self, request, object_id):
        record = self.get_object(request, object_id)
        back = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[object_id])
        if record is None or request.method != "POST":
            return HttpResponseRedirect(back)
        form = StepForm(request.POST)
        if not form.is_valid():
            messages.error(request, f"Not done: {form.errors.as_text()}")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        conditions = {name: data[name] for name in service.CONDITIONS}
        try:
            service.take_step(
                record, data["step"], user=request.user, expected_version=data["expected_version"],
                conditions=conditions, notes=data["notes"], reason=data["reason"],
            )  # fmt: skip
        except (service.RequestRefused, service.RequestForbidden, VersionConflict, Refused) as refusal:
            messages.error(request, f"Not done: {refusal}")
        else:
            record.refresh_from_db()
            messages.success(request, f"{record.number}: {record.get_status_display()}")
        return HttpResponseRedirect(back)
