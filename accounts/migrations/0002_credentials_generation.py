from django.db import migrations


class Migration(migrations.Migration):
    """The credentials' generation (accounts.auth): raised whenever a user, a token or a group changes."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS accounts_credentials_generation",
            "DROP SEQUENCE IF EXISTS accounts_credentials_generation",
        )
    ]
