"""Print maps (tiles/printing) on the real data, checked the way a reader and a printer check a sheet:
the page size and the embedded fonts (pypdf), the text (pdftotext), the drawing itself (the PDF's
content streams read back with pypdf: scale bar, grid lines, frame lines, legend, north arrow), the
PNG and SVG exports, a map of a past day, and the requests that must be refused.

Every map is rendered once per module (one to six seconds each) and read by several tests."""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
import statistics
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest
from django.test import override_settings
from PIL import Image
from pypdf import PdfReader
from pyproj import Geod, Transformer

from boundaries.levels import TOWNSHIP_LEVELS, Tier
from boundaries.models import AdminUnit
from core.history import open_changeset
from core.models import Changeset
from core.srid import METRIC_SRID, STORAGE_SRID
from gazetteer.models import Category
from gazetteer.services.places import create_place
from tests.pdf_reading import INK, Paint, Rect, Word, drawing, embedded, fonts, pdftotext, rgb, words_of
from tiles.printing import style
from tiles.printing.exports import PNG_DPI
from tiles.printing.legend import SWATCH_W
from tiles.printing.names import units_abolished_after
from tiles.printing.papers import Orientation, Paper
from tiles.printing.service import MapRequest, MapRequestError, render_map

pytestmark = pytest.mark.django_db

CITY, DONGAN, DONGNING = "231000", "231002", "231086"
COUNTY_NAMES = {"东安区", "阳明区", "爱民区", "西安区", "林口县", "绥芬河市", "海林市", "宁安市", "穆棱市", "东宁市"}
PAPER_MM = {"A4": (210, 297), "A3": (297, 420), "A1": (594, 841)}  # ISO 216, portrait
PT_PER_MM = 72 / 25.4
GROUND_M_PER_PT_AT_1_1 = 0.0254 / 72  # a point on paper is this many metres on the ground at 1:1
APPROVAL = "黑S(2025)018号"

GRID = rgb(style.GRID_COLOR)
RADICALS = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))


# ---- a rendered map -----------------------------------------------------------------------------------


@dataclass
class PrintedMap:
    path: Path
    report: dict

    @property
    def paper(self) -> Paper:
        return Paper(self.report["paper"]["name"], Orientation(self.report["paper"]["orientation"]))

    @property
    def frame(self) -> Rect:
        f = self.report["scale"]["frame"]
        return Rect(f["x"], f["y"], f["x"] + f["width"], f["y"] + f["height"])

    @cached_property
    def lines(self) -> list[str]:
        """The text, one line each as written (-raw), without spaces (labels are letter-spaced)."""
        return ["".join(line.split()) for line in pdftotext(self.path, "-raw").splitlines() if line.strip()]

    def lines_in(self, box: Rect) -> list[str]:
        x, y = math.floor(box.x0), math.floor(box.y0)
        crop = ["-x", str(x), "-y", str(y), "-W", str(math.ceil(box.x1) - x), "-H", str(math.ceil(box.y1) - y)]
        return ["".join(line.split()) for line in pdftotext(self.path, "-raw", *crop).splitlines() if line.strip()]

    def shows(self, text: str, lines: list[str] | None = None) -> bool:
        wanted = "".join(text.split())
        return any(wanted in line for line in (self.lines if lines is None else lines))

    @cached_property
    def words(self) -> list[Word]:
        return words_of(self.path)

    @cached_property
    def paints(self) -> list[Paint]:
        return drawing(self.path)

    @cached_property
    def frame_form(self) -> str:
        """The Form XObject the map frame is drawn in: the one that draws the kilometre grid."""
        forms = {p.form for p in self.paints if p.form and p.kind == "stroke" and p.colour == GRID}
        assert len(forms) == 1, forms
        return forms.pop()

    def rings(self) -> list[tuple[Rect, Rect]]:
        """The sheet's frame lines (outer, inner edge), in black."""
        return [ring for p in self.paints if p.form == "" and p.colour == INK and (ring := p.ring())]

    def ring_around(self, box: Rect, largest: bool = False) -> tuple[Rect, Rect]:
        around = [ring for ring in self.rings() if ring[1].contains(box, tolerance=0.01)]
        assert around, f"no frame line drawn around {box}"
        return sorted(around, key=lambda ring: ring[0].width * ring[0].height)[-1 if largest else 0]

    def word(self, text: str) -> Word:
        found = [w for w in self.words if w.text == text]
        assert len(found) == 1, f"{text!r} is on the sheet {len(found)} times"
        return found[0]


