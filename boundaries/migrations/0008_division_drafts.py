# Placeholder in the migration chain; filled by the work on division drafts.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0007_marker_photos")]

    operations = []
