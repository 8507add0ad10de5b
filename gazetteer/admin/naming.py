"""Naming applications in the admin: submit one, then take it through its steps from its page.

The add form submits through gazetteer.services.naming.submit (which runs the checks); the change
form shows the application read-only with a "next step" section that calls naming.take_step, under
the same permissions as the API. Attachments are uploaded inline.

A batch (one application carrying many names): the head's page lists its members and its steps run on
every name (the service cascades them); a member's page links to its head and has no step of its own.
A name is added to a batch not yet sent for review from the add form (its "batch" field)."""

import json

from django import forms
from django.contrib import admin
from django.contrib.gis.db import models as gis_models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.roles import assigned_counties, is_administrator, is_staff_reader
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyInline, ServiceAdmin
from gazetteer.models import (
    ApplicationAttachment,
    ApplicationEvent,
    ExpertOpinion,
    NamingApplication,
    NoticeComment,
)
from gazetteer.permissions import Action, can, can_run_application, may_take_step
from gazetteer.services import naming
from gazetteer.services.places import PlaceRuleError

SUBMIT_FIELDS = [
    "kind",
    "county",
    "place",
    "proposed_name",
    "category",
    "geom",
    "location_description",
    "meaning",
    "origin",
    "reason",
    "applicant",
    "applicant_contact",
    "batch",
]


