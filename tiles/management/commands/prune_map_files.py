"""Remove the files of print maps finished long ago; the jobs themselves are kept. By hand here, and
daily as the worker's periodic task ``prune_map_files`` (registered in tiles.apps; no cron needed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core import jobs
from core.models import Job
from tiles.printing.jobs import prune_files

KEEP_DAYS = 30


@jobs.retry(attempts=2, backoff=600)
def scheduled(job: Job, progress: jobs.Progress) -> dict:
    """The periodic task's handler: files of maps finished more than ``older_than`` days ago."""
    older_than = int(job.params.get("older_than", KEEP_DAYS))
    pruned = prune_files(older_than)
    return {"older_than_days": older_than, "removed": [pruned_job.pk for pruned_job in pruned]}


class Command(BaseCommand):
    help = "Remove the files of print-map jobs finished more than --older-than days ago (the jobs stay)."

    def add_arguments(self, parser):
        parser.add_argument("--older-than", type=int, default=KEEP_DAYS, metavar="DAYS")
        parser.add_argument("--dry-run", action="store_true", help="say what would go, remove nothing")

    def handle(self, *args, older_than: int, dry_run: bool, **options):
        pruned = prune_files(older_than, dry_run=dry_run)
        verb = "would remove" if dry_run else "removed"
        for job in pruned:
            self.stdout.write(f"{verb} the file of job {job.pk} ({job.params.get('unit')}, {job.finished_at:%Y-%m-%d})")
        self.stdout.write(f"{len(pruned)} file(s) {verb}")
