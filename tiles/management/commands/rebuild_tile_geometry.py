from django.core.management.base import BaseCommand

from tiles.vector import cache
from tiles.vector.build import rebuild


class Command(BaseCommand):
    help = (
        "Bring the generalised geometry of the vector tiles up to date (nothing to do when the inputs are "
        "unchanged); drops the cached tiles under every row that changed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even when the inputs are unchanged")
        parser.add_argument("--clear-cache", action="store_true", help="also drop every cached tile")

    def handle(self, *args, force=False, clear_cache=False, **options):
        result = rebuild(force=force)
        if result.skipped:
            self.stdout.write(f"generalised geometry up to date ({result.seconds:.2f} s to check)")
        else:
            self.stdout.write(
                f"{result.rows_changed} generalised rows written, {result.tiles_dropped} cached tiles dropped "
                f"({result.seconds:.2f} s)"
            )
        if clear_cache:
            self.stdout.write(f"{cache.clear()} cached tiles dropped")
