"""Address search (gazetteer.search.addresses): the road part of an address query is looked up among
road names only, through partial indexes of the search index that hold the names of category 08100
(道路、街、巷). Their size and cost follow the number of road names, not of all names; the numbers are
found by the house-number register's own index (housenumber_current_unique). Raw SQL rather than
SearchEntry.Meta.indexes: they belong to the address search, not to the name index's model, and leave
the model state (and makemigrations) as it is."""

from django.db import migrations

ROAD = "category_code = '08100'"
INDEXES = [
    ("search_road_hanzi_idx", "hanzi text_pattern_ops"),
    ("search_road_proper_idx", "proper"),
    ("search_road_pinyin_idx", "pinyin text_pattern_ops"),
    ("search_road_proper_pinyin_idx", "proper_pinyin"),
    ("search_road_initials_idx", "initials"),
]


class Migration(migrations.Migration):
    dependencies = [("gazetteer", "0012_signs")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX {name} ON gazetteer_searchentry ({columns}) WHERE {ROAD}",
            reverse_sql=f"DROP INDEX {name}",
        )
        for name, columns in INDEXES
    ]
