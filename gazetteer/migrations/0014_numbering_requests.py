from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0013_address_search")]

    operations = []
