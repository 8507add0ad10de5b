from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm for place-name search (PostGIS itself is created by the GeoDjango backend)."""

    dependencies = [("core", "0001_initial")]
    operations = [TrigramExtension()]
