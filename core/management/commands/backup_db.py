from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Dump the database (pg_dump custom format) into backups/ or the given file."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default backups/<db>-<time>.dump)")

    def handle(self, *args, output=None, **options):
        try:
            path = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path}")
