"""The XYZ tile grid of the tile CRS (core.srid.TILE_SRID, Web Mercator): tile envelopes in metres.

A tile is drawn from its envelope plus a buffer (BUFFER of EXTENT tile units each side): features in
the buffer are encoded too, so that lines and labels continue across tile edges. The buffered envelope
is what a cached tile depends on, and what an edit's bounding box is tested against."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Half the width of the Web Mercator world in metres (the tile CRS's extent is ±this on both axes).
HALF_WORLD_M = 20037508.342789244
MAX_ZOOM = 16
EXTENT = 4096  # tile units per tile side in the MVT
BUFFER = 64  # tile units encoded beyond each edge


class TileOutOfRange(ValueError):
    """z/x/y is not a tile of the grid (or beyond MAX_ZOOM)."""


@dataclass(frozen=True)
class TileBounds:
    xmin: float
    ymin: float
    xmax: float
    ymax: float

    def buffered(self, fraction: float) -> TileBounds:
        dx, dy = (self.xmax - self.xmin) * fraction, (self.ymax - self.ymin) * fraction
        return TileBounds(self.xmin - dx, self.ymin - dy, self.xmax + dx, self.ymax + dy)

    def as_tuple(self) -> tuple[float, float, float, float]:
        return (self.xmin, self.ymin, self.xmax, self.ymax)


def check_tile(z: int, x: int, y: int) -> None:
    if not 0 <= z <= MAX_ZOOM:
        raise TileOutOfRange(f"zoom {z} is outside 0..{MAX_ZOOM}")
    if not (0 <= x < 2**z and 0 <= y < 2**z):
        raise TileOutOfRange(f"tile {z}/{x}/{y} is outside the grid (x and y run 0..{2**z - 1} at zoom {z})")


def tile_bounds(z: int, x: int, y: int) -> TileBounds:
    """The envelope of tile z/x/y in metres of the tile CRS (y counts down from the north)."""
    check_tile(z, x, y)
    size = 2 * HALF_WORLD_M / 2**z
    return TileBounds(
        -HALF_WORLD_M + x * size, HALF_WORLD_M - (y + 1) * size, -HALF_WORLD_M + (x + 1) * size, HALF_WORLD_M - y * size
    )


def drawn_from(z: int, x: int, y: int) -> TileBounds:
    """The area a tile's content comes from: its envelope plus the buffer."""
    return tile_bounds(z, x, y).buffered(BUFFER / EXTENT)


def tile_containing(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(x, y) of the tile at zoom z that contains a WGS84/CGCS2000 point (for tests and benchmarks)."""
    n = 2**z
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return min(max(x, 0), n - 1), min(max(y, 0), n - 1)
