"""Admin for boundary markers (界桩). Saving goes through boundaries.services.markers_registry: a reason
is required, the change is versioned in a changeset, a stale form is refused, nothing is deleted
(abolish a marker by its status step in the API, or set it here through the service's rules). The
staff read every marker; officers of a county that is party to the line change its markers. Synthetic
demonstration markers are marked 示例 in the list."""

from django.contrib import admin
from django.contrib.gis.db import models as gis_models

from accounts.roles import is_staff_reader, may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryMarker, BoundaryMarkerVersion, ReferenceObject
from boundaries.permissions import may_write_marker
from boundaries.services import markers_registry as registry
from boundaries.services.marker_coords import degrees_minutes, gauss_kruger
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyInline, Refused, ServiceAdmin, VersionedChangeForm, VersionRowsInline
from core.history import open_changeset
from core.models import Changeset

CREATE_FIELDS = ["line", "kind", "sequence", *registry.EDITABLE_FIELDS]


class MarkerForm(VersionedChangeForm):
    class Meta:
        model = BoundaryMarker
        fields = CREATE_FIELDS
        help_texts = {"sequence": "Empty: the next of the line; a B, D or E: the sequence of its set."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sequence" in self.fields:
            self.fields["sequence"].required = False
        if "status" in self.fields:  # abolition is its own step
            self.fields["status"].choices = [c for c in self.fields["status"].choices if c[0] != "abolished"]


class ReferenceObjectInline(ReadOnlyInline):
    model = ReferenceObject
    fields = ["order", "name", "measured_part", "bearing", "distance_m", "geom"]
    readonly_fields = ["bearing"]

    @admin.display(description="坐标方位角 bearing")
    def bearing(self, obj):
        return f"{degrees_minutes(obj.bearing_deg)} ({obj.bearing_deg:.4f}°)"


class MarkerVersionInline(VersionRowsInline):
    model = BoundaryMarkerVersion


@admin.register(BoundaryMarker)
class BoundaryMarkerAdmin(ServiceAdmin):
    refusals = (registry.MarkerRuleError,)

    form = MarkerForm
    list_display = ["number", "line", "kind", "grade", "status", "synthetic", "set_on", "version"]
    list_filter = ["is_synthetic", "status", "kind", "grade", "line__level"]
    search_fields = ["number", "line__code", "line__name", "position_description"]
    list_select_related = ["line"]
    readonly_fields = ["number", "gauss_kruger_xy", "distance_along_m", "abolished_on", "is_synthetic", "version"]
    inlines = [ReferenceObjectInline, MarkerVersionInline]
    formfield_overrides = {gis_models.PointField: {"widget": OfflineMapWidget}}

    @admin.display(description="示例 synthetic", boolean=True, ordering="is_synthetic")
    def synthetic(self, obj):
        return obj.is_synthetic

    @admin.display(description="高斯-克吕格 X/Y (3°)")
    def gauss_kruger_xy(self, obj):
        if obj.geom is None:
            return "-"
        epsg, x, y = gauss_kruger(obj.geom)
        return f"X {x:.3f}  Y {y:.3f}  (EPSG:{epsg})"

    def get_readonly_fields(self, request, obj=None):
        fixed = ["line", "kind", "sequence"] if obj is not None else []  # the number is given when it is set
        return [*fixed, *self.readonly_fields]

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return is_staff_reader(request.user) and may_write_in(request.user, _all_counties())

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_staff_reader(request.user)
        return obj.status != BoundaryMarker.Status.ABOLISHED and may_write_marker(request.user, obj.line, obj.geom)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        current = BoundaryMarker.objects.select_related("line").get(pk=obj.pk) if change else None
        line = current.line if change else data["line"]
        positions = [current.geom] if change else []
        if data.get("geom") is not None:
            positions.append(data["geom"])
        if not all(may_write_marker(request.user, line, geom) for geom in positions):
            raise Refused(f"markers of line {line.code} are recorded by officers of its counties")
        changeset = open_changeset(Changeset.Kind.EDIT, data["reason"], author=request.user)
        if change:
            return registry.update_marker(
                current,
                changeset=changeset,
                changes=form.sent_changes(registry.EDITABLE_FIELDS),
                expected_version=data.get("expected_version"),
            )
        values = {name: data.get(name) for name in registry.EDITABLE_FIELDS if name != "status"}
        values = {name: value for name, value in values.items() if value not in (None, "")}
        return registry.register_marker(
            changeset=changeset, line=line, kind=data["kind"], sequence=data.get("sequence"), **values
        )


def _all_counties() -> set[int]:
    """An officer of any county may add a marker; the line's counties are asked when it is saved."""
    return set(AdminUnit.objects.current().filter(tier=Tier.COUNTY).values_list("id", flat=True))
