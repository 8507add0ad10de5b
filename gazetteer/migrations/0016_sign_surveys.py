import django.contrib.gis.db.models.fields
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gazetteer", "0015_renumbering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SignSurvey",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "client_id",
                    models.UUIDField(
                        help_text="Made on the phone: the same survey sent twice is one row.", unique=True
                    ),
                ),
                ("surveyed_on", models.DateField()),
                (
                    "condition",
                    models.CharField(
                        choices=[
                            ("good", "完好 good"),
                            ("faded", "褪色 faded"),
                            ("damaged", "损坏 damaged"),
                            ("missing", "缺失 missing"),
                        ],
                        help_text="The condition found.",
                        max_length=8,
                    ),
                ),
                ("notes", models.TextField(blank=True)),
                (
                    "position",
                    django.contrib.gis.db.models.fields.PointField(
                        blank=True, help_text="Where the phone was (GPS).", null=True, spatial_index=False, srid=4490
                    ),
                ),
                (
                    "sign_version",
                    models.PositiveIntegerField(
                        blank=True,
                        help_text="The sign's version after the survey (unchanged: the version it was).",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "sign",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="surveys", to="gazetteer.sign"
                    ),
                ),
                (
                    "surveyor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
                ("photos", models.ManyToManyField(blank=True, related_name="surveys", to="gazetteer.signphoto")),
            ],
            options={
                "ordering": ["sign", "-surveyed_on", "-created_at"],
                "indexes": [models.Index(fields=["sign", "surveyed_on"], name="signsurvey_sign_day_idx")],
            },
        ),
    ]
