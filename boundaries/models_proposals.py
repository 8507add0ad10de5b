"""Proposals to change a shared boundary: a new course for one topology edge, which takes effect only
when every party has approved it (boundaries.services.proposals): the officers of the county-level
units on both sides, the bureau's approver inside the city, and, on the city's outer boundary, the
party outside the system (a neighbouring prefecture, Jilin's 延边, Russia), whose signed approval an
officer records (who signed, when, the document). Until then nothing of it is applied."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from core.records import VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["BoundaryProposal", "ProposalApproval", "ProposalGroup"]


class ProposalGroup(models.Model):
    """A changeset (POST /api/v1/changesets) that touched shared boundaries, held whole: one proposal per
    edge it moves, and the changeset's other edits kept as sent. Nothing of it is applied until every
    party of every one of its proposals has approved; then all of it is applied in one changeset. A
    rejection of any of its proposals rejects them all."""

    reason = models.TextField()
    held_edits = models.JSONField(
        default=list, blank=True, help_text="The changeset's other edits, as sent: [{kind, key, version, changes}]."
    )
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"changeset held {self.proposed_at:%Y-%m-%d}: {self.reason[:60]}"


class BoundaryProposal(VersionedRecord):
    record_kind = "proposal"
    record_key = "number"

    class Status(models.TextChoices):
        PENDING = "pending", "待批 awaiting the parties"
        APPLIED = "applied", "已生效 applied"
        REJECTED = "rejected", "不同意 rejected"
        WITHDRAWN = "withdrawn", "撤回 withdrawn"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. BJ-2026-0001")
    edge = models.ForeignKey("boundaries.TopologyEdge", on_delete=models.PROTECT, related_name="proposals")
    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT, related_name="proposals")
    geom = models.LineStringField(
        srid=STORAGE_SRID, spatial_index=False, help_text=f"The new course, {STORAGE_CRS_LABEL}."
    )
    base_version = models.PositiveIntegerField(help_text="The edge's version the proposal was drawn on.")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")
    group = models.ForeignKey(
        ProposalGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="proposals",
        help_text="The changeset this proposal is part of, applied only together.",
    )  # fmt: skip

    class Meta:
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.line}"


class Approval(models.Model):
    """One party's approval of a change both sides must agree to (a boundary proposal, a marker event):
    a county's officer, the bureau's approver, or (recorded by an officer) the signed approval of a
    party outside the system. The concrete tables add what is approved and their constraints
    (``names_its_party``)."""

    class Party(models.TextChoices):
        COUNTY = "county", "县级行政区 a county-level party"
        BUREAU = "bureau", "市民政局 the bureau's approver"
        OUTSIDE = "outside", "系统外的一方 a party outside the system"
        TOWNSHIP = "township", "乡镇 a township, its signed approval recorded by its county"

    party = models.CharField(max_length=8, choices=Party.choices)
    unit = models.ForeignKey("boundaries.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outside = models.ForeignKey(
        "boundaries.ContextArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", help_text="Who approved or recorded it"
    )
    approved_at = models.DateTimeField(auto_now_add=True)
    signed_by = models.CharField(max_length=200, blank=True, help_text="The outside party's signatory")
    signed_on = models.DateField(null=True, blank=True)
    document = models.CharField(max_length=200, blank=True, help_text="The outside party's signed document")

    class Meta:
        abstract = True


def names_its_party(name: str) -> models.CheckConstraint:
    """A county's approval names the county, the bureau's none; an outside party's names the area and a
    township's the township, each with who signed, when and the document."""
    signed_party = Q(party="outside", unit__isnull=True, outside__isnull=False) | Q(
        party="township", unit__isnull=False, outside__isnull=True
    )
    return models.CheckConstraint(
        condition=Q(party="county", unit__isnull=False, outside__isnull=True)
        | Q(party="bureau", unit__isnull=True, outside__isnull=True)
        | signed_party & ~Q(signed_by="") & ~Q(document="") & Q(signed_on__isnull=False),
        name=name,
    )


class ProposalApproval(Approval):
    proposal = models.ForeignKey(BoundaryProposal, on_delete=models.PROTECT, related_name="approvals")

    class Meta:
        ordering = ["proposal", "approved_at"]
        constraints = [
            names_its_party("approval_names_its_party"),
            models.UniqueConstraint(
                fields=["proposal", "party", "unit", "outside"], name="approval_once_per_party", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.party}"
