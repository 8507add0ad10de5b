"""Rivers and lakes as a small-scale source drew them (GSHHG), named or not.

A ``Water`` is geometry with its provenance: a whole river line (the source's pieces merged across its
bin edges) or a lake polygon, clipped to the territory. It is drawn on the maps whether or not it has a
name. Its name is a place record (河流 02100, 湖泊 02200) linked by ``place``: given by a stated matching
rule against a named source, or by an officer with a citation; never guessed. A re-load retires rows
whose geometry the source no longer has (``retired_at``) and adds new ones; nothing is deleted.
"""

from __future__ import annotations

from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex

from core.models import DataSource
from core.srid import STORAGE_SRID

__all__ = ["Water"]


class Water(models.Model):
    class Kind(models.TextChoices):
        RIVER = "river", "河流 river"
        LAKE = "lake", "湖泊 lake"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    geom = models.GeometryField(srid=STORAGE_SRID, help_text="LineString/MultiLineString or (Multi)Polygon.")
    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="+")
    source_ref = models.CharField(max_length=100, help_text="Stable id within the source's load (its pieces' ids).")
    scale_denominator = models.PositiveIntegerField(
        help_text="The source's scale (3,000,000 for GSHHG): small-scale geometry, never a survey."
    )
    length_m = models.FloatField(null=True, blank=True, help_text="Length inside the territory (rivers).")
    area_m2 = models.FloatField(null=True, blank=True, help_text="Area inside the territory (lakes).")
    counties = models.JSONField(default=list, help_text="Codes of the county-level units it touches.")
    place = models.ForeignKey(
        "gazetteer.Place",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="waters",
        help_text="The place record that names it (None: unnamed in the installed sources).",
    )
    naming_rule = models.CharField(
        max_length=300, blank=True, help_text="How the name was attached (the rule and its figures), or who named it."
    )
    loaded_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "source_ref"]
        indexes = [GistIndex(fields=["geom"], name="water_geom_gist")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_ref"], condition=models.Q(retired_at__isnull=True), name="water_one_live_row"
            ),
            models.CheckConstraint(condition=models.Q(geom__isvalid=True), name="water_geom_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.source_ref}" + (f" ({self.place.name})" if self.place_id else "")
