"""The compilation note (编制说明): projection, scale, dates, sources with their licences, the map
approval number, and the notice that a layer is synthetic."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings

from core.models import DataSource
from core.srid import METRIC_CRS_LABEL, METRIC_SRID
from tiles.printing.content import MapContent
from tiles.printing.names import chinese_date
from tiles.printing.style import BOUNDARIES, LINES, MARKER, RAILWAY, ROADS, SEATS

NOT_SUBMITTED = "未送审"
LAYER_NAMES = {
    **{key: symbol.label for key, symbol in SEATS.items()},
    **{f"boundary_{level}": symbol.label for level, symbol in BOUNDARIES.items()},
    **{key: symbol.label for key, symbol in LINES.items()},
    **{f"road_{cls}": symbol.label for cls, symbol in ROADS.items()},
    "railway": RAILWAY.label,
    "water_area": "湖泊、水库",
    "marker": MARKER.label,
}
# The print maps show synthetic markers only (tiles.printing.boundary_markers): the note says so plainly.
MARKER_NOTICE = "图中界桩均为本系统生成的示例界桩（合成演示数据），并非实地埋设的界桩；实地界桩不公开，不在本图表示。"


def approval_number() -> str:
    return settings.MAP_APPROVAL_NUMBER or NOT_SUBMITTED


def licence_name(licence: str) -> str:
    """The licence's own name, without the notes the source definition adds after it:
    'MIT (package); geometry originates from Amap ...' -> 'MIT'."""
    return licence.split(";")[0].split("(")[0].strip() or licence


def source_line(source: DataSource) -> str:
    """One source in Chinese: attribution, licence, as-of date, datum and its conversion."""
    text = (source.attribution or source.title).rstrip("。")
    licence = licence_name(source.licence)
    if not source.open_licence:
        licence += "（几何数据未获开放许可）"
    parts = [text] if licence_name(source.licence) in text and source.open_licence else [text, f"许可 {licence}"]
    if source.vintage_date:
        parts.append(f"截至 {chinese_date(source.vintage_date)}")
    if source.datum and source.datum not in text:
        converted = f"，已由 {source.datum} 转换至 CGCS2000" if source.conversion else ""
        parts.append(f"原始坐标 {source.datum}{converted}")
    return "；".join(parts) + "。"


def synthetic_notice(content: MapContent) -> str:
    synthetic = content.synthetic_layers()
    if not synthetic:
        return ""
    layers = [LAYER_NAMES.get(key, key) for key in synthetic if key != "marker"]
    markers = MARKER_NOTICE if "marker" in synthetic else ""
    if not layers:
        return f"注意：{markers}本图不得作为正式地图使用。"
    return (
        f"注意：本图{'、'.join(layers)}含本系统生成的示意（合成）数据，并非实测或官方数据，不得作为正式地图使用。"
        + markers
    )


@dataclass(frozen=True)
class CompilationNote:
    projection: str
    scale: str
    divisions_as_of: str
    edition: str
    publisher: str
    sources: list[str]
    approval: str
    synthetic: str
    warnings: list[str]

    def as_dict(self) -> dict:
        return dict(vars(self))


def compilation_note(content: MapContent, paper_label: str, today: dt.date) -> CompilationNote:
    interval_km = content.grid.interval_m // 1000
    return CompilationNote(
        projection=(
            f"CGCS2000 高斯-克吕格投影，6° 分带，中央经线 129°E（EPSG:{METRIC_SRID}，{METRIC_CRS_LABEL}）；"
            f"方里网间隔 {interval_km} 公里，图廓注记为平面直角坐标（公里）。"
        ),
        scale=f"比例尺 {content.scale.fraction_text}（{paper_label}）。",
        divisions_as_of=f"行政区划截至 {chinese_date(content.day or today)}。",
        edition=f"编制日期 {chinese_date(today)}。",
        publisher=f"编制单位：{settings.MAP_PUBLISHER}。",
        sources=list(dict.fromkeys(source_line(s) for s in sorted(content.sources.values(), key=lambda s: s.key))),
        approval=approval_number(),
        synthetic=synthetic_notice(content),
        warnings=list(content.warnings),
    )
