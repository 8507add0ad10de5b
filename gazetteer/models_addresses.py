"""Roads and house numbers (道路, 门牌): the register the numbering engine works on.

A road, street or lane is a Place (category 08100 道路、街、巷; a railway 08200) with line geometry: its
name, code, romanization, standing and history are the place's. ``Road`` adds what the place record
does not hold: the road's class (the bureau's road file: expressway ... lane, railway), its route number
(G11), and its numbering rule (each part empty: the city's rule, settings.HOUSE_NUMBERING).

A ``HouseNumber`` is one address on a road: the number, its sub-number (12-1: a building inserted
later), and inside a compound the building, unit and room; the entrance point it stands at, with its
distance along the road and its side (kept by gazetteer.services.house_numbers on every change); the
building it belongs to; its status and dates. Numbers are issued by the engine
(gazetteer.addressing.engine), never typed; a retired number is not issued again without a reason.
Synthetic demonstration numbers (on the demo streets) say so (``is_synthetic``) everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q

from core.models import Changeset, DataSource
from core.records import RecordVersion, VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["HouseNumber", "HouseNumberVersion", "Road", "RoadVersion"]


class Road(VersionedRecord):
    """A road's class and numbering rule; the rest of the road is its place record (``place``)."""

    record_kind = "road"

    class RoadClass(models.TextChoices):
        EXPRESSWAY = "expressway", "高速公路 expressway"
        NATIONAL = "national", "国道 national road"
        PROVINCIAL = "provincial", "省道 provincial road"
        COUNTY = "county", "县道 county road"
        URBAN = "urban", "城市道路 urban road"
        LANE = "lane", "巷、胡同 lane"
        RAILWAY = "railway", "铁路 railway"

    class NumberingFrom(models.TextChoices):
        AUTO = "auto", "按城市规则 the city's rule (by the road's direction)"
        START = "start", "从线的起点 from the line's first vertex"
        END = "end", "从线的终点 from the line's last vertex"

    class Side(models.TextChoices):
        CITY = "", "按城市规则 the city's rule"
        LEFT = "left", "左侧 left (facing the way the numbers increase)"
        RIGHT = "right", "右侧 right"

    place = models.OneToOneField("gazetteer.Place", on_delete=models.PROTECT, related_name="road")
    road_class = models.CharField(max_length=12, choices=RoadClass.choices, default=RoadClass.URBAN)
    route_ref = models.CharField(max_length=12, blank=True, help_text="Route number on shields, e.g. G11, S206")
    numbered = models.BooleanField(default=True, help_text="Takes house numbers (an expressway or railway does not)")
    numbering_from = models.CharField(max_length=5, choices=NumberingFrom.choices, default=NumberingFrom.AUTO)
    odd_side = models.CharField(max_length=5, choices=Side.choices, blank=True, default=Side.CITY)
    interval_m = models.FloatField(
        null=True, blank=True, help_text="Frontage per number on each side, metres (empty: the city's)"
    )
    reserved = models.JSONField(
        default=list,
        blank=True,
        help_text='Numbers kept back: [{"from": 30, "to": 40, "reason": "规划地块"}]; never issued by the engine',
    )
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    bureau_id = models.CharField(
        max_length=40,
        blank=True,
        help_text="The road's id in the bureau's road file (道路编码): a later import of that file matches it",
    )

    class Meta:
        ordering = ["place__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(interval_m__isnull=True) | Q(interval_m__gt=0), name="road_interval_positive"
            ),
            models.UniqueConstraint(fields=["bureau_id"], condition=~Q(bureau_id=""), name="road_bureau_id_unique"),
        ]

    def __str__(self) -> str:
        return str(self.place)

    @property
    def rule_interval_m(self) -> float:
        return self.interval_m or settings.HOUSE_NUMBERING["interval_m"]


