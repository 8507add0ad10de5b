"""Roads, house numbers and renumberings in the admin; every save goes through
gazetteer.services.house_numbers and .renumbering (the page asks, the service decides).

- A road: its class, route number and numbering rule; its current numbers below; "propose a
  renumbering" on its page (the before/after table is the proposal's page).
- A house number: added by placing its entrance on the map (the engine gives the number); changed in
  what it says of its building, unit, room, owner and former address, moved on in its life, or retired.
- A renumbering: the before/after table with every record and sign it touches; an approver approves or
  rejects it on its page, the proposer withdraws it."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from accounts.roles import is_staff_reader
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline, Refused, ServiceAdmin, VersionedChangeForm, VersionRowsInline
from core.geometry import from_geos
from core.history import VersionConflict, open_changeset
from core.models import Changeset
from gazetteer.models import HouseNumber, HouseNumberVersion, RenumberingProposal, Road, RoadVersion
from gazetteer.services import house_numbers, renumbering
from gazetteer.services.house_numbers import Entrance, NumberingRefused


class RoadForm(VersionedChangeForm):
    class Meta:
        model = Road
        fields = ["place", *house_numbers.ROAD_FIELDS]


class HouseNumberInline(ReadOnlyInline):
    model = HouseNumber
    fields = ["number", "suffix", "building_no", "unit_no", "room_no", "side", "distance_m", "status", "is_synthetic"]
    readonly_fields = fields
    show_change_link = True


class RoadVersionInline(VersionRowsInline):
    model = RoadVersion


@admin.register(Road)
class RoadAdmin(ServiceAdmin):
    refusals = (NumberingRefused,)
    form = RoadForm
    list_display = ["place", "road_class", "route_ref", "numbered", "numbering_from", "odd_side", "interval_m"]
    list_filter = ["road_class", "numbered", "place__standing"]
    search_fields = ["place__name", "place__code", "route_ref"]
    list_select_related = ["place"]
    autocomplete_fields = ["place"]
    inlines = [HouseNumberInline, RoadVersionInline]
    change_form_template = "admin/gazetteer/road/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return ["place"] if obj is not None else []

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_staff_reader(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff_reader(request.user) if obj is None else house_numbers.may_number(request.user, obj)

    def save_through_service(self, request, obj, form, change):
        changeset = open_changeset(Changeset.Kind.EDIT, form.cleaned_data["reason"], author=request.user)
        if not change:
            place = form.cleaned_data["place"]
            if place.category.code not in house_numbers.ROAD_CATEGORIES:
                raise Refused(f"{place.name} is not a road, street, lane or railway (category 08100 or 08200)")
            rule = {name: form.cleaned_data[name] for name in house_numbers.ROAD_FIELDS}
            return house_numbers.register_road(place, changeset=changeset, **rule)
        changes = form.sent_changes(house_numbers.ROAD_FIELDS)
        if not house_numbers.may_number(request.user, obj):
            raise Refused(f"you do not number on {obj.place.name}: an officer of its county does")
        current = Road.objects.select_related("place").get(pk=obj.pk)
        return house_numbers.set_rule(
            current, changes=changes, changeset=changeset, expected_version=form.cleaned_data.get("expected_version")
        )

    def get_urls(self):
        propose = path(
            "<path:object_id>/renumber/",
            self.admin_site.admin_view(self.renumber_view),
            name="gazetteer_road_renumber",
        )
        return [propose, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra = {**(extra_context or {}), "renumber_url": reverse("admin:gazetteer_road_renumber", args=[object_id])}
        return super().change_view(request, object_id, form_url, extra)

    def renumber_view(self, request, object_id):
        """Propose renumbering the road (its reason from the form); lands on the proposal's table."""
        road = self.get_object(request, object_id)
        back = reverse("admin:gazetteer_road_change", args=[object_id])
        if road is None or request.method != "POST":
            return HttpResponseRedirect(back)
        try:
            made = renumbering.propose(road, user=request.user, reason=request.POST.get("reason", ""))
        except (NumberingRefused, renumbering.RenumberingRefused) as refusal:
            messages.error(request, f"Not done: {refusal}")
            return HttpResponseRedirect(back)
        messages.success(request, f"{made.number}: {sum(r['changes'] for r in made.rows)} address(es) would change")
        return HttpResponseRedirect(reverse("admin:gazetteer_renumberingproposal_change", args=[made.pk]))


class HouseNumberForm(VersionedChangeForm):
    retire = forms.BooleanField(label="注销 Retire this number (the reason above says why)", required=False)

    class Meta:
        model = HouseNumber
        fields = ["road", "geom", "building_no", "unit_no", "room_no", "building_name", "owner", "former_address",
                  "status"]  # fmt: skip


class HouseNumberVersionInline(VersionRowsInline):
    model = HouseNumberVersion


