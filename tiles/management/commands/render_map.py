"""python manage.py render_map <unit code> --paper A3 [--landscape] [--at YYYY-MM-DD] -o out.pdf"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tiles.printing.exports import FORMATS, format_of
from tiles.printing.jobs import AUTO, map_request
from tiles.printing.papers import PAPER_SIZES_MM, Orientation
from tiles.printing.report import summary_lines
from tiles.printing.service import MapRequestError, render_map


class Command(BaseCommand):
    help = (
        "Render the administrative map of the city or a county-level unit for print: vector PDF (or PNG, SVG) "
        "in CGCS2000 / Gauss-Kruger, with title, legend, scale, grid, inset and compilation note."
    )

    def add_arguments(self, parser):
        parser.add_argument("unit", help="GB/T 2260 code of the city or a county-level unit, e.g. 231000")
        parser.add_argument("--paper", default="A3", type=str.upper, choices=list(PAPER_SIZES_MM))
        side = parser.add_mutually_exclusive_group()
        side.add_argument("--landscape", action="store_const", dest="orientation", const=Orientation.LANDSCAPE)
        side.add_argument("--portrait", action="store_const", dest="orientation", const=Orientation.PORTRAIT)
        side.add_argument(
            "--auto-orientation", action="store_const", dest="orientation", const=AUTO,
            help="the orientation that draws the unit at the larger scale",
        )  # fmt: skip
        parser.add_argument("--at", help="draw the divisions as they stood on this day (YYYY-MM-DD)")
        parser.add_argument("-o", "--output", required=True, help="the file to write: .pdf, .png or .svg")
        parser.add_argument("--format", choices=FORMATS, help="overrides the output's suffix")
        parser.add_argument("--report", help="also write the full report as JSON to this file")

    def handle(self, *args, unit, paper, orientation, at, output, format, report, **options):
        output = Path(output)
        try:
            fmt = format_of(output, format)
            request = map_request(
                {"unit": unit, "paper": paper, "orientation": orientation or Orientation.PORTRAIT, "at": at,
                 "format": fmt}
            )  # fmt: skip
        except (MapRequestError, ValueError) as error:
            raise CommandError(str(error)) from None

        def progress(percent: int, message: str) -> None:
            if options["verbosity"] > 1:
                self.stderr.write(f"{percent:3d}% {message}")

        result = render_map(request, output.resolve(), progress)
        if report:
            Path(report).write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
        for line in summary_lines(result):
            self.stdout.write(line)
