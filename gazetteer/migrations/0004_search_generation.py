from django.db import migrations


class Migration(migrations.Migration):
    """The search index's generation (gazetteer.search.answers): raised after each change of the index."""

    dependencies = [("gazetteer", "0003_attachment_storage")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS gazetteer_search_generation",
            "DROP SEQUENCE IF EXISTS gazetteer_search_generation",
        )
    ]
