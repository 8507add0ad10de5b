from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0012_signs")]

    operations = []