def render(folder: Path, **params) -> PrintedMap:
    request = MapRequest.from_params(params)
    output = folder / request.file_name()
    return PrintedMap(output, render_map(request, output))


@pytest.fixture(scope="module")
def maps_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("print-maps")


@pytest.fixture(scope="module")
def print_map(django_db_setup, django_db_blocker, maps_dir):
    """Render a map once for the module, with no map approval number configured."""

    def make(**params) -> PrintedMap:
        with django_db_blocker.unblock(), override_settings(MAP_APPROVAL_NUMBER=""):
            return render(maps_dir, **params)

    return make


@pytest.fixture(scope="module")
def city(print_map) -> PrintedMap:
    return print_map(unit=CITY, paper="A3", orientation="landscape")


@pytest.fixture(scope="module")
def district_a4(print_map) -> PrintedMap:
    return print_map(unit=DONGAN, paper="A4", orientation="landscape")


@pytest.fixture(scope="module")
def district_a1(print_map) -> PrintedMap:
    return print_map(unit=DONGAN, paper="A1", orientation="portrait")


@pytest.fixture(scope="module")
def dongning_2014(print_map) -> PrintedMap:
    """东宁 before it became a county-level city (撤县设市 2015), on a portrait A4 sheet."""
    return print_map(unit=DONGNING, paper="A4", orientation="portrait", at="2014-06-01")


@pytest.fixture(scope="module")
def city_a4_portrait(print_map) -> PrintedMap:
    """The tightest sheet: twelve legend entries in one narrow column of a small panel."""
    return print_map(unit=CITY, paper="A4", orientation="portrait")


PDF_MAPS = ["city", "district_a4", "district_a1", "dongning_2014", "city_a4_portrait"]


@pytest.fixture(params=PDF_MAPS)
def printed(request) -> PrintedMap:
    return request.getfixturevalue(request.param)


# ---- paper and fonts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "paper", "orientation"),
    [
        ("city", "A3", "landscape"),
        ("district_a4", "A4", "landscape"),
        ("district_a1", "A1", "portrait"),
        ("dongning_2014", "A4", "portrait"),
    ],
)
def test_the_page_is_the_paper_asked_for(request, name, paper, orientation):
    printed = request.getfixturevalue(name)
    reader = PdfReader(printed.path)
    short, long = (side * PT_PER_MM for side in PAPER_MM[paper])
    expected = (long, short) if orientation == "landscape" else (short, long)
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert page.get("/Rotate", 0) == 0  # a landscape sheet is a landscape page, not a turned portrait one
    assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(expected, abs=0.5)
    assert (printed.report["paper"]["width_pt"], printed.report["paper"]["height_pt"]) == pytest.approx(
        expected, abs=0.5
    )


def test_every_font_is_embedded(printed):
    found = list(fonts(PdfReader(printed.path)))
    not_embedded = [f"{font.get('/BaseFont')} ({where}{name})" for where, name, font in found if not embedded(font)]
    assert not_embedded == []
    # The sheet (WeasyPrint) and the map frame (Mapnik, placed as a Form XObject) both write in CJK fonts.
    cjk = {where for where, _, font in found if "CJK" in str(font.get("/BaseFont"))}
    assert {"", printed.frame_form} <= cjk


