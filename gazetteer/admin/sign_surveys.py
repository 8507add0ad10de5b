"""Sign surveys (标志巡查) in the admin: read only. They are made on a phone (/signs/survey, through
gazetteer.services.sign_surveys); the sign's condition and inspection move with them on the sign."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from accounts.roles import is_staff_reader
from core.admin_base import ReadOnlyAdmin
from gazetteer.models_sign_surveys import SignSurvey


@admin.register(SignSurvey)
class SignSurveyAdmin(ReadOnlyAdmin):
    list_display = ["sign_number", "surveyed_on", "condition", "surveyor", "synthetic", "created_at"]
    list_filter = ["condition", "surveyed_on"]
    search_fields = ["sign__number", "sign__text"]
    list_select_related = ["sign", "surveyor"]
    fields = ["sign_link", "client_id", "surveyed_on", "condition", "notes", "surveyor", "position_text",
              "sign_version", "photo_count", "created_at"]  # fmt: skip
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    @admin.display(description="标志 Sign", ordering="sign__number")
    def sign_number(self, obj):
        return f"{obj.sign.number} {obj.sign.text}{obj.sign.number_text}"

    @admin.display(description="示例 Synthetic", boolean=True)
    def synthetic(self, obj):
        return obj.sign.is_synthetic

    @admin.display(description="标志 Sign")
    def sign_link(self, obj):
        url = reverse("admin:gazetteer_sign_change", args=[obj.sign_id])
        label = f"{obj.sign.number} {obj.sign.text}{obj.sign.number_text}"
        return format_html('<a href="{}">{}</a>{}', url, label, "（示例）" if obj.sign.is_synthetic else "")

    @admin.display(description="位置 Position (GPS)")
    def position_text(self, obj):
        if obj.position is None:
            return "—"
        return f"{obj.position.x:.7f}, {obj.position.y:.7f}"

    @admin.display(description="照片 Photos")
    def photo_count(self, obj):
        return obj.photos.count()
