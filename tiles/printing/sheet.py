"""The sheet around the map: title, outer frame and neatline, grid labels, inset, legend, scale bar,
north arrow and compilation note, drawn with WeasyPrint from web/templates/print_sheet.html; then
the map frame and the inset (Mapnik PDFs) are placed on it with pypdf at scale 1, so the map's
scale is exactly the one the scale bar and the representative fraction state. Both PDFs are written
through core.pdf (fonts, document information, atomic write), as the naming notice is."""

from __future__ import annotations

import base64
import math
from dataclasses import dataclass
from pathlib import Path

import shapely
from django.conf import settings
from django.template.loader import render_to_string
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    IndirectObject,
    NameObject,
)

from core.metric import to_metric
from core.pdf import DocumentInfo, html_to_pdf, write_pdf
from tiles.printing.content import MapContent
from tiles.printing.labels import pdf_words
from tiles.printing.layout import (
    GRID_LABEL_PT,
    GRID_TICK_MM,
    LEGEND_CAPTION_PT,
    LEGEND_LINE_PT,
    LEGEND_PAD_PT,
    LEGEND_ROW_PT,
    OUTER_LINE_PT,
    Box,
    SheetLayout,
)
from tiles.printing.legend import ENTRY_PT, LABEL_GAP_PT, LegendEntry, legend_columns
from tiles.printing.names import chinese_date
from tiles.printing.notes import CompilationNote
from tiles.printing.papers import mm
from tiles.printing.scale import ScaleBar, scale_bar
from tiles.printing.style import SEATS, SYMBOLS_DIR

TEMPLATE = "print_sheet.html"
NOTES_PT = 6.2  # the compilation note's type size at A3
NOTES_SCALES = (1.0, 0.92, 0.84, 0.76)


class SheetOverflow(RuntimeError):
    """Text of the sheet does not fit its box even at the smallest type allowed."""


INSET_TITLE_PT = 14.0  # the inset's caption above its map, at A3


@dataclass(frozen=True)
class PlacedScaleBar:
    bar: ScaleBar
    x: float  # left end, points from the page's left edge
    y: float  # top of the bar, points from the page's top edge
    height: float

    def as_dict(self) -> dict:
        return {
            "ground_m": self.bar.ground_m,
            "parts": self.bar.parts,
            "length_pt": round(self.bar.length_pt, 4),
            "x_pt": round(self.x, 3),
            "y_pt": round(self.y, 3),
            "height_pt": round(self.height, 3),
        }


def inset_map_box(layout: SheetLayout) -> Box:
    """The inset's map inside its box, below the caption, whole points wide and high."""
    box, k = layout.inset, layout.type_scale
    top = INSET_TITLE_PT * k
    width, height = int(box.width - 2), int(box.height - top - 2)
    return Box(box.x + 1, box.y + top + 1, width, height)


def place_scale_bar(layout: SheetLayout, content: MapContent) -> PlacedScaleBar:
    k, box = layout.type_scale, layout.scale
    bar = scale_bar(content.scale, box.width - mm(14 * k))
    return PlacedScaleBar(bar, box.x + mm(2 * k), box.y + 15 * k, 3.2 * k)


def north_rotation(content: MapContent) -> float:
    """Degrees clockwise from grid north to true north at the map's centre (meridian convergence)."""
    from core.metric import to_lonlat

    cx, cy = content.scale.center
    lon, lat = to_lonlat(shapely.Point(cx, cy)).coords[0]
    a, b = to_metric(shapely.Point(lon, lat)), to_metric(shapely.Point(lon, lat + 0.01))
    return math.degrees(math.atan2(b.x - a.x, b.y - a.y))


