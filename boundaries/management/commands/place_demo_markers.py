import time

from django.core.management.base import BaseCommand

from boundaries.services.demo_markers import place_demo_markers


class Command(BaseCommand):
    help = (
        "Place synthetic demonstration boundary markers (示例界桩, is_synthetic) along every county-level line, "
        "one every 5-10 km, each with three synthetic reference objects. Deterministic; a second run adds nothing."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        result = place_demo_markers()
        self.stdout.write(
            f"{result.markers} synthetic markers placed on {result.lines} lines "
            f"({result.skipped_lines} lines had theirs already) in {time.monotonic() - started:.1f} s"
        )
