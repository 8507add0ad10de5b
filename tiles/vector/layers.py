"""The layers of the vector tiles, their fields and the zoom rules: what each tile zoom shows.

Zooms are tile zooms (a client drawing 512-pixel tiles, as MapLibre and OpenLayers' VectorTile source
do, shows tile zoom z at map zoom z). One module, read by the tile statement (tiles.vector.sql), the
TileJSON (vector_layers) and the style (minzoom of each style layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from boundaries.levels import Tier
from boundaries.models import BoundaryLine
from tiles.vector.grid import MAX_ZOOM

# Units: the city at every zoom, county-level units from z6 (their lines come in at the same zoom).
UNIT_TIER_MIN_ZOOM = {Tier.CITY: 0, Tier.COUNTY: 6}
# Boundary lines by level. The outer lines of the territory are drawn at every zoom.
LINE_LEVEL_MIN_ZOOM = {
    BoundaryLine.Level.NATIONAL: 0,
    BoundaryLine.Level.PROVINCE: 0,
    BoundaryLine.Level.PREFECTURE: 0,
    BoundaryLine.Level.COUNTY: 6,
    BoundaryLine.Level.TOWNSHIP: 9,
}
# Place labels by rank (the tier of the unit a record names; 5 for every other place):
# 1 city, 2 county-level, 3 township-level, 4 village-level, 5 settlements and other places.
RANK_MIN_ZOOM = {1: 0, 2: 6, 3: 8, 4: 10, 5: 10}
# Boundary markers are drawn from the markers layer's min_zoom (12), their numbers from this zoom on.
MARKER_NUMBER_MIN_ZOOM = 14
# Roads and railways (GB/T 18521 08100 roads, streets and lanes; 08200 railways) by their Road record's class:
# the main roads come in with the counties, the streets at town zooms, lanes at street zooms. A road place
# without a Road record is drawn as an urban road (a railway as a railway).
ROAD_CATEGORY_PREFIXES = ["081%", "082%"]
ROAD_CLASS_MIN_ZOOM = {
    "expressway": 6,
    "national": 7,
    "railway": 7,
    "provincial": 8,
    "county": 10,
    "urban": 12,
    "lane": 14,
}
ROAD_REF_MIN_ZOOM = 8  # route shields (G11) from this zoom
ROAD_NAME_MIN_ZOOM = 12  # road names along the line


@dataclass(frozen=True)
class Layer:
    id: str
    description: str
    fields: dict[str, str] = field(default_factory=dict)
    min_zoom: int = 0
    max_zoom: int = MAX_ZOOM


STANDING = "String: standard; candidate (not yet a standard name, drawn and labelled as such); synthetic"

LAYERS = (
    Layer(
        "context",
        "Areas around the territory (neighbouring prefectures, the foreign country): polygons, and one label "
        "point per area",
        {"name": "String", "kind": "String: prefecture or foreign"},
    ),
    Layer(
        "units",
        "Administrative units: the city at every zoom, county-level units from z6 (generalised polygons)",
        {
            "code": "String: GB/T 2260 code",
            "name": "String",
            "level": "String: city, district, county or county_city",
            "synthetic": "Boolean: demonstration data, not real",
        },
    ),
    Layer(
        "roads",
        "Roads, streets and lanes (place records of category 081xx) and railways (082xx) with a line geometry, "
        "public and in use, by class: expressways from z6, national roads and railways from z7, provincial "
        "roads from z8, county roads from z10, urban roads from z12, lanes from z14",
        {
            "code": "String: 20-digit place code",
            "name": "String",
            "category": "String",
            "class": "String: expressway, national, provincial, county, urban, lane or railway",
            "ref": "String: route number on shields (G11, S206); empty where the road has none",
            "synthetic": "Boolean: demonstration data (the demo streets), not real",
            "standing": STANDING,
        },
        min_zoom=min(ROAD_CLASS_MIN_ZOOM.values()),
    ),
    Layer(
        "boundaries",
        "Boundary lines by level: national, province, prefecture at every zoom, county from z6, township from z9",
        {
            "code": "String: the parties' codes",
            "name": "String",
            "level": "String: national, province, prefecture, county or township",
        },
    ),
    Layer(
        "markers",
        "Boundary markers (界桩), from z12: the synthetic demonstration markers only in the public tiles (no "
        "real marker is public); every marker in the staff's tiles (/tiles/staff/...)",
        {
            "code": "String: marker number (界桩号)",
            "grade": "String: province, city, county or township",
            "synthetic": "Boolean: demonstration data, not real",
        },
        min_zoom=12,
    ),
    Layer(
        "proposals",
        "Pending proposals to change a boundary (the proposed course, drawn dashed): the staff's tiles only",
        {
            "code": "String: the proposal's number",
            "line": "String: the line's code",
            "status": "String: pending",
        },
    ),
    Layer(
        "places",
        "Label points of public, current place records: rank 1 from z0, 2 from z6, 3 from z8, 4 and 5 from z10. "
        "A record of a unit stands where boundaries.services.markers labels the unit: the city and counties at "
        "their seats, districts at their area label points",
        {
            "name": "String: standard name",
            "romanization": "String: GB/T 16159, without tones",
            "category": "String: GB/T 18521 category code",
            "rank": "Number: 1 city, 2 county-level, 3 township-level, 4 village-level, 5 settlements and others",
            "code": "String: 20-digit place code",
            "synthetic": "Boolean",
            "standing": STANDING,
            "at_seat": "Boolean: true where the label stands at the unit's seat (absent otherwise)",
        },
    ),
    Layer(
        "house_numbers",
        "House numbers (门牌) at their entrances, from z16: the numbers issued or in use on public roads, one "
        "label per road, number and sub-number (a compound's buildings, units and rooms share it); the staff's "
        "tiles add the proposed ones. Synthetic numbers (the demo streets) say so",
        {
            "number": "String: 12, or 12-1 with its sub-number",
            "road": "String: the road's standard name",
            "road_code": "String: the road's 20-digit place code",
            "status": "String: issued or in_use (proposed: the staff's tiles only)",
            "synthetic": "Boolean: demonstration data (the demo streets), not real",
        },
        min_zoom=16,
    ),
)
LAYER_IDS = tuple(layer.id for layer in LAYERS)


def unit_tiers(z: int) -> list[int]:
    return [int(tier) for tier, zoom in UNIT_TIER_MIN_ZOOM.items() if z >= zoom]


def line_levels(z: int) -> list[str]:
    return [str(level) for level, zoom in LINE_LEVEL_MIN_ZOOM.items() if z >= zoom]


def road_classes(z: int) -> list[str]:
    return [cls for cls, zoom in ROAD_CLASS_MIN_ZOOM.items() if z >= zoom]


def max_rank(z: int) -> int:
    return max(rank for rank, zoom in RANK_MIN_ZOOM.items() if z >= zoom)


def layer(layer_id: str) -> Layer:
    return next(item for item in LAYERS if item.id == layer_id)
