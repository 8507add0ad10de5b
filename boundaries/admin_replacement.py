"""Marker-replacement campaigns in the admin: each campaign's markers and their steps, and its dashboard
(boundaries.services.replacement.dashboard) on the change page. Campaigns are opened and stones moved on
through the API (/api/v1/replacement-campaigns, /api/v1/replacement-items/{id}), which calls the service."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from accounts.roles import is_staff_reader
from boundaries.models import ReplacementCampaign, ReplacementItem
from boundaries.services import replacement
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline


class ItemInline(ReadOnlyInline):
    model = ReplacementItem
    fields = ["marker", "county", "why", "step", "maker", "order_reference", "ordered_on", "made_on", "set_on",
              "accepted_on", "accepted_by"]  # fmt: skip
    readonly_fields = fields


@admin.register(ReplacementCampaign)
class ReplacementCampaignAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "year", "status", "created_by"]
    list_filter = ["year", "status"]
    fields = ["number", "title", "year", "criteria", "status", "created_by", "progress"]
    readonly_fields = fields
    inlines = [ItemInline]

    def has_module_permission(self, request):
        return is_staff_reader(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_reader(request.user)

    @admin.display(description="进度 Progress (per county and per line)")
    def progress(self, obj):
        figures = replacement.dashboard(obj)
        steps = ["selected", "ordered", "made", "set", "accepted", "dropped"]
        head = format_html_join("", "<th>{}</th>", ((s,) for s in ["", "total", *steps]))
        rows = format_html_join(
            "",
            "<tr><td>{}</td>" + "<td>{}</td>" * (len(steps) + 1) + "</tr>",
            (
                (group["name"], group["total"], *(group[s] for s in steps))
                for group in [*figures["by_county"], *figures["by_line"]]
            ),
        )
        return format_html("<table><tr>{}</tr>{}</table>", head, rows)
