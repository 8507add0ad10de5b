"""Marker events (界桩事项): a change of a boundary marker (set, move, a state found or repaired, replace,
edit, abolish) held until both sides have approved it (行政区域界线管理条例 第6条), then applied through
the marker registry (boundaries.services.marker_events). The parties follow
boundaries.services.agreement, the same rule as the proposals that move an edge; the county parties
and whether the bureau's approver is asked are fixed when the event is proposed."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from boundaries.models_proposals import Approval, BoundaryProposal, names_its_party
from core.records import VersionedRecord

__all__ = ["MarkerEvent", "MarkerEventApproval"]


class MarkerEvent(VersionedRecord):
    record_kind = "marker_event"
    record_key = "number"

    Status = BoundaryProposal.Status  # pending, applied, rejected, withdrawn: as a proposal's

    class Kind(models.TextChoices):
        SET = "set", "埋设 set"
        MOVE = "move", "迁移 move"
        STATUS = "status", "状况 damaged, lost, displaced or repaired"
        REPLACE = "replace", "更换 replace"
        EDIT = "edit", "修改 edit"
        ABOLISH = "abolish", "废止 abolish"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. JZ-2026-0001")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    marker = models.ForeignKey(
        "boundaries.BoundaryMarker",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
        help_text="Empty for a marker to be set, until the event is applied.",
    )
    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT, related_name="marker_events")
    change = models.JSONField(
        help_text="The arguments of the registry's step (boundaries.services.markers_registry), as JSON: "
        "positions as GeoJSON Points, days as YYYY-MM-DD."
    )
    base_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The marker's version the event was drawn on (empty for a new marker)."
    )
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    counties = models.ManyToManyField(
        "boundaries.AdminUnit",
        related_name="+",
        help_text="The county-level parties, fixed when proposed (boundaries.services.agreement).",
    )
    needs_bureau = models.BooleanField(
        help_text="Whether the bureau's approver is a party (marker_events.needs_bureau)."
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")

    class Meta:
        ordering = ["-proposed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="set", base_version__isnull=True)
                | Q(marker__isnull=False, base_version__isnull=False),
                name="markerevent_names_its_marker",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"


class MarkerEventApproval(Approval):
    """One party's approval of a marker event (the same fields as a proposal's)."""

    event = models.ForeignKey(MarkerEvent, on_delete=models.PROTECT, related_name="approvals")

    class Meta:
        ordering = ["event", "approved_at"]
        constraints = [
            names_its_party("markereventapproval_names_its_party"),
            models.UniqueConstraint(
                fields=["event", "party", "unit", "outside"],
                name="markereventapproval_once_per_party",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}: {self.party}"
