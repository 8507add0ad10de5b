# Placeholder in the migration chain; filled by the work on marker events.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("boundaries", "0005_proposals")]

    operations = []
