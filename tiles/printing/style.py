"""The map's symbols and Mapnik XML: one definition each, read by the renderer and by the legend.

Conventions of Chinese administrative maps (行政区划图): boundaries by level with dash-and-dot
symbols, heavier for higher levels (国界 dash + dot, 省级界 dash + two dots, 地级界 dash + dot,
县级界 dashes), each on a white casing that masks any lower boundary under it; a tinted band inside
the mapped unit's outline; the unit's parts in light tints, everything around it in grey; seats by
level (double circle for the city, circle with dot for counties, small circle for townships); names
sized by rank. Sizes are points on paper at A3 and grow with the paper's ``type_scale``.
Labels never overlap: each text has a list of positions around its point and smaller sizes to try,
and what still does not fit is left out by Mapnik and reported by ``labels.missing_labels``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from xml.sax.saxutils import quoteattr

from core.srid import METRIC_SRID

SYMBOLS_DIR = Path(__file__).resolve().parent / "symbols"
MAP_SRS = f"epsg:{METRIC_SRID}"
SANS, SANS_BOLD = "Noto Sans CJK SC Regular", "Noto Sans CJK SC Bold"
SERIF_BOLD = "Noto Serif CJK SC Bold"

FOREIGN_FILL = "#f3f1ec"
CONTEXT_FILL = "#e2e2df"
HOME_FILL = "#fdfbf3"
PART_TINTS = ["#fbefd5", "#e3efd6", "#dfe8f3", "#f6e2ea", "#efebc9"]
BAND_COLOR = "#e4b9d2"
BAND_MM = 2.0
GRID_COLOR = "#8fb0cf"
WATER_COLOR, WATER_FILL = "#4a8fcf", "#cfe4f5"


@dataclass(frozen=True)
class LineSymbol:
    label: str
    width: float
    dash: tuple[float, ...] = ()
    color: str = "#1a1a1a"
    casing: float = 0.0  # a white line this much wider under it

    def scaled(self, k: float) -> LineSymbol:
        return LineSymbol(self.label, self.width * k, tuple(d * k for d in self.dash), self.color, self.casing * k)


BOUNDARIES = {
    "national": LineSymbol("国界", 1.7, (7, 1.8, 1.6, 1.8), casing=1.6),
    "province": LineSymbol("省级界", 1.2, (6, 1.5, 1.1, 1.3, 1.1, 1.5), casing=1.4),
    "prefecture": LineSymbol("地级界", 1.0, (6, 1.6, 1.1, 1.6), casing=1.2),
    "county": LineSymbol("县级界", 0.7, (3.6, 1.4), casing=1.0),
    "township": LineSymbol("乡级界", 0.45, (1.8, 1.1), casing=0.6),
}
LINES = {
    "grid": LineSymbol("方里网", 0.35, color=GRID_COLOR),
    "river": LineSymbol("河流", 0.9, color=WATER_COLOR),
}


@dataclass(frozen=True)
class RoadSymbol:
    """A road class: a coloured line in a darker edge (``edge`` points each side)."""

    label: str
    width: float
    fill: str
    edge_color: str
    edge: float = 0.25

    def scaled(self, k: float) -> RoadSymbol:
        return RoadSymbol(self.label, self.width * k, self.fill, self.edge_color, self.edge * k)


# Road classes (gazetteer Road.road_class), highest first: the legend's order; drawn lowest first.
ROADS = {
    "expressway": RoadSymbol("高速公路", 1.9, "#f08a24", "#6e3b10", 0.35),
    "national": RoadSymbol("国道", 1.6, "#e04b4b", "#7a1f1f", 0.3),
    "provincial": RoadSymbol("省道", 1.35, "#f4c542", "#7a5d10"),
    "county": RoadSymbol("县道", 1.1, "#fbe7a1", "#8a7430"),
    "urban": RoadSymbol("城市道路", 0.95, "#ffffff", "#6f665a", 0.22),
    "lane": RoadSymbol("街巷", 0.6, "#ffffff", "#8f877b", 0.18),
}
# The railway: a black line with white dashes in it (黑白相间), the usual symbol of Chinese maps.
RAILWAY = LineSymbol("铁路", 1.5, color="#1a1a1a")
RAILWAY_DASHES = LineSymbol("铁路", 0.9, (4.5, 4.5), color="#ffffff")
# Route shields (路线编号): the number on the class's colour, as on the road signs (国道 red, 省道 yellow,
# 县道 white, 高速 green); two widths, for numbers of up to three characters (G11, G201) and longer (G1011).
SHIELDS = {
    "expressway": ("#1d7a3e", "#ffffff"),
    "national": ("#c8102e", "#ffffff"),
    "provincial": ("#f2c200", "#1a1a1a"),
    "county": ("#ffffff", "#1a1a1a"),
}
SHIELD_WIDTHS = {"short": 13.0, "long": 17.5}  # points at A3: the files symbols/shield_<class>_<width>.svg
SHIELD_TEXT_PT = 5.2


@dataclass(frozen=True)
class PointSymbol:
    label: str
    file: str
    size: float  # marker diameter in points


SEATS = {
    "seat_city": PointSymbol("市人民政府驻地", "seat_city.svg", 10.0),
    "seat_county": PointSymbol("县级人民政府驻地", "seat_county.svg", 7.0),
    "seat_town": PointSymbol("乡、镇人民政府驻地", "seat_town.svg", 4.2),
    "settlement": PointSymbol("居民点", "settlement.svg", 2.6),
    "station": PointSymbol("火车站", "station.svg", 5.0),
}
# Boundary markers (界桩): a small square post, on the county and district sheets. A print map shows the
# synthetic demonstration markers only, so its legend entry says 示例.
MARKER = PointSymbol("界桩", "boundary_marker.svg", 4.0)
MARKER_LEGEND_LABEL = "界桩（示例）"
MARKER_COLOR = "#8c1d22"


@dataclass(frozen=True)
class TextStyle:
    face: str
    size: float
    color: str = "#1a1a1a"
    spacing: float = 0.0
    halo: float = 1.2
    placements: str = "E,W,NE,SE,NW,SW,N,S"
    offset: float = 0.0  # from the point to the text, beyond the marker
    line: bool = False
    # OpenType features; "locl=0" for text of digits and letters: Noto CJK's Chinese forms of the digits
    # (its 'locl' feature) are glyphs without a character, which cairo writes as U+FFFD, so the number
    # could not be read back or searched in the PDF.
    features: str = ""

    def xml(self, k: float, marker: float = 0.0, shrink: tuple[float, ...] = (0.9, 0.8)) -> str:
        size = self.size * k
        smaller = ",".join(f"{size * f:.2f}" for f in shrink)
        margin = LABEL_MARGIN * k
        d = marker * k / 2 + margin + self.offset * k
        placement = (
            'placement="line" spacing="220" max-char-angle-delta="25" '
            f'label-position-tolerance="{LINE_TOLERANCE * k:.1f}"'
            if self.line
            else f'placement-type="simple" placements="{self.placements},{smaller}" dx="{d:.2f}" dy="{d:.2f}"'
        )
        return (
            f'<TextSymbolizer face-name="{self.face}" size="{size:.2f}" fill="{self.color}" '
            f'halo-fill="rgba(255,255,255,0.85)" halo-radius="{self.halo * k:.2f}" '
            f'character-spacing="{self.spacing * k:.2f}" allow-overlap="false" avoid-edges="true" '
            + (f'font-feature-settings="{self.features}" ' if self.features else "")
            + f'margin="{margin:.2f}" {placement}>[name]</TextSymbolizer>'
        )


AREA = "X,N,S,E,W,NE,SE,NW,SW"
# The least room between a name and any other name or seat symbol.
LABEL_MARGIN = 0.9
RETRY_OFFSET = 2.0
# A name along a line (a road, a river) may move this far (points) along it from its ideal place, to make room
# for a crossing road's name or a route shield; without it Mapnik tries the line's middle only.
LINE_TOLERANCE = 90.0
TEXTS = {
    "label_city": TextStyle(SANS_BOLD, 13.0, offset=1.5),
    "label_county": TextStyle(SANS_BOLD, 10.5, offset=1.2),
    "label_part": TextStyle(SANS_BOLD, 10.0, "#5a3f78", spacing=3.0, placements=AREA, offset=5),
    "label_town": TextStyle(SANS, 7.6, "#222222", offset=0.8),
    "label_settlement": TextStyle(SANS, 6.6, "#333333", offset=0.8),
    "label_neighbour": TextStyle(SANS, 10.5, "#6f6f6f", spacing=3.0, placements=AREA, offset=5),
    "label_context": TextStyle(SANS, 11.0, "#777777", spacing=3.5, placements=AREA, offset=6),
    "label_province": TextStyle(SANS_BOLD, 14.0, "#8c8c8c", spacing=7.0, placements=AREA, offset=8),
    "label_foreign": TextStyle(SANS_BOLD, 14.0, "#8c8c8c", spacing=7.0, placements=AREA, offset=8),
    "label_river": TextStyle(SANS, 7.4, WATER_COLOR, spacing=2.0, line=True),
    "label_water_area": TextStyle(SANS, 7.4, WATER_COLOR, placements=AREA),
    "label_road": TextStyle(SANS, 6.8, "#7a3a25", line=True),
    "label_railway": TextStyle(SANS, 6.8, "#333333", line=True),
    "label_station": TextStyle(SANS, 6.6, "#1a1a1a", offset=0.8),
    "label_marker": TextStyle(
        SANS, 5.4, MARKER_COLOR, halo=1.0, placements="NE,SE,NW,SW,E,W,N,S", offset=0.3, features="locl=0"
    ),
    "inset_label": TextStyle(SANS, 6.5, "#6f6f6f", spacing=1.5, placements=AREA, offset=3),
    "inset_label_red": TextStyle(SANS_BOLD, 7.5, "#b3161d", placements="E,W,N,S,NE,SE,NW,SW", offset=3),
}
# Text of these layers is written beside this marker (its size keeps the text clear of it).
LABEL_MARKER = {"label_city": "seat_city", "label_county": "seat_county", "label_town": "seat_town"}
LABEL_MARKER["label_settlement"] = "settlement"
LABEL_MARKER["label_station"] = "station"


def _line(symbol: LineSymbol, opacity: float = 1.0) -> str:
    parts = []
    if symbol.casing:
        parts.append(
            f'<LineSymbolizer stroke="#ffffff" stroke-width="{symbol.width + symbol.casing:.2f}" '
            'stroke-linejoin="round"/>'
        )
    dash = f' stroke-dasharray="{",".join(f"{d:.2f}" for d in symbol.dash)}"' if symbol.dash else ""
    parts.append(
        f'<LineSymbolizer stroke="{symbol.color}" stroke-width="{symbol.width:.2f}" stroke-opacity="{opacity}" '
        f'stroke-linejoin="round" stroke-linecap="butt"{dash}/>'
    )
    return "".join(parts)


def _road(symbol: RoadSymbol, part: str) -> str:
    """A road's edge (``casing``, drawn under every road of the map) or its coloured line (``fill``)."""
    if part == "casing":
        width, color = symbol.width + 2 * symbol.edge, symbol.edge_color
    else:
        width, color = symbol.width, symbol.fill
    stroke = f'stroke="{color}" stroke-width="{width:.2f}"'
    return f'<LineSymbolizer {stroke} stroke-linejoin="round" stroke-linecap="round"/>'


