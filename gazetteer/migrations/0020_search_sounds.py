# Placeholder in the migration chain (filled in by the work that needs it; empty operations are harmless).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0019_osm_candidates")]

    operations = []
