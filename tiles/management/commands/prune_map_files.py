"""Remove the files of print maps finished long ago; the jobs themselves are kept."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from tiles.printing.jobs import prune_files


class Command(BaseCommand):
    help = "Remove the files of print-map jobs finished more than --older-than days ago (the jobs stay)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=30, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")

    def handle(self, *args, older_than: int, dry_run: bool, **options):
        pruned = prune_files(older_than, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for job in pruned:
            self.stdout.write(f"{verb} the file of job {job.pk} ({job.params.get('unit')}, {job.finished_at:%Y-%m-%d})")
        self.stdout.write(f"{len(pruned)} file(s) {verb}")