def shield_file(key: str) -> Path:
    """The shield ``<class>_<short|long>``: an SVG in symbols/ of its size in points at A3, in the class's colour."""
    return SYMBOLS_DIR / f"shield_{key}.svg"


def _shields(k: float) -> str:
    """One rule per shield: the route number ([ref]) on it, along the line, never over another label."""
    rules = []
    for cls, (_, ink) in SHIELDS.items():
        for length in SHIELD_WIDTHS:
            key = f"{cls}_{length}"
            path = quoteattr(str(shield_file(key)))
            rules.append(
                f"<Rule><Filter>[shield] = '{key}'</Filter>"
                f'<ShieldSymbolizer file={path} transform="scale({k:.3f})" face-name="{SANS_BOLD}" '
                f'size="{SHIELD_TEXT_PT * k:.2f}" fill="{ink}" placement="line" spacing="{260 * k:.1f}" '
                f'label-position-tolerance="{LINE_TOLERANCE * k:.1f}" '
                f'margin="{LABEL_MARGIN * k:.2f}" allow-overlap="false" avoid-edges="true" '
                'font-feature-settings="locl=0" unlock-image="false">[ref]</ShieldSymbolizer></Rule>'
            )
    return "".join(rules)


def _fill(color: str, opacity: float = 1.0) -> str:
    return f'<PolygonSymbolizer fill="{color}" fill-opacity="{opacity}"/>'


