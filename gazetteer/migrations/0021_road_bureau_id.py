# A road's id in the bureau's road file (道路编码), matched by a later import of that file.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0020_search_sounds")]

    operations = [
        migrations.AddField(
            model_name="road",
            name="bureau_id",
            field=models.CharField(
                blank=True,
                help_text="The road's id in the bureau's road file (道路编码): a later import of that file matches it",
                max_length=40,
            ),
        ),
        migrations.AddConstraint(
            model_name="road",
            constraint=models.UniqueConstraint(
                condition=models.Q(("bureau_id", ""), _negated=True), fields=("bureau_id",), name="road_bureau_id_unique"
            ),
        ),
    ]
