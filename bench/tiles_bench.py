"""Vector tile benchmark: GET /tiles/{z}/{x}/{y}.mvt over HTTP against the production server, and the same
database work run directly (the floor). One client, warm, p50/p95 per zoom and mode, and the tiles' sizes.

The tiles: at each zoom, a seeded sample of the tiles whose envelope meets the territory, keeping only
non-empty ones (an empty tile is answered 204 and never cached). At a low zoom the territory covers only
a few tiles; they are requested in turn until there are ``--tiles`` requests ("tiles" is how many distinct).

Uncached: the tile's cache row is deleted (outside the timing) before each request, so every request
makes the tile and stores it; its floor is what the endpoint asks of the database for it (the cache
look-up that misses, then, in one transaction, the advisory lock and the statement that makes and stores
the tile: tiles.vector.cache.render), the row deleted again before. Cached: the tile was stored by an
earlier request; its floor is the cache look-up. "gap" is HTTP p50 minus floor p50: Django, gunicorn, HTTP.

Also /tiles/tiles.json and /tiles/style.json, against the same look-up and JSON in-process (floor).

Run by scripts/bench.sh (make bench), which starts the server:
    DATABASE_URL=... python bench/tiles_bench.py --port 8765 --label real --tiles 60
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import time
from itertools import cycle, islice
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import shapely  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.timing import percentile, timed_get  # noqa: E402
from boundaries.models import AdminUnit  # noqa: E402
from core.geometry import from_geos  # noqa: E402
from core.srid import TILE_SRID  # noqa: E402
from tiles.models import CachedTile  # noqa: E402
from tiles.vector import cache, sql  # noqa: E402
from tiles.vector.build import rebuild  # noqa: E402
from tiles.vector.documents import document  # noqa: E402
from tiles.vector.grid import tile_bounds  # noqa: E402

Tile = tuple[int, int, int]
ZOOMS = (6, 10, 14)
WARM_ROUNDS = 2
DOCUMENT_REQUESTS = 50
HEADER = (
    f"{'what':<10} {'mode':<8} {'tiles':>5} {'n':>4}  {'HTTP p50':>8} {'HTTP p95':>8}  {'floor p50':>9} "
    f"{'floor p95':>9}  {'gap p50':>7}  {'size p50':>8} {'size max':>8}"
)


def territory_in_tile_crs() -> shapely.Geometry:
    city = AdminUnit.objects.current().get(code=settings.TERRITORY_CODE)
    return from_geos(city.geom.transform(TILE_SRID, clone=True))


def tiles_meeting(area: shapely.Geometry, z: int) -> list[Tile]:
    """Every tile at zoom z whose envelope meets the area (in the tile CRS)."""
    n = 2**z
    size = tile_bounds(z, 0, 0).xmax - tile_bounds(z, 0, 0).xmin
    minx, miny, maxx, maxy = area.bounds
    origin = tile_bounds(z, 0, 0)
    xs = range(max(0, int((minx - origin.xmin) // size)), min(n, int((maxx - origin.xmin) // size) + 1))
    ys = range(max(0, int((origin.ymax - maxy) // size)), min(n, int((origin.ymax - miny) // size) + 1))
    candidates = [(z, x, y) for x in xs for y in ys]
    boxes = shapely.box(*zip(*(tile_bounds(*tile).as_tuple() for tile in candidates), strict=True))
    shapely.prepare(area)
    return [tile for tile, meets in zip(candidates, shapely.intersects(area, boxes), strict=True) if meets]


def is_empty(tile: Tile) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql.render_statement(), sql.parameters(*tile, timezone.localdate()))
        return not cursor.fetchone()[0]


def sample_tiles(area: shapely.Geometry, z: int, count: int, seed: int = 7) -> tuple[list[Tile], int]:
    """``count`` requests over non-empty tiles meeting the territory (repeated when there are fewer);
    also how many distinct tiles."""
    candidates = tiles_meeting(area, z)
    random.Random(seed + z).shuffle(candidates)
    chosen: list[Tile] = []
    for tile in candidates:
        if len(chosen) == count:
            break
        if not is_empty(tile):
            chosen.append(tile)
    if not chosen:
        raise RuntimeError(f"no non-empty tile meets the territory at zoom {z}: is the generalised geometry built?")
    return list(islice(cycle(chosen), count)), len(chosen)


def uncache(tile: Tile) -> None:
    z, x, y = tile
    CachedTile.objects.filter(z=z, x=x, y=y).delete()


def http_tile(conn: http.client.HTTPConnection, tile: Tile, expect: str) -> tuple[float, int]:
    z, x, y = tile
    elapsed, response, body = timed_get(conn, f"/tiles/{z}/{x}/{y}.mvt")
    if response.getheader("X-Tile-Cache") != expect:
        raise RuntimeError(f"{z}/{x}/{y}: expected a cache {expect}, got {response.getheader('X-Tile-Cache')}")
    return elapsed, len(body)


def floor_cached(tile: Tile) -> float:
    """Milliseconds of the cache look-up, as the endpoint makes it."""
    started = time.perf_counter()
    if cache.lookup(*tile) is None:
        raise RuntimeError(f"{tile}: not in the cache for the cached floor")
    return (time.perf_counter() - started) * 1000


def floor_uncached(tile: Tile) -> float:
    """Milliseconds of the database work of a miss: the look-up, then lock, make and store, commit."""
    uncache(tile)
    started = time.perf_counter()
    if cache.lookup(*tile) is not None:
        raise RuntimeError(f"{tile}: still in the cache for the uncached floor")
    made = cache.render(*tile)
    elapsed = (time.perf_counter() - started) * 1000
    if made.empty:
        raise RuntimeError(f"{tile}: empty")
    return elapsed


def measure(conn, tiles: list[Tile], cached: bool) -> tuple[list[float], list[float], list[int]]:
    """HTTP and floor, tile by tile (so that both see the same load)."""
    web, floor, sizes = [], [], []
    for tile in tiles:
        if not cached:
            uncache(tile)
        elapsed, size = http_tile(conn, tile, "hit" if cached else "miss")
        web.append(elapsed)
        sizes.append(size)
        floor.append(floor_cached(tile) if cached else floor_uncached(tile))
    return web, floor, sizes


def row(what: str, mode: str, distinct: int | str, web: list[float], floor: list[float], sizes: list[int]) -> str:
    p50w, p50f = percentile(web, 50), percentile(floor, 50)
    return (
        f"{what:<10} {mode:<8} {distinct:>5} {len(web):>4}  {p50w:8.2f} {percentile(web, 95):8.2f}  {p50f:9.2f} "
        f"{percentile(floor, 95):9.2f}  {p50w - p50f:7.2f}  {statistics.median(sizes):8.0f} {max(sizes):8d}"
    )


def bench_zoom(conn, area: shapely.Geometry, z: int, count: int) -> list[str]:
    tiles, distinct = sample_tiles(area, z, count)
    for _ in range(WARM_ROUNDS):  # every server worker has planned the statements
        measure(conn, tiles[:10], cached=False)
        measure(conn, tiles[:10], cached=True)
    lines = []
    for mode, cached in (("uncached", False), ("cached", True)):
        web, floor, sizes = measure(conn, tiles, cached)
        lines.append(row(f"z{z}", mode, distinct, web, floor, sizes))
    return lines


def bench_document(conn, path: str, kind: str) -> str:
    """The floor is what the view does: the generation's look-up (the document is kept per
    generation of the data), and the JSON."""
    base = f"http://{conn.host}:{conn.port}"

    def in_process() -> float:
        started = time.perf_counter()
        json.dumps(document(kind, base), ensure_ascii=False, separators=(",", ":")).encode()
        return (time.perf_counter() - started) * 1000

    for _ in range(10):
        timed_get(conn, path)
        in_process()
    web, floor, sizes = [], [], []
    for _ in range(DOCUMENT_REQUESTS):
        elapsed, _response, body = timed_get(conn, path)
        web.append(elapsed)
        sizes.append(len(body))
        floor.append(in_process())
    return row(path.rsplit("/", 1)[-1], "-", "-", web, floor, sizes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--tiles", type=int, default=60, help="requests per zoom and mode")
    args = parser.parse_args()
    built = rebuild()  # the generalised geometry, if the database has not got it yet (no-op otherwise)
    if not built.skipped:
        print(f"(generalised geometry rebuilt first: {built.rows_changed} rows, {built.tiles_dropped} tiles dropped)")
    area = territory_in_tile_crs()
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=60)
    print(f"\n== vector tiles: {args.label} (one client, warm; milliseconds; sizes in bytes, uncompressed) ==")
    print(HEADER)
    for z in ZOOMS:
        for line in bench_zoom(conn, area, z, args.tiles):
            print(line, flush=True)
    print(bench_document(conn, "/tiles/tiles.json", "tilejson"), flush=True)
    print(bench_document(conn, "/tiles/style.json", "style"), flush=True)
    print(
        "floor: uncached = look-up + lock, make and store (own transaction); cached = look-up; "
        "documents = generation look-up + JSON in-process. gap = HTTP p50 - floor p50."
    )


if __name__ == "__main__":
    main()
