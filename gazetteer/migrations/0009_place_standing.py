"""A name's standing in law (standard, candidate, synthetic) and why a standard name is standard.

Existing records are sorted by the rule that decides new ones (gazetteer.services.standing): the
synthetic flag becomes the synthetic standing; a record from an official register of names is standard
and cites it; a record named through the procedure is standard and cites its decision; every other
record (GeoNames, records added before the procedure was enforced) is a candidate."""

from django.db import migrations, models
from django.db.models import Q

OFFICIAL_REGISTERS = ("mca-townships", "nbs-villages")


def sort_records(apps, schema_editor):
    DataSource = apps.get_model("core", "DataSource")
    Place = apps.get_model("gazetteer", "Place")
    NamingApplication = apps.get_model("gazetteer", "NamingApplication")
    DataSource.objects.filter(key__in=OFFICIAL_REGISTERS).update(official_names=True)
    Place.objects.filter(is_synthetic=True).update(standing="synthetic")
    Place.objects.filter(is_synthetic=False, source__official_names=True).update(
        standing="standard", standard_basis="official_source"
    )
    named = NamingApplication.objects.filter(
        kind__in=["name", "rename"], status="effective", place__is_synthetic=False
    ).exclude(authority="", document_number="")
    for application in named.order_by("decision_date", "pk"):
        Place.objects.filter(pk=application.place_id).update(
            standing="standard",
            standard_basis="procedure",
            decision_authority=application.authority,
            decision_document=application.document_number,
            decision_date=application.decision_date,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0007_datasource_official_names"),
        ("gazetteer", "0008_application_filing"),
    ]

    operations = [
        migrations.AddField(
            model_name="place",
            name="standing",
            field=models.CharField(
                choices=[
                    ("standard", "标准地名 standard name"),
                    ("candidate", "候选地名 candidate, not yet a standard name"),
                    ("synthetic", "演示数据 synthetic, made for demonstration"),
                ],
                default="candidate",
                help_text="A name becomes standard only through the procedure, a registered decision or an official source.",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="place",
            name="standard_basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("procedure", "命名程序 the naming procedure"),
                    ("registered", "登记 registered from an earlier decision"),
                    ("official_source", "官方名录 an official register of names"),
                ],
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="place",
            name="decision_authority",
            field=models.CharField(blank=True, help_text="批准机关 of the standard name", max_length=200),
        ),
        migrations.AddField(
            model_name="place",
            name="decision_document",
            field=models.CharField(blank=True, help_text="批准文号 of the standard name", max_length=100),
        ),
        migrations.AddField(
            model_name="place",
            name="decision_date",
            field=models.DateField(blank=True, help_text="批准日期 of the standard name", null=True),
        ),
        migrations.RunPython(sort_records, migrations.RunPython.noop),
        migrations.RemoveField(model_name="place", name="is_synthetic"),
        migrations.AddConstraint(
            model_name="place",
            constraint=models.CheckConstraint(
                condition=Q(standing="standard", standard_basis__in=["procedure", "registered", "official_source"])
                | (~Q(standing="standard") & Q(standard_basis="")),
                name="place_standard_has_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="place",
            constraint=models.CheckConstraint(
                condition=~Q(standard_basis__in=["procedure", "registered"])
                | (~Q(decision_authority="") & ~Q(decision_document="") & Q(decision_date__isnull=False)),
                name="place_decision_cited",
            ),
        ),
        migrations.AddConstraint(
            model_name="place",
            constraint=models.CheckConstraint(
                condition=~Q(standard_basis="official_source") | Q(source__isnull=False),
                name="place_official_source_named",
            ),
        ),
    ]
