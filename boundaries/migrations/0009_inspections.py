# Placeholder in the migration chain; filled by the work on inspections.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0008_division_drafts")]

    operations = []
