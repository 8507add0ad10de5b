"""The sign inventory and its renewal campaigns in the admin: thin, through gazetteer.services.signs and
gazetteer.services.sign_campaigns with the same rights as the API.

- Signs: the list with filters (kind, condition, status, county, synthetic, "showing a superseded name"),
  the add form (kind, the record it names, position, make; the text is captured by the service), the
  change form (position, facing, size, make, condition, inspection; a removal day and the reason take it
  down), and the action "remake" (the text captured afresh from the record).
- Campaigns and production orders are read here (the items, the figures, the order's list as CSV and
  XLSX); an order's signs are moved on by its actions (made, installed, accepted today); campaigns are
  opened and orders made through the API, which calls the same service.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.gis.db import models as gis_models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts.roles import is_staff_reader, may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.widgets import OfflineMapWidget
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline, Refused, ServiceAdmin, VersionedChangeForm, VersionRowsInline
from core.admin_photos import PhotoForm, PhotoInline
from gazetteer.models_signs import ProductionOrder, RenewalCampaign, RenewalItem, Sign, SignPhoto, SignVersion
from gazetteer.services import sign_campaigns as campaigns
from gazetteer.services import signs as service


class SignForm(VersionedChangeForm):
    removed_on = forms.DateField(
        required=False, label="拆除日期 Removed on", help_text="Set to take the sign down (with the reason)."
    )

    class Meta:
        model = Sign
        fields = ["kind", "place", "house_number", "geom", *[f for f in service.EDITABLE if f != "geom"]]


class SignVersionInline(VersionRowsInline):
    model = SignVersion


class SignPhotoForm(PhotoForm):
    class Meta(PhotoForm.Meta):
        model = SignPhoto


class SignPhotoInline(PhotoInline):
    """Photos of the sign (an officer's own, and those taken at phone surveys), added with the form's reason."""

    model = SignPhoto
    form = SignPhotoForm
    verbose_name_plural = "照片 photos (the public see a copy without metadata)"
    distance_from = "the sign"
    refusals = (service.SignRefused, service.SignForbidden)

    def add_photo(self, record, upload, *, user, reason, caption):
        return service.add_photo(record, upload, user=user, reason=reason, caption=caption)

    def may_add(self, request, record):
        return record.status == Sign.Status.IN_PLACE and service.may_keep(request.user, record)

    def original_url(self, photo):
        return reverse("sign-photo-original", kwargs={"number": photo.sign.number, "photo_id": photo.pk})

    def distance_m(self, photo):
        return service.distance_from_sign_m(photo, photo.sign)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sign", "uploaded_by")


class OutdatedFilter(admin.SimpleListFilter):
    title = "文字 text"
    parameter_name = "outdated"

    def lookups(self, request, model_admin):
        return [("yes", "显示已废名称 showing a superseded name or number"), ("no", "与记录一致 as the record says")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return service.outdated(queryset)
        if self.value() == "no":
            return queryset.filter(text_outdated_since__isnull=True)
        return queryset


@admin.register(Sign)
class SignAdmin(ServiceAdmin):
    form = SignForm
    refusals = (service.SignRefused, service.SignForbidden)
    list_display = ["number", "kind", "text", "number_text", "romanization", "county", "condition", "status",
                    "outdated", "synthetic", "installed_on"]  # fmt: skip
    list_filter = [OutdatedFilter, "kind", "condition", "status", "is_synthetic", "county"]
    search_fields = ["number", "text", "romanization", "maker"]
    list_select_related = ["county"]
    raw_id_fields = ["place", "house_number"]
    readonly_fields = ["number", "text", "romanization", "number_text", "text_outdated_since", "expected_text",
                       "county", "status", "removed_on", "removed_reason", "is_synthetic", "version"]  # fmt: skip
    inlines = [SignPhotoInline, SignVersionInline]
    formfield_overrides = {gis_models.PointField: {"widget": OfflineMapWidget}}
    actions = ["remake"]

    @admin.display(description="示例 synthetic", boolean=True, ordering="is_synthetic")
    def synthetic(self, obj):
        return obj.is_synthetic

    @admin.display(description="文字已过时 outdated", boolean=True, ordering="text_outdated_since")
    def outdated(self, obj):
        return obj.text_outdated_since is not None

    def get_readonly_fields(self, request, obj=None):
        fixed = ["kind", "place", "house_number"] if obj is not None else []
        return [*fixed, *self.readonly_fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [f for f in fields if obj is not None or f != "removed_on"]

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    def has_add_permission(self, request):
        counties = set(AdminUnit.objects.current().filter(tier=Tier.COUNTY).values_list("id", flat=True))
        return is_staff_reader(request.user) and may_write_in(request.user, counties)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return is_staff_reader(request.user)
        return obj.status == Sign.Status.IN_PLACE and service.may_keep(request.user, obj)

    def save_through_service(self, request, obj, form, change):
        data = form.cleaned_data
        reason, version = data["reason"], data.get("expected_version")
        if not change:
            values = {name: data.get(name) for name in service.EDITABLE if name != "geom"}
            return service.register_sign(
                user=request.user,
                reason=reason,
                kind=data["kind"],
                geom=data.get("geom"),
                place=data.get("place"),
                house_number=data.get("house_number"),
                **{k: v for k, v in values.items() if v not in (None, "")},
            )
        current = Sign.objects.get(pk=obj.pk)
        changes = form.sent_changes(service.EDITABLE)
        for name in ("maker", "material"):
            if name in changes and changes[name] is None:
                changes[name] = ""
        saved = current
        if changes:
            saved = service.update_sign(
                current, user=request.user, reason=reason, changes=changes, expected_version=version
            )
            version = saved.version
        if data.get("removed_on"):
            saved = service.remove_sign(
                saved, user=request.user, reason=reason, on=data["removed_on"], expected_version=version
            )
        if saved is current and not changes and not request.FILES:  # a photo alone is saved by its inline
            raise Refused("nothing changed")
        return saved

    @admin.action(description="重新制作（文字取自记录） Remake: capture the text from the record")
    def remake(self, request, queryset):
        done = 0
        for sign in queryset:
            try:
                service.remake_sign(sign, user=request.user, reason="管理页面重制 remade in the admin")
                done += 1
            except (service.SignRefused, service.SignForbidden) as exc:
                self.message_user(request, f"{sign.number}: {exc}", messages.ERROR)
        self.message_user(request, f"{done} sign(s) remade", messages.SUCCESS)


class RenewalItemInline(ReadOnlyInline):
    model = RenewalItem
    fields = ["sign", "county", "kind", "why", "step", "order", "ordered_on", "made_on", "installed_on",
              "accepted_on", "accepted_by", "dropped_reason"]  # fmt: skip
    readonly_fields = fields


class _StaffRead:
    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)


@admin.register(RenewalCampaign)
class RenewalCampaignAdmin(_StaffRead, ReadOnlyAdmin):
    list_display = ["number", "title", "year", "status", "created_by"]
    list_filter = ["year", "status"]
    fields = ["number", "title", "year", "criteria", "status", "created_by", "orders"]
    readonly_fields = fields
    inlines = [RenewalItemInline]

    @admin.display(description="制作订单 Production orders")
    def orders(self, obj):
        return format_html_join(
            " · ",
            '<a href="{}">{} {}</a>',
            (
                (reverse("admin:gazetteer_productionorder_change", args=[o.pk]), o.number, o.maker)
                for o in obj.orders.order_by("number")
            ),
        )


def _order_step(step: str):
    def action(modeladmin, request, queryset):
        for order in queryset:
            try:
                campaigns.advance_order(order, user=request.user, step=step, on=timezone.localdate())
                modeladmin.message_user(request, f"{order.number}: {step}", messages.SUCCESS)
            except (campaigns.CampaignRefused, campaigns.CampaignForbidden) as exc:
                modeladmin.message_user(request, f"{order.number}: {exc}", messages.ERROR)

    action.__name__ = f"mark_{step}"
    return admin.action(description=f"今日 {RenewalItem.Step(step).label} today (every sign at the step before)")(
        action
    )


@admin.register(ProductionOrder)
class ProductionOrderAdmin(_StaffRead, ReadOnlyAdmin):
    list_display = ["number", "maker", "campaign", "ordered_on", "status"]
    list_filter = ["status", "maker"]
    fields = ["number", "campaign", "maker", "ordered_on", "status", "created_by", "lists", "progress"]
    readonly_fields = fields
    inlines = [RenewalItemInline]
    actions = [_order_step("made"), _order_step("installed"), _order_step("accepted")]

    @admin.display(description="清单 List for the maker")
    def lists(self, obj):
        return format_html(
            '<a href="{}">CSV</a> · <a href="{}">XLSX</a>',
            reverse("sign-order-csv", kwargs={"number": obj.number}),
            reverse("sign-order-xlsx", kwargs={"number": obj.number}),
        )

    @admin.display(description="进度 Progress")
    def progress(self, obj):
        counts = {}
        for step in obj.items.values_list("step", flat=True):
            counts[step] = counts.get(step, 0) + 1
        return ", ".join(f"{RenewalItem.Step(s).label}: {n}" for s, n in sorted(counts.items())) or "-"
