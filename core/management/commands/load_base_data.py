from django.core.management.base import BaseCommand, CommandError

from core.base_data import load
from core.imports import ImportRefused
from core.packages import PackageError


class Command(BaseCommand):
    help = (
        "Load the territory's base data from the declared sources, each source once per version. "
        "A later vintage is applied as dated changes; officers' edits are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run every step even if already loaded")
        parser.add_argument("--only", nargs="*", help="source keys to run")
        parser.add_argument("--dry-run", action="store_true", help="report without writing anything")

    def handle(self, *args, force=False, only=None, dry_run=False, **options):
        try:
            results = load(force=force, only=set(only) if only else None, dry_run=dry_run)
        except (ImportRefused, PackageError) as exc:
            raise CommandError(f"import refused, nothing changed: {exc}") from exc
        for result in results:
            lines = [result] if isinstance(result, str) else result.lines()
            for line in lines:
                self.stdout.write(line)
        from core.reports import territory_summary

        for line in territory_summary():
            self.stdout.write(line)
