"""Standard place-name records (地名).

A Place is identified for life by its 20-digit place code (6 county + 3 township + 5 category +
6 serial), which survives every rename. The record grows with the gazetteer issue (names as typed
rows, romanization, the naming workflow); the platform loads settlements into it.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import Q

from boundaries.models import AdminUnit
from core.models import DataSource
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID


class Category(models.Model):
    """Place-name category (data/reference/categories.csv): twelve top classes and sub-classes."""

    code = models.CharField(max_length=5, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name_zh = models.CharField(max_length=60)
    name_en = models.CharField(max_length=80)
    geometry = models.CharField(max_length=10, default="any", help_text="Expected geometry: point, line, polygon, any.")

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"


class Place(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "拟用 proposed"
        IN_USE = "in_use", "现用 in use"
        HISTORICAL = "historical", "历史 historical"

    code = models.CharField(max_length=20, unique=True, help_text="20-digit place code; never changes.")
    name = models.CharField(max_length=200, help_text="Current standard name (标准名称).")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="places")
    unit = models.ForeignKey(
        AdminUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="places",
        help_text="Containing administrative unit (the lowest known).",
    )
    geom = models.GeometryField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"Location, {STORAGE_CRS_LABEL}: point, line or polygon.",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IN_USE)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    is_public = models.BooleanField(default=True)
    is_synthetic = models.BooleanField(default=False, help_text="Demonstration data made by this project, not real.")
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    source_ref = models.CharField(max_length=100, blank=True, help_text="Identifier in the source, e.g. GeoNames id.")
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        indexes = [GistIndex(fields=["geom"], name="place_geom_gist")]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{20}$"), name="place_code_20_digits"),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="place_geom_valid"),
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=~Q(source_ref=""), name="place_source_ref_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def validate_constraints(self, exclude=None):
        # Geometry validity is a database check Django cannot evaluate in Python; forms check it themselves.
        super().validate_constraints(exclude={*(exclude or ()), "geom"})


class PlaceVersion(models.Model):
    """The state of a place record after each change, made by one changeset."""

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    changeset = models.ForeignKey("core.Changeset", on_delete=models.PROTECT, related_name="place_versions")
    data = models.JSONField(help_text="Attributes after the change (geometry in `geom`).")
    geom = models.GeometryField(srid=STORAGE_SRID, null=True, blank=True, spatial_index=False)

    class Meta:
        ordering = ["place", "version"]
        constraints = [models.UniqueConstraint(fields=["place", "version"], name="placeversion_unique")]

    def __str__(self) -> str:
        return f"{self.place_id} v{self.version}"
