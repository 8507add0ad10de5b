from django.db import migrations


class Migration(migrations.Migration):
    """Request counters for the anonymous rate limit: UNLOGGED (fast; losing them in a crash is harmless)."""

    dependencies = [("core", "0002_extensions")]
    operations = [
        migrations.RunSQL(
            "CREATE UNLOGGED TABLE core_rate_counter ("
            " client varchar(64) NOT NULL, window_start timestamptz NOT NULL, hits integer NOT NULL,"
            " PRIMARY KEY (client, window_start))",
            "DROP TABLE core_rate_counter",
        )
    ]
