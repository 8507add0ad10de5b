"""The legend (图例), built from what the frame actually draws: an entry only for a layer that has
features on this map, with the symbol drawn from the same definition the map uses (style.py)."""

from __future__ import annotations

import base64
import math
import unicodedata
from dataclasses import dataclass

from tiles.printing import style
from tiles.printing.content import MapContent
from tiles.printing.layout import LEGEND_LINE_PT, LEGEND_PAD_PT

SWATCH_W, SWATCH_H = 26.0, 11.0  # points, at A3
ENTRY_PT, LABEL_GAP_PT = 7.4, 3.0  # an entry's type, and the room between its swatch and its label, at A3


@dataclass(frozen=True)
class LegendEntry:
    key: str
    label: str
    svg: str

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label}


def _svg(body: str, k: float) -> str:
    w, h = SWATCH_W * k, SWATCH_H * k
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w:.2f}pt" height="{h:.2f}pt" '
        f'viewBox="0 0 {w:.2f} {h:.2f}">{body}</svg>'
    )


def line_swatch(symbol: style.LineSymbol, k: float) -> str:
    s = symbol.scaled(k)
    y, x2 = SWATCH_H * k / 2, SWATCH_W * k - 1
    parts = []
    if s.casing:
        parts.append(f'<line x1="1" y1="{y}" x2="{x2}" y2="{y}" stroke="#fff" stroke-width="{s.width + s.casing}"/>')
    dash = f' stroke-dasharray="{" ".join(f"{d:.2f}" for d in s.dash)}"' if s.dash else ""
    parts.append(f'<line x1="1" y1="{y}" x2="{x2}" y2="{y}" stroke="{s.color}" stroke-width="{s.width:.2f}"{dash}/>')
    return _svg("".join(parts), k)


def road_swatch(symbol: style.RoadSymbol, k: float) -> str:
    s = symbol.scaled(k)
    y, x2 = SWATCH_H * k / 2, SWATCH_W * k - 1
    line = f'<line x1="1" y1="{y}" x2="{x2}" y2="{y}" stroke-linecap="butt"'
    return _svg(
        f'{line} stroke="{s.edge_color}" stroke-width="{s.width + 2 * s.edge:.2f}"/>'
        f'{line} stroke="{s.fill}" stroke-width="{s.width:.2f}"/>',
        k,
    )


def railway_swatch(k: float) -> str:
    """The black line with white dashes in it, as the map draws a railway."""
    y, x2 = SWATCH_H * k / 2, SWATCH_W * k - 1
    parts = []
    for symbol in (style.RAILWAY.scaled(k), style.RAILWAY_DASHES.scaled(k)):
        dash = f' stroke-dasharray="{" ".join(f"{d:.2f}" for d in symbol.dash)}"' if symbol.dash else ""
        stroke = f'stroke="{symbol.color}" stroke-width="{symbol.width:.2f}"{dash}'
        parts.append(f'<line x1="1" y1="{y}" x2="{x2}" y2="{y}" {stroke}/>')
    return _svg("".join(parts), k)


def synthetic_label(content: MapContent, key: str, label: str) -> str:
    """A layer of synthetic (demonstration) features says so in its legend entry: 示例, or 含示例 for a mix."""
    layer = content.layers.get(key)
    if layer is None or not layer.synthetic:
        return label
    return f"{label}（示例）" if layer.synthetic == len(layer) else f"{label}（含示例）"


def point_swatch(symbol: style.PointSymbol, k: float) -> str:
    size = symbol.size * k
    data = base64.b64encode((style.SYMBOLS_DIR / symbol.file).read_bytes()).decode()
    x, y = (SWATCH_W * k - size) / 2, (SWATCH_H * k - size) / 2
    image = (
        f'<image x="{x:.2f}" y="{y:.2f}" width="{size:.2f}" height="{size:.2f}" '
        f'href="data:image/svg+xml;base64,{data}"/>'
    )
    return _svg(image, k)


def area_swatch(fills: list[str], k: float, stroke: str = "#9a9a9a") -> str:
    w, h = SWATCH_W * k - 2, SWATCH_H * k - 2
    step = w / len(fills)
    rects = "".join(
        f'<rect x="{1 + i * step:.2f}" y="1" width="{step:.2f}" height="{h:.2f}" fill="{fill}"/>'
        for i, fill in enumerate(fills)
    )
    return _svg(
        rects
        + f'<rect x="1" y="1" width="{w:.2f}" height="{h:.2f}" fill="none" stroke="{stroke}" stroke-width="0.5"/>',
        k,
    )


def legend_entries(content: MapContent, k: float) -> list[LegendEntry]:
    drawn = content.counts()
    entries: list[LegendEntry] = []

    def add(key: str, label: str, svg: str) -> None:
        entries.append(LegendEntry(key, label, svg))

    for key, symbol in style.SEATS.items():
        if drawn.get(key):
            add(key, symbol.label, point_swatch(symbol, k))
    for level, symbol in style.BOUNDARIES.items():
        if drawn.get(f"boundary_{level}"):
            add(f"boundary_{level}", symbol.label, line_swatch(symbol, k))
    if drawn.get("marker"):
        add("marker", style.MARKER_LEGEND_LABEL, point_swatch(style.MARKER, k))
    if drawn.get("water_area"):
        add("water_area", "湖泊、水库", area_swatch([style.WATER_FILL], k, style.WATER_COLOR))
    if drawn.get("river"):
        add("river", style.LINES["river"].label, line_swatch(style.LINES["river"], k))
    for cls, symbol in style.ROADS.items():
        if drawn.get(f"road_{cls}"):
            add(f"road_{cls}", synthetic_label(content, f"road_{cls}", symbol.label), road_swatch(symbol, k))
    if drawn.get("railway"):
        add("railway", synthetic_label(content, "railway", style.RAILWAY.label), railway_swatch(k))
    parts = drawn.get("part", 0)
    if parts:
        tints = style.PART_TINTS[: min(parts, 4)] if parts > 1 else style.PART_TINTS[:1]
        label = "县级行政区" if parts > 1 else f"{content.unit_name}辖区"
        add("part", label, area_swatch(tints, k))
    if drawn.get("neighbour") or drawn.get("context") or drawn.get("province"):
        add("neighbour", "相邻地区", area_swatch([style.CONTEXT_FILL], k))
    if drawn.get("foreign"):
        add("foreign", "邻国", area_swatch([style.FOREIGN_FILL], k))
    if drawn.get("grid"):
        add("grid", f"方里网（{content.grid.interval_m // 1000} 公里）", line_swatch(style.LINES["grid"], k))
    return entries


def label_width(text: str, size: float) -> float:
    """The width of a label in Noto Sans CJK: ideographs and full-width signs one em, any other
    character at most 0.6 em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in text)


def entry_width(entry: LegendEntry, k: float) -> float:
    return (SWATCH_W + LABEL_GAP_PT) * k + label_width(entry.label, ENTRY_PT * k)


def legend_columns(entries: list[LegendEntry], box_width: float, k: float) -> int:
    """Two entries a row where the widest entry fits half the legend's inside, else one: a label
    never runs into the swatch beside it (the panel of an A4 or a portrait sheet is narrow)."""
    inside = box_width - 2 * (LEGEND_PAD_PT * k + LEGEND_LINE_PT)
    return 2 if entries and 2 * max(entry_width(e, k) for e in entries) <= inside else 1


def legend_rows(entries: list[LegendEntry], box_width: float, k: float) -> int:
    return math.ceil(len(entries) / legend_columns(entries, box_width, k))
