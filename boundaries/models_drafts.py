"""Draft division changes (区划调整方案): a merge, split, transfer of villages, rename, abolition or
boundary adjustment drawn up as steps, previewed (the resulting units, their child counts and areas)
before anyone approves it, and on approval applied through the unit service in one changeset as dated
events (DivisionChange rows) that cite the legal basis (boundaries.services.division_drafts). Until
then nothing of it is applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.models import Changeset
from core.records import VersionedRecord

__all__ = ["DivisionDraft"]


class DivisionDraft(VersionedRecord):
    record_kind = "division-draft"
    record_key = "number"

    class Kind(models.TextChoices):
        MERGE = "merge", "合并 merge"
        SPLIT = "split", "拆分 split"
        TRANSFER = "transfer", "划转 transfer of villages or other units"
        RENAME = "rename", "更名 rename"
        ABOLISH = "abolish", "撤销 abolish"
        BOUNDARY = "boundary_adjustment", "行政区域界线变更 boundary adjustment"

    class Status(models.TextChoices):
        DRAFT = "draft", "草案 draft"
        APPROVED = "approved", "已批准 approved"
        REJECTED = "rejected", "不同意 rejected"
        WITHDRAWN = "withdrawn", "撤回 withdrawn"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. QH-2026-0001")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    title = models.CharField(max_length=200, help_text="e.g. 海林农场并入海林镇")
    reason = models.TextField(help_text="Why: recorded in the change history.")
    steps = models.JSONField(
        default=list,
        help_text="The steps, in the service's words: establish / transfer / rename / abolish, each naming "
        "its unit by code and its new parent, name, level or code (boundaries.services.division_drafts).",
    )
    effective_date = models.DateField(
        null=True, blank=True, help_text="The day the change takes effect (the old state ends the day before)."
    )
    basis_authority = models.CharField(max_length=200, blank=True, help_text="批准机关 approving authority")
    basis_document = models.CharField(max_length=100, blank=True, help_text="批准文号 document number")
    basis_date = models.DateField(null=True, blank=True, help_text="批准日期 date of the approval")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")
    changeset = models.ForeignKey(
        Changeset,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The changeset that applied it: its DivisionChange rows and unit versions.",
    )
    applied_preview = models.JSONField(
        null=True, blank=True, help_text="The preview as it stood when the draft was approved (kept as shown)."
    )

    class Meta:
        ordering = ["-drafted_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | Q(effective_date__isnull=False, basis_date__isnull=False, changeset__isnull=False)
                & ~Q(basis_authority="")
                & ~Q(basis_document=""),
                name="divisiondraft_approved_cites_basis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def division_changes(self):
        """The dated events its approval wrote (none before)."""
        from boundaries.models import DivisionChange

        if self.changeset_id is None:
            return DivisionChange.objects.none()
        return DivisionChange.objects.filter(changeset_id=self.changeset_id).order_by("id")
