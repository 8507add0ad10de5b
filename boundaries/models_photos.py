"""Photos of boundary markers (界桩照片), from the register or from a joint inspection's field check.

A photo is taken only through core.photos (magic bytes, size and pixel limits, EXIF read) and kept by
boundaries.services.marker_photos, the only writer of these rows: the original as received, for the
bureau's staff, and a public copy re-encoded without any metadata (no EXIF, GPS, ICC), which is served
only for a synthetic demonstration marker (no real marker is public). Both files live under MEDIA_ROOT
at random names and are never served from there: their URLs lead to the API views that ask who reads
(boundaries.api_marker_photos). The same photo twice for a marker is one row (sha256). A photo is
retired with a reason, never deleted, and its files stay.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.files.storage import FileSystemStorage
from django.db.models import Q

from core.models import Changeset
from core.srid import STORAGE_CRS_LABEL, STORAGE_SRID

__all__ = ["MarkerPhoto"]

PHOTO_FOLDER = "marker_photos"


def photo_storage() -> FileSystemStorage:
    """Under MEDIA_ROOT (read when a file is opened, so a test's MEDIA_ROOT holds), never served from it."""
    return FileSystemStorage(base_url="/api/v1/boundary-markers/")


class MarkerPhoto(models.Model):
    class Format(models.TextChoices):
        JPEG = "JPEG", "JPEG"
        PNG = "PNG", "PNG"
        WEBP = "WEBP", "WebP"

    class Source(models.TextChoices):
        REGISTER = "register", "登记 register"
        INSPECTION = "inspection", "联检 inspection"

    marker = models.ForeignKey("boundaries.BoundaryMarker", on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(
        max_length=200, storage=photo_storage, help_text="The original as received (EXIF kept): staff only."
    )
    public_file = models.FileField(
        max_length=200, storage=photo_storage, help_text="Re-encoded, orientation applied, no metadata at all."
    )
    sha256 = models.CharField(max_length=64, help_text="Of the original's bytes: the same photo is one row.")
    format = models.CharField(max_length=4, choices=Format.choices)
    width = models.PositiveIntegerField(help_text="Pixels, as the photo is seen (orientation applied).")
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveIntegerField(help_text="Of the original.")
    taken_at = models.DateTimeField(null=True, blank=True, help_text="From EXIF (DateTimeOriginal), where given.")
    exif_position = models.PointField(
        srid=STORAGE_SRID,
        null=True,
        blank=True,
        spatial_index=False,
        help_text=f"Where the photo's EXIF GPS puts it, {STORAGE_CRS_LABEL} (EXIF's WGS84 as is).",
    )
    caption = models.CharField(max_length=500, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices, null=True, blank=True)
    changeset = models.ForeignKey(Changeset, on_delete=models.PROTECT, related_name="marker_photos")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired_reason = models.TextField(blank=True)
    retired_changeset = models.ForeignKey(
        Changeset, null=True, blank=True, on_delete=models.PROTECT, related_name="retired_marker_photos"
    )

    class Meta:
        ordering = ["marker", "uploaded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["marker", "sha256"], name="markerphoto_one_row_per_photo"),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True, retired_by__isnull=True, retired_reason="")
                | Q(retired_at__isnull=False, retired_by__isnull=False) & ~Q(retired_reason=""),
                name="markerphoto_retired_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.marker_id} photo {self.pk}{' (retired)' if self.retired_at else ''}"
