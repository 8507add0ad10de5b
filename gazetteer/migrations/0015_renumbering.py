from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0014_numbering_requests")]

    operations = []
