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
ROAD_CATEGORY_PREFIX = "081"  # GB/T 18521 08100 roads, streets and lanes, and their sub-classes


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
        "Roads, streets and lanes (place records of category 081xx with a line geometry); none recorded yet",
        {
            "code": "String: 20-digit place code",
            "name": "String",
            "category": "String",
            "synthetic": "Boolean",
            "standing": STANDING,
        },
        min_zoom=10,
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
        "House numbers (门牌); the system has no house-number records yet, so the layer is empty",
        {"number": "String", "road": "String", "synthetic": "Boolean"},
        min_zoom=16,
    ),
)
LAYER_IDS = tuple(layer.id for layer in LAYERS)


def unit_tiers(z: int) -> list[int]:
    return [int(tier) for tier, zoom in UNIT_TIER_MIN_ZOOM.items() if z >= zoom]


def line_levels(z: int) -> list[str]:
    return [str(level) for level, zoom in LINE_LEVEL_MIN_ZOOM.items() if z >= zoom]


def max_rank(z: int) -> int:
    return max(rank for rank, zoom in RANK_MIN_ZOOM.items() if z >= zoom)


def layer(layer_id: str) -> Layer:
    return next(item for item in LAYERS if item.id == layer_id)
