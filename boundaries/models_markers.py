"""Boundary markers (界桩) and their reference objects (方位物): the marker registry.

A marker stands on (or, with a stated reason, near) one boundary line. Its number is the line's prefix
(boundaries.services.markers_registry.number_prefix: the agreement's number where the line has one,
else the line's internal code; county-level line codes are not fixed by any text found), a 3-digit
sequence and a type letter: Q single (单立), A/B a pair with one number (同号双立), C/D/E a triple at a
tri-point (同号三立) (GB/T 17796-2009, domain/boundaries.md §2). Every change goes through
boundaries.services.markers_registry, which versions it in a changeset; a marker is abolished, never
deleted. Reference objects are the marker's own rows: the registry replaces them as a whole and keeps
every set in the marker's version rows.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q

from core.models import Changeset
from core.records import RecordVersion, VersionedRecord
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["BoundaryMarker", "BoundaryMarkerVersion", "ReferenceObject"]

MAX_SEQUENCE = 999


class BoundaryMarker(VersionedRecord):
    """A boundary marker: its number, kind, grade, make, position and state."""

    record_kind = "marker"
    record_key = "number"

    class Kind(models.TextChoices):
        Q = "Q", "Q 单立 single"
        A = "A", "A 同号双立 paired (the side with the smaller code)"
        B = "B", "B 同号双立 paired (the other side)"
        C = "C", "C 同号三立 triple"
        D = "D", "D 同号三立 triple"
        E = "E", "E 同号三立 triple"

    class Grade(models.TextChoices):
        PROVINCE = "province", "省级 province"
        CITY = "city", "市级 city"
        COUNTY = "county", "县级 county"
        TOWNSHIP = "township", "乡级 township"

    class Shape(models.TextChoices):
        TWO_FACED = "two_faced", "双面 two-faced"
        THREE_FACED = "three_faced", "三面 three-faced"

    class Material(models.TextChoices):
        GRANITE = "granite", "花岗岩 granite"
        CONCRETE = "reinforced_concrete", "钢筋混凝土 reinforced concrete"
        OTHER = "other", "其他 other"

    class Status(models.TextChoices):
        INTACT = "intact", "完好 intact"
        DAMAGED = "damaged", "损坏 damaged"
        LOST = "lost", "丢失 lost"
        MOVED = "moved", "移位 moved (found away from its registered position)"
        ABOLISHED = "abolished", "废止 abolished"

    line = models.ForeignKey("boundaries.BoundaryLine", on_delete=models.PROTECT, related_name="markers")
    number = models.CharField(
        max_length=120, unique=True, help_text="界桩号: line prefix + 3-digit sequence + type letter; never reused."
    )
    sequence = models.PositiveSmallIntegerField(help_text="1..999 along the line; a pair or triple shares one.")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    grade = models.CharField(max_length=10, choices=Grade.choices)
    shape = models.CharField(max_length=12, choices=Shape.choices, default=Shape.TWO_FACED)
    material = models.CharField(max_length=20, choices=Material.choices, default=Material.GRANITE)
    geom = models.PointField(srid=STORAGE_SRID, spatial_index=False, help_text=f"Position, {STORAGE_CRS_LABEL}.")
    elevation_m = models.FloatField(null=True, blank=True, help_text="高程, metres (1985 national height datum).")
    position_description = models.TextField(blank=True, help_text="位置说明")
    distance_along_m = models.FloatField(
        help_text="Metres along the line from its start to the nearest point to the marker (kept on every save)."
    )
    off_line_reason = models.TextField(
        blank=True, help_text="Why the marker stands farther from its line than MARKER_LINE_TOLERANCE_M."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INTACT)
    set_on = models.DateField(null=True, blank=True, help_text="埋设日期: the day the marker was set.")
    abolished_on = models.DateField(null=True, blank=True)
    is_synthetic = models.BooleanField(default=False, help_text="A demonstration marker (示例), not a real one.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["line", "sequence", "kind"]
        indexes = [GistIndex(fields=["geom"], name="boundarymarker_geom_gist")]
        constraints = [
            models.UniqueConstraint(fields=["line", "sequence", "kind"], name="boundarymarker_line_number_unique"),
            models.CheckConstraint(
                condition=Q(sequence__gte=1, sequence__lte=MAX_SEQUENCE), name="boundarymarker_sequence_range"
            ),
            models.CheckConstraint(condition=Q(distance_along_m__gte=0), name="boundarymarker_distance_along"),
            models.CheckConstraint(
                condition=Q(abolished_on__isnull=True) | Q(set_on__isnull=True) | Q(abolished_on__gte=F("set_on")),
                name="boundarymarker_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}{' (示例)' if self.is_synthetic else ''}"


class BoundaryMarkerVersion(RecordVersion):
    """The state of a marker after each change (with its reference objects in ``data``)."""

    marker = models.ForeignKey(BoundaryMarker, on_delete=models.PROTECT, related_name="versions")
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="marker_versions")
    geom = models.PointField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["marker", "version"]
        constraints = [models.UniqueConstraint(fields=["marker", "version"], name="boundarymarkerversion_unique")]

    def __str__(self) -> str:
        return f"{self.marker_id} v{self.version}"


class ReferenceObject(models.Model):
    """方位物: a fixed, conspicuous object that helps find the marker, by grid bearing (坐标方位角, in the
    marker's 3-degree Gauss-Kruger plane) and distance from the marker. With a known position the
    registry computes both from it; entered by hand, they are checked against a position given too."""

    marker = models.ForeignKey(BoundaryMarker, on_delete=models.CASCADE, related_name="reference_objects")
    order = models.PositiveSmallIntegerField(help_text="1, 2, 3, ... (一号、二号、三号方位物)")
    name = models.CharField(max_length=200)
    measured_part = models.CharField(
        max_length=200, blank=True, help_text="The part of a large object measured to (e.g. 东南角)."
    )
    bearing_deg = models.FloatField(help_text="Grid bearing from the marker, decimal degrees, 0 <= b < 360.")
    distance_m = models.FloatField(help_text="Distance from the marker, metres.")
    geom = models.PointField(
        srid=STORAGE_SRID, null=True, blank=True, spatial_index=False, help_text=f"Where known, {STORAGE_CRS_LABEL}."
    )

    class Meta:
        ordering = ["marker", "order"]
        constraints = [
            models.UniqueConstraint(fields=["marker", "order"], name="referenceobject_order_unique"),
            models.CheckConstraint(
                condition=Q(bearing_deg__gte=0, bearing_deg__lt=360), name="referenceobject_bearing"
            ),
            models.CheckConstraint(condition=Q(distance_m__gt=0), name="referenceobject_distance"),
        ]

    def __str__(self) -> str:
        return f"{self.marker_id} #{self.order} {self.name}"
