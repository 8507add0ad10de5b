"""Joint inspections in the admin: the archive (by year, status, occasion and line), each campaign with
its checks, tasks and signatures, and its steps taken through boundaries.services.inspections (the page
asks, the service decides): raise, file the plan, the office review, the report, a side's signature.
Field checks come from the phone form (/field/inspections/<number>)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html

from accounts.roles import is_staff_reader
from boundaries.models import (
    AdminUnit,
    BoundaryLine,
    ContextArea,
    InspectionCampaign,
    InspectionSignature,
    InspectionTask,
    MarkerCheck,
    StretchCheck,
)
from boundaries.services import inspections
from core.admin_base import ReadOnlyInline, Refused, ServiceAdmin
from core.records import VersionConflict


class MarkerCheckInline(ReadOnlyInline):
    model = MarkerCheck
    fields = ["marker", "found", "checked_on", "inscription_repainted", "references_changed", "displacement_m",
              "notes", "checked_by"]  # fmt: skip
    readonly_fields = fields


class StretchCheckInline(ReadOnlyInline):
    model = StretchCheck
    fields = ["from_m", "to_m", "condition", "checked_on", "notes", "checked_by"]
    readonly_fields = fields


class TaskInline(ReadOnlyInline):
    model = InspectionTask
    fk_name = "campaign"
    fields = ["kind", "marker", "owner", "due_on", "status", "done_on", "note"]
    readonly_fields = fields


class SignatureInline(ReadOnlyInline):
    model = InspectionSignature
    fields = ["unit", "outside", "signed_by", "signed_on", "document", "recorded_by"]
    readonly_fields = fields


class RaiseForm(forms.ModelForm):
    reason = forms.CharField(label="理由 Why", widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = InspectionCampaign
        fields = ["line", "year", "occasion", "cause"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line"].queryset = BoundaryLine.objects.filter(read_only=False).order_by("code")


def _teams(text: str) -> list[dict]:
    """One side per line: "231083: 张明/股长, 王强" -> [{"side": "231083", "members": [...]}]."""
    teams = []
    for row in filter(None, (line.strip() for line in text.splitlines())):
        side, _, names = row.partition(":")
        members = []
        for item in filter(None, (n.strip() for n in names.replace("，", ",").split(","))):
            name, _, role = item.partition("/")
            members.append({"name": name.strip(), "role": role.strip()})
        teams.append({"side": side.strip(), "members": members})
    return teams


class StepForm(forms.Form):
    step = forms.ChoiceField(
        label="步骤 Step",
        widget=forms.RadioSelect,
        choices=[
            ("plan", "报送实施方案 File the plan"),
            ("review", "内业核查 Record the office review"),
            ("report", "形成联检报告 Draw up the report"),
            ("sign", "一方签署 A side signs"),
        ],
    )
    start = forms.DateField(label="开始 Start (plan)", required=False)
    end = forms.DateField(label="结束 End (plan)", required=False)
    teams = forms.CharField(
        label="联检组 Teams (plan): one side per line, 代码: 姓名/职务, 姓名", required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "231083: 张明/股长, 王强\n231084: 李华"}),
    )  # fmt: skip
    text = forms.CharField(label="内容 Notes / conclusions", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    side = forms.CharField(label="签署方代码 Side's code (sign)", required=False, max_length=12)
    signed_by = forms.CharField(label="签字人 Signed by (sign)", required=False, max_length=200)
    signed_on = forms.DateField(label="签字日期 Signed on (sign)", required=False)
    document = forms.CharField(label="文件 Document (a side outside the system)", required=False, max_length=200)
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(InspectionCampaign)
class InspectionCampaignAdmin(ServiceAdmin):
    list_display = ["number", "line", "year", "occasion", "status", "plan_due", "closed_on"]
    list_filter = ["year", "status", "occasion", "line__level"]
    search_fields = ["number", "line__name", "line__code"]
    inlines = [MarkerCheckInline, StretchCheckInline, TaskInline, SignatureInline]
    refusals = (inspections.InspectionRefused,)
    change_form_template = "admin/boundaries/inspectioncampaign/change_form.html"
    shown = ["number", "line", "year", "occasion", "cause", "lead", "plan_due", "planned_start", "planned_end",
             "team_list", "office_review", "report_summary", "filing_reference", "status", "closed_on",
             "documents"]  # fmt: skip

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_staff_reader(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and is_staff_reader(request.user)  # a campaign changes by its steps

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RaiseForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return self.shown if obj else ["line", "year", "occasion", "cause", "reason"]

    def get_readonly_fields(self, request, obj=None):
        return self.shown if obj else []

    def get_inlines(self, request, obj):
        return self.inlines if obj else []

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        return inspections.raise_campaign(
            data["line"], user=request.user, year=data["year"], reason=data["reason"],
            occasion=data["occasion"], cause=data["cause"],
        )  # fmt: skip

    @admin.display(description="联检组 Teams")
    def team_list(self, obj):
        return (
            "; ".join(f"{team['name']}: {', '.join(m['name'] for m in team['members'])}" for team in obj.teams) or "—"
        )

    @admin.display(description="文件 Documents")
    def documents(self, obj):
        return format_html(
            '<a href="/api/v1/inspections/{0}/report.pdf">联合检查报告 PDF</a> · '
            '<a href="/field/inspections/{0}">外业填报 field form</a> · '
            '<a href="/api/v1/inspections/summary.pdf?year={1}">{1}年度总结 PDF</a>',
            obj.number,
            obj.year,
        )

    # ---- the steps ---------------------------------------------------------------------------------------

    def _step_name(self) -> str:
        return f"{self.opts.app_label}_{self.opts.model_name}_step"

    def get_urls(self):
        step = path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view), name=self._step_name())
        return [step, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        record = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if record is not None and record.status not in (record.Status.CLOSED, record.Status.CANCELLED):
            extra["step_form"] = StepForm(initial={"expected_version": record.version})
            extra["step_url"] = reverse(f"admin:{self._step_name()}", args=[record.pk])
            extra["awaited"] = [side.name for side in inspections.awaited_signatures(record)]
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
        try:
            self._take(request, record, form.cleaned_data)
        except (inspections.InspectionRefused, VersionConflict, Refused) as refusal:
            messages.error(request, f"Not done: {refusal}")
        else:
            record.refresh_from_db()
            messages.success(request, f"{record.number}: {record.get_status_display()}")
        return HttpResponseRedirect(back)

    @staticmethod
    def _take(request, record, data) -> None:
        version, user = data["expected_version"], request.user
        if data["step"] == "plan":
            if not (data["start"] and data["end"]):
                raise Refused("a plan has its start and end days")
            inspections.file_plan(
                record, user=user, start=data["start"], end=data["end"], teams=_teams(data["teams"]),
                reason="实施方案 (admin)", expected_version=version,
            )  # fmt: skip
        elif data["step"] == "review":
            inspections.record_office_review(record, user=user, notes=data["text"], expected_version=version)
        elif data["step"] == "report":
            inspections.submit_report(record, user=user, summary=data["text"], expected_version=version)
        else:
            code = data["side"].strip()
            side = (
                AdminUnit.objects.current().filter(code=code).first() or ContextArea.objects.filter(code=code).first()
            )
            if side is None or not data["signed_on"]:
                raise Refused("a signature names the side (its code) and the day")
            inspections.sign(
                record, user=user, side=side, signed_by=data["signed_by"], signed_on=data["signed_on"],
                document=data["document"], expected_version=version,
            )  # fmt: skip
