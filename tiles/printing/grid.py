"""The kilometre grid of the projection (方里网): straight lines of constant easting and northing in
core.srid.METRIC_SRID, drawn in the frame, and labelled in kilometres at the frame's edges."""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from tiles.printing.papers import mm
from tiles.printing.scale import MapScale

INTERVALS_KM = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500]
MIN_SPACING_MM = 38


@dataclass(frozen=True)
class GridTick:
    value_m: int
    offset_pt: float  # from the frame's left edge (eastings) or top edge (northings)

    @property
    def label(self) -> str:
        return f"{self.value_m // 1000}"


@dataclass(frozen=True)
class Grid:
    interval_m: int
    eastings: list[GridTick]
    northings: list[GridTick]

    def lines(self, scale: MapScale) -> shapely.MultiLineString:
        minx, miny, maxx, maxy = scale.bbox
        pad = (maxx - minx) * 0.02
        vertical = [[(t.value_m, miny - pad), (t.value_m, maxy + pad)] for t in self.eastings]
        horizontal = [[(minx - pad, t.value_m), (maxx + pad, t.value_m)] for t in self.northings]
        return shapely.MultiLineString(vertical + horizontal)

    def as_dict(self) -> dict:
        return {
            "interval_m": self.interval_m,
            "eastings": [(t.value_m, round(t.offset_pt, 3)) for t in self.eastings],
            "northings": [(t.value_m, round(t.offset_pt, 3)) for t in self.northings],
        }


def grid_interval(scale: MapScale, type_scale: float) -> int:
    """The smallest round interval whose lines lie at least ``MIN_SPACING_MM`` apart on paper."""
    least_m = mm(MIN_SPACING_MM * type_scale) * scale.metres_per_point
    return next((km * 1000 for km in INTERVALS_KM if km * 1000 >= least_m), INTERVALS_KM[-1] * 1000)


def kilometre_grid(scale: MapScale, type_scale: float) -> Grid:
    interval = grid_interval(scale, type_scale)
    minx, miny, maxx, maxy = scale.bbox
    # Lines closer than a few millimetres to the frame edge would crowd their labels into the corner.
    edge = mm(5) * scale.metres_per_point

    def ticks(low: float, high: float) -> list[int]:
        first = math.ceil((low + edge) / interval) * interval
        return list(range(int(first), int(high - edge) + 1, interval))

    eastings = [GridTick(x, scale.to_frame(x, maxy)[0]) for x in ticks(minx, maxx)]
    northings = [GridTick(y, scale.to_frame(minx, y)[1]) for y in ticks(miny, maxy)]
    return Grid(interval, eastings, northings)
