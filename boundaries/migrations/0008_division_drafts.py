# Draft division changes (boundaries.models_drafts.DivisionDraft).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0007_marker_photos")]

    operations = [
        migrations.CreateModel(
            name="DivisionDraft",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("version", models.PositiveIntegerField(default=1)),
                ("number", models.CharField(help_text="e.g. QH-2026-0001", max_length=20, unique=True)),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("merge", "合并 merge"),
                            ("split", "拆分 split"),
                            ("transfer", "划转 transfer of villages or other units"),
                            ("rename", "更名 rename"),
                            ("abolish", "撤销 abolish"),
                            ("boundary_adjustment", "行政区域界线变更 boundary adjustment"),
                        ],
                        max_length=24,
                    ),
                ),
                ("title", models.CharField(help_text="e.g. 海林农场并入海林镇", max_length=200)),
                ("reason", models.TextField(help_text="Why: recorded in the change history.")),
                (
                    "steps",
                    models.JSONField(
                        default=list,
                        help_text="The steps, in the service's words: establish / transfer / rename / abolish, each naming its unit by code and its new parent, name, level or code (boundaries.services.division_drafts).",
                    ),
                ),
                (
                    "effective_date",
                    models.DateField(
                        blank=True,
                        help_text="The day the change takes effect (the old state ends the day before).",
                        null=True,
                    ),
                ),
                (
                    "basis_authority",
                    models.CharField(blank=True, help_text="批准机关 approving authority", max_length=200),
                ),
                ("basis_document", models.CharField(blank=True, help_text="批准文号 document number", max_length=100)),
                ("basis_date", models.DateField(blank=True, help_text="批准日期 date of the approval", null=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "草案 draft"),
                            ("approved", "已批准 approved"),
                            ("rejected", "不同意 rejected"),
                            ("withdrawn", "撤回 withdrawn"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("drafted_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                ("decided_at", models.DateTimeField(blank=True, null=True)),
                ("decision_note", models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")),
                (
                    "changeset",
                    models.ForeignKey(
                        blank=True,
                        help_text="The changeset that applied it: its DivisionChange rows and unit versions.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="core.changeset",
                    ),
                ),
                (
                    "applied_preview",
                    models.JSONField(
                        blank=True,
                        help_text="The preview as it stood when the draft was approved (kept as shown).",
                        null=True,
                    ),
                ),
                (
                    "decided_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "drafted_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL
                    ),
                ),
            ],
            options={
                "ordering": ["-drafted_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "approved"), _negated=True),
                            models.Q(
                                ("basis_date__isnull", False),
                                ("changeset__isnull", False),
                                ("effective_date__isnull", False),
                                models.Q(("basis_authority", ""), _negated=True),
                                models.Q(("basis_document", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="divisiondraft_approved_cites_basis",
                    )
                ],
            },
        ),
    ]
