"""Batch naming applications: one application (the head) leads a batch of others, its members, decided
together with one decision and one notice. Existing applications are single (no batch)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("gazetteer", "0009_place_standing"),
    ]

    operations = [
        migrations.AddField(
            model_name="namingapplication",
            name="batch",
            field=models.ForeignKey(
                blank=True,
                help_text="批次: the application leading the batch this name belongs to (one decision, one notice); "
                "empty for a single application and for the batch's head, which carries its first name.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="members",
                to="gazetteer.namingapplication",
            ),
        ),
        migrations.AddConstraint(
            model_name="namingapplication",
            constraint=models.CheckConstraint(
                condition=~models.Q(batch=models.F("id")), name="application_batch_not_itself"
            ),
        ),
    ]
