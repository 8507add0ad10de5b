"""make maps: the plan's set of administrative maps (the city, the six county-level units and the four
urban districts) into one folder, with a progress bar, a report.json and the render time of each."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tiles.printing.exports import FORMATS
from tiles.printing.jobs import AUTO, map_request, plan_units
from tiles.printing.papers import PAPER_SIZES_MM
from tiles.printing.progress import ProgressBar
from tiles.printing.report import summary_lines
from tiles.printing.service import MapRequestError, render_map


class Command(BaseCommand):
    help = "Render the city map and the map of every county-level unit and urban district into one folder."

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", default="maps", help="the folder (made if missing); default maps/")
        parser.add_argument("--paper", default="A3", type=str.upper, choices=list(PAPER_SIZES_MM))
        parser.add_argument("--format", default="pdf", choices=FORMATS)
        parser.add_argument("--at", help="the divisions as they stood on this day (YYYY-MM-DD)")

    def handle(self, *args, output, paper, format, at, **options):
        units = plan_units()
        if not units:
            raise CommandError("no city with a boundary polygon: load the base data first (make setup)")
        folder = Path(output).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        try:
            requests = [
                map_request({"unit": unit.code, "paper": paper, "orientation": AUTO, "at": at, "format": format})
                for unit in units
            ]
        except MapRequestError as error:
            raise CommandError(str(error)) from None
        bar = ProgressBar(len(requests))
        reports = []
        for done, (unit, request) in enumerate(zip(units, requests, strict=True)):
            target = folder / f"{unit.code}_{unit.name}_{request.paper.name}.{format}"

            def progress(percent: int, message: str, done=done, name=unit.name) -> None:
                bar.update(done, percent, f"{name} {message}")

            report = render_map(request, target, progress)
            reports.append(report)
            bar.finished_one(done + 1, f"{unit.name} {report['render_seconds']:.1f} s")
        bar.close()
        (folder / "report.json").write_text(
            json.dumps({"made_at": timezone.now().isoformat(), "maps": reports}, ensure_ascii=False, indent=2),
            encoding="utf-8",
        )
        for report in reports:
            for line in summary_lines(report):
                self.stdout.write(line)
        total = sum(report["render_seconds"] for report in reports)
        self.stdout.write(f"{len(reports)} maps in {folder} ({total:.1f} s of rendering); report.json has the details")
