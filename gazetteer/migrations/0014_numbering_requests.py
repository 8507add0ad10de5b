import django.contrib.gis.db.models.fields
import django.contrib.postgres.indexes
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0013_address_search")]

    operations = [
        migrations.CreateModel(
            name="NumberingRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(default=1)),
                ("number", models.CharField(help_text="受理编号, e.g. MQ-2026-0001", max_length=20, unique=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("submitted", "已受理 submitted"),
                            ("checked", "已核查 site checked"),
                            ("numbered", "已编号 numbered"),
                            ("certified", "已发证 certified"),
                            ("rejected", "不予编号 rejected"),
                            ("withdrawn", "撤回 withdrawn"),
                        ],
                        default="submitted",
                        max_length=10,
                    ),
                ),
                (
                    "applicant",
                    models.CharField(help_text="申请人: the owner, developer or organisation", max_length=200),
                ),
                (
                    "applicant_kind",
                    models.CharField(
                        choices=[
                            ("owner", "产权人 owner"),
                            ("developer", "开发单位 developer"),
                            ("unit", "单位 organisation"),
                        ],
                        max_length=10,
                    ),
                ),
                ("applicant_contact", models.CharField(blank=True, help_text="联系方式 (staff only)", max_length=200)),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.PointField(
                        help_text="The entrance, CGCS2000 (EPSG:4490)", spatial_index=False, srid=4490
                    ),
                ),
                (
                    "building_name",
                    models.CharField(blank=True, help_text="The building (楼宇、院落) to number", max_length=200),
                ),
                (
                    "documents",
                    models.JSONField(
                        blank=True,
                        default=list,
                        help_text='Property documents cited: [{"kind": "不动产权证", "number": "..."}]',
                    ),
                ),
                ("former_address", models.CharField(blank=True, help_text="原地址", max_length=200)),
                (
                    "conditions",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='The conditions confirmed at the site check: {"lawful_building": {"by", "at"}, ...}',
                    ),
                ),
                ("site_check", models.TextField(blank=True, help_text="现场核查: what the officer found")),
                (
                    "certificate_number",
                    models.CharField(blank=True, help_text="证明编号", max_length=20, null=True, unique=True),
                ),
                ("certified_on", models.DateField(blank=True, help_text="发证日期", null=True)),
                ("certificate_pdf", models.BinaryField(blank=True, help_text="The certificate as made", null=True)),
                ("decision_reason", models.TextField(blank=True, help_text="Why it was rejected or withdrawn")),
                ("submitted_at", models.DateTimeField(auto_now_add=True)),
                ("stepped_at", models.DateTimeField(help_text="When the last step was taken (the inbox's 'since')")),
                (
                    "building",
                    models.ForeignKey(
                        blank=True,
                        help_text="The building's place record, where it has one",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="gazetteer.place",
                    ),
                ),
                (
                    "county",
                    models.ForeignKey(
                        help_text="The county-level unit the entrance lies in",
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="boundaries.adminunit",
                    ),
                ),
                (
                    "house_number",
                    models.ForeignKey(
                        blank=True,
                        help_text="The number the engine gave",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="requests",
                        to="gazetteer.housenumber",
                    ),
                ),
                (
                    "road",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="numbering_requests",
                        to="gazetteer.road",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-submitted_at", "-id"],
            },
        ),
        migrations.CreateModel(
            name="NumberingRequestVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField()),
                ("data", models.JSONField(help_text="Attributes after the change (geometry in `geom`).")),
                (
                    "geom",
                    django.contrib.gis.db.models.fields.PointField(
                        blank=True, null=True, spatial_index=False, srid=4490
                    ),
                ),
                (
                    "changeset",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="numbering_request_versions",
                        to="core.changeset",
                    ),
                ),
                (
                    "request",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="gazetteer.numberingrequest",
                    ),
                ),
            ],
            options={
                "ordering": ["request", "version"],
            },
        ),
        migrations.AddIndex(
            model_name="numberingrequest",
            index=django.contrib.postgres.indexes.GistIndex(fields=["geom"], name="numberingrequest_geom_gist"),
        ),
        migrations.AddIndex(
            model_name="numberingrequest",
            index=models.Index(fields=["status", "county"], name="numberingrequest_status_idx"),
        ),
        migrations.AddConstraint(
            model_name="numberingrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "certified"), _negated=True),
                    models.Q(
                        ("certificate_number__isnull", False),
                        ("certified_on__isnull", False),
                        ("house_number__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="numberingrequest_certified_complete",
            ),
        ),
        migrations.AddConstraint(
            model_name="numberingrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status__in", ["rejected", "withdrawn"]), _negated=True),
                    models.Q(("decision_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="numberingrequest_ended_with_reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="numberingrequestversion",
            constraint=models.UniqueConstraint(fields=("request", "version"), name="numberingrequestversion_unique"),
        ),
    ]
