"""Where everything sits on the sheet, in PDF points from the top-left corner of the page.

Landscape sheets carry a panel on the right of the map (inset, legend, scale bar, north arrow,
compilation note); portrait sheets carry it below the map, in four columns. Margins and panels grow
with the paper (``Paper.factor``). The map frame (the neatline) sits inside the outer frame line with
room for the grid labels between them; its size is a whole number of points, because Mapnik draws
one pixel per point.
"""

from __future__ import annotations

from dataclasses import dataclass

from tiles.printing.papers import Orientation, Paper, mm


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height

    def pdf_origin(self, page_height: float) -> tuple[float, float]:
        """The lower-left corner in PDF coordinates (origin at the bottom of the page)."""
        return self.x, page_height - self.bottom

    def as_dict(self) -> dict:
        return {k: round(v, 3) for k, v in vars(self).items()}


@dataclass(frozen=True)
class SheetLayout:
    paper: Paper
    page: Box
    title: Box
    outer_frame: Box
    frame: Box
    inset: Box
    legend: Box
    scale: Box
    north: Box
    notes: Box

    @property
    def type_scale(self) -> float:
        return self.paper.type_scale


def _frame_inside(outer: Box, gap: float) -> Box:
    """The neatline inside the outer frame line, whole points wide and high."""
    width, height = int(outer.width - 2 * gap), int(outer.height - 2 * gap)
    return Box(outer.x + (outer.width - width) / 2, outer.y + (outer.height - height) / 2, width, height)


# The legend's caption and one row of entries (one or two entries a row), in points at A3.
LEGEND_CAPTION_PT, LEGEND_ROW_PT, LEGEND_PAD_PT = 22.0, 14.5, 6.0
LEGEND_LINE_PT = 0.6  # the frame line around the legend
DEFAULT_LEGEND_ROWS = 8

# The kilometre labels between the outer frame line and the neatline, at A3: the type, the tick they
# stand beside, the outer frame line, and the room a northing takes (four digits, 0.55 em each in
# Noto Sans CJK, with some air on both sides).
GRID_LABEL_PT, GRID_TICK_MM, OUTER_LINE_PT = 6.5, 1.8, 1.6
NORTHING_LABEL_EM = 4 * 0.55 + 0.5
LABEL_GAP_MM = 7


def label_gap(paper: Paper) -> float:
    """Room between the outer frame line and the neatline: ``LABEL_GAP_MM`` on the paper, or more
    where a northing label beside its tick would otherwise run into the outer frame line."""
    f, k = paper.factor, paper.type_scale
    needed = mm(GRID_TICK_MM * f) + OUTER_LINE_PT * k + NORTHING_LABEL_EM * GRID_LABEL_PT * k
    return max(mm(LABEL_GAP_MM * f), needed)


def legend_height(rows: int, k: float) -> float:
    return (LEGEND_CAPTION_PT + rows * LEGEND_ROW_PT + 2 * LEGEND_PAD_PT) * k


def sheet_layout(paper: Paper, legend_rows: int = DEFAULT_LEGEND_ROWS) -> SheetLayout:
    """The boxes of the sheet. The map frame does not depend on ``legend_rows``: only the panel's
    boxes below the legend move with it."""
    f, k = paper.factor, paper.type_scale
    page_w, page_h = paper.size_pt
    margin, title_h, gap = mm(9 * f), mm(17 * f), mm(6 * f)
    title = Box(margin, margin, page_w - 2 * margin, title_h)
    top = margin + title_h
    if paper.orientation == Orientation.LANDSCAPE:
        panel_w = mm(82 * f)
        outer = Box(margin, top, page_w - 2 * margin - panel_w - gap, page_h - top - margin)
        px, pw = outer.right + gap, panel_w
        inset = Box(px, top, pw, mm(62 * f))
        legend = Box(px, inset.bottom + mm(4 * f), pw, legend_height(legend_rows, k))
        scale = Box(px, legend.bottom + mm(3 * f), pw - mm(20 * f), mm(17 * f))
        north = Box(scale.right, scale.y, mm(20 * f), mm(17 * f))
        notes = Box(px, scale.bottom + mm(3 * f), pw, outer.bottom - scale.bottom - mm(3 * f))
    else:
        panel_h = mm(70 * f)
        outer = Box(margin, top, page_w - 2 * margin, page_h - top - margin - panel_h - gap)
        py, ph = outer.bottom + gap, panel_h
        column = (outer.width - 3 * gap) / 4
        inset = Box(margin, py, column * 0.95, ph)
        legend = Box(inset.right + gap, py, column * 1.05, min(ph, legend_height(legend_rows, k)))
        scale = Box(legend.right + gap, py, column * 0.8, mm(20 * f))
        north = Box(scale.x, scale.bottom + mm(2 * f), column * 0.8, mm(20 * f))
        notes = Box(scale.right + gap, py, outer.right - scale.right - gap, ph)
    return SheetLayout(
        paper=paper,
        page=Box(0, 0, page_w, page_h),
        title=title,
        outer_frame=outer,
        frame=_frame_inside(outer, label_gap(paper)),
        inset=inset,
        legend=legend,
        scale=scale,
        north=north,
        notes=notes,
    )