def test_chinese_text_is_extracted_as_written(city):
    """Cairo's ToUnicode maps would give radicals for 口 and 民 (林⼝县, 爱⺠区); the project rewrites them."""
    text = pdftotext(city.path)
    radicals = sorted({ch for ch in text if any(lo <= ord(ch) <= hi for lo, hi in RADICALS)})
    assert radicals == []
    assert city.shows("林口县") and city.shows("爱民区")


# ---- names --------------------------------------------------------------------------------------------


def test_the_city_map_names_every_county_and_township(city):
    in_frame = city.lines_in(city.frame)
    counties = AdminUnit.objects.current().filter(parent__code=CITY, tier=Tier.COUNTY)
    assert {u.name for u in counties} == COUNTY_NAMES
    assert sorted(n for n in COUNTY_NAMES if not city.shows(n, in_frame)) == []

    labels = city.report["labels"]
    assert labels["missing"] == []  # at A3 every name finds a place

    def accounted(name: str) -> bool:
        return (
            city.shows(name, in_frame)
            or name in labels["missing"]
            or any(entry.startswith(f"{name}（") for entry in labels["not_labelled"])
        )

    towns = AdminUnit.objects.current().filter(tier=Tier.TOWNSHIP, level__in=TOWNSHIP_LEVELS, parent__in=counties)
    names = sorted(set(towns.values_list("name", flat=True)))
    assert len(names) > 50
    assert [n for n in names if not accounted(n)] == []
    drawn = [n for n in names if city.shows(n, in_frame)]
    assert len(drawn) >= 40  # most are drawn, not explained away


def test_the_urban_districts_are_named_on_a_wall_map_too(maps_dir):
    """On A0 the district seats lie far enough apart to be drawn, but not far enough for their names:
    the districts are named as areas, as on A3, and no name is lost."""
    wall = render(maps_dir, unit=CITY, paper="A0", orientation="portrait")
    assert wall.report["labels"]["missing"] == []
    in_frame = wall.lines_in(wall.frame)
    assert sorted(n for n in COUNTY_NAMES if not wall.shows(n, in_frame)) == []


def test_no_two_words_on_the_sheet_overlap(printed):
    boxes = [(w.em_box, w.text) for w in printed.words]
    assert len(boxes) > 50
    overlapping = [(a, b) for (ba, a), (bb, b) in itertools.combinations(boxes, 2) if ba.overlaps(bb)]
    assert overlapping == []


# ---- the sheet ----------------------------------------------------------------------------------------


def title_of(printed: PrintedMap) -> tuple[str, Rect]:
    """The words written in the largest type, left to right: the title, and their box."""
    size = max(w.box.height for w in printed.words)
    words = sorted((w for w in printed.words if w.box.height > size - 0.01), key=lambda w: w.box.x0)
    box = Rect(words[0].box.x0, words[0].box.y0, words[-1].box.x1, words[-1].box.y1)
    return "".join(w.text for w in words), box


def test_the_sheet_speaks_chinese(city):
    title, box = title_of(city)
    assert title == "牡丹江市行政区划图"
    page_width = city.report["paper"]["width_pt"]
    assert box.cx == pytest.approx(page_width / 2, abs=2)  # centred over the sheet
    assert box.y1 < city.frame.y0
    for caption in ("图例", "比例尺", "编制说明", "位置示意图", "北"):
        assert city.shows(caption), caption
    assert city.shows("审图号：未送审")
    assert city.report["approval_number"] == "未送审"
    assert not city.shows("合成")  # no synthetic data on this map, so no notice


def test_an_entered_map_approval_number_is_printed(settings, tmp_path):
    settings.MAP_APPROVAL_NUMBER = APPROVAL
    printed = render(tmp_path, unit=DONGAN, paper="A4", orientation="landscape")
    assert printed.shows(f"审图号：{APPROVAL}")
    assert not printed.shows("未送审")
    assert printed.report["approval_number"] == APPROVAL


