"""Making a print map: the one entry point that commands, jobs and tests call.

``render_map(request, output)`` draws the administrative map of a unit on a sheet of paper, as of
a day, into ``output`` (PDF, PNG or SVG), and returns the report: scale, layers drawn, legend,
labels missing, sources, timings. Progress goes to an optional callback (percent, message).
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone

from tiles.printing.content import build_content, mappable_unit
from tiles.printing.exports import FORMATS, export
from tiles.printing.features import metric
from tiles.printing.inset import render_inset
from tiles.printing.labels import missing_along_lines, missing_labels
from tiles.printing.layout import sheet_layout
from tiles.printing.legend import legend_entries, legend_rows
from tiles.printing.notes import compilation_note
from tiles.printing.papers import PAPER_SIZES_MM, Orientation, Paper
from tiles.printing.renderer import render_frame
from tiles.printing.scale import fit_denominator
from tiles.printing.sheet import compose_sheet, inset_map_box, north_rotation, place_frames, place_scale_bar, sheet_info

Progress = Callable[[int, str], None]


# No map of a day before the present divisions began (1949); the register's own history starts in 1982.
EARLIEST_MAP_YEAR = 1949


class MapRequestError(ValueError):
    """A request for a map that cannot be made as asked; the message says why."""


@dataclass(frozen=True)
class MapRequest:
    unit_code: str
    paper: Paper
    day: dt.date | None = None
    fmt: str = "pdf"

    @classmethod
    def from_params(cls, params: dict) -> MapRequest:
        """A request from plain values (a job's parameters, a form): unit, paper, orientation, at, format."""
        unit = str(params.get("unit") or "").strip()
        paper = str(params.get("paper") or "A3").upper()
        orientation = str(params.get("orientation") or Orientation.LANDSCAPE)
        fmt = str(params.get("format") or "pdf").lower()
        if not unit:
            raise MapRequestError("unit is required: the code of the city or of a county-level unit")
        if paper not in PAPER_SIZES_MM:
            raise MapRequestError(f"paper must be one of {', '.join(PAPER_SIZES_MM)}, not {paper!r}")
        if orientation not in Orientation.__members__.values():
            raise MapRequestError(f"orientation must be portrait or landscape, not {orientation!r}")
        if fmt not in FORMATS:
            raise MapRequestError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
        day = None
        if params.get("at"):
            try:
                day = dt.date.fromisoformat(str(params["at"]))
            except ValueError:
                raise MapRequestError(f"'at' must be a date YYYY-MM-DD, not {params['at']!r}") from None
            if day > timezone.localdate():
                raise MapRequestError(f"'at' {day} is still to come: a map shows today or a day that has been")
            if day.year < EARLIEST_MAP_YEAR:
                raise MapRequestError(f"'at' must be in {EARLIEST_MAP_YEAR} or later")
        try:
            mappable_unit(unit, day)
        except ValueError as error:
            raise MapRequestError(str(error)) from None
        return cls(unit, Paper(paper, Orientation(orientation)), day, fmt)

    def params(self) -> dict:
        return {
            "unit": self.unit_code,
            "paper": self.paper.name,
            "orientation": str(self.paper.orientation),
            "at": self.day.isoformat() if self.day else None,
            "format": self.fmt,
        }

    def file_name(self) -> str:
        day = f"_{self.day.isoformat()}" if self.day else ""
        return f"{self.unit_code}_{self.paper.name}_{self.paper.orientation}{day}.{self.fmt}"


def best_orientation(unit_code: str, paper_name: str, day: dt.date | None = None) -> Orientation:
    """The orientation at which the unit is drawn at the larger scale (landscape on a tie)."""
    extent = metric(mappable_unit(unit_code, day).geom).bounds

    def denominator(orientation: Orientation) -> int:
        frame = sheet_layout(Paper(paper_name, orientation)).frame
        return fit_denominator(extent, (int(frame.width), int(frame.height)))

    return min((Orientation.LANDSCAPE, Orientation.PORTRAIT), key=denominator)


class _Clock:
    def __init__(self, progress: Progress | None):
        self.progress, self.started, self.last, self.timings = progress, time.monotonic(), time.monotonic(), {}

    def step(self, name: str, percent: int, message: str) -> None:
        now = time.monotonic()
        self.timings[name] = round(now - self.last, 3)
        self.last = now
        if self.progress:
            self.progress(percent, message)

    @property
    def total(self) -> float:
        return round(time.monotonic() - self.started, 3)


def render_map(request: MapRequest, output: Path, progress: Progress | None = None) -> dict:
    clock = _Clock(progress)
    if progress:
        progress(2, "读取行政区划数据")
    frame_layout, k = sheet_layout(request.paper), request.paper.type_scale
    unit = mappable_unit(request.unit_code, request.day)
    content = build_content(unit, request.day, (int(frame_layout.frame.width), int(frame_layout.frame.height)), k)
    legend = legend_entries(content, k)
    layout = sheet_layout(request.paper, legend_rows=legend_rows(legend, frame_layout.legend.width, k))
    clock.step("content", 20, "绘制地图")
    with tempfile.TemporaryDirectory(prefix="mdj-map-") as work:
        work = Path(work)
        missing = render_frame(content, k, work / "frame.pdf")
        # A marker's number is written only where it has room (no name gives way to it): say which are not.
        unwritten = missing_labels(work / "frame.pdf", content.marker_numbers) if content.marker_numbers else []
        # Road names and route numbers are written where their line has room: say which are not.
        roads_unwritten = missing_along_lines(work / "frame.pdf", content.road_names) if content.road_names else []
        refs_unwritten = missing_along_lines(work / "frame.pdf", content.route_refs) if content.route_refs else []
        clock.step("frame", 45, "绘制位置示意图")
        inset_box = inset_map_box(layout)
        inset = render_inset(unit, content.unit_name, request.day, (int(inset_box.width), int(inset_box.height)), k,
                             work / "inset.pdf")  # fmt: skip
        clock.step("inset", 55, "排版图廓、图例与编制说明")
        note = compilation_note(content, request.paper.label, timezone.localdate())
        placed_bar = place_scale_bar(layout, content)
        info = sheet_info(content)
        notes_scale = compose_sheet(layout, content, legend, note, placed_bar, work / "sheet.pdf", info)
        clock.step("sheet", 80, "合成图幅")
        place_frames(work / "sheet.pdf", [(work / "frame.pdf", layout.frame), (work / "inset.pdf", inset_box)],
                     layout.page.height, work / "map.pdf", info)  # fmt: skip
        clock.step("merge", 88, f"导出 {request.fmt.upper()}")
        output.parent.mkdir(parents=True, exist_ok=True)
        export(work / "map.pdf", output, request.fmt)
        clock.step("export", 100, "完成")
    return {
        "unit": {"code": unit.code, "name": content.unit_name, "current_name": unit.name, "level": unit.level},
        "at": request.day.isoformat() if request.day else None,
        "paper": {
            "name": request.paper.name,
            "orientation": str(request.paper.orientation),
            "width_pt": round(layout.page.width, 3),
            "height_pt": round(layout.page.height, 3),
        },
        "format": request.fmt,
        "output": str(output),
        "scale": {
            "denominator": content.scale.denominator,
            "fraction": content.scale.fraction_text,
            "metres_per_point": content.scale.metres_per_point,
            "bbox": [round(v, 2) for v in content.scale.bbox],
            "frame": layout.frame.as_dict(),
        },
        "grid": content.grid.as_dict(),
        "scale_bar": placed_bar.as_dict(),
        "north_rotation_deg": round(north_rotation(content), 3),
        "notes_type_scale": notes_scale,
        "inset": {"denominator": inset.denominator, "box": inset_box.as_dict()},
        "layers": content.counts(),
        "legend": [entry.as_dict() for entry in legend],
        "labels": {
            "expected": len(content.labels),
            "missing": missing,
            "not_labelled": content.unlabelled,
        },
        "markers": {"drawn": len(content.marker_numbers), "numbers_not_written": unwritten},
        "roads": {
            "drawn": content.roads_drawn,
            "names_not_written": roads_unwritten,
            "route_numbers_not_written": refs_unwritten,
        },
        "sources": sorted(source.key for source in content.sources.values()),
        "synthetic_layers": content.synthetic_layers(),
        "approval_number": note.approval,
        "warnings": content.warnings,
        "timings": clock.timings,
        "render_seconds": clock.total,
    }