def _data_uri(name: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode((SYMBOLS_DIR / name).read_bytes()).decode()


def css(box: Box | None = None, **properties) -> str:
    """Inline CSS: a box's position and size in points, then any other properties (floats in pt)."""
    items = {}
    if box is not None:
        items = {"left": box.x, "top": box.y, "width": box.width, "height": box.height}
    items.update(properties)
    return "; ".join(
        f"{name.replace('_', '-')}:{value:.3f}pt"
        if isinstance(value, int | float)
        else f"{name.replace('_', '-')}:{value}"
        for name, value in items.items()
    )


def _grid(layout: SheetLayout, content: MapContent) -> tuple[list[str], list[dict]]:
    """Ticks between the neatline and the outer frame, and the kilometre values beside them."""
    k, f, o = layout.type_scale, layout.frame, layout.outer_frame
    size, length, half = GRID_LABEL_PT * k, mm(GRID_TICK_MM * layout.paper.factor), 0.2
    line = OUTER_LINE_PT * k  # northings are centred in the room inside the outer frame line
    ticks, labels = [], []
    for tick in content.grid.eastings:
        x = f.x + tick.offset_pt
        for top in (f.y - length, f.bottom):
            ticks.append(css(left=x - half, top=top, width=2 * half, height=length))
        for top in ((o.y + f.y) / 2 - size / 2 - length / 3, (f.bottom + o.bottom) / 2 - size / 2 + length / 3):
            labels.append({"text": tick.label, "style": css(left=x - 30, top=top, width=60, font_size=size)})
    for tick in content.grid.northings:
        y = f.y + tick.offset_pt
        for left in (f.x - length, f.right):
            ticks.append(css(left=left, top=y - half, width=length, height=2 * half))
        for left, right in ((o.x + line, f.x - length), (f.right + length, o.right - line)):
            labels.append(
                {"text": tick.label, "style": css(left=left, top=y - size / 2, width=right - left, font_size=size)}
            )
    return ticks, labels


def _scale_bar(placed: PlacedScaleBar, k: float) -> tuple[list[str], list[dict], str]:
    bar, size = placed.bar, 6.2 * k
    parts = [
        css(left=placed.x + i * bar.part_pt, top=placed.y, width=bar.part_pt, height=placed.height,
            background="#1a1a1a" if i % 2 == 0 else "#ffffff")
        for i in range(bar.parts)
    ]  # fmt: skip
    label_top = placed.y + placed.height + 2 * k
    labels = [
        {"text": label, "style": css(left=placed.x + i * bar.part_pt - 20, top=label_top, width=40, font_size=size)}
        for i, label in enumerate(bar.tick_labels())
    ]
    labels.append(
        {
            "text": bar.unit,
            "style": css(left=placed.x + bar.length_pt + 8 * k, top=label_top, width=24 * k, font_size=size),
        }
    )
    outline = css(left=placed.x, top=placed.y, width=bar.length_pt, height=placed.height, border="0.5pt solid #1a1a1a")
    return parts, labels, outline


def _styles(layout: SheetLayout, content: MapContent, notes_scale: float = 1.0) -> dict[str, str]:
    k, f = layout.type_scale, layout.frame
    pad = 3 * k
    inset, inset_map, legend = layout.inset, inset_map_box(layout), layout.legend
    north = layout.north
    arrow_h = north.height - 12 * k
    neat = 0.6
    title_pt = min(26 * k, layout.title.height * 0.62)
    return {
        "title": css(
            layout.title, font_size=title_pt, letter_spacing=title_pt * 0.3, padding_top=layout.title.height * 0.12,
            text_indent=0 if content.day else title_pt * 0.3,  # centred: the day follows, or the indent balances
        ),
        "subtitle": css(font_size=title_pt * 0.55, letter_spacing=0),
        "outer": css(layout.outer_frame, border=f"{OUTER_LINE_PT * k:.2f}pt solid #1a1a1a"),
        "neatline": css(
            left=f.x - neat, top=f.y - neat, width=f.width + 2 * neat, height=f.height + 2 * neat,
            border=f"{neat}pt solid #1a1a1a",
        ),
        "inset": css(inset, border="0.6pt solid #1a1a1a"),
        "inset_caption": css(left=inset.x, top=inset.y + 3.5 * k, width=inset.width, font_size=8.5 * k),
        "inset_map": css(
            left=inset_map.x - 0.3, top=inset_map.y - 0.3, width=inset_map.width + 0.6, height=inset_map.height + 0.6,
            border="0.3pt solid #6f6f6f",
        ),
        "legend": css(legend, border=f"{LEGEND_LINE_PT}pt solid #1a1a1a", padding=LEGEND_PAD_PT * k),
        # Letter spacing follows every character, the last too: indent as much to keep it centred.
        "legend_caption": css(
            font_size=10 * k, letter_spacing=10 * k, text_indent=10 * k, height=LEGEND_CAPTION_PT * k,
        ),
        "legend_label": css(margin_left=LABEL_GAP_PT * k),
        "scale_caption": css(left=layout.scale.x + 2 * k, top=layout.scale.y, font_size=8.5 * k),
        "north_caption": css(left=north.x, top=north.y, width=north.width, font_size=8.5 * k),
        "north": css(
            left=north.x + (north.width - arrow_h * 2 / 3) / 2, top=north.y + 11 * k, width=arrow_h * 2 / 3,
            height=arrow_h, transform=f"rotate({north_rotation(content):.2f}deg)",
        ),
        "notes": css(layout.notes, font_size=NOTES_PT * k * notes_scale, line_height="1.4"),
        "warn": css(padding=pad, margin_bottom=pad, font_size=7.4 * k),
        "notes_caption": css(font_size=8.5 * k, margin_bottom=pad),
        "publisher": css(margin_top=pad),
        "approval": css(font_size=8.5 * k, margin_top=pad),
    }  # fmt: skip


# The least height of a legend row at A3: the largest point symbol, with a little air.
LEGEND_MIN_ROW_PT = max(symbol.size for symbol in SEATS.values()) + 0.6


def legend_entry_style(layout: SheetLayout, legend: list[LegendEntry]) -> str:
    """One or two entries a row (``legend.legend_columns``), rows as high as the legend box allows."""
    k, box = layout.type_scale, layout.legend
    columns = legend_columns(legend, box.width, k)
    rows = max(1, math.ceil(len(legend) / columns))
    room = box.height - (LEGEND_CAPTION_PT + 2 * LEGEND_PAD_PT) * k - 2 * LEGEND_LINE_PT
    row = min(LEGEND_ROW_PT * k, room / rows)
    if row < LEGEND_MIN_ROW_PT * k:
        raise SheetOverflow(f"the legend's {len(legend)} entries do not fit its box on {layout.paper.label}")
    return css(width=f"{100 / columns:.3f}%", height=row, font_size=ENTRY_PT * k)


def sheet_html(
    layout: SheetLayout,
    content: MapContent,
    legend: list[LegendEntry],
    note: CompilationNote,
    placed_bar: PlacedScaleBar,
    notes_scale: float = 1.0,
) -> str:
    ticks, grid_labels = _grid(layout, content)
    bar_parts, bar_labels, bar_outline = _scale_bar(placed_bar, layout.type_scale)
    styles = _styles(layout, content, notes_scale)
    styles["bar_outline"] = bar_outline
    styles["legend_entry"] = legend_entry_style(layout, legend)
    return render_to_string(
        TEMPLATE,
        {
            "page": layout.page,
            "title": _title(content),
            "subtitle": _subtitle(content),
            "s": styles,
            "grid_ticks": ticks,
            "grid_labels": grid_labels,
            "legend": legend,
            "fraction": content.scale.fraction_text,
            "bar_parts": bar_parts,
            "bar_labels": bar_labels,
            "north_svg": _data_uri("north.svg"),
            "note": note,
        },
    )


def _title(content: MapContent) -> str:
    return f"{content.unit_name}行政区划图"


def _subtitle(content: MapContent) -> str:
    return f"（{chinese_date(content.day)}）" if content.day else ""


def sheet_info(content: MapContent) -> DocumentInfo:
    """The map's document information: its title as printed, the map's publisher as author."""
    return DocumentInfo(
        title=_title(content) + _subtitle(content),
        author=settings.MAP_PUBLISHER,
        subject=f"比例尺 {content.scale.fraction_text}",
    )


def write_sheet(html: str, path: Path, info: DocumentInfo) -> None:
    path.write_bytes(html_to_pdf(html, info))


def text_below(path: Path, box: Box) -> list[str]:
    """Words in the column of ``box`` that run below its bottom edge: text that did not fit."""
    return [
        word
        for x0, _, x1, y1, word in pdf_words(path)
        if x0 >= box.x - 1 and x1 <= box.right + 1 and y1 > box.bottom + 0.5 and x0 < box.right
    ]


def compose_sheet(
    layout: SheetLayout,
    content: MapContent,
    legend: list[LegendEntry],
    note: CompilationNote,
    placed_bar: PlacedScaleBar,
    path: Path,
    info: DocumentInfo,
) -> float:
    """Write the sheet, setting the compilation note smaller until it fits its box (at most to
    ``NOTES_MIN_SCALE``); returns the scale used. Text that still does not fit is an error."""
    for notes_scale in NOTES_SCALES:
        write_sheet(sheet_html(layout, content, legend, note, placed_bar, notes_scale), path, info)
        overflow = text_below(path, layout.notes)
        if not overflow:
            return notes_scale
    raise SheetOverflow(f"the compilation note does not fit its box on {layout.paper.label}: {''.join(overflow)[:60]}…")


def _form_xobject(writer: PdfWriter, page) -> IndirectObject:
    """A page as a Form XObject of the writer: drawn by reference, its content never parsed (merging
    page contents operator by operator takes seconds for a detailed map)."""
    form = DecodedStreamObject()
    form.set_data(page.get_contents().get_data())
    form.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([FloatObject(v) for v in page.mediabox]),
            NameObject("/Resources"): page["/Resources"].clone(writer),
        }
    )
    return writer._add_object(form.flate_encode())


