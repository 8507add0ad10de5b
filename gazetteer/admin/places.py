"""Admin for place records and categories, with the same permissions as the API:
officers edit the records of their counties, approvers and administrators as their roles allow.
Saving goes through gazetteer.services (reason required, versioned, stale forms refused); the
standard name changes only through a naming application; nothing is deleted."""

from django.contrib import admin
from django.contrib.gis.db import models as gis_models
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.urls import path

from accounts.roles import assigned_counties, is_staff_reader
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyInline, RecordAdmin, Refused, ServiceAdmin, VersionedChangeForm, VersionRowsInline
from core.history import open_changeset
from core.models import Changeset
from gazetteer import fields, representation
from gazetteer.admin.io import EXPORT_ACTIONS, import_view
from gazetteer.admin.standing import register_view
from gazetteer.models import Category, Place, PlaceName, PlaceVersion
from gazetteer.permissions import Action, can
from gazetteer.services import places as place_service

# The admin edits what the service allows, except the unit a record is registered for.
EDITABLE = [attribute.name for attribute in fields.BY_OFFICERS]


class PlaceForm(VersionedChangeForm):
    class Meta:
        model = Place
        fields = ["name", *EDITABLE]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "name" in self.fields:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "The standard name changes through a naming application."
        elif "name" in self.fields:
            self.fields["name"].help_text = (
                "A new record is a candidate (候选地名) until the naming procedure makes its name standard; a name "
                "that is standard already by an earlier decision is registered from the record's page (登记)."
            )
        for field in ("romanization", "romanization_tones"):
            if field in self.fields:
                self.fields[field].required = False
                self.fields[field].help_text = "Leave as computed, or override (recorded as an override)."


class PlaceNameInline(ReadOnlyInline):
    model = PlaceName
    fields = ["name", "kind", "valid_from", "valid_to", "romanization", "note"]


class PlaceVersionInline(VersionRowsInline):
    model = PlaceVersion


class CountyFilter(admin.SimpleListFilter):
    """By county-level unit (the record's unit or one of the units above it). An officer sees the
    records of their own counties until they choose another county or all."""

    title = "县级行政区 county"
    parameter_name = "county"
    ALL, MINE = "all", "mine"

    def lookups(self, request, model_admin):
        counties = AdminUnit.objects.current().filter(tier=Tier.COUNTY).order_by("code")
        mine = [(self.MINE, "我的县 My counties")] if assigned_counties(request.user) else []
        return [*mine, *[(unit.code, unit.name) for unit in counties]]

    def value(self):
        value = super().value()
        if value is None and self.lookup_choices and self.lookup_choices[0][0] == self.MINE:
            return self.MINE
        return value

    def choices(self, changelist):
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": "全部 All",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        value = self.value()
        if value in (None, self.ALL):
            return queryset
        if value == self.MINE:
            counties = AdminUnit.objects.filter(pk__in=assigned_counties(request.user))
        else:
            counties = AdminUnit.objects.current().filter(tier=Tier.COUNTY, code=value)
        within = Q(unit__in=counties) | Q(unit__parent__in=counties) | Q(unit__parent__parent__in=counties)
        return queryset.filter(within | Q(unit__parent__parent__parent__in=counties))


def _label(field: str) -> str:
    """A field of the record's history as the admin names it (the model's verbose name)."""
    try:
        return str(Place._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return field


@admin.register(Place)
class PlaceAdmin(ServiceAdmin):
    refusals = (place_service.PlaceRuleError,)

    form = PlaceForm
    list_display = ["code", "name", "romanization", "category", "unit", "standing", "status", "is_public", "version"]
    list_filter = [CountyFilter, "category", "standing", "status", "is_public"]
    search_fields = ["code", "name", "names__name", "romanization"]
    list_select_related = ["category", "unit"]
    autocomplete_fields = ["unit"]
    readonly_fields = [
        "code",
        "standing",
        "standard_basis",
        "decision_authority",
        "decision_document",
        "decision_date",
        "admin_unit",
        "registered_by",
        "registered_for",
        "registered_at",
        "source",
        "source_ref",
        "version",
        "romanization_overridden",
        "unit_overridden",
    ]
    inlines = [PlaceNameInline, PlaceVersionInline]
    STANDING_FIELDS = ("standing", "standard_basis", "decision_authority", "decision_document", "decision_date")

    def get_fields(self, request, obj=None):
        """The name's standing right under the name, where an officer looks first."""
        fields = [f for f in super().get_fields(request, obj) if f not in self.STANDING_FIELDS]
        if obj is None:
            return fields
        at = fields.index("name") + 1 if "name" in fields else 0
        return [*fields[:at], *self.STANDING_FIELDS, *fields[at:]]

    object_history_template = "admin/gazetteer/place/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        """The record's history as the public page tells it (representation.history_in_words: what
        changed, old -> new, why), with the officers' names, since staff read it here."""
        place = self.get_object(request, object_id)
        entries = representation.history_in_words(place, request.user) if place is not None else []
        for entry in entries:
            for change in entry["changes"]:
                change["label"] = _label(change["field"])
        return super().history_view(request, object_id, {**(extra_context or {}), "entries": entries})

    actions = EXPORT_ACTIONS
    change_list_template = "admin/gazetteer/place/change_list.html"

    def get_urls(self):
        extra = [
            path(
                "import/",
                self.admin_site.admin_view(lambda request: import_view(self, request)),
                name="gazetteer_place_import",
            ),
            path(
                "<path:object_id>/register-standard/",
                self.admin_site.admin_view(lambda request, object_id: register_view(self, request, object_id)),
                name="gazetteer_place_register_standard",
            ),
        ]
        return extra + super().get_urls()

    formfield_overrides = {gis_models.GeometryField: {"widget": OfflineMapWidget}}

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        return can(request.user, Action.CREATE, counties=_all_counties()) if request.user.is_authenticated else False

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_staff_reader(request.user)
        return can(request.user, Action.UPDATE, obj)

    def save_through_service(self, request, obj, form, change):
        # Only what the form shows and the officer changed: a form without the map or the unit must not
        # clear them. A new record takes every field the form has.
        if change:
            values = form.sent_changes(EDITABLE)
        else:
            values = {name: form.cleaned_data.get(name) for name in EDITABLE if name in form.fields}
        if change and not form.cleaned_data.get("romanization"):
            values.pop("romanization", None)
            values.pop("romanization_tones", None)
        current = Place.objects.select_related("unit").get(pk=obj.pk) if change else None
        counties = place_service.landing_counties(current, values)
        if not can(request.user, Action.UPDATE if change else Action.CREATE, counties=counties):
            raise Refused("the record would lie outside the counties assigned to you")
        changeset = open_changeset(Changeset.Kind.EDIT, form.cleaned_data["reason"], author=request.user)
        if change:
            return place_service.update_place(
                current, changeset=changeset, changes=values, expected_version=form.cleaned_data.get("expected_version")
            )
        roman = (values.pop("romanization", "") or "", values.pop("romanization_tones", "") or "")
        values = {k: v for k, v in values.items() if v is not None}
        return place_service.create_place(
            changeset=changeset,
            name=form.cleaned_data["name"],
            romanization=roman if roman[0] else None,
            registered_by=request.user,
            **values,
        )


def _all_counties() -> set[int]:
    from boundaries.levels import Tier
    from boundaries.models import AdminUnit

    return set(AdminUnit.objects.current().filter(tier=Tier.COUNTY).values_list("id", flat=True))


@admin.register(Category)
class CategoryAdmin(RecordAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "geometry"]

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)
