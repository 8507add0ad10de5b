"""The tile cache in PostgreSQL: look up, make-and-store, and drop the tiles under a bounding box.

A tile made from data an edit is changing must not be stored after the edit has dropped the tiles
under it. Advisory locks keep the two apart without ever making an edit wait on another edit:
an edit takes every key of the lock class SHARED until it commits (many edits at once are fine);
a render TRIES one key EXCLUSIVELY before its statement takes its snapshot, and stores the tile only
if it got the key (otherwise it serves the tile uncached). An edit that comes while a render holds a
key waits the few milliseconds until that render has stored its tile, then drops it with the rest.
The keys are spread over 64 values so that concurrent renders seldom meet on one."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, Polygon
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from pyproj import Transformer

from core.srid import TILE_SRID
from tiles.models import CachedTile
from tiles.vector import sql
from tiles.vector.grid import check_tile

Box = tuple[float, float, float, float]  # xmin, ymin, xmax, ymax in the tile CRS
LOCK_CLASS = 0x6D646A74  # "mdjt": the advisory lock class of the tile cache
LOCK_KEYS = 64


@dataclass(frozen=True)
class Tile:
    data: bytes
    etag: str
    cached: bool  # served from the cache

    @property
    def empty(self) -> bool:
        return not self.data


def lookup(z: int, x: int, y: int) -> Tile | None:
    row = CachedTile.objects.filter(z=z, x=x, y=y).values_list("data", "etag").first()
    return Tile(bytes(row[0]), row[1], cached=True) if row else None


def _lock_key(z: int, x: int, y: int) -> int:
    return zlib.crc32(f"{z}/{x}/{y}".encode()) % LOCK_KEYS


def render(z: int, x: int, y: int) -> Tile:
    """Make the tile with its one statement and store it (empty tiles are not stored: see views)."""
    params = sql.parameters(z, x, y, timezone.localdate())
    own_transaction = not connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        if own_transaction:
            # A cached tile is derived data: losing the last few to a crash costs a re-render, so its
            # commit need not wait for the disk (about 2.5 ms of every uncached request here).
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [LOCK_CLASS, _lock_key(z, x, y)])
        params["store"] = cursor.fetchone()[0]
        cursor.execute(sql.render_and_store_statement(), params)
        data, etag, _stored = cursor.fetchone()
    return Tile(bytes(data), etag, cached=False)


def render_for_staff(z: int, x: int, y: int) -> Tile:
    """The staff's tile (every marker, pending proposals): made for each request, never stored."""
    check_tile(z, x, y)
    params = {**sql.parameters(z, x, y, timezone.localdate()), "staff": True, "store": False}
    with connection.cursor() as cursor:
        cursor.execute(sql.render_and_store_statement(), params)
        data, etag, _stored = cursor.fetchone()
    return Tile(bytes(data), etag, cached=False)


def _announce_edit() -> None:
    """Hold every key shared until the surrounding transaction ends (see the module's note)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock_shared(%s, k)) FROM generate_series(0, %s) AS k",
            [LOCK_CLASS, LOCK_KEYS - 1],
        )


def drop_tiles(boxes: Iterable[Box]) -> int:
    """Delete the cached tiles whose envelope meets any of the boxes; returns how many."""
    condition = Q()
    for box in boxes:
        polygon = Polygon.from_bbox(box)
        polygon.srid = TILE_SRID
        condition |= Q(envelope__bboverlaps=polygon)
    if not condition:
        return 0
    with transaction.atomic():
        _announce_edit()
        deleted, _ = CachedTile.objects.filter(condition).delete()
    return deleted


def box_in_tile_crs(geometry: GEOSGeometry | None) -> Box | None:
    """The bounding box of a stored geometry (any SRID) in the tile CRS."""
    if geometry is None or geometry.empty:
        return None
    return _to_tile_crs(geometry.srid).transform_bounds(*geometry.extent)


@functools.cache
def _to_tile_crs(srid: int) -> Transformer:
    # One transformer per CRS, kept: making one per edit (GDAL's, through GEOS) cost ~47 ms each.
    return Transformer.from_crs(srid, TILE_SRID, always_xy=True)


def drop_tiles_under(geometries: Iterable[GEOSGeometry | None]) -> int:
    """Delete the cached tiles under the bounding boxes of the geometries (None ones are skipped)."""
    return drop_tiles([box for box in map(box_in_tile_crs, geometries) if box is not None])


def clear() -> int:
    deleted, _ = CachedTile.objects.all().delete()
    return deleted


def get_tile(z: int, x: int, y: int) -> Tile:
    """The tile from the cache, or made (and stored) now. Raises TileOutOfRange for a tile not in the grid."""
    check_tile(z, x, y)
    return lookup(z, x, y) or render(z, x, y)
