"""A renumbering of a whole road (门牌整顿): proposed as a before/after table with every record and sign
it touches, approved or rejected by an approver, applied whole in one changeset on approval
(gazetteer.services.renumbering)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models

from core.models import Changeset
from core.records import VersionedRecord

__all__ = ["RenumberingProposal"]


class RenumberingProposal(VersionedRecord):
    record_kind = "renumbering"
    record_key = "number"

    class Status(models.TextChoices):
        PENDING = "pending", "待批 pending"
        APPLIED = "applied", "已实施 applied"
        REJECTED = "rejected", "不同意 rejected"
        WITHDRAWN = "withdrawn", "撤回 withdrawn"

    number = models.CharField(max_length=20, unique=True, help_text="MZ-year-serial")
    road = models.ForeignKey("gazetteer.Road", on_delete=models.PROTECT, related_name="renumberings")
    reason = models.TextField()
    rows = models.JSONField(
        default=list, help_text="The before/after table: one row per address, with its records and signs"
    )
    base_versions = models.JSONField(default=dict, help_text="House number id -> its version when proposed")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    changeset = models.ForeignKey(Changeset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return self.number
