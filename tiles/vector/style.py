"""A MapLibre / Mapbox GL style (version 8) of the vector tiles, in the manner of an administrative map.

County-level units are filled with pale colours so that no two neighbours share one (a greedy colouring
of the county lines' parties); boundary lines carry the standard symbols by level (national border: thick
dash-dot over a band; province: dash-dot; prefecture: dash-dot-dot; county: dashed; township: dotted);
place labels are sized by rank. The source carries no bounds, so that the neighbourhood around the
territory loads too (the territory's bounds are in the metadata, for fitting a map to it).
The style refers to the tile source only: no sprite, and no glyphs
(labels are drawn with the local CJK font by renderers that draw text with the page's fonts, such as
OpenLayers; MapLibre GL JS would need a local "glyphs" URL added for its labels)."""

from __future__ import annotations

from boundaries.levels import Tier
from boundaries.models import BoundaryLine
from tiles.vector.layers import (
    LINE_LEVEL_MIN_ZOOM,
    MARKER_NUMBER_MIN_ZOOM,
    RANK_MIN_ZOOM,
    ROAD_CLASS_MIN_ZOOM,
    ROAD_NAME_MIN_ZOOM,
    ROAD_REF_MIN_ZOOM,
    UNIT_TIER_MIN_ZOOM,
    layer,
)
from tiles.vector.tilejson import NAME, START_ZOOM, tilejson

SOURCE = "mdj"
FONT = "Noto Sans CJK SC Regular"
FONT_BOLD = "Noto Sans CJK SC Bold"
COUNTY_COLOURS = ("#f9e3b4", "#d6ebc2", "#f5cdd2", "#d3e1f2", "#e6d7ef")
COUNTY_LEVELS = ["district", "county", "county_city"]
SEAT_DOT_MIN_ZOOM = 8
INK = "#4a2a5c"  # boundary symbols
Level = BoundaryLine.Level

# Line symbols: (width px, dash pattern in line widths or None for solid, band width px or 0).
LINE_SYMBOLS = {
    Level.NATIONAL: (3.0, [5, 1.5, 1, 1.5], 8.0),
    Level.PROVINCE: (2.2, [6, 2, 1, 2], 5.0),
    Level.PREFECTURE: (1.8, [6, 2, 1, 1.5, 1, 2], 0.0),
    Level.COUNTY: (1.3, [4, 2.5], 0.0),
    Level.TOWNSHIP: (0.9, [1, 2], 0.0),
}
# Place labels: (text size px, bold, colour). Rank 1 last, so that it is placed first.
RANK_LABELS = {
    5: (11.5, False, "#4f5866"),
    4: (11.5, False, "#4f5866"),
    3: (12.5, False, "#2f3a4c"),
    2: (14.5, True, "#23203a"),
    1: (17.0, True, "#1b1530"),
}
# A name that is not (yet) a standard one says so on the map (gazetteer.services.standing), in grey.
STANDING_SUFFIX = {"candidate": "（候选）", "synthetic": "（示例）"}
NOT_STANDARD_COLOUR = "#6b6f76"


def _label_text() -> list:
    cases = []
    for standing, suffix in STANDING_SUFFIX.items():
        cases += [standing, ["concat", ["get", "name"], suffix]]
    return ["match", ["get", "standing"], *cases, ["get", "name"]]


def _label_colour(colour: str) -> list:
    return ["match", ["get", "standing"], list(STANDING_SUFFIX), NOT_STANDARD_COLOUR, colour]


def _county_colours() -> list:
    """A 'match' expression: county code -> a colour no neighbour has (by the county lines' parties)."""
    neighbours: dict[str, set[str]] = {}
    lines = BoundaryLine.objects.filter(level=Level.COUNTY, valid_to__isnull=True)
    for line in lines.prefetch_related("party_rows__unit", "party_rows__outside"):
        codes = [party["code"] for party in line.parties]
        for code in codes:
            neighbours.setdefault(code, set()).update(c for c in codes if c != code)
    colour: dict[str, str] = {}
    for code in sorted(neighbours, key=lambda c: (-len(neighbours[c]), c)):
        taken = {colour.get(other) for other in neighbours[code]}
        colour[code] = next((c for c in COUNTY_COLOURS if c not in taken), COUNTY_COLOURS[0])
    if not colour:
        return COUNTY_COLOURS[0]
    pairs = [item for code in sorted(colour) for item in (code, colour[code])]
    return ["match", ["get", "code"], *pairs, COUNTY_COLOURS[0]]


