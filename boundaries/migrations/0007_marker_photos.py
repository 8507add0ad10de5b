# Placeholder in the migration chain; filled by the work on marker photos.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0006_marker_events")]

    operations = []