class RoadVersion(RecordVersion):
    road = models.ForeignKey(Road, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="road_versions")

    class Meta:
        ordering = ["road", "version"]
        constraints = [models.UniqueConstraint(fields=["road", "version"], name="roadversion_unique")]


class HouseNumber(VersionedRecord):
    """One address: road + number (+ sub-number), and inside a compound building, unit and room."""

    record_kind = "house-number"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "拟编 proposed"
        ISSUED = "issued", "已发 issued"
        IN_USE = "in_use", "使用中 in use"
        RETIRED = "retired", "注销 retired"

    class Side(models.TextChoices):
        LEFT = "left", "左 left"
        RIGHT = "right", "右 right"

    road = models.ForeignKey(Road, on_delete=models.PROTECT, related_name="house_numbers")
    number = models.PositiveIntegerField(help_text="门牌号")
    suffix = models.PositiveSmallIntegerField(default=0, help_text="附号: 1 for 12-1 (0: none)")
    building_no = models.CharField(max_length=20, blank=True, help_text="楼号 inside a compound")
    unit_no = models.CharField(max_length=20, blank=True, help_text="单元号")
    room_no = models.CharField(max_length=20, blank=True, help_text="室号 (户号)")
    geom = models.PointField(srid=STORAGE_SRID, spatial_index=False, help_text=f"The entrance, {STORAGE_CRS_LABEL}")
    distance_m = models.FloatField(help_text="Metres along the road from where its numbers start to the entrance")
    side = models.CharField(max_length=5, choices=Side.choices, help_text="Facing the way the numbers increase")
    building = models.ForeignKey(
        "gazetteer.Place", null=True, blank=True, on_delete=models.PROTECT, related_name="house_numbers",
        help_text="The building (a place record) the number belongs to",
    )  # fmt: skip
    building_name = models.CharField(max_length=200, blank=True, help_text="The building, where it has no record")
    owner = models.CharField(max_length=200, blank=True, help_text="产权人 (staff only)")
    former_address = models.CharField(max_length=200, blank=True, help_text="原门牌地址")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    issued_on = models.DateField(null=True, blank=True)
    retired_on = models.DateField(null=True, blank=True)
    retired_reason = models.TextField(blank=True)
    reuse_reason = models.TextField(blank=True, help_text="Why a number once retired was issued again")
    is_synthetic = models.BooleanField(default=False, help_text="演示数据: made for the demonstration streets")
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["road", "number", "suffix", "building_no", "unit_no", "room_no"]
        indexes = [
            GistIndex(fields=["geom"], name="housenumber_geom_gist"),
            models.Index(fields=["road", "number"], name="housenumber_road_number_idx"),
        ]
        constraints = [
            # One current address per road, number, sub-number, building, unit and room; retired ones stay.
            models.UniqueConstraint(
                fields=["road", "number", "suffix", "building_no", "unit_no", "room_no"],
                condition=~Q(status="retired"),
                name="housenumber_current_unique",
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="housenumber_number_positive"),
            models.CheckConstraint(
                condition=~Q(status="retired") | (Q(retired_on__isnull=False) & ~Q(retired_reason="")),
                name="housenumber_retired_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def number_label(self) -> str:
        """12号, 12-1号"""
        return f"{self.number}-{self.suffix}号" if self.suffix else f"{self.number}号"

    @property
    def label(self) -> str:
        """The address as written: 太平路12-1号3号楼2单元301室."""
        parts = [self.road.place.name, self.number_label]
        if self.building_no:
            parts.append(f"{self.building_no}号楼")
        if self.unit_no:
            parts.append(f"{self.unit_no}单元")
        if self.room_no:
            parts.append(f"{self.room_no}室")
        return "".join(parts)


class HouseNumberVersion(RecordVersion):
    house_number = models.ForeignKey(HouseNumber, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="house_number_versions")
    geom = models.PointField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["house_number", "version"]
        constraints = [models.UniqueConstraint(fields=["house_number", "version"], name="housenumberversion_unique")]
