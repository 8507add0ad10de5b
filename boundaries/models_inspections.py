"""Joint boundary inspections (界线联检): a campaign per line, its field checks and the tasks they raise.

Every line is inspected by both sides every five years, or ad hoc after a flood, road works or a river
changing course (行政区域界线管理条例 第12条). A campaign is planned (dates, both sides' teams; plans are
due in May), reviewed in the office against the agreement, checked in the field marker by marker and
stretch by stretch (the 界线联检记录表), and ends with a joint report both sides sign; findings become
repair and re-survey tasks with owners and due dates. Everything is written by
boundaries.services.inspections. Field checks carry an id made on the phone (``client_id``): the same
check sent twice is one record.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.db.models import Q

from core.models import Changeset
from core.records import RecordVersion, VersionedRecord
from core.srid import METRIC_CRS_LABEL, STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = [
    "InspectionCampaign",
    "InspectionCampaignVersion",
    "InspectionSignature",
    "InspectionTask",
    "MarkerCheck",
    "StretchCheck",
]


class InspectionCampaign(VersionedRecord):
    record_kind = "inspection"
    record_key = "number"

    class Occasion(models.TextChoices):
        REGULAR = "regular", "例行联检 the five-yearly inspection"
        FLOOD = "flood", "洪水 after a flood"
        ROAD_WORKS = "road_works", "道路施工 after road works"
        RIVER = "river", "河流改道 after a river changed course"
        OTHER = "other", "其他 other"

    class Status(models.TextChoices):
        PLANNED = "planned", "计划 planned"
        OFFICE_REVIEW = "office_review", "内业核查 office review done"
        FIELD = "field", "外业检查 field checks under way"
        REPORTED = "reported", "待签 report awaiting both sides"
        CLOSED = "closed", "已签 report signed, archived"
        CANCELLED = "cancelled", "取消 cancelled"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. LJ-2026-0001")
    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT, related_name="inspections")
    year = models.PositiveSmallIntegerField(help_text="The inspection year (the round's year for this line).")
    occasion = models.CharField(max_length=12, choices=Occasion.choices, default=Occasion.REGULAR)
    cause = models.TextField(blank=True, help_text="An ad-hoc inspection's cause (which flood, which works).")
    lead = models.ForeignKey(
        "boundaries.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The side that leads (牵头方).",
    )
    plan_due = models.DateField(help_text="The plan is due by this day (31 May of the year for a regular one).")
    planned_start = models.DateField(null=True, blank=True)
    planned_end = models.DateField(null=True, blank=True)
    teams = models.JSONField(
        default=list, blank=True, help_text='Both sides\' teams: [{"side": code, "members": [{"name", "role"}]}]'
    )
    planned_at = models.DateTimeField(null=True, blank=True, help_text="When the plan was filed.")
    office_review = models.TextField(blank=True, help_text="内业核查: the line compared with the agreement.")
    office_reviewed_at = models.DateTimeField(null=True, blank=True)
    report_summary = models.TextField(blank=True, help_text="The joint report's conclusions (联合检查报告).")
    filing_reference = models.CharField(max_length=100, blank=True, help_text="备案: the filing's reference.")
    status = models.CharField(max_length=14, choices=Status.choices, default=Status.PLANNED)
    closed_on = models.DateField(null=True, blank=True, help_text="The day the last side signed.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="inspection_plan_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False), name="inspection_closed_has_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.line.name}"


class InspectionCampaignVersion(RecordVersion):
    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="inspection_versions")

    class Meta:
        ordering = ["campaign", "version"]
        constraints = [models.UniqueConstraint(fields=["campaign", "version"], name="inspectionversion_unique")]


class MarkerCheck(models.Model):
    """One marker as found in the field (a row of the 界线联检记录表)."""

    class Found(models.TextChoices):
        INTACT = "intact", "完好 intact"
        DAMAGED = "damaged", "损坏 damaged"
        LOST = "lost", "丢失 lost"
        MOVED = "moved", "移位 moved"

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.PROTECT, related_name="marker_checks")
    marker = models.ForeignKey("boundaries.BoundaryMarker", on_delete=models.PROTECT, related_name="checks")
    client_id = models.UUIDField(unique=True, help_text="Made on the phone: the same check sent twice is one row.")
    checked_on = models.DateField()
    found = models.CharField(max_length=8, choices=Found.choices)
    inscription_repainted = models.BooleanField(default=False, help_text="界桩注记已描红")
    references_changed = models.BooleanField(default=False, help_text="方位物有变化 (a re-survey task follows)")
    measured = models.PointField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"The position measured in the field, {STORAGE_CRS_LABEL}.",
    )
    displacement_m = models.FloatField(
        null=True,
        blank=True,
        help_text=f"Metres between the measured and the registered position ({METRIC_CRS_LABEL}).",
    )
    notes = models.TextField(blank=True)
    photos = models.ManyToManyField(
        "boundaries.MarkerPhoto", blank=True, related_name="checks", help_text="Photos taken at the check."
    )
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "marker__sequence", "marker__kind", "received_at"]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.marker_id} {self.found}"


class StretchCheck(models.Model):
    """A stretch of the line as found: from/to in metres along it, and what changed there."""

    class Condition(models.TextChoices):
        AS_AGREED = "as_agreed", "与协议一致 as agreed"
        FEATURES_CHANGED = "features_changed", "地物地貌变化 features or terrain changed"
        ILLEGIBLE = "illegible", "界线不清 the line cannot be made out (修测 needed)"
        ENCROACHED = "encroached", "跨界生产建设 works across the line"

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.PROTECT, related_name="stretch_checks")
    client_id = models.UUIDField(unique=True)
    from_m = models.FloatField(help_text="Metres along the line where the stretch starts.")
    to_m = models.FloatField()
    condition = models.CharField(max_length=18, choices=Condition.choices)
    checked_on = models.DateField()
    notes = models.TextField(blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "from_m"]
        constraints = [
            models.CheckConstraint(condition=Q(from_m__gte=0) & Q(to_m__gt=models.F("from_m")), name="stretch_ordered")
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.from_m:.0f}-{self.to_m:.0f} m {self.condition}"


class InspectionTask(VersionedRecord):
    """A finding's follow-up: repair, re-erect, restore, re-survey; an owner side and a due day."""

    record_kind = "inspection task"

    class Kind(models.TextChoices):
        REPAIR = "repair", "修复界桩 repair the marker"
        REMAKE = "remake", "补设界桩 remake a lost marker on its original spot"
        RESTORE = "restore", "恢复原位 restore a moved marker to its registered position"
        RESURVEY_REFERENCES = "resurvey_references", "方位物修测 choose and survey new reference objects"
        RESURVEY_LINE = "resurvey_line", "界线修测 re-survey a stretch of the line"
        STOP_WORKS = "stop_works", "制止跨界施工 stop works across the line"

    class Status(models.TextChoices):
        OPEN = "open", "待办 open"
        DONE = "done", "完成 done"
        CANCELLED = "cancelled", "撤销 cancelled"

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.PROTECT, related_name="tasks")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    marker = models.ForeignKey(
        "boundaries.BoundaryMarker", null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    marker_check = models.ForeignKey(MarkerCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks")
    stretch_check = models.ForeignKey(
        StretchCheck, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks"
    )
    owner = models.ForeignKey(
        "boundaries.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The side that does it (the marker's managing side; the lead side by default).",
    )
    due_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(null=True, blank=True)
    note = models.TextField(blank=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")
    closed_changeset = models.ForeignKey(Changeset, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(status="done") | Q(done_on__isnull=False), name="task_done_has_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.campaign_id})"


class InspectionSignature(models.Model):
    """One side's signature on the joint report. A side inside the system signs through its officer
    (the city through the bureau's approver); a side outside it is recorded by an officer with the
    document."""

    campaign = models.ForeignKey(InspectionCampaign, on_delete=models.PROTECT, related_name="signatures")
    unit = models.ForeignKey("boundaries.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    outside = models.ForeignKey(
        "boundaries.ContextArea", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.CharField(max_length=200, help_text="The signatory's name and office.")
    signed_on = models.DateField()
    document = models.CharField(max_length=200, blank=True, help_text="An outside side's signed document.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, outside__isnull=True)
                | Q(unit__isnull=True, outside__isnull=False) & ~Q(document=""),
                name="signature_names_its_side",
            ),
            models.UniqueConstraint(
                fields=["campaign", "unit", "outside"], name="signature_once_per_side", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.signed_by}"