class SubmitForm(forms.ModelForm):
    class Meta:
        model = NamingApplication
        fields = SUBMIT_FIELDS
        labels = {"batch": "加入批次 Add to the batch of"}
        help_texts = {"batch": "Optional: a batch (or single application) of the same county, not yet sent for review."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "county" in self.fields:
            self.fields["county"].queryset = AdminUnit.objects.current().filter(tier=Tier.COUNTY)
        if "batch" in self.fields:  # naming.submit decides which batch a name may join; these are the likely ones
            self.fields["batch"].queryset = NamingApplication.objects.filter(
                batch__isnull=True, status=NamingApplication.Status.CHECKED
            ).order_by("-number")


LONG_TEXT = {"note", "comments", "comment", "reason"}
SEVERITY = {"error": "须处理 Error", "warning": "提示 Warning"}
CHECKS = {
    "same_name_county": "县内重名 Same name in the county",
    "same_name_city": "市内重名 Same name in the city",
    "same_pinyin_county": "县内同音 Same sound in the county",
    "same_pinyin_city": "市内同音 Same sound in the city",
    "company_name": "企业名称 Company name",
    "overlong": "名称过长 Too long",
    "non_standard_characters": "非规范汉字 Non-standard characters",
    "punctuation": "符号 Symbols",
    "heritage": "地名文化遗产 Place-name heritage",
}
STEP_FIELD_PREFIX = "step_"  # the step's inputs are named apart from the application's own (read-only) fields


def _step_field(step_input: naming.StepInput, label: str) -> forms.Field:
    if step_input.name == "verdict":
        return forms.ChoiceField(label=label, required=False, choices=[("", "—"), *ExpertOpinion.Verdict.choices])
    if step_input.kind == naming.DATE:
        return forms.DateField(label=label, required=False, widget=forms.DateInput(attrs={"type": "date"}))
    if step_input.kind == naming.INT:
        return forms.IntegerField(label=label, required=False, min_value=1)
    widget = forms.Textarea(attrs={"rows": 2}) if step_input.name in LONG_TEXT else None
    return forms.CharField(label=label, required=False, widget=widget)


def _step_fields() -> dict[str, forms.Field]:
    """One form field per input of the steps (gazetteer.services.naming.STEPS), named step_<input>."""
    made, steps_of = {}, {}
    for step in naming.STEPS.values():
        for step_input in step.inputs:
            steps_of.setdefault(step_input.name, []).append(step)
            if step_input.name not in made:
                made[step_input.name] = step_input
    fields = {}
    for name, step_input in made.items():
        label = step_input.label if len(steps_of[name]) == 1 else step_input.label.split(" ")[-1].capitalize()
        field = _step_field(step_input, label)
        field.help_text = "、".join(step.label.split(" ")[0] for step in steps_of[name])
        fields[STEP_FIELD_PREFIX + name] = field
    return fields


# The form fields each step reads: from the steps' declaration.
STEP_VALUES = {name: tuple(i.name for i in step.inputs) for name, step in naming.STEPS.items()}


class StepForm(forms.ModelForm):
    """The application's next step, with the values the step takes: the inputs of the chosen step are
    shown (web/static/js/admin_step_form.js), the service says which are needed."""

    step = forms.ChoiceField(
        label="下一步 Next step",
        required=False,
        choices=[("", "—"), *[(name, step.label) for name, step in naming.STEPS.items()]],
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NamingApplication
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["step"].widget.attrs["data-step-inputs"] = json.dumps(
            {name: [STEP_FIELD_PREFIX + i for i in inputs] for name, inputs in STEP_VALUES.items()}
        )
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version


# Declared on the class, as if written in it: the admin checks its field names against the form class.
STEP_INPUT_FIELDS = _step_fields()
StepForm.base_fields.update(STEP_INPUT_FIELDS)
StepForm.declared_fields.update(STEP_INPUT_FIELDS)


class EventInline(ReadOnlyInline):
    model = ApplicationEvent
    fields = ["step", "actor", "at", "note"]
    readonly_fields = ["at"]


class OpinionInline(ReadOnlyInline):
    model = ExpertOpinion
    fields = ["expert", "verdict", "comments", "recorded_by", "recorded_at"]
    readonly_fields = ["recorded_at"]


class CommentInline(ReadOnlyInline):
    """The comments on the notice: those an officer recorded and those left on the public page
    (web.notices), which say so in their own column and in place of the officer."""

    model = NoticeComment
    fields = [
        "number",
        "channel",
        "commenter",
        "contact",
        "comment",
        "received_on",
        "recorded_by_or_public",
        "response",
    ]
    readonly_fields = ["number", "recorded_by_or_public"]

    @admin.display(description="意见编号 No. (for the answer step)")
    def number(self, comment: NoticeComment) -> int:
        return comment.pk

    @admin.display(description="录入人 Recorded by")
    def recorded_by_or_public(self, comment: NoticeComment) -> str:
        if comment.channel == NoticeComment.Channel.PUBLIC:
            return "公众留言（公示页面） public comment on the notice page"
        return comment.recorded_by.get_username() if comment.recorded_by else "-"


class AttachmentInline(admin.TabularInline):
    model = ApplicationAttachment
    extra = 1
    can_delete = False
    fields = ["title", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = ["uploaded_by", "uploaded_at"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is not None and can_run_application(request.user, obj)


class CountiesOnly(admin.RelatedFieldListFilter):
    """The county-level units, not every unit of the register (hundreds of committees)."""

    def field_choices(self, field, request, model_admin):
        counties = AdminUnit.objects.current().filter(tier=Tier.COUNTY).order_by("code")
        return [(unit.pk, unit.name) for unit in counties]


class TownshipFilter(admin.SimpleListFilter):
    """By township-level unit, among those of the county chosen in the county filter (else the officer's
    counties, else the city's): the application's record lies in the township or in a unit under it."""

    title = "乡级行政区 township"
    parameter_name = "township"
    COUNTY_PARAMETER = "county__id__exact"

    def lookups(self, request, model_admin):
        townships = AdminUnit.objects.current().filter(tier=Tier.TOWNSHIP)
        county = request.GET.get(self.COUNTY_PARAMETER)
        if county and county.isdigit():
            townships = townships.filter(parent_id=int(county))
        elif assigned_counties(request.user):
            townships = townships.filter(parent_id__in=assigned_counties(request.user))
        return [(unit.code, unit.name) for unit in townships.order_by("code")]

    def queryset(self, request, queryset):
        township = AdminUnit.objects.current().filter(tier=Tier.TOWNSHIP, code=self.value()).first()
        if self.value() is None or township is None:
            return queryset
        return queryset.filter(Q(place__unit=township) | Q(place__unit__parent=township))


@admin.register(NamingApplication)
class NamingApplicationAdmin(ServiceAdmin):
    refusals = (naming.StepRefused, PlaceRuleError)

    class Media:
        js = ["js/admin_step_form.js", *OfflineMapWidget.Media.js]  # the map of the geometry (geometry_map)
        css = OfflineMapWidget.Media.css

    list_display = ["number", "kind", "proposed_name", "place", "county", "status", "submitted_at"]
    list_filter = ["status", "kind", ("county", CountiesOnly), TownshipFilter]
    search_fields = ["number", "proposed_name", "applicant"]
    autocomplete_fields = ["place"]
    formfield_overrides = {gis_models.GeometryField: {"widget": OfflineMapWidget}}
    readonly_fields = [
        "number",
        "kind",
        "status",
        "version",
        "county",
        "place",
        "proposed_name",
        "category",
        "location_description",
        "geometry_map",
        "meaning",
        "origin",
        "reason",
        "applicant",
        "applicant_contact",
        "submitted_by",
        "submitted_at",
        "check_findings",
        "notice_start",
        "notice_end",
        "authority",
        "decision_date",
        "document_number",
        "effective_date",
        "rejection_reason",
        "filed_on",
        "filed_with",
        "filing_reference",
    ]

    @admin.display(description="位置 Geometry")
    def geometry_map(self, obj):
        """The application's geometry on the system's map, to look at (it is edited by a new application)."""
        if obj.geom is None:
            return "无几何 No geometry"
        widget = OfflineMapWidget(read_only=True)
        return widget.render("application_geometry", obj.geom, attrs={"id": "id_application_geometry"})

    @admin.display(description="批次 Batch")
    def batch_names(self, obj):
        """A member: the head it belongs to; a head: its members, each linked, with its status."""
        if obj.batch_id:
            return format_html(
                '本申请属于批次 part of batch <a href="{}">{}</a>：在该申请上办理各步骤 (take the steps there)',
                _change_url(obj.batch_id),
                obj.batch.number,
            )
        members = obj.members.select_related("place").order_by("pk")
        return format_html(
            "<table><thead><tr><th>受理编号 Number</th><th>名称 Name</th><th>状态 Status</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            format_html_join(
                "",
                '<tr><td><a href="{}">{}</a></td><td>{}</td><td>{}</td></tr>',
                (
                    (_change_url(m.pk), m.number, m.proposed_name or m.place or "", m.get_status_display())
                    for m in members
                ),
            ),
        )

    @admin.display(description="自动检查 Checks")
    def check_findings(self, obj):
        """The findings of the automatic checks as lines an officer reads, errors first."""
        findings = sorted(obj.checks or [], key=lambda f: f.get("severity") != "error")
        if not findings:
            return "无问题 No findings"
        return format_html_join(
            mark_safe("<br>"),
            "<strong>{}</strong> {}：{}",
            (
                (
                    SEVERITY.get(f.get("severity"), f.get("severity")),
                    CHECKS.get(f.get("check"), f.get("check")),
                    f.get("message"),
                )
                for f in findings
            ),
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = StepForm if obj is not None else SubmitForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fields = list(self.readonly_fields)
        if _in_batch(obj):
            fields.insert(fields.index("status") + 1, "batch_names")
        return fields

    def get_fields(self, request, obj=None):
        if obj is None:
            return SUBMIT_FIELDS
        if obj.batch_id:  # a member's steps are its head's
            return self.get_readonly_fields(request, obj)
        return [
            *self.get_readonly_fields(request, obj),
            "step",
            *STEP_INPUT_FIELDS,
            "expected_version",
        ]

    def get_inlines(self, request, obj):
        return [EventInline, OpinionInline, CommentInline, AttachmentInline] if obj is not None else []

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user) or bool(assigned_counties(request.user))

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_staff_reader(request.user)
        return can_run_application(request.user, obj) or can(request.user, Action.DECIDE)

    def save_through_service(self, request, obj, form, change):
        return self._step(request, obj, form) if change else self._submit(request, form)

    def _submit(self, request, form):
        data = form.cleaned_data
        if not can(request.user, Action.APPLY, counties={data["county"].id}):
            raise naming.StepRefused(f"your role does not allow applications in {data['county'].name}")
        # Related records and the geometry are None when left empty, texts "".
        blank = {f: None for f in ("kind", "county", "place", "category", "geom", "batch")}
        return naming.submit(submitted_by=request.user, **{f: data.get(f) or blank.get(f, "") for f in SUBMIT_FIELDS})

    def _step(self, request, obj, form):
        step = form.cleaned_data.get("step")
        if not step:
            return obj
        if not may_take_step(request.user, obj, naming.STEPS[step]):
            raise naming.StepRefused(f"your role does not allow the step '{step}'")
        values = {name: form.cleaned_data.get(STEP_FIELD_PREFIX + name) for name in STEP_VALUES[step]}
        return naming.take_step(
            NamingApplication.objects.get(pk=obj.pk),
            step,
            actor=request.user,
            expected_version=form.cleaned_data.get("expected_version"),
            **values,
        )

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            instance.uploaded_by = request.user
            instance.application = form.instance
            instance.save()


def _change_url(application_id: int) -> str:
    return reverse("admin:gazetteer_namingapplication_change", args=[application_id])


def _in_batch(application: NamingApplication) -> bool:
    return application.batch_id is not None or application.members.exists()