def _fill(id_: str, source_layer: str, filter_: list, colour, opacity: float = 1.0, min_zoom: int = 0) -> dict:
    return {
        "id": id_,
        "type": "fill",
        "source": SOURCE,
        "source-layer": source_layer,
        "minzoom": min_zoom,
        "filter": filter_,
        "paint": {"fill-color": colour, "fill-opacity": opacity},
    }


def _line(id_: str, source_layer: str, filter_: list, paint: dict, min_zoom: int = 0) -> dict:
    return {
        "id": id_,
        "type": "line",
        "source": SOURCE,
        "source-layer": source_layer,
        "minzoom": min_zoom,
        "filter": filter_,
        "layout": {"line-join": "round", "line-cap": "butt"},
        "paint": paint,
    }


def _boundary_layers() -> list[dict]:
    made = []
    for level in (Level.TOWNSHIP, Level.COUNTY, Level.PREFECTURE, Level.PROVINCE, Level.NATIONAL):
        width, dashes, band = LINE_SYMBOLS[level]
        is_level = ["==", ["get", "level"], str(level)]
        min_zoom = LINE_LEVEL_MIN_ZOOM[level]
        if band:
            made.append(
                _line(
                    f"boundaries-{level}-band",
                    "boundaries",
                    is_level,
                    {"line-color": "#d9b3e0", "line-width": band, "line-opacity": 0.7},
                    min_zoom,
                )
            )
        paint = {"line-color": INK, "line-width": width}
        if dashes:
            paint["line-dasharray"] = dashes
        made.append(_line(f"boundaries-{level}", "boundaries", is_level, paint, min_zoom))
    return made


def _symbol(id_: str, source_layer: str, filter_: list, layout: dict, paint: dict, min_zoom: int = 0) -> dict:
    return {
        "id": id_,
        "type": "symbol",
        "source": SOURCE,
        "source-layer": source_layer,
        "minzoom": min_zoom,
        "filter": filter_,
        "layout": layout,
        "paint": paint,
    }


def _place_layers() -> list[dict]:
    dots = {
        "id": "places-dots",
        "type": "circle",
        "source": SOURCE,
        "source-layer": "places",
        "minzoom": RANK_MIN_ZOOM[3],
        "filter": [">=", ["get", "rank"], 3],
        "paint": {
            "circle-radius": 2.5,
            "circle-color": "#2f3a4c",
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": 1,
        },
    }
    # The seat of the city and of a county (boundaries.services.markers): a dot over the name, from the
    # zoom at which the seats of neighbouring units stand apart (the name alone below it, under the seat).
    seats = {
        "id": "places-seats",
        "type": "circle",
        "source": SOURCE,
        "source-layer": "places",
        "minzoom": SEAT_DOT_MIN_ZOOM,
        "filter": ["all", ["<=", ["get", "rank"], 2], ["==", ["get", "at_seat"], True]],
        "paint": {
            "circle-radius": 3.5,
            "circle-color": "#1b1530",
            "circle-stroke-color": "#ffffff",
            "circle-stroke-width": 1.5,
        },
    }
    made = [dots, seats]
    for rank, (size, bold, colour) in RANK_LABELS.items():
        layout = {"text-field": _label_text(), "text-font": [FONT_BOLD if bold else FONT], "text-size": size}
        paint = {"text-color": _label_colour(colour), "text-halo-color": "#ffffff", "text-halo-width": 1.5}
        is_rank = ["==", ["get", "rank"], rank]
        if rank >= 3:
            layout.update({"text-anchor": "top", "text-offset": [0, 0.5]})
            made.append(_symbol(f"places-rank-{rank}", "places", is_rank, layout, paint, RANK_MIN_ZOOM[rank]))
            continue
        # A unit labelled at its seat has its name under the dot; a district's name is centred on its area.
        at_seat = ["==", ["get", "at_seat"], True]
        made.append(
            _symbol(
                f"places-rank-{rank}", "places", ["all", is_rank, ["!", at_seat]], layout, paint, RANK_MIN_ZOOM[rank]
            )
        )
        seat_layout = {**layout, "text-anchor": "top", "text-offset": [0, 0.45]}
        made.append(
            _symbol(
                f"places-rank-{rank}-seat", "places", ["all", is_rank, at_seat], seat_layout, paint, RANK_MIN_ZOOM[rank]
            )
        )
    return made


