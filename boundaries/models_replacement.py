"""The marker-replacement campaign (更换界桩) of the bureau's plan: the markers due for a new stone
(selected by grade, age, condition and last inspection), their production orders, and each marker
tracked from selected to ordered, made, set and accepted (验收) by both sides of its line. Written by
boundaries.services.replacement only."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from core.models import Changeset
from core.records import VersionedRecord

__all__ = ["ReplacementCampaign", "ReplacementItem"]


class ReplacementCampaign(VersionedRecord):
    record_kind = "replacement campaign"
    record_key = "number"

    class Status(models.TextChoices):
        OPEN = "open", "进行中 open"
        CLOSED = "closed", "已结束 closed"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. GH-2026-0001")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    criteria = models.JSONField(default=dict, help_text="What selected the markers (grades, age, states, ...).")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ReplacementItem(VersionedRecord):
    """One marker in a campaign, and how far its new stone has come."""

    record_kind = "replacement item"

    class Step(models.TextChoices):
        SELECTED = "selected", "已选定 selected"
        ORDERED = "ordered", "已订制 ordered"
        MADE = "made", "已制作 made"
        SET = "set", "已埋设 set"
        ACCEPTED = "accepted", "已验收 accepted by both sides"
        DROPPED = "dropped", "已撤出 dropped"

    campaign = models.ForeignKey(ReplacementCampaign, on_delete=models.PROTECT, related_name="items")
    marker = models.ForeignKey("boundaries.BoundaryMarker", on_delete=models.PROTECT, related_name="replacements")
    county = models.ForeignKey(
        "boundaries.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The county the marker stands in (the dashboard's grouping).",
    )  # fmt: skip
    why = models.CharField(max_length=300, help_text="Why it was selected (its state, age, last inspection).")
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.SELECTED)
    maker = models.CharField(max_length=200, blank=True, help_text="制作单位")
    order_reference = models.CharField(max_length=100, blank=True, help_text="订单号 of the production order")
    ordered_on = models.DateField(null=True, blank=True)
    made_on = models.DateField(null=True, blank=True)
    set_on = models.DateField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    accepted_by = models.JSONField(
        default=list, blank=True, help_text='The sides that accepted: [{"side", "by", "on"}] (验收, both sides).'
    )
    note = models.TextField(blank=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "marker__line", "marker__sequence", "marker__kind"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "marker"], name="replacement_once_per_campaign"),
            models.CheckConstraint(
                condition=~Q(step="accepted") | Q(accepted_on__isnull=False), name="replacement_accepted_has_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.marker_id} {self.step}"