def _marker(symbol: PointSymbol, k: float) -> str:
    size = symbol.size * k
    path = quoteattr(str(SYMBOLS_DIR / symbol.file))
    return (
        f'<MarkersSymbolizer file={path} width="{size:.2f}" height="{size:.2f}" '
        'allow-overlap="true" ignore-placement="false" placement="point"/>'
    )


def _rules(*symbolizers: str, filters: list[str] | None = None) -> str:
    if filters:
        return "".join(f"<Rule><Filter>{f}</Filter>{s}</Rule>" for f, s in zip(filters, symbolizers, strict=True))
    return f"<Rule>{''.join(symbolizers)}</Rule>"


def layer_rules(key: str, k: float, attempt: int = 1) -> str | None:
    """The rules that draw layer ``key`` at type scale ``k``, or None for an unknown layer.
    ``attempt`` > 1: names that did not fit before, tried a little further out each time."""
    if key in ("foreign",):
        return _rules(_fill(FOREIGN_FILL))
    if key in ("country", "province", "context", "neighbour"):
        return _rules(_fill(CONTEXT_FILL))
    if key == "part":
        tints = [_fill(color) for color in PART_TINTS]
        return _rules(*tints, filters=[f"[tint] = {i + 1}" for i in range(len(PART_TINTS))])
    if key == "unit_band":
        return _rules(_fill(BAND_COLOR, 0.75))
    if key == "home":
        return _rules(_fill(HOME_FILL))
    if key == "inset_line":
        return _rules(f'<LineSymbolizer stroke="#8a8a8a" stroke-width="{0.4 * k:.2f}"/>')
    if key == "inset_national":
        return _rules(_line(LineSymbol("国界", 0.8, (3.5, 1, 0.8, 1)).scaled(k)))
    if key == "highlight":
        return _rules(_fill("#d9363e"), '<LineSymbolizer stroke="#8c1d22" stroke-width="0.6"/>')
    if key == "water_area":
        return _rules(_fill(WATER_FILL), f'<LineSymbolizer stroke="{WATER_COLOR}" stroke-width="{0.5 * k:.2f}"/>')
    if key in LINES:
        return _rules(_line(LINES[key].scaled(k), 0.85 if key == "grid" else 1.0))
    if key.startswith(("casing_road_", "road_")) and key.rsplit("_", 1)[-1] in ROADS:
        return _rules(_road(ROADS[key.rsplit("_", 1)[-1]].scaled(k), "casing" if key.startswith("casing") else "fill"))
    if key == "railway":
        return _rules(_line(RAILWAY.scaled(k)) + _line(RAILWAY_DASHES.scaled(k)))
    if key == "road_shield":
        return _shields(k)
    if key.startswith("boundary_") and key[9:] in BOUNDARIES:
        return _rules(_line(BOUNDARIES[key[9:]].scaled(k)))
    if key in SEATS:
        return _rules(_marker(SEATS[key], k))
    if key == "marker":
        return _rules(_marker(MARKER, k))
    if key == "label_marker":  # a marker's number beside its symbol; left out where it has no room
        return _rules(TEXTS[key].xml(k, MARKER.size, shrink=(0.9,)))
    if key.startswith("priority_") and key[9:] in TEXTS:
        text = TEXTS[key[9:]]
        marker = SEATS[LABEL_MARKER[key[9:]]].size if key[9:] in LABEL_MARKER else 0.0
        further = replace(text, offset=text.offset + RETRY_OFFSET * max(attempt - 1, 1))
        return _rules(further.xml(k, marker, shrink=(0.9, 0.8, 0.7)))
    if key in TEXTS:
        marker = SEATS[LABEL_MARKER[key]].size if key in LABEL_MARKER else 0.0
        return _rules(TEXTS[key].xml(k, marker))
    return None


def _cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def map_xml(layers: list[tuple[str, str]], k: float, attempt: int = 1, background: str = FOREIGN_FILL) -> str:
    """Mapnik XML for (style key, GeoJSON) pairs, drawn in that order."""
    styles, body = [], []
    for index, (key, geojson) in enumerate(layers):
        rules = layer_rules(key, k, attempt)
        if rules is None:
            raise ValueError(f"no style for layer {key!r}")
        name = f"s{index}_{key}"
        styles.append(f'<Style name="{name}">{rules}</Style>')
        body.append(
            f'<Layer name="{name}" srs="{MAP_SRS}"><StyleName>{name}</StyleName><Datasource>'
            f'<Parameter name="type">geojson</Parameter><Parameter name="inline">{_cdata(geojson)}</Parameter>'
            "</Datasource></Layer>"
        )
    return f'<Map srs="{MAP_SRS}" background-color="{background}">{"".join(styles)}{"".join(body)}</Map>'