@admin.register(HouseNumber)
class HouseNumberAdmin(ServiceAdmin):
    refusals = (NumberingRefused,)
    form = HouseNumberForm
    list_display = ["__str__", "road", "number", "suffix", "side", "status", "is_synthetic", "version"]
    list_filter = ["status", "is_synthetic", "road__road_class"]
    search_fields = ["road__place__name", "building_name", "former_address"]
    list_select_related = ["road__place"]
    autocomplete_fields = ["road"]
    inlines = [HouseNumberVersionInline]
    formfield_overrides = {gis_models.PointField: {"widget": OfflineMapWidget}}

    def get_fields(self, request, obj=None):
        if obj is None:  # a new number: the road, the entrance on the map, what it belongs to
            return ["road", "geom", "building_name", "owner", "former_address", "reason"]
        return [
            "number", "suffix", "road", "side", "distance_m", "geom", "building_no", "unit_no", "room_no",
            "building_name", "owner", "former_address", "status", "issued_on", "retired_on", "retired_reason",
            "is_synthetic", "retire", "reason", "expected_version",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = ["number", "suffix", "road", "side", "distance_m", "geom", "issued_on", "retired_on", "retired_reason",
                 "is_synthetic"]  # fmt: skip
        return [*fixed, *house_numbers.EDITABLE, "retire"] if obj.status == HouseNumber.Status.RETIRED else fixed

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_staff_reader(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff_reader(request.user) if obj is None else house_numbers.may_number(request.user, obj.road)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        road = data["road"] if not change else obj.road
        if not house_numbers.may_number(request.user, road):
            raise Refused(f"you do not number on {road.place.name}: an officer of its county does")
        changeset = open_changeset(Changeset.Kind.EDIT, data["reason"], author=request.user)
        if not change:
            entrance = Entrance(from_geos(data["geom"]), data.get("building_name", ""), owner=data.get("owner", ""),
                                former_address=data.get("former_address", ""))  # fmt: skip
            return house_numbers.number_entrances(road, [entrance], changeset=changeset)[0]
        current = HouseNumber.objects.select_related("road__place").get(pk=obj.pk)
        expected = data.get("expected_version")
        changes = form.sent_changes(house_numbers.EDITABLE)
        if changes:
            current = house_numbers.update(current, changes=changes, changeset=changeset, expected_version=expected)
            expected = current.version
        if data.get("retire"):
            current = house_numbers.retire(
                current, reason=data["reason"], changeset=changeset, expected_version=expected
            )
        return current


class RenumberingDecision(forms.Form):
    choice = forms.ChoiceField(
        label="决定 Decision",
        widget=forms.RadioSelect,
        choices=[("approve", "批准 Approve (applies the table)"), ("reject", "不同意 / 撤回 Reject (or withdraw)")],
    )
    note = forms.CharField(
        label="意见 Note (required to reject)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput)


@admin.register(RenumberingProposal)
class RenumberingProposalAdmin(ReadOnlyAdmin):
    list_display = ["number", "road", "status", "proposed_by", "proposed_at"]
    list_filter = ["status"]
    fields = ["number", "road", "status", "reason", "before_after", "proposed_by", "proposed_at", "decided_by",
              "decided_at", "decision_note", "changeset"]  # fmt: skip
    readonly_fields = fields
    change_form_template = "admin/gazetteer/renumberingproposal/change_form.html"

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    @admin.display(description="门牌对照表 Before / after")
    def before_after(self, obj):
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (row["before"], row["after"], "✔" if row["changes"] else "",
                 ", ".join(r["address"] for r in row["records"]), ", ".join(s["number"] for s in row["signs"]))
                for row in obj.rows
            ),
        )  # fmt: skip
        head = (
            "<tr><th>原门牌 Before</th><th>新门牌 After</th><th>变更</th><th>记录 Records</th><th>标志 Signs</th></tr>"
        )
        return format_html("<table>{}{}</table>", mark_safe(head), rows)  # noqa: S308 (a constant)

    def get_urls(self):
        decide = path(
            "<path:object_id>/decide/",
            self.admin_site.admin_view(self.decide_view),
            name="gazetteer_renumberingproposal_decide",
        )
        return [decide, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        proposal = self.get_object(request, object_id)
        extra = dict(extra_context or {})
        if proposal is not None and proposal.status == RenumberingProposal.Status.PENDING:
            extra["decision_form"] = RenumberingDecision(initial={"expected_version": proposal.version})
            extra["decide_url"] = reverse("admin:gazetteer_renumberingproposal_decide", args=[proposal.pk])
        return super().change_view(request, object_id, form_url, extra)

    def decide_view(self, request, object_id):
        proposal = self.get_object(request, object_id)
        back = reverse("admin:gazetteer_renumberingproposal_change", args=[object_id])
        if proposal is None or request.method != "POST":
            return HttpResponseRedirect(back)
        form = RenumberingDecision(request.POST)
        if not form.is_valid():
            messages.error(request, f"Not done: {form.errors.as_text()}")
            return HttpResponseRedirect(back)
        data = form.cleaned_data
        decide = renumbering.approve if data["choice"] == "approve" else renumbering.reject
        try:
            done = decide(proposal, user=request.user, note=data["note"], expected_version=data["expected_version"])
        except (NumberingRefused, renumbering.RenumberingRefused, VersionConflict) as refusal:
            messages.error(request, f"Not done: {refusal}")
        else:
            messages.success(request, f"{done.number}: {done.get_status_display()}")
        return HttpResponseRedirect(back)
