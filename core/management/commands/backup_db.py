from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = (
        "Back up the database (pg_dump custom format) and the uploaded files under MEDIA_ROOT (attachments, "
        "print maps) into one tar file, mode 0600, in backups/ (mode 0700) or the given file."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (default backups/<db>-<time>.tar)")

    def handle(self, *args, output=None, **options):
        try:
            path = backup(output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path}")
