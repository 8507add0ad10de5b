"""Derived data of the vector tiles: the generalised geometry per zoom band, and the tile cache.

Both are derived from the records (boundaries, gazetteer) by tiles.vector and may be deleted and
rebuilt at any time; no record lives here."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.db.models import F, Q
from django.db.models.functions import Now

from core.srid import TILE_SRID

TILE_CRS_LABEL = f"EPSG:{TILE_SRID} (Web Mercator, metres)"


class GeneralisedGeometry(models.Model):
    """The geometry of one source object simplified for one zoom band, in the tile CRS.

    Built by tiles.vector.generalise: the county polygons and the neighbouring prefectures as one coverage
    (shapely.coverage_simplify, so shared edges stay shared), the city as the union of its simplified
    counties, the boundary lines as the simplified coverage's edges between their parties. Polygons and
    lines share the table, hence the generic geometry type."""

    class Kind(models.TextChoices):
        UNIT = "unit", "administrative unit (boundaries.AdminUnit)"
        LINE = "line", "boundary line (boundaries.BoundaryLine)"
        CONTEXT = "context", "context area (boundaries.ContextArea)"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    source_id = models.BigIntegerField(help_text="Id of the AdminUnit, BoundaryLine or ContextArea.")
    band = models.PositiveSmallIntegerField(help_text="Index of the zoom band (tiles.vector.generalise.BANDS).")
    min_zoom = models.PositiveSmallIntegerField()
    max_zoom = models.PositiveSmallIntegerField()
    tolerance_m = models.FloatField(help_text="Simplification tolerance in metres of the tile CRS.")
    geom = models.GeometryField(
        srid=TILE_SRID, spatial_index=False, help_text=f"MultiPolygon or MultiLineString, {TILE_CRS_LABEL}."
    )
    label_point = models.PointField(
        srid=TILE_SRID, null=True, blank=True, spatial_index=False, help_text="Where a context area is labelled."
    )
    vertices = models.PositiveIntegerField()

    class Meta:
        ordering = ["kind", "source_id", "band"]
        indexes = [GistIndex(fields=["geom"], name="generalised_geom_gist")]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source_id", "band"], name="generalised_one_per_band"),
            models.CheckConstraint(condition=Q(min_zoom__lte=F("max_zoom")), name="generalised_zooms_ordered"),
            models.CheckConstraint(condition=Q(geom__isvalid=True), name="generalised_geom_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_id} z{self.min_zoom}-{self.max_zoom}"

    def validate_constraints(self, exclude=None):
        super().validate_constraints(exclude={*(exclude or ()), "geom"})


class GeneralisationBuild(models.Model):
    """One run of the generalisation that changed something; ``digest`` identifies its inputs, so that a
    run over unchanged inputs does nothing."""

    digest = models.CharField(max_length=64, help_text="sha256 of the input geometries and the band settings.")
    built_at = models.DateTimeField(auto_now_add=True)
    rows_changed = models.PositiveIntegerField()
    tiles_dropped = models.PositiveIntegerField()
    seconds = models.FloatField()

    class Meta:
        ordering = ["-built_at", "-id"]
        get_latest_by = ["built_at", "id"]

    def __str__(self) -> str:
        return f"{self.digest[:12]} at {self.built_at:%Y-%m-%d %H:%M}"


class CachedTile(models.Model):
    """A tile as served, made on its first request. ``envelope`` is the area the tile is drawn from (its
    envelope plus the buffer): an edit drops exactly the tiles whose envelope meets its bounding box."""

    z = models.PositiveSmallIntegerField()
    x = models.PositiveIntegerField()
    y = models.PositiveIntegerField()
    data = models.BinaryField(help_text="The MVT bytes (protobuf, not compressed).")
    etag = models.CharField(max_length=64, help_text="sha256 of the bytes, hexadecimal.")
    envelope = models.PolygonField(srid=TILE_SRID, spatial_index=False, help_text=f"{TILE_CRS_LABEL}.")
    created_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [GistIndex(fields=["envelope"], name="cachedtile_envelope_gist")]
        constraints = [models.UniqueConstraint(fields=["z", "x", "y"], name="cachedtile_one_per_tile")]

    def __str__(self) -> str:
        return f"{self.z}/{self.x}/{self.y}"
