"""Place-name signs (地名标志, GB 17733) and their renewal campaigns.

A ``Sign`` is one physical sign or plate: its kind, the record it names (a place, or a house number for
plates), the text it shows (Chinese, romanization and, on plates, the number), where it stands and
which way it faces, its make (size, material, colours, maker, installed when), its condition and last
inspection. The text is captured from the record and the romanization engine when the sign is
registered or remade (gazetteer.services.signs), never typed. When the record it names changes (a road
renamed, a house renumbered), the sign is flagged (``text_outdated_since``) until it is remade.
A sign is removed with a reason, never deleted; is_synthetic when the record it names is synthetic.

A ``RenewalCampaign`` selects signs due for renewal; each ``RenewalItem`` follows one sign through
ordered (on a ``ProductionOrder``, one per maker), made, installed and accepted.
Written by gazetteer.services.signs and gazetteer.services.sign_campaigns only.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q

from core.models import Changeset
from core.records import RecordVersion, VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["ProductionOrder", "RenewalCampaign", "RenewalItem", "Sign", "SignPhoto", "SignVersion"]

SIGN_PHOTO_FOLDER = "sign_photos"


class Sign(VersionedRecord):
    record_kind = "sign"
    record_key = "number"

    class Kind(models.TextChoices):
        ROAD_NAME = "road_name", "路名牌 road-name sign"
        STREET = "street", "街牌 street sign"
        LANE = "lane", "巷牌 lane sign"
        HOUSE_PLATE = "house_plate", "门牌 house-number plate"
        BUILDING = "building", "楼牌 building plate"
        UNIT = "unit", "单元牌 unit plate"
        HOUSEHOLD = "household", "户牌 household plate"
        VILLAGE = "village", "村牌 village sign"
        COMMUNITY = "community", "社区牌 community sign"
        NATURAL = "natural", "自然地理实体标志 natural-feature sign"

    class Condition(models.TextChoices):
        GOOD = "good", "完好 good"
        FADED = "faded", "褪色 faded"
        DAMAGED = "damaged", "损坏 damaged"
        MISSING = "missing", "缺失 missing"

    class Status(models.TextChoices):
        IN_PLACE = "in_place", "在用 in place"
        REMOVED = "removed", "已拆除 removed"

    class Material(models.TextChoices):
        ALUMINIUM = "aluminium", "铝板 aluminium"
        STAINLESS = "stainless_steel", "不锈钢 stainless steel"
        ENAMEL = "enamel", "搪瓷 enamel"
        REFLECTIVE = "reflective_film", "反光膜 reflective film on aluminium"
        STONE = "stone", "石材 stone"
        WOOD = "wood", "木材 wood"
        OTHER = "other", "其他 other"

    number = models.CharField(max_length=20, unique=True, help_text="标志编号, e.g. BZ-2026-000001; never reused.")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    place = models.ForeignKey(
        "gazetteer.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="signs",
        help_text="The place it names (roads, villages, communities, natural features).",
    )  # fmt: skip
    house_number = models.ForeignKey(
        "gazetteer.HouseNumber", null=True, blank=True, on_delete=models.PROTECT, related_name="signs",
        help_text="The address it names (house, building, unit and household plates).",
    )  # fmt: skip
    text = models.CharField(max_length=300, help_text="The Chinese it shows, captured from the record.")
    romanization = models.CharField(max_length=300, blank=True, help_text="Toneless, from the romanization engine.")
    number_text = models.CharField(max_length=60, blank=True, help_text="On plates: the number it shows (12-1号).")
    text_outdated_since = models.DateTimeField(
        null=True, blank=True, help_text="Since when the record it names says otherwise (renamed, renumbered)."
    )
    expected_text = models.CharField(
        max_length=400, blank=True, help_text="What the record now asks the sign to show, while outdated."
    )
    geom = models.PointField(srid=STORAGE_SRID, spatial_index=False, help_text=f"Where it stands, {STORAGE_CRS_LABEL}.")
    county = models.ForeignKey(
        "boundaries.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The county-level unit it stands in (kept on every save; its officers keep it).",
    )  # fmt: skip
    facing_deg = models.FloatField(null=True, blank=True, help_text="Which way its face looks, degrees from north.")
    width_mm = models.PositiveIntegerField(null=True, blank=True)
    height_mm = models.PositiveIntegerField(null=True, blank=True)
    material = models.CharField(max_length=16, choices=Material.choices, blank=True)
    ground_colour = models.CharField(max_length=30, default="blue", help_text="底色")
    ink_colour = models.CharField(max_length=30, default="white", help_text="字色")
    maker = models.CharField(max_length=200, blank=True, help_text="制作单位")
    installed_on = models.DateField(null=True, blank=True)
    condition = models.CharField(max_length=8, choices=Condition.choices, default=Condition.GOOD)
    last_inspected_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.IN_PLACE)
    removed_on = models.DateField(null=True, blank=True)
    removed_reason = models.TextField(blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="示例: the record it names is synthetic.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["number"]
        indexes = [
            GistIndex(fields=["geom"], name="sign_geom_gist"),
            models.Index(fields=["county", "kind"], name="sign_county_kind_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(place__isnull=False, house_number__isnull=True)
                | Q(place__isnull=True, house_number__isnull=False),
                name="sign_names_one_record",
            ),
            models.CheckConstraint(
                condition=Q(facing_deg__isnull=True) | Q(facing_deg__gte=0, facing_deg__lt=360),
                name="sign_facing_range",
            ),
            models.CheckConstraint(
                condition=~Q(status="removed") | (Q(removed_on__isnull=False) & ~Q(removed_reason="")),
                name="sign_removed_with_reason",
            ),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="sign_geom_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.text}{self.number_text}{' (示例)' if self.is_synthetic else ''}"


class SignVersion(RecordVersion):
    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="sign_versions")
    geom = models.PointField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["sign", "version"]
        constraints = [models.UniqueConstraint(fields=["sign", "version"], name="signversion_unique")]


def sign_photo_storage():
    from django.core.files.storage import FileSystemStorage

    return FileSystemStorage(base_url="/api/v1/signs/")


class SignPhoto(models.Model):
    """A photo of a sign, taken through core.photos (the original for staff, a copy without metadata)."""

    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(max_length=200, storage=sign_photo_storage, help_text="The original (EXIF kept).")
    public_file = models.FileField(max_length=200, storage=sign_photo_storage, help_text="Without metadata.")
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=4)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField()
    taken_at = models.DateTimeField(null=True, blank=True)
    exif_position = models.PointField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)
    caption = models.CharField(max_length=500, blank=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="sign_photos")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["sign", "uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["sign", "sha256"], name="signphoto_one_row_per_photo")]

    def __str__(self) -> str:
        return f"{self.sign_id} photo {self.pk}"


class RenewalCampaign(VersionedRecord):
    record_kind = "sign campaign"
    record_key = "number"

    class Status(models.TextChoices):
        OPEN = "open", "进行中 open"
        CLOSED = "closed", "已结束 closed"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. HX-2026-0001")
    year = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    criteria = models.JSONField(default=dict, help_text="What selected the signs (area, kinds, conditions, age).")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-year", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class ProductionOrder(VersionedRecord):
    """制作订单: the signs of one campaign that one maker makes."""

    record_kind = "sign order"
    record_key = "number"

    class Status(models.TextChoices):
        OPEN = "open", "进行中 open"
        DONE = "done", "已完成 every sign accepted or dropped"

    number = models.CharField(max_length=20, unique=True, help_text="e.g. DD-2026-0001")
    campaign = models.ForeignKey(RenewalCampaign, on_delete=models.PROTECT, related_name="orders")
    maker = models.CharField(max_length=200)
    ordered_on = models.DateField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-ordered_on", "number"]

    def __str__(self) -> str:
        return f"{self.number} {self.maker}"


class RenewalItem(VersionedRecord):
    """One sign in a campaign, and how far its renewal has come (each step dated, with who took it)."""

    record_kind = "sign renewal"

    class Step(models.TextChoices):
        SELECTED = "selected", "已选定 selected"
        ORDERED = "ordered", "已订制 ordered"
        MADE = "made", "已制作 made"
        INSTALLED = "installed", "已安装 installed"
        ACCEPTED = "accepted", "已验收 accepted"
        DROPPED = "dropped", "已撤出 dropped"

    campaign = models.ForeignKey(RenewalCampaign, on_delete=models.PROTECT, related_name="items")
    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="renewals")
    order = models.ForeignKey(ProductionOrder, null=True, blank=True, on_delete=models.PROTECT, related_name="items")
    county = models.ForeignKey(
        "boundaries.AdminUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="The county the sign stands in (the dashboard's district).",
    )  # fmt: skip
    kind = models.CharField(max_length=12, choices=Sign.Kind.choices, help_text="The sign's kind when selected.")
    why = models.CharField(max_length=300)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.SELECTED)
    ordered_on = models.DateField(null=True, blank=True)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    made_on = models.DateField(null=True, blank=True)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    installed_on = models.DateField(null=True, blank=True)
    installed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_on = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    dropped_reason = models.TextField(blank=True)
    selected_on = models.DateField()
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["campaign", "sign__number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "sign"], name="renewal_once_per_campaign"),
            models.CheckConstraint(
                condition=~Q(step="accepted") | Q(accepted_on__isnull=False), name="renewal_accepted_has_day"
            ),
            models.CheckConstraint(
                condition=~Q(step="dropped") | ~Q(dropped_reason=""), name="renewal_dropped_with_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.sign_id} {self.step}"
