"""Drawing with Mapnik: the layers of a MapContent into a vector PDF of exactly the frame's size.

Mapnik's cairo PDF output draws one pixel per point, so a map of w × h pixels is a PDF page of
w × h points and the sheet places it at scale 1. ``import mapnik`` happens here only, after the
settings have pointed PROJ at one database (config.geoenv); see ../shared/STACK.md, "The PROJ trap".
"""

from __future__ import annotations

import functools
from pathlib import Path

from core.pdf import font_dir
from tiles.printing.content import MapContent
from tiles.printing.labels import missing_labels
from tiles.printing.pdftext import fix_to_unicode
from tiles.printing.style import map_xml

# Names left out by a first drawing are drawn again before all other names of lower rank.
PRIORITY_LAYERS = [
    f"priority_label_{key}"
    for key in ("town", "settlement", "station", "part", "neighbour", "context", "province", "foreign")
]
ROAD_ORDER = ["lane", "urban", "county", "provincial", "national", "expressway"]  # lowest first
# Drawing order: areas, water and roads, grid, boundaries from low to high, boundary markers, seats, then
# names by rank, then the route numbers on their shields, then the markers' numbers.
DRAW_ORDER = [
    "foreign", "country", "province", "context", "neighbour", "part", "unit_band",
    "water_area", "river",
    *[f"casing_road_{c}" for c in ROAD_ORDER], *[f"road_{c}" for c in ROAD_ORDER], "railway", "grid",
    "boundary_township", "boundary_county", "boundary_prefecture", "boundary_province", "boundary_national",
    "marker", "settlement", "station", "seat_town", "seat_county", "seat_city",
    "label_city", "label_county",
    *PRIORITY_LAYERS,
    "label_part", "label_town", "label_settlement", "label_station",
    "label_water_area", "label_river", "label_railway", "label_road", "road_shield",
    "label_neighbour", "label_context", "label_province", "label_foreign",
    "label_marker",  # the markers' numbers last: a name always has the first place
]  # fmt: skip
PLACEMENT_PASSES = 3
# Names of water and roads are written from the features' own layer.
LABEL_DATA = {f"label_{key}": key for key in ("water_area", "river", "railway")}
LABEL_DATA["label_road"] = "road_name"  # the named roads of every class, one layer
# A road's edge is drawn from its class's layer, under every road's coloured line.
LABEL_DATA.update({f"casing_road_{c}": f"road_{c}" for c in ROAD_ORDER})
DATA_ONLY = {"road_name"}  # layers drawn only through another key


@functools.cache
def mapnik_module():
    import mapnik

    mapnik.FontEngine.register_fonts(str(font_dir()), True)  # the fonts the sheet's WeasyPrint uses (core.pdf)
    return mapnik


def ordered_layers(content: MapContent) -> list[tuple[str, str]]:
    layers = []
    for key in DRAW_ORDER:
        data = content.layers.get(LABEL_DATA.get(key, key))
        if data is not None and len(data):
            layers.append((key, data.geojson()))
    unknown = set(content.layers) - set(DRAW_ORDER) - DATA_ONLY
    if unknown:
        raise ValueError(f"layers with no place in the drawing order: {sorted(unknown)}")
    return layers


def render_pdf(
    layers: list[tuple[str, str]],
    bbox: tuple[float, float, float, float],
    size_pt: tuple[int, int],
    k: float,
    path: Path,
    attempt: int = 1,
) -> float:
    """Draw ``layers`` over ``bbox`` (metric CRS) into a PDF of ``size_pt``; returns Mapnik's own
    metres per pixel (= per point), which the caller checks against the scale it asked for."""
    mapnik = mapnik_module()
    m = mapnik.Map(*size_pt)
    mapnik.load_map_from_string(m, map_xml(layers, k, attempt))
    m.zoom_to_box(mapnik.Box2d(*bbox))
    mapnik.render_to_file(m, str(path), "pdf")
    fix_to_unicode(path)
    return m.scale()


def render_frame(content: MapContent, k: float, path: Path) -> list[str]:
    """Draw the frame; names Mapnik had to leave out get priority and the frame is drawn again (up
    to ``PLACEMENT_PASSES`` times). Returns the names still missing after the last pass."""
    scale = content.scale
    expected = [label.name for label in content.labels]
    for attempt in range(1, PLACEMENT_PASSES + 1):
        drawn = render_pdf(ordered_layers(content), scale.bbox, scale.frame_pt, k, path, attempt)
        if abs(drawn - scale.metres_per_point) > scale.metres_per_point * 1e-6:
            raise RuntimeError(f"Mapnik drew {drawn:.4f} m per point, the scale needs {scale.metres_per_point:.4f}")
        missing = missing_labels(path, expected)
        if not missing:
            break
        content.prioritise(set(missing))
    return missing
