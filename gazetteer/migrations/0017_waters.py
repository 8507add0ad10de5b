# Rivers and lakes as a small-scale source drew them (gazetteer/models_waters.py).
import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_datasource_official_names"),
        ("gazetteer", "0016_sign_surveys"),
    ]

    operations = [
        migrations.CreateModel(
            name="Water",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("river", "河流 river"), ("lake", "湖泊 lake")], max_length=8)),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.GeometryField(
                        help_text="LineString/MultiLineString or (Multi)Polygon.", srid=4490
                    ),
                ),
                (
                    "source_ref",
                    models.CharField(help_text="Stable id within the source's load (its pieces' ids).", max_length=100),
                ),
                (
                    "scale_denominator",
                    models.PositiveIntegerField(
                        help_text="The source's scale (3,000,000 for GSHHG): small-scale geometry, never a survey."
                    ),
                ),
                (
                    "length_m",
                    models.FloatField(blank=True, help_text="Length inside the territory (rivers).", null=True),
                ),
                ("area_m2", models.FloatField(blank=True, help_text="Area inside the territory (lakes).", null=True)),
                ("counties", models.JSONField(default=list, help_text="Codes of the county-level units it touches.")),
                (
                    "naming_rule",
                    models.CharField(
                        blank=True,
                        help_text="How the name was attached (the rule and its figures), or who named it.",
                        max_length=300,
                    ),
                ),
                ("loaded_at", models.DateTimeField(auto_now_add=True)),
                ("retired_at", models.DateTimeField(blank=True, null=True)),
                (
                    "place",
                    models.ForeignKey(
                        blank=True,
                        help_text="The place record that names it (None: unnamed in the installed sources).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="waters",
                        to="gazetteer.place",
                    ),
                ),
                (
                    "source",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="core.datasource"
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "source_ref"],
                "indexes": [django.contrib.postgres.indexes.GistIndex(fields=["geom"], name="water_geom_gist")],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("retired_at__isnull", True)),
                        fields=("source", "source_ref"),
                        name="water_one_live_row",
                    ),
                    models.CheckConstraint(condition=models.Q(("geom__isvalid", True)), name="water_geom_valid"),
                ],
            },
        ),
    ]
