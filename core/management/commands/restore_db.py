from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace the database with a dump made by backup_db. The current database is dumped first."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            safety = restore(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if safety:
            self.stdout.write(f"The database as it was before the restore is kept in {safety}")
        self.stdout.write(f"Restored {file}")
