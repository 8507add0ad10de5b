from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0011_roads_and_house_numbers")]

    operations = []