# Layers a legend entry stands for (an entry for every other key stands for the layer of that key).
LEGEND_LAYERS = {"neighbour": {"neighbour", "context", "province"}}
LEGEND_WORTHY = (
    set(style.SEATS)
    | {f"boundary_{level}" for level in style.BOUNDARIES}
    | {"water_area", "river", "railway", "road", "part", "neighbour", "context", "province", "foreign", "grid"}
)


def same_line(a: Word, b: Word) -> bool:
    return abs(a.box.y0 - b.box.y0) < 0.5


def legend_box(printed: PrintedMap) -> Rect:
    """The inside of the frame line around the legend's caption 图例 (letter-spaced: 图, then 例)."""

    def followed_by_li(word: Word) -> bool:
        return any(w.text == "例" and same_line(w, word) and 0 < w.box.x0 - word.box.x1 < 30 for w in printed.words)

    for word in printed.words:
        if word.text == "图例" or (word.text == "图" and followed_by_li(word)):
            return printed.ring_around(word.box)[1]
    raise AssertionError("no legend caption 图例 on the sheet")


def test_the_legend_lists_exactly_the_layers_drawn(printed):
    drawn = {key for key, count in printed.report["layers"].items() if count} & LEGEND_WORTHY
    expected = {next((k for k, layers in LEGEND_LAYERS.items() if key in layers), key) for key in drawn}
    assert {entry["key"] for entry in printed.report["legend"]} == expected


def test_every_legend_label_is_written_inside_the_legend_box(printed):
    inside = printed.lines_in(legend_box(printed))
    assert printed.shows("图例", inside)
    missing = [e["label"] for e in printed.report["legend"] if not printed.shows(e["label"], inside)]
    assert missing == []


def test_legend_labels_do_not_run_into_the_next_entry(printed):
    """Two entries side by side keep at least a swatch's width between the first label and the second."""
    box, k = legend_box(printed), printed.paper.type_scale
    words = [w for w in printed.words if box.contains(w.box) and w.text not in ("图", "例", "图例")]
    words.sort(key=lambda w: (round(w.box.y0), w.box.x0))
    for _, row in itertools.groupby(words, key=lambda w: round(w.box.y0)):
        row = list(row)
        for left, right in itertools.pairwise(row):
            gap = right.box.x0 - left.box.x1
            if gap > 3 * k:  # not a space inside one label
                assert gap >= SWATCH_W * k, f"{left.text} runs into the swatch of {right.text}"


def boundary_symbols_drawn(printed: PrintedMap, form: str) -> set[str]:
    """The boundary levels whose line symbol (width and dash pattern) is drawn in ``form``."""
    k = printed.paper.type_scale
    found = set()
    for level, symbol in style.BOUNDARIES.items():
        width, dash = symbol.width * k, tuple(d * k for d in symbol.dash)
        for paint in printed.paints:
            if (
                paint.form == form
                and paint.kind == "stroke"
                and paint.colour == INK
                and paint.width == pytest.approx(width, abs=0.01)
                and paint.dash == pytest.approx(dash, abs=0.01)
            ):
                found.add(level)
    return found


def test_the_legend_shows_the_boundary_symbols_the_map_draws(printed):
    in_frame = boundary_symbols_drawn(printed, printed.frame_form)
    in_legend = {
        e["key"].removeprefix("boundary_") for e in printed.report["legend"] if e["key"].startswith("boundary_")
    }
    assert in_frame  # every map draws some boundary
    assert in_legend == in_frame
    assert boundary_symbols_drawn(printed, "") == in_frame  # the legend's swatches are the same symbols


def test_a_district_map_has_no_national_border_the_city_map_has(city, district_a1):
    assert "national" in boundary_symbols_drawn(city, city.frame_form)
    assert city.shows("国界", city.lines_in(legend_box(city)))
    assert "national" not in boundary_symbols_drawn(district_a1, district_a1.frame_form)
    assert not district_a1.shows("国界")
    assert "boundary_national" not in {e["key"] for e in district_a1.report["legend"]}


