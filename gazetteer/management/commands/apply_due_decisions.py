"""Make approved naming decisions whose day has come the current names: by hand here, and daily as the
worker's periodic task ``apply_due_decisions`` (registered in gazetteer.apps; no cron needed)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from core import jobs
from core.api import parse_date
from core.models import Job
from gazetteer.services import naming


@jobs.retry(attempts=3, backoff=300)
def scheduled(job: Job, progress: jobs.Progress) -> dict:
    """The periodic task's handler: today's due decisions (those of days the worker missed too)."""
    applied = naming.apply_due()
    return {"applied": [application.number for application in applied], "count": len(applied)}


class Command(BaseCommand):
    help = "Make approved naming decisions whose effective day has come the current names (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today in the bureau's time zone)")

    def handle(self, *args, day=None, **options):
        applied = naming.apply_due(parse_date(day, "day") if day else None)
        for application in applied:
            self.stdout.write(f"{application.number}: effective {application.effective_date}")
        self.stdout.write(f"{len(applied)} decisions took effect")