def _stream(writer: PdfWriter, data: bytes) -> IndirectObject:
    stream = DecodedStreamObject()
    stream.set_data(data)
    return writer._add_object(stream)


def place_frames(
    sheet: Path, placements: list[tuple[Path, Box]], page_height: float, output: Path, info: DocumentInfo
) -> None:
    """Put each PDF (a one-page map) on the sheet with its lower-left corner at its box, at scale 1."""
    writer = PdfWriter(clone_from=str(sheet))
    page = writer.pages[0]
    resources = page["/Resources"].get_object()
    xobjects = resources.setdefault(NameObject("/XObject"), DictionaryObject()).get_object()
    drawing = b"Q\n"
    for index, (pdf, box) in enumerate(placements):
        name = NameObject(f"/MapFrame{index}")
        xobjects[name] = _form_xobject(writer, PdfReader(str(pdf)).pages[0])
        x, y = box.pdf_origin(page_height)
        drawing += b"q 1 0 0 1 %.4f %.4f cm %s Do Q\n" % (x, y, name.encode())
    contents = page["/Contents"]
    existing = list(contents.get_object()) if isinstance(contents.get_object(), ArrayObject) else [contents]
    # The sheet's own drawing is wrapped in q/Q, so the frames start from the page's coordinates.
    page[NameObject("/Contents")] = ArrayObject([_stream(writer, b"q\n"), *existing, _stream(writer, drawing)])
    write_pdf(writer, output, info)