# ---- scale, grid and north arrow ----------------------------------------------------------------------


def is_number(text: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", text) is not None


@dataclass(frozen=True)
class GridLine:
    at: float  # x of a vertical line, y of a horizontal one (points on the page)
    labels: tuple[Word, ...]


def grid_lines(printed: PrintedMap) -> tuple[list[GridLine], list[GridLine]]:
    """The kilometre grid as drawn in the map frame, each line with the numbers written beside its ends
    (above and below a vertical line, left and right of a horizontal one)."""
    frame = printed.frame
    vertical, horizontal = set(), set()
    for paint in printed.paints:
        if paint.form != printed.frame_form or paint.kind != "stroke" or paint.colour != GRID:
            continue
        for (x0, y0), (x1, y1) in (s[:2] for s in paint.subpaths if len(s) == 2):
            if abs(x0 - x1) < 0.01 and frame.x0 < x0 < frame.x1 and min(y0, y1) <= frame.y0 and max(y0, y1) >= frame.y1:
                vertical.add(round(x0, 2))
            if abs(y0 - y1) < 0.01 and frame.y0 < y0 < frame.y1 and min(x0, x1) <= frame.x0 and max(x0, x1) >= frame.x1:
                horizontal.add(round(y0, 2))
    numbers = [w for w in printed.words if is_number(w.text)]
    margin = 40  # the grid labels sit in the few millimetres between the neatline and the outer frame

    def above_or_below(w: Word) -> bool:
        return frame.y0 - margin < w.box.y1 <= frame.y0 or frame.y1 <= w.box.y0 < frame.y1 + margin

    def left_or_right(w: Word) -> bool:
        return frame.x0 - margin < w.box.x1 <= frame.x0 or frame.x1 <= w.box.x0 < frame.x1 + margin

    columns = [
        GridLine(x, tuple(w for w in numbers if abs(w.box.cx - x) < 1 and above_or_below(w))) for x in sorted(vertical)
    ]
    rows = [
        GridLine(y, tuple(w for w in numbers if abs(w.box.cy - y) < 2 and left_or_right(w))) for y in sorted(horizontal)
    ]
    return columns, rows


def metres_per_point(lines: list[GridLine], sign: int) -> float:
    """Ground metres per point along the lines (kilometre labels over their distance on paper)."""
    first, last = lines[0], lines[-1]
    return sign * (float(last.labels[0].text) - float(first.labels[0].text)) * 1000 / (last.at - first.at)


@pytest.mark.parametrize("name", ["city", "district_a4"])
def test_every_grid_line_is_labelled_between_the_neatline_and_the_outer_frame(request, name):
    printed = request.getfixturevalue(name)
    columns, rows = grid_lines(printed)
    assert len(columns) >= 3 and len(rows) >= 3
    for line in columns + rows:
        assert len(line.labels) == 2, f"grid line at {line.at:.1f} pt has labels {[w.text for w in line.labels]}"
        assert line.labels[0].text == line.labels[1].text
    interval_km = printed.report["grid"]["interval_m"] / 1000
    for lines in (columns, rows):
        values = [float(line.labels[0].text) for line in lines]
        assert all(abs(abs(b - a) - interval_km) < 1e-9 for a, b in itertools.pairwise(values)), values
    outer = printed.ring_around(printed.frame, largest=True)
    neatline = printed.ring_around(printed.frame)
    assert outer != neatline
    for line in columns + rows:
        for label in line.labels:
            glyphs = label.em_box
            assert outer[1].contains(glyphs), f"grid label {label.text} runs into the outer frame line"
            assert not neatline[0].overlaps(glyphs), f"grid label {label.text} runs into the neatline"


def sheet_shapes(printed: PrintedMap, rectangles: bool) -> list[Rect]:
    """The boxes of the black shapes the sheet itself fills: rectangles (CSS boxes) or other shapes."""
    return [
        p.bbox
        for p in printed.paints
        if p.form == "" and p.kind == "fill" and p.colour == INK and p.is_rectangle() == rectangles
    ]


def scale_bar_of(printed: PrintedMap) -> tuple[float, float, list[Word]]:
    """(ground metres the bar says, its drawn length in points, its tick labels), read from the sheet:
    the numbers written under the bar, and the black parts drawn above them."""
    for unit in (w for w in printed.words if w.text in ("公里", "米")):
        ticks = [w for w in printed.words if is_number(w.text) and same_line(w, unit) and w.box.x1 < unit.box.x0]
        ticks.sort(key=lambda w: w.box.x0)
        if len(ticks) >= 3:
            break
    else:
        raise AssertionError("no scale bar labels (numbers followed by 公里 or 米) on the sheet")
    values = [float(w.text) for w in ticks]
    assert values[0] == 0 and all(b > a for a, b in itertools.pairwise(values))
    ground_m = values[-1] * (1000 if unit.text == "公里" else 1)
    left, right = ticks[0].box.cx, ticks[-1].box.cx
    above = Rect(left - 1, ticks[0].box.y0 - 12, right + 1, ticks[0].box.y0 + 1)  # where the bar is drawn
    black = sorted((r for r in sheet_shapes(printed, rectangles=True) if above.contains(r)), key=lambda r: r.x0)
    parts = len(ticks) - 1
    assert len(black) == math.ceil(parts / 2), f"expected {math.ceil(parts / 2)} black parts, found {len(black)}"
    part = statistics.mean(r.width for r in black)
    for i, rect in enumerate(black):  # black and white alternate, a part between each two numbers
        assert rect.x0 == pytest.approx(left + 2 * i * part, abs=0.3)
        assert rect.width == pytest.approx(part, abs=0.05)
    return ground_m, parts * part, ticks


@pytest.mark.parametrize("name", ["city", "district_a1", "dongning_2014"])
def test_the_scale_bar_and_the_fraction_measure_the_drawn_map(request, name):
    """Measured on the sheet: the map's scale from its grid lines (their kilometre labels over their
    distance on paper), the bar from its drawn parts and numbers, the fraction from its text; then two
    points one bar length apart on the map, taken back to EPSG:4511 through the grid, are the bar's
    ground distance apart on the ellipsoid."""
    printed = request.getfixturevalue(name)
    columns, rows = grid_lines(printed)
    across, down = metres_per_point(columns, 1), metres_per_point(rows, -1)
    assert across == pytest.approx(down, rel=1e-3)  # the map is not stretched

    fractions = {int(m.group(1)) for line in printed.lines for m in re.finditer(r"比例尺1:(\d+)", line)}
    assert len(fractions) == 1, fractions  # the scale caption and the compilation note agree
    denominator = fractions.pop()
    assert denominator * GROUND_M_PER_PT_AT_1_1 == pytest.approx(across, rel=0.01)

    ground_m, length_pt, _ = scale_bar_of(printed)
    assert ground_m / length_pt == pytest.approx(across, rel=0.01)
    assert denominator * GROUND_M_PER_PT_AT_1_1 * length_pt == pytest.approx(ground_m, rel=0.01)

    # Two points one bar length apart across the middle of the map, in EPSG:4511 through the grid.
    x0, y = printed.frame.cx, printed.frame.cy
    east = float(columns[0].labels[0].text) * 1000 + (x0 - columns[0].at) * across
    north = float(rows[0].labels[0].text) * 1000 - (y - rows[0].at) * down
    to_lonlat = Transformer.from_crs(METRIC_SRID, STORAGE_SRID, always_xy=True)
    (lon0, lon1), (lat0, lat1) = to_lonlat.transform([east, east + length_pt * across], [north, north])
    geodesic_m = Geod(ellps="GRS80").inv(lon0, lat0, lon1, lat1)[2]
    assert geodesic_m == pytest.approx(ground_m, rel=0.01)

    report = printed.report
    assert report["scale"]["denominator"] == denominator
    assert report["scale_bar"]["ground_m"] == ground_m
    assert report["scale_bar"]["length_pt"] == pytest.approx(length_pt, abs=0.5)


@pytest.mark.parametrize("name", ["city", "dongning_2014"])
def test_a_north_arrow_points_up_under_its_caption(request, name):
    printed = request.getfixturevalue(name)
    caption = printed.word("北").box
    below = Rect(caption.cx - 12, caption.y1, caption.cx + 12, caption.y1 + 30 + 40 * printed.paper.type_scale)
    arrows = [r for r in sheet_shapes(printed, rectangles=False) if below.contains(r)]
    assert arrows, "no north arrow under 北"
    arrow = max(arrows, key=lambda r: r.height)
    assert arrow.height > 2 * arrow.width  # an upright arrow
    assert arrow.height > 15 * printed.paper.type_scale


# ---- PNG and SVG --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def png(print_map) -> PrintedMap:
    return print_map(unit=DONGAN, paper="A3", orientation="portrait", format="png")


@pytest.fixture(scope="module")
def svg(print_map) -> PrintedMap:
    return print_map(unit=DONGAN, paper="A3", orientation="portrait", format="svg")


def test_the_png_is_the_sheet_at_its_resolution(png):
    image = Image.open(png.path)
    width_mm, height_mm = PAPER_MM["A3"]
    expected = (width_mm / 25.4 * PNG_DPI, height_mm / 25.4 * PNG_DPI)
    assert image.size == pytest.approx(expected, abs=1)
    assert image.info["dpi"] == pytest.approx((PNG_DPI, PNG_DPI), abs=0.5)  # prints at the paper's size
    grey = image.convert("L")
    inked = sum(grey.histogram()[:250]) / (image.size[0] * image.size[1])
    assert inked > 0.5  # the map, not a blank page


def test_the_svg_is_the_sheet_with_its_title(svg):
    root = ET.parse(svg.path).getroot()
    namespace = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{namespace}svg"
    size = tuple(float(root.get(side).removesuffix("pt")) for side in ("width", "height"))
    assert size == pytest.approx((PAPER_MM["A3"][0] * PT_PER_MM, PAPER_MM["A3"][1] * PT_PER_MM), abs=0.5)
    assert root.findtext(f"{namespace}title") == "东安区行政区划图"
    glyphs = root.findall(f".//{namespace}use")
    assert len(glyphs) > 100  # the names are drawn (as glyph outlines)


# ---- a past day ---------------------------------------------------------------------------------------


def test_a_map_of_a_past_day_uses_the_names_of_that_day(dongning_2014, city):
    printed = dongning_2014
    assert title_of(printed)[0] == "东宁县行政区划图"
    assert printed.shows("东宁县行政区划图（2014年6月1日）")  # the day in smaller type after the title
    assert printed.report["unit"] == {
        "code": DONGNING,
        "name": "东宁县",
        "current_name": "东宁市",
        "level": "county_city",
    }
    assert printed.report["at"] == "2014-06-01"
    assert printed.shows("东宁县", printed.lines_in(printed.frame))  # the seat's name
    assert not printed.shows("东宁市")
    assert printed.shows("行政区划截至2014年6月1日")
    # Today's map of the city has the county-level city.
    assert city.shows("东宁市", city.lines_in(city.frame)) and not city.shows("东宁县")
    # Only names have a history: the sheet says that its boundaries are today's; today's map need not.
    boundaries_note = "图中行政区域界线为现行界线"
    assert any(w.startswith(boundaries_note) for w in printed.report["warnings"])
    assert printed.shows(boundaries_note) and not city.shows(boundaries_note)


def test_a_past_map_names_the_units_of_that_day_it_cannot_draw():
    city = AdminUnit.objects.current().get(code=CITY)
    drawn = {CITY, *AdminUnit.objects.current().filter(parent=city).values_list("code", flat=True)}
    suburb = "郊区（231011，1997年撤销）"  # abolished in 1997; the system holds no boundary of it
    assert suburb in units_abolished_after(city, drawn, dt.date(1990, 6, 1))
    assert suburb not in units_abolished_after(city, drawn, dt.date(1998, 1, 1))


def test_a_unit_cannot_be_mapped_before_it_was_established():
    with pytest.raises(MapRequestError) as refused:
        MapRequest.from_params({"unit": DONGAN, "at": "1980-01-01"})
    message = str(refused.value)
    assert "1980-01-01" in message and "1983" in message and "东安区" in message
    assert MapRequest.from_params({"unit": DONGAN, "at": "1984-01-01"}).unit_code == DONGAN


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"unit": "239999"}, ["239999"]),
        ({"unit": "231002001"}, ["231002001", "county-level"]),
        ({"unit": ""}, ["unit", "required"]),
        ({"unit": DONGAN, "paper": "A5"}, ["A5", "A0, A1, A2, A3, A4"]),
        ({"unit": DONGAN, "at": "2020-13-01"}, ["2020-13-01", "YYYY-MM-DD"]),
        ({"unit": DONGAN, "at": "yesterday"}, ["yesterday", "YYYY-MM-DD"]),
        ({"unit": DONGAN, "orientation": "sideways"}, ["sideways", "portrait or landscape"]),
        ({"unit": DONGAN, "format": "tiff"}, ["tiff", "pdf, png, svg"]),
    ],
)
def test_a_request_that_cannot_be_made_says_why(params, words):
    with pytest.raises(MapRequestError) as refused:
        MapRequest.from_params(params)
    for word in words:
        assert word in str(refused.value)