# Roads by class, drawn lanes first and expressways last: (fill colour, width px, casing colour, casing width px).
ROAD_SYMBOLS = {
    "lane": ("#ffffff", 1.2, "#cfc8bd", 2.2),
    "urban": ("#ffffff", 2.0, "#b8b1a6", 3.2),
    "county": ("#fbe7a1", 2.0, "#b59a4a", 3.2),
    "provincial": ("#f4c542", 2.4, "#a07d1c", 3.8),
    "national": ("#e35d5d", 2.8, "#9b2c2c", 4.2),
    "expressway": ("#e8892b", 3.2, "#7d4316", 4.8),
}
# A railway: the black line with white dashes in it (the usual 黑白相间 symbol).
RAILWAY_SYMBOL = ("#222222", 3.0, "#ffffff", 1.8, [3, 3])
# Route shields (G11, S206): the number on the class's colour (国道 red, 省道 yellow, 高速 green).
SHIELD_COLOURS = {
    "expressway": ("#ffffff", "#1d7a3e"),
    "national": ("#ffffff", "#c8102e"),
    "provincial": ("#1a1a1a", "#f2c200"),
    "county": ("#1a1a1a", "#ffffff"),
}
ROAD_NAME_COLOUR = "#5b4a3a"
# A synthetic house number (the demo streets) says so beside the number, in grey.
SYNTHETIC_NUMBER_SUFFIX = "（示例）"


def _road_layers() -> list[dict]:
    """Casings under every road, then the fills, then the railways over them."""
    made = []
    for part in ("casing", "fill"):
        for cls, (fill, width, casing, casing_width) in ROAD_SYMBOLS.items():
            paint = {"line-color": casing if part == "casing" else fill}
            paint["line-width"] = casing_width if part == "casing" else width
            made.append(
                _line(f"roads-{cls}-{part}", "roads", ["==", ["get", "class"], cls], paint, ROAD_CLASS_MIN_ZOOM[cls])
            )
    dark, width, light, dash_width, dashes = RAILWAY_SYMBOL
    is_railway = ["==", ["get", "class"], "railway"]
    made.append(_line("roads-railway", "roads", is_railway, {"line-color": dark, "line-width": width},
                      ROAD_CLASS_MIN_ZOOM["railway"]))  # fmt: skip
    made.append(
        _line(
            "roads-railway-dashes",
            "roads",
            is_railway,
            {"line-color": light, "line-width": dash_width, "line-dasharray": dashes},
            ROAD_CLASS_MIN_ZOOM["railway"],
        )
    )
    return made


def _road_label_layers() -> list[dict]:
    """Road names along the line (示例/候选 as for places) and route shields at the line's middle."""
    names = _symbol(
        "roads-names",
        "roads",
        ["!=", ["get", "class"], "railway"],
        {"text-field": _label_text(), "text-font": [FONT], "text-size": 11, "symbol-placement": "line"},
        {"text-color": _label_colour(ROAD_NAME_COLOUR), "text-halo-color": "#ffffff", "text-halo-width": 1.5},
        ROAD_NAME_MIN_ZOOM,
    )
    railway_names = _symbol(
        "roads-railway-names",
        "roads",
        ["==", ["get", "class"], "railway"],
        {"text-field": _label_text(), "text-font": [FONT], "text-size": 11, "symbol-placement": "line"},
        {"text-color": _label_colour("#222222"), "text-halo-color": "#ffffff", "text-halo-width": 1.5},
        ROAD_NAME_MIN_ZOOM,
    )
    by_class = ["get", "class"]
    text = ["match", by_class, *[v for cls, (ink, _) in SHIELD_COLOURS.items() for v in (cls, ink)], "#1a1a1a"]
    ground = ["match", by_class, *[v for cls, (_, bg) in SHIELD_COLOURS.items() for v in (cls, bg)], "#ffffff"]
    shields = _symbol(
        "roads-shields",
        "roads",
        ["all", ["!=", ["get", "ref"], ""], ["in", by_class, ["literal", list(SHIELD_COLOURS)]]],
        {"text-field": ["get", "ref"], "text-font": [FONT_BOLD], "text-size": 10.5},
        {"text-color": text, "text-halo-color": ground, "text-halo-width": 3},
        ROAD_REF_MIN_ZOOM,
    )
    return [railway_names, names, shields]


