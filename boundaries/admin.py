"""Admin for administrative units. Saving goes through boundaries.services.units: a reason is
required, the change is versioned in a changeset, and an edit based on a stale version is refused.
Units are never deleted (retire one by setting the end of its validity)."""

from django.contrib import admin
from django.contrib.gis.db import models as gis_models
from django.utils.html import format_html

from accounts.admin import ForAdministrators
from accounts.roles import is_staff_reader
from boundaries.levels import Tier
from boundaries.models import (
    AdminUnit,
    AdminUnitVersion,
    BoundaryLine,
    BoundaryLineVersion,
    DivisionChange,
    ImportConflict,
    LineParty,
    UnitCode,
    UnitName,
)
from boundaries.services import line_records, topology
from boundaries.services import units as unit_service
from boundaries.widgets import OfflineMapWidget
from core.admin_base import (
    ReadOnlyAdmin,
    ReadOnlyInline,
    RecordAdmin,
    ServiceAdmin,
    VersionedChangeForm,
    VersionRowsInline,
)
from core.history import open_changeset
from core.models import Changeset


class AdminUnitForm(VersionedChangeForm):
    class Meta:
        model = AdminUnit
        fields = ["code", "name", "level", "tier", "parent", "valid_from", "valid_to", "geom", "seat"]


class UnitCodeInline(ReadOnlyInline):
    model = UnitCode
    fields = ["code", "kind", "valid_from", "valid_to", "source", "note"]


class UnitNameInline(ReadOnlyInline):
    model = UnitName
    fields = ["name", "kind", "valid_from", "valid_to", "source", "note"]


class VersionInline(VersionRowsInline):
    model = AdminUnitVersion


@admin.register(AdminUnit)
class AdminUnitAdmin(ForAdministrators, ServiceAdmin):
    refusals = (unit_service.UnitRuleError,)

    form = AdminUnitForm
    list_display = ["code", "name", "level", "parent", "valid_from", "valid_to", "version"]
    list_filter = ["level", "tier", ("geom", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name", "codes__code", "names__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["area_km2", "source", "geometry_source", "seat_source", "version"]
    inlines = [UnitNameInline, UnitCodeInline, VersionInline]
    formfield_overrides = {
        gis_models.MultiPolygonField: {"widget": OfflineMapWidget},
        gis_models.PointField: {"widget": OfflineMapWidget},
    }

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def get_readonly_fields(self, request, obj=None):
        """A county's or the city's outline is shown, not edited here: its edges keep it."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "outline"] if obj is not None and topology.keeps_outline(obj) else fields

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None or not topology.keeps_outline(obj):
            return [f for f in fields if f != "outline"]
        return ["outline" if f == "geom" else f for f in fields if f != "outline"]

    @admin.display(description="范围 Outline")
    def outline(self, obj):
        """The outline on the map, to look at: it moves with its boundary edges (topology)."""
        widget = OfflineMapWidget(read_only=True)
        drawn = widget.render("geom", obj.geom, attrs={"id": "id_geom"})
        return format_html('{}<p class="help">{}</p>', drawn, topology.OUTLINE_BY_EDGES)

    def save_through_service(self, request, obj, form, change):
        changeset = open_changeset(Changeset.Kind.EDIT, form.cleaned_data["reason"], author=request.user)
        if not change:
            fields = {name: form.cleaned_data[name] for name in AdminUnitForm.Meta.fields}
            fields["tier"] = Tier(fields["tier"])
            return unit_service.create_unit(changeset=changeset, **fields)
        changes = form.sent_changes(AdminUnitForm.Meta.fields)  # a field left out of the form stays as it is
        if "tier" in changes:
            changes["tier"] = Tier(changes["tier"])
        return unit_service.update_unit(
            AdminUnit.objects.get(pk=obj.pk),
            changeset=changeset,
            changes=changes,
            expected_version=form.cleaned_data.get("expected_version"),
        )


@admin.register(DivisionChange)
class DivisionChangeAdmin(ReadOnlyAdmin):
    list_display = ["year", "kind", "old_code", "old_name", "new_code", "new_name", "unit", "is_noise"]
    list_filter = ["kind", "is_noise", "year"]
    search_fields = ["old_code", "old_name", "new_code", "new_name"]


@admin.register(ImportConflict)
class ImportConflictAdmin(RecordAdmin):
    list_display = ["unit", "source", "field", "status", "created_at"]
    list_filter = ["status", "source"]


class LineForm(VersionedChangeForm):
    class Meta:
        model = BoundaryLine
        fields = list(line_records.EDITABLE)


class LinePartyInline(ReadOnlyInline):
    model = LineParty
    fields = ["order", "unit", "outside"]


class LineVersionInline(VersionRowsInline):
    model = BoundaryLineVersion


@admin.register(BoundaryLine)
class BoundaryLineAdmin(ServiceAdmin):
    """A line's agreement is recorded by an officer of a party; its course moves by its edges
    (boundaries.services.topology); the national border is read-only."""

    refusals = (line_records.LineRuleError,)
    form = LineForm
    list_display = ["code", "name", "level", "status", "read_only", "length_km", "version"]
    list_filter = ["level", "status", "read_only"]
    search_fields = ["code", "name", "agreement_number"]
    readonly_fields = ["code", "name", "level", "status", "read_only", "length_km", "course_description", "version"]
    inlines = [LinePartyInline, LineVersionInline]

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return False  # lines are derived from the topology

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_staff_reader(request.user)
        return line_records.may_edit(request.user, obj)

    def save_through_service(self, request, obj, form, change):
        line = BoundaryLine.objects.get(pk=obj.pk)
        changeset = open_changeset(Changeset.Kind.EDIT, form.cleaned_data["reason"], author=request.user)
        return line_records.update_line(
            line,
            changes=form.sent_changes(line_records.EDITABLE),
            changeset=changeset,
            expected_version=form.cleaned_data.get("expected_version"),
        )


from boundaries.admin_drafts import DivisionDraftAdmin  # noqa: E402,F401  (division drafts: their own module)
from boundaries.admin_inspections import InspectionCampaignAdmin  # noqa: E402,F401  (joint inspections)
from boundaries.admin_marker_events import MarkerEventAdmin  # noqa: E402,F401  (marker events: their own module)
from boundaries.admin_markers import BoundaryMarkerAdmin  # noqa: E402,F401  (markers: their own module)
from boundaries.admin_proposals import BoundaryProposalAdmin  # noqa: E402,F401  (proposals: their own module)
from boundaries.admin_replacement import ReplacementCampaignAdmin  # noqa: E402,F401  (marker replacement)
