"""Marker events (界桩事项) in the admin: read as the parties see them, approved or rejected with the
same decision form as the boundary proposals (boundaries.admin_proposals.DecidedByTheParties) through
boundaries.services.marker_events. They are made by saving a marker (boundaries.admin_markers) or by
the API; nothing here writes a marker."""

from __future__ import annotations

import json

from django.contrib import admin
from django.utils.html import format_html

from boundaries.admin_proposals import DecidedByTheParties
from boundaries.models import MarkerEvent, MarkerEventApproval
from boundaries.services import marker_events
from boundaries.services import markers_registry as registry
from core.admin_base import ReadOnlyAdmin, ReadOnlyInline
from core.records import VersionConflict


class EventApprovalInline(ReadOnlyInline):
    model = MarkerEventApproval
    fields = ["party", "unit", "outside", "approved_by", "approved_at", "signed_by", "signed_on", "document"]
    readonly_fields = fields


@admin.register(MarkerEvent)
class MarkerEventAdmin(DecidedByTheParties, ReadOnlyAdmin):
    service = marker_events
    refusals = (marker_events.EventRefused, registry.MarkerRuleError, VersionConflict)

    list_display = ["number", "kind", "line", "marker", "status", "proposed_by", "proposed_at"]
    list_filter = ["status", "kind"]
    list_select_related = ["line", "marker", "proposed_by"]
    search_fields = ["number", "marker__number", "line__code", "line__name"]
    readonly_fields = [
        *("number", "kind", "line", "marker", "status", "change_shown", "base_version", "reason"),
        *("needs_bureau", "proposed_by", "proposed_at", "decided_at", "decision_note"),
    ]
    fields = readonly_fields
    inlines = [EventApprovalInline]
    change_form_template = "admin/boundaries/boundaryproposal/change_form.html"

    @admin.display(description="变更内容 The change")
    def change_shown(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.change, ensure_ascii=False, indent=1))
