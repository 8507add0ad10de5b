"""(Re)generate the boundary lines' course descriptions (走向说明) from the data
(boundaries.services.course_lines); each changed text is a new version of its line, in one changeset."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from boundaries.models import BoundaryLine
from boundaries.services.course_lines import course_of, describe_lines, generate_course


class Command(BaseCommand):
    help = "Generate the course description of every current boundary line (or only the stale ones, or one)."

    def add_arguments(self, parser):
        parser.add_argument("--stale", action="store_true", help="only lines without a description or changed since")
        parser.add_argument("--line", help="one line, by its code (e.g. 231083-231084)")
        parser.add_argument("--dry-run", action="store_true", help="print the text of --line without saving it")

    def handle(self, *args, stale=False, line=None, dry_run=False, **options):
        started = time.monotonic()
        if line:
            record = BoundaryLine.objects.prefetch_related("party_rows__unit", "party_rows__outside").filter(code=line)
            if not record.exists():
                raise CommandError(f"no boundary line {line!r}")
            self.stdout.write(course_of(record.get()).text if dry_run else generate_course(record.get()))
            return
        if dry_run:
            raise CommandError("--dry-run needs --line")
        changed = describe_lines(stale_only=stale)
        self.stdout.write(f"{changed} descriptions changed in {time.monotonic() - started:.1f} s")