def _house_number_layer() -> dict:
    """The numbers at their entrances; a synthetic one (``standing`` synthetic) says 示例, in grey."""
    is_synthetic = ["get", "standing"]
    synthetic_text = ["concat", ["get", "number"], SYNTHETIC_NUMBER_SUFFIX]
    return _symbol(
        "house-numbers",
        "house_numbers",
        ["all"],
        {
            "text-field": ["match", is_synthetic, "synthetic", synthetic_text, ["get", "number"]],
            "text-font": [FONT],
            "text-size": 10,
        },
        {
            "text-color": ["match", is_synthetic, "synthetic", NOT_STANDARD_COLOUR, "#333333"],
            "text-halo-color": "#ffffff",
            "text-halo-width": 1,
        },
        layer("house_numbers").min_zoom,
    )


MARKER_COLOUR = "#b0302f"
# A synthetic demonstration marker's number says so on the map (the public tiles carry no other).
SYNTHETIC_MARKER_SUFFIX = "（示例）"


def _marker_number_layers() -> list[dict]:
    """The markers' numbers beside their dots from MARKER_NUMBER_MIN_ZOOM; a synthetic one as 示例."""
    layout = {"text-font": [FONT], "text-size": 11, "text-anchor": "top", "text-offset": [0, 0.6]}
    paint = {"text-color": MARKER_COLOUR, "text-halo-color": "#ffffff", "text-halo-width": 1.5}
    synthetic = ["==", ["get", "synthetic"], True]
    return [
        _symbol(
            "markers-numbers-synthetic",
            "markers",
            synthetic,
            {**layout, "text-field": ["concat", ["get", "code"], SYNTHETIC_MARKER_SUFFIX]},
            paint,
            MARKER_NUMBER_MIN_ZOOM,
        ),
        _symbol(
            "markers-numbers",
            "markers",
            ["!", synthetic],
            {**layout, "text-field": ["get", "code"]},
            paint,
            MARKER_NUMBER_MIN_ZOOM,
        ),
    ]


def layers() -> list[dict]:
    polygon = ["==", ["geometry-type"], "Polygon"]
    point = ["==", ["geometry-type"], "Point"]
    return [
        {"id": "background", "type": "background", "paint": {"background-color": "#eef1f4"}},
        _fill("context-prefecture", "context", ["all", polygon, ["==", ["get", "kind"], "prefecture"]], "#f1eee6"),
        _fill("context-foreign", "context", ["all", polygon, ["==", ["get", "kind"], "foreign"]], "#e4dfd5"),
        _fill("units-city", "units", ["==", ["get", "level"], "city"], "#fbf4d9"),
        _fill(
            "units-county",
            "units",
            ["in", ["get", "level"], ["literal", COUNTY_LEVELS]],
            _county_colours(),
            0.9,
            UNIT_TIER_MIN_ZOOM[Tier.COUNTY],
        ),
        *_road_layers(),
        *_boundary_layers(),
        # A pending proposal's course (the staff's tiles only), dashed over the line it would change.
        _line(
            "proposals", "proposals", ["all"], {"line-color": "#c0392b", "line-width": 2.5, "line-dasharray": [2, 1.5]}
        ),
        {
            "id": "markers",
            "type": "circle",
            "source": SOURCE,
            "source-layer": "markers",
            "minzoom": layer("markers").min_zoom,
            "paint": {
                "circle-radius": 3,
                "circle-color": "#b0302f",
                "circle-stroke-color": "#ffffff",
                "circle-stroke-width": 1,
            },
        },
        _symbol(
            "context-labels",
            "context",
            point,
            {"text-field": ["get", "name"], "text-font": [FONT], "text-size": 13},
            {"text-color": "#857b6c", "text-halo-color": "#ffffff", "text-halo-width": 1.5},
        ),
        _house_number_layer(),
        *_road_label_layers(),
        *_place_layers(),
        *_marker_number_layers(),  # last: the places' names are placed before the markers' numbers
    ]


def style(base_url: str, description: dict | None = None) -> dict:
    """The style of the tiles that ``description`` (the TileJSON, built when not given) describes."""
    description = description or tilejson(base_url)
    west, south, east, north = description["bounds"]
    return {
        "version": 8,
        "name": NAME,
        "metadata": {"mdj:tilejson": f"{base_url}/tiles/tiles.json", "mdj:bounds": [west, south, east, north]},
        "center": description["center"][:2],
        "zoom": START_ZOOM,
        "sources": {
            SOURCE: {
                "type": "vector",
                "tiles": description["tiles"],
                "minzoom": description["minzoom"],
                "maxzoom": description["maxzoom"],
                "attribution": description["attribution"],
            }
        },
        "layers": layers(),
    }
