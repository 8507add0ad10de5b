from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by backup_db: the database, and the uploaded files put back under MEDIA_ROOT "
        "(files made since the backup are kept). The current state is backed up first. An old plain .dump "
        "restores the database only."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            report = restore_backup(file)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        if report.safety:
            self.stdout.write(f"The state before the restore is kept in {report.safety}")
        if report.legacy:
            self.stdout.write(f"Restored the database from {file} (an old plain dump: uploaded files untouched)")
        else:
            self.stdout.write(
                f"Restored {file}: the database, and {report.media_written} files put back "
                f"({report.media_unchanged} were already there unchanged; newer files were kept)"
            )