# ---- synthetic data -----------------------------------------------------------------------------------


def test_a_map_with_synthetic_data_says_so_on_the_sheet(tmp_path):
    """A settlement made up for demonstration (Place.is_synthetic) in 东安区: the sheet warns. A
    candidate name (not yet standard) beside it is left off the print."""
    changeset = open_changeset(Changeset.Kind.EDIT, "print test: a synthetic settlement", label="tests")
    inside = AdminUnit.objects.get(code=DONGAN).geom.point_on_surface
    create_place(
        changeset=changeset, name="示例屯", category=Category.objects.get(code="07200"), geom=inside, synthetic=True
    )
    candidate = create_place(
        changeset=changeset,
        name="候选屯",
        category=Category.objects.get(code="07200"),
        geom=inside.buffer(0.01).centroid,
    )
    assert candidate.standing == "candidate"
    printed = render(tmp_path, unit=DONGAN, paper="A4", orientation="landscape")
    assert printed.report["synthetic_layers"] == ["settlement"]
    assert "示例屯" in "".join(printed.lines) and "候选屯" not in "".join(printed.lines)
    notice = "注意：本图居民点含本系统生成的示意（合成）数据，并非实测或官方数据，不得作为正式地图使用。"
    assert printed.shows(notice, ["".join(printed.lines)])  # a sentence over several lines
    # Visible: in red, boxed, at the head of the compilation note, on the page.
    first = next(w for w in printed.words if w.text.startswith("注意"))
    boxed = [p for p in printed.paints if p.colour == rgb("#b3161d") and (r := p.ring()) and r[1].contains(first.box)]
    assert boxed, "the notice has no red frame"
    assert first.box.y1 < printed.word("编制说明").box.y0
    page = Rect(0, 0, printed.report["paper"]["width_pt"], printed.report["paper"]["height_pt"])
    assert page.contains(boxed[0].ring()[0])
