# Photos of boundary markers (boundaries.models_photos.MarkerPhoto).

import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import boundaries.models_photos


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0006_marker_events")]

    operations = [
        migrations.CreateModel(
            name="MarkerPhoto",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "file",
                    models.FileField(
                        help_text="The original as received (EXIF kept): staff only.",
                        max_length=200,
                        storage=boundaries.models_photos.photo_storage,
                        upload_to="",
                    ),
                ),
                (
                    "public_file",
                    models.FileField(
                        help_text="Re-encoded, orientation applied, no metadata at all.",
                        max_length=200,
                        storage=boundaries.models_photos.photo_storage,
                        upload_to="",
                    ),
                ),
                (
                    "sha256",
                    models.CharField(help_text="Of the original's bytes: the same photo is one row.", max_length=64),
                ),
                (
                    "format",
                    models.CharField(choices=[("JPEG", "JPEG"), ("PNG", "PNG"), ("WEBP", "WebP")], max_length=4),
                ),
                ("width", models.PositiveIntegerField(help_text="Pixels, as the photo is seen (orientation applied).")),
                ("height", models.PositiveIntegerField()),
                ("size_bytes", models.PositiveIntegerField(help_text="Of the original.")),
                (
                    "taken_at",
                    models.DateTimeField(blank=True, help_text="From EXIF (DateTimeOriginal), where given.", null=True),
                ),
                (
                    "exif_position",
                    django.contrib.gis.db.models.fields.PointField(
                        blank=True,
                        help_text="Where the photo's EXIF GPS puts it, CGCS2000 (EPSG:4490) (EXIF's WGS84 as is).",
                        null=True,
                        spatial_index=False,
                        srid=4490,
                    ),
                ),
                ("caption", models.CharField(blank=True, max_length=500)),
                (
                    "source",
                    models.CharField(
                        blank=True,
                        choices=[("register", "登记 register"), ("inspection", "联检 inspection")],
                        max_length=12,
                        null=True,
                    ),
                ),
                ("uploaded_at", models.DateTimeField(auto_now_add=True)),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                ("retired_reason", models.TextField(blank=True)),
                (
                    "changeset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="marker_photos", to="core.changeset"
                    ),
                ),
                (
                    "marker",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="photos",
                        to="boundaries.boundarymarker",
                    ),
                ),
                (
                    "retired_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "retired_changeset",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="retired_marker_photos",
                        to="core.changeset",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["marker", "uploaded_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("marker", "sha256"), name="markerphoto_one_row_per_photo"),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("retired_at__isnull", True), ("retired_by__isnull", True), ("retired_reason", "")
                            ),
                            models.Q(
                                ("retired_at__isnull", False),
                                ("retired_by__isnull", False),
                                models.Q(("retired_reason", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="markerphoto_retired_whole",
                    ),
                ],
            },
        ),
    ]
