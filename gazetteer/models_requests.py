"""Numbering requests (门牌申请): an owner, a developer or a unit asks for a house number, and the request
goes through its steps to a house-number certificate (门牌证明).

The steps (gazetteer.services.numbering_requests, the only writer): submitted 已受理 → checked 已核查 (the
site check: a lawful building, the ground floor finished, the entrance fixed, each confirmed by the
officer who looked, with when) → numbered 已编号 (the engine's number, written as proposed) → certified
已发证 (the number issued, the certificate made and kept here with its number and day); or rejected
不予编号 with the reason, or withdrawn 撤回. Every step is a version of the request in a changeset (who,
when, why); the applicant's contact is the bureau's working data, never shown to the public.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q

from core.models import Changeset
from core.records import RecordVersion, VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["NumberingRequest", "NumberingRequestVersion"]


class NumberingRequest(VersionedRecord):
    record_kind = "numbering-request"
    record_key = "number"

    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已受理 submitted"
        CHECKED = "checked", "已核查 site checked"
        NUMBERED = "numbered", "已编号 numbered"
        CERTIFIED = "certified", "已发证 certified"
        REJECTED = "rejected", "不予编号 rejected"
        WITHDRAWN = "withdrawn", "撤回 withdrawn"

    class ApplicantKind(models.TextChoices):
        OWNER = "owner", "产权人 owner"
        DEVELOPER = "developer", "开发单位 developer"
        UNIT = "unit", "单位 organisation"

    number = models.CharField(max_length=20, unique=True, help_text="受理编号, e.g. MQ-2026-0001")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    applicant = models.CharField(max_length=200, help_text="申请人: the owner, developer or organisation")
    applicant_kind = models.CharField(max_length=10, choices=ApplicantKind.choices)
    applicant_contact = models.CharField(max_length=200, blank=True, help_text="联系方式 (staff only)")
    road = models.ForeignKey("gazetteer.Road", on_delete=models.PROTECT, related_name="numbering_requests")
    county = models.ForeignKey(
        "boundaries.AdminUnit", on_delete=models.PROTECT, related_name="+",
        help_text="The county-level unit the entrance lies in",
    )  # fmt: skip
    geom = models.PointField(srid=STORAGE_SRID, spatial_index=False, help_text=f"The entrance, {STORAGE_CRS_LABEL}")
    building_name = models.CharField(max_length=200, blank=True, help_text="The building (楼宇、院落) to number")
    building = models.ForeignKey(
        "gazetteer.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The building's place record, where it has one",
    )  # fmt: skip
    documents = models.JSONField(
        default=list, blank=True,
        help_text='Property documents cited: [{"kind": "不动产权证", "number": "..."}]',
    )  # fmt: skip
    former_address = models.CharField(max_length=200, blank=True, help_text="原地址")
    conditions = models.JSONField(
        default=dict, blank=True,
        help_text='The conditions confirmed at the site check: {"lawful_building": {"by", "at"}, ...}',
    )  # fmt: skip
    site_check = models.TextField(blank=True, help_text="现场核查: what the officer found")
    house_number = models.ForeignKey(
        "gazetteer.HouseNumber", null=True, blank=True, on_delete=models.PROTECT, related_name="requests",
        help_text="The number the engine gave",
    )  # fmt: skip
    certificate_number = models.CharField(max_length=20, null=True, blank=True, unique=True, help_text="证明编号")
    certified_on = models.DateField(null=True, blank=True, help_text="发证日期")
    certificate_pdf = models.BinaryField(null=True, blank=True, editable=False, help_text="The certificate as made")
    decision_reason = models.TextField(blank=True, help_text="Why it was rejected or withdrawn")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(auto_now_add=True)
    stepped_at = models.DateTimeField(help_text="When the last step was taken (the inbox's 'since')")

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            GistIndex(fields=["geom"], name="numberingrequest_geom_gist"),
            models.Index(fields=["status", "county"], name="numberingrequest_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="certified")
                | (Q(certificate_number__isnull=False) & Q(certified_on__isnull=False) & Q(house_number__isnull=False)),
                name="numberingrequest_certified_complete",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["rejected", "withdrawn"]) | ~Q(decision_reason=""),
                name="numberingrequest_ended_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.building_name or self.road}".strip()

    @property
    def is_synthetic(self) -> bool:
        return self.road.place.is_synthetic


class NumberingRequestVersion(RecordVersion):
    request = models.ForeignKey(NumberingRequest, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="numbering_request_versions")
    geom = models.PointField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["request", "version"]
        constraints = [models.UniqueConstraint(fields=["request", "version"], name="numberingrequestversion_unique")]
