"""Print map benchmark: the render time of each map of the plan's set (the city, its six county-level
units and its four urban districts), step by step (the report's ``timings``) and in total, rendered
in-process by tiles.printing.service.render_map, one after the other, into a temporary folder.

The codes are checked against the database first (current units, expected levels). One map is rendered
before the timed ones and not counted (fonts, imports, first queries), unless --cold.

Run by scripts/bench.sh (make bench):
    DATABASE_URL=... python bench/maps_bench.py --paper A3
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from boundaries.models import AdminUnit  # noqa: E402
from tiles.printing.exports import FORMATS  # noqa: E402
from tiles.printing.jobs import AUTO, map_request  # noqa: E402
from tiles.printing.papers import PAPER_SIZES_MM  # noqa: E402
from tiles.printing.service import MapRequest, render_map  # noqa: E402

# The plan's set: code -> (name, level) as the database must have them.
PLAN = {
    "231000": ("牡丹江市", "city"),
    "231025": ("林口县", "county"),
    "231081": ("绥芬河市", "county_city"),
    "231083": ("海林市", "county_city"),
    "231084": ("宁安市", "county_city"),
    "231085": ("穆棱市", "county_city"),
    "231086": ("东宁市", "county_city"),
    "231002": ("东安区", "district"),
    "231003": ("阳明区", "district"),
    "231004": ("爱民区", "district"),
    "231005": ("西安区", "district"),
}
WARM_UP_UNIT = "231003"  # a small one
STEPS = ("content", "frame", "inset", "sheet", "merge", "export")


def check_plan(codes: list[str]) -> list[str]:
    """Problems with the plan's codes in the database (empty: all there, current, of the expected level)."""
    found = {u.code: u for u in AdminUnit.objects.current().filter(code__in=codes)}
    problems = []
    for code in codes:
        name, level = PLAN[code]
        unit = found.get(code)
        if unit is None:
            problems.append(f"{code} {name}: no current unit with this code")
        elif (unit.name, unit.level) != (name, level):
            problems.append(f"{code}: the database has {unit.name} ({unit.level}), the plan {name} ({level})")
    return problems


def request_for(code: str, paper: str, orientation: str, fmt: str) -> MapRequest:
    """As make maps and the print page ask: ``best`` is their ``auto``."""
    side = AUTO if orientation == "best" else orientation
    return map_request({"unit": code, "paper": paper, "orientation": side, "format": fmt})


def render(request: MapRequest, folder: Path) -> tuple[dict, float, int]:
    output = folder / request.file_name()
    started = time.perf_counter()
    report = render_map(request, output)
    wall = time.perf_counter() - started
    return report, wall, output.stat().st_size


def line(code: str, name: str, paper: str, scale: str, steps: list[str], total: str, wall: str, rest: str) -> str:
    cells = " ".join(f"{step:>7}" for step in steps)
    name = f"{name:<10}" if name.isascii() else name.ljust(5, "\u3000")  # a CJK character takes two columns
    return f"{code:<7} {name} {paper:<13} {scale:>11}  {cells}  {total:>7} {wall:>7}  {rest}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paper", default="A3", choices=list(PAPER_SIZES_MM))
    parser.add_argument("--orientation", default="best", choices=["landscape", "portrait", "best"])
    parser.add_argument("--format", default="pdf", choices=list(FORMATS))
    parser.add_argument("--units", nargs="*", default=list(PLAN), choices=list(PLAN), metavar="CODE")
    parser.add_argument("--cold", action="store_true", help="no untimed warm-up render")
    parser.add_argument("--keep", type=Path, help="write the maps here instead of a temporary folder")
    args = parser.parse_args()
    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    problems = check_plan(args.units)
    if problems:
        sys.exit("the plan's units do not match the database:\n  " + "\n  ".join(problems))
    with tempfile.TemporaryDirectory(prefix="mdj-maps-bench-") as temporary:
        folder = args.keep or Path(temporary)
        if not args.cold:
            render(request_for(WARM_UP_UNIT, args.paper, args.orientation, args.format), folder)
        print(f"\n== print maps ({args.format.upper()}, {'cold' if args.cold else 'warm'}; seconds) ==")
        print(line("unit", "name", "paper", "scale", list(STEPS), "total", "wall", "size, labels missing, warnings"))
        totals = []
        for code in args.units:
            report, wall, size = render(request_for(code, args.paper, args.orientation, args.format), folder)
            timings = report["timings"]
            paper = f"{report['paper']['name']} {report['paper']['orientation']}"
            steps = [f"{timings[step]:.2f}" if step in timings else "-" for step in STEPS]
            rest = f"{size / 1024:.0f} KiB, {len(report['labels']['missing'])}, {len(report['warnings'])}"
            name = report["unit"]["name"]
            fraction = report["scale"]["fraction"]
            row = line(code, name, paper, fraction, steps, f"{report['render_seconds']:.2f}", f"{wall:.2f}", rest)
            print(row, flush=True)
            for warning in report["warnings"]:
                print(f"        warning: {warning}")
            totals.append(report["render_seconds"])
        print(f"{len(totals)} maps: {sum(totals):.1f} s in all, slowest {max(totals):.2f} s")


if __name__ == "__main__":
    main()
