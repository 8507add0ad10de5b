from django.core.management.base import BaseCommand

from core.api import parse_date
from gazetteer.services import naming


class Command(BaseCommand):
    help = "Make approved naming decisions whose effective day has come the current names (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--day", help="YYYY-MM-DD (default: today in the bureau's time zone)")

    def handle(self, *args, day=None, **options):
        applied = naming.apply_due(parse_date(day, "day") if day else None)
        for application in applied:
            self.stdout.write(f"{application.number}: effective {application.effective_date}")
        self.stdout.write(f"{len(applied)} decisions took effect")
