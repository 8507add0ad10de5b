from django.core.management.base import BaseCommand, CommandError

from core.dbcheck import DatabaseUnsuitable, check_database


class Command(BaseCommand):
    help = "Check that the database is PostgreSQL with PostGIS and pg_trgm and a UTF-8 ctype."

    def handle(self, *args, **options):
        try:
            facts = check_database()
        except DatabaseUnsuitable as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write("Database: " + ", ".join(f"{k} {v}" for k, v in facts.items()))
