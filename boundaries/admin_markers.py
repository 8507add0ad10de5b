"""Admin for boundary markers (界桩). Saving proposes a marker event (boundaries.services.marker_events):
a reason is required, the registry's rules are checked at once, a stale form is refused, and the change
is applied only when both sides (and where needed the bureau) have approved it on the event's page; the
message says so. Nothing is deleted (abolish a marker by its own step in the API). The
staff read every marker; officers of a county that is party to the line change its markers. Synthetic
demonstration markers are marked 示例 in the list."""

from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html

from accounts.roles import is_staff_reader, may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryMarker, BoundaryMarkerVersion, ReferenceObject
from boundaries.permissions import may_write_marker
from boundaries.services import marker_events
from boundaries.services import markers_registry as registry
from boundaries.services.marker_coords import degrees_minutes, gauss_kruger
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyInline, Refused, ServiceAdmin, VersionedChangeForm, VersionRowsInline

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
    refusals = (registry.MarkerRuleError, marker_events.EventRefused)

    form = MarkerForm
    list_display = ["number", "line", "kind", "grade", "status", "synthetic", "set_on", "version"]
    list_filter = ["is_synthetic", "status", "kind", "grade", "line__level"]
    search_fields = ["number", "line__code", "line__name", "position_description"]
    list_select_related = ["line"]
    readonly_fields = [
        "number",
        "gauss_kruger_xy",
        "distance_along_m",
        "abolished_on",
        "is_synthetic",
        "version",
        "registration_form",
    ]
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

    @admin.display(description="界桩登记表 registration form")
    def registration_form(self, obj):
        """Links to the marker's registration form (boundaries.api_marker_forms), PDF and XLSX."""
        if obj is None or obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">PDF</a> · <a href="{}">XLSX</a>',
            reverse("marker-form-pdf", kwargs={"number": obj.number}),
            reverse("marker-form-xlsx", kwargs={"number": obj.number}),
        )

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
        request.marker_event = None
        if change:
            changes = form.sent_changes(registry.EDITABLE_FIELDS)
            if changes:  # nothing of the marker itself changed: nothing to agree on
                kind, arguments = marker_events.of_changes(changes)
                request.marker_event = marker_events.propose(
                    kind,
                    user=request.user,
                    reason=data["reason"],
                    marker=current,
                    expected_version=data.get("expected_version"),
                    **arguments,
                )
            return current
        values = {name: data.get(name) for name in registry.EDITABLE_FIELDS if name != "status"}
        values = {name: value for name, value in values.items() if value not in (None, "")}
        request.marker_event = marker_events.propose(
            marker_events.Kind.SET,
            user=request.user,
            reason=data["reason"],
            line=line,
            kind=data["kind"],
            sequence=data.get("sequence"),
            **values,
        )
        return request.marker_event

    # A marker to be set exists only once the parties approve: the add page saved an event, not a marker.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and not getattr(request, "save_refused", False):
            obj.pk = None

    def save_related(self, request, form, formsets, change):
        if change:  # a marker to be set has nothing related yet
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        return [] if add else super().construct_change_message(request, form, formsets, add)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            super().log_addition(request, obj, message)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        event = getattr(request, "marker_event", None)
        if event is not None and level == messages.SUCCESS and not getattr(request, "save_refused", False):
            awaited = "、".join(need.label for need in marker_events.missing(event))
            message = (
                f"未生效，待各方批准 Not applied yet: marker event {event.number} ({event.get_kind_display()}) "
                f"awaits the approval of {awaited}; the register changes when every party has approved it."
                if event.status == event.Status.PENDING
                else f"{event.number}: {event.get_status_display()}"
            )
        super().message_user(request, message, level, *args, **kwargs)

    def response_add(self, request, obj, post_url_continue=None):
        event = getattr(request, "marker_event", None)
        if event is None or getattr(request, "save_refused", False):
            return super().response_add(request, obj, post_url_continue)
        self.message_user(request, "", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:boundaries_markerevent_change", args=[event.pk]))


def _all_counties() -> set[int]:
    """An officer of any county may add a marker; the line's counties are asked when it is saved."""
    return set(AdminUnit.objects.current().filter(tier=Tier.COUNTY).values_list("id", flat=True))


from boundaries.admin_marker_photos import MarkerPhotoInline  # noqa: E402  (photos: their own module)

BoundaryMarkerAdmin.inlines = [*BoundaryMarkerAdmin.inlines, MarkerPhotoInline]
