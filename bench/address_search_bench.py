"""Address search benchmark (gazetteer.search.addresses): 100k and 1M synthetic addresses, each set
made inside a transaction that is rolled back at the end (nothing stays in the database).

For each size: synthetic roads (place records of category 08100, labelled synthetic, with their names in
the search index) and their house numbers (numbers, sub-numbers, buildings inside compounds; some
retired, some proposed) are written; the time to write them and to build the register's indexes from
scratch (REINDEX) is printed with the indexes' sizes. Then each kind of query runs many times, warm,
one client, in-process: the public endpoint (Django's test client: middleware, validation, the search,
the JSON; the kept answers cleared before each request, so every answer is computed), the address
statement alone, and the SQL floor (the same rows by a plain indexed equality look-up: road id and
number known; for the reverse look-up, the nearest entrance by the spatial index). In-process because
the rows are never committed: a server in another process could not see them.

With --compare (default: the smallest size only) it also measures the other design, addresses as rows
of the name index (SearchEntry, with their deletion keys and bigrams, as gazetteer.search.index writes
names): the time to write them and what the name index grows by, and a name query before and after.

Run by scripts/bench.sh (make bench, BENCH_KINDS=addresses), or directly:
    DATABASE_URL=... python bench/address_search_bench.py --sizes 100000 1000000 --queries 200
"""

from __future__ import annotations

import argparse
import importlib
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import opencc  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.gis.geos import LineString  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from bench.timing import percentile  # noqa: E402
from core.srid import STORAGE_SRID  # noqa: E402
from gazetteer.models import Category, Place, PlaceName, Road  # noqa: E402
from gazetteer.romanization import romanize  # noqa: E402
from gazetteer.search import index  # noqa: E402
from gazetteer.search.addresses import NEAREST_WITHIN_M, nearest_address, parse_address, search_addresses  # noqa: E402
from gazetteer.search.answers import answers  # noqa: E402
from gazetteer.search.engine import SearchOptions  # noqa: E402
from gazetteer.search.normalize import pinyin_key  # noqa: E402

# Characters of plausible road names (proper parts) and the generic parts of roads, streets and lanes.
PROPER = "安平和兴华光明东西南北新民中长春建国胜利友谊文化工农太阳红旗解放前进团结幸福江山海林河桥园通达永丰"
GENERIC = ("路", "街", "巷", "大街", "胡同", "道")
NUMBERS_PER_ROAD = 80  # 1..80; every 10th also has a sub-number (-1), every 25th four buildings inside
ROWS_PER_ROAD = NUMBERS_PER_ROAD + NUMBERS_PER_ROAD // 10 + 4 * (NUMBERS_PER_ROAD // 25)
LIMIT = 10
TO_TRADITIONAL = opencc.OpenCC("s2t")
CODE_PREFIX = "99"  # place codes no real county has
GRID_LON, GRID_LAT, ROADS_PER_ROW = 129.40, 44.40, 100


def road_names(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    made: set[str] = set()
    while len(made) < count:
        proper = "".join(rng.choice(PROPER) for _ in range(rng.choice((2, 2, 3))))
        made.add(proper + rng.choice(GENERIC))
    return sorted(made)


def timed(label: str, work) -> float:
    started = time.perf_counter()
    work()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {seconds:8.2f} s")
    return seconds


def make_roads(count: int) -> list[tuple[int, int, str, str, str]]:
    """(road id, place id, name, pinyin, initials) of ``count`` synthetic roads, indexed for search."""
    category = Category.objects.select_related("parent").get(code="08100")
    places, names = [], []
    for i, name in enumerate(road_names(count)):
        row, col = divmod(i, ROADS_PER_ROW)
        lon, lat = GRID_LON + col * 0.03, GRID_LAT + row * 0.002
        result = romanize(name)
        places.append(
            Place(
                code=f"{CODE_PREFIX}{i:018d}",
                name=name,
                category=category,
                geom=LineString((lon, lat), (lon + 0.025, lat), srid=STORAGE_SRID),
                romanization=result.romanization,
                standing=Place.Standing.SYNTHETIC,
                version=1,
            )
        )
    places = Place.objects.bulk_create(places, batch_size=2000)
    names = PlaceName.objects.bulk_create(
        [PlaceName(place=p, name=p.name, kind=PlaceName.Kind.STANDARD, romanization=p.romanization) for p in places],
        batch_size=2000,
    )
    batch = []
    for place, name in zip(places, names, strict=True):
        batch += index.entries_for(place, [name])
        if len(batch) >= 2000:
            index._save(batch)
            batch = []
    index._save(batch)
    roads = Road.objects.bulk_create([Road(place=p) for p in places], batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.place_id, e.pinyin, e.initials FROM gazetteer_searchentry e WHERE e.place_id = ANY(%s)",
            [[p.pk for p in places]],
        )
        forms = {place_id: (pinyin, initials) for place_id, pinyin, initials in cursor.fetchall()}
    return [(r.pk, p.pk, p.name, *forms[p.pk]) for r, p in zip(roads, places, strict=True)]


INSERT_NUMBERS = f"""
INSERT INTO gazetteer_housenumber (version, road_id, number, suffix, building_no, unit_no, room_no, geom,
  distance_m, side, building_name, owner, former_address, status, issued_on, retired_on, retired_reason,
  reuse_reason, is_synthetic, created_at)
SELECT 1, r.id, n.n, s.suffix, s.building, '', '',
  ST_SetSRID(ST_MakePoint({GRID_LON} + ((r.k - 1) %% {ROADS_PER_ROW}) * 0.03 + n.n * 0.00028,
                          {GRID_LAT} + ((r.k - 1) / {ROADS_PER_ROW}) * 0.002 + CASE WHEN n.n %% 2 = 1 THEN 0.0001
                          ELSE -0.0001 END), {STORAGE_SRID}),
  n.n * 22.0, CASE WHEN n.n %% 2 = 1 THEN 'left' ELSE 'right' END, '', '', '',
  CASE WHEN (r.k + n.n) %% 50 = 0 THEN 'retired' WHEN (r.k + n.n) %% 33 = 0 THEN 'proposed' ELSE 'in_use' END,
  DATE '2015-01-01',
  CASE WHEN (r.k + n.n) %% 50 = 0 THEN DATE '2022-01-01' END,
  CASE WHEN (r.k + n.n) %% 50 = 0 THEN '拆除' ELSE '' END,
  '', true, now()
FROM unnest(%(roads)s::bigint[]) WITH ORDINALITY AS r(id, k)
CROSS JOIN generate_series(1, {NUMBERS_PER_ROAD}) AS n(n)
CROSS JOIN LATERAL (
  SELECT 0 AS suffix, '' AS building
  UNION ALL SELECT 1, '' WHERE n.n %% 10 = 0
  UNION ALL SELECT 0, b::text FROM generate_series(1, 4) b WHERE n.n %% 25 = 0
) s
"""


def relation_sizes(names: list[str]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c WHERE relname = ANY(%s)", [names]
        )
        return cursor.fetchone()[0]


def index_sizes(table: str) -> list[tuple[str, int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes WHERE relname = %s "
            "ORDER BY indexrelname",
            [table],
        )
        return cursor.fetchall()


def ensure_road_indexes() -> None:
    """The partial indexes of migration 0013, made here (and rolled back) where the database has not
    been migrated that far."""
    migration = importlib.import_module("gazetteer.migrations.0013_address_search")
    with connection.cursor() as cursor:
        for name, columns in migration.INDEXES:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON gazetteer_searchentry ({columns}) WHERE {migration.ROAD}"
            )


# ---- the queries -------------------------------------------------------------------------------------------


def one_wrong(name: str) -> str:
    i = min(1, len(name) - 2)
    return name[:i] + ("口" if name[i] != "口" else "木") + name[i + 1 :]


def address_queries(roads, count: int, seed: int = 3) -> dict[str, list[tuple[str, tuple[int, int]]]]:
    """Kind -> [(query, (road id, number) the floor looks up)]."""
    rng = random.Random(seed)
    picked = [rng.choice(roads) for _ in range(count)]
    kinds: dict[str, list] = {k: [] for k in ("characters", "pinyin", "Pinyin Lu No.", "mixed", "sub-number")}
    kinds |= {k: [] for k in ("building", "proper part", "initials", "one wrong", "traditional", "no such number")}
    for road_id, _, name, pinyin, initials in picked:
        n = rng.randint(1, NUMBERS_PER_ROAD)
        tens, quarter = rng.randint(1, NUMBERS_PER_ROAD // 10) * 10, rng.randint(1, NUMBERS_PER_ROAD // 25) * 25
        roman = romanize(name).romanization
        proper = "".join(p.text for p in romanize(name).parts if p.role == "proper")
        kinds["characters"].append((f"{name}{n}号", (road_id, n)))
        kinds["pinyin"].append((f"{pinyin} {n}", (road_id, n)))
        kinds["Pinyin Lu No."].append((f"{roman} No. {n}", (road_id, n)))
        kinds["mixed"].append((f"{pinyin_key(roman)} {n}号", (road_id, n)))
        kinds["sub-number"].append((f"{name}{tens}-1", (road_id, tens)))
        kinds["building"].append((f"{name}{quarter}号3号楼", (road_id, quarter)))
        kinds["proper part"].append((f"{proper}{n}号", (road_id, n)))
        kinds["initials"].append((f"{initials} {n}", (road_id, n)))
        kinds["one wrong"].append((f"{one_wrong(name)}{n}号", (road_id, n)))
        kinds["traditional"].append((f"{TO_TRADITIONAL.convert(name)}{n}號", (road_id, n)))
        kinds["no such number"].append((f"{name}{NUMBERS_PER_ROAD + 500}号", (road_id, NUMBERS_PER_ROAD + 500)))
    return kinds


def _ms(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def endpoint_ms(client: Client, path: str, params: dict) -> float:
    answers.clear()
    started = time.perf_counter()
    response = client.get(path, params)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: HTTP {response.status_code} {response.content[:200]!r}")
    return elapsed


FLOOR_SQL = "SELECT id FROM gazetteer_housenumber WHERE road_id = %s AND number = %s AND status = 'in_use' LIMIT 10"
FLOOR_NEAREST_SQL = (
    f"SELECT id FROM gazetteer_housenumber ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%s, %s), {STORAGE_SRID}) LIMIT 1"
)


def floor_ms(sql: str, params: list) -> float:
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        return (time.perf_counter() - started) * 1000


def report(kind: str, web: list[float], ours: list[float], floor: list[float]) -> tuple[float, float]:
    p50, p95 = percentile(web, 50), percentile(web, 95)
    print(
        f"  {kind:<16} {len(web):>4}  {p50:8.2f} {p95:8.2f}  {percentile(ours, 50):8.2f} {percentile(ours, 95):8.2f}"
        f"  {percentile(floor, 50):8.2f} {percentile(floor, 95):8.2f}  {'ok' if p50 <= 10 and p95 <= 25 else 'OVER'}"
    )
    return p50, p95


def run_queries(roads, count: int) -> None:
    client = Client()
    options = SearchOptions(limit=LIMIT, public_only=True)
    print(
        f"  {'kind':<16} {'n':>4}  {'API p50':>8} {'API p95':>8}  {'stmt p50':>8} {'stmt p95':>8}"
        f"  {'floor50':>8} {'floor95':>8}  goal (p50<=10, p95<=25)"
    )
    for kind, queries in address_queries(roads, count).items():
        for query, _ in queries[:20]:  # warm: each statement shape prepared, pages cached
            endpoint_ms(client, "/api/v1/places/search", {"q": query, "limit": LIMIT})
        web = [endpoint_ms(client, "/api/v1/places/search", {"q": q, "limit": LIMIT}) for q, _ in queries]
        ours = [_ms(lambda q=q: search_addresses(parse_address(q), options)) for q, _ in queries]
        floor = [floor_ms(FLOOR_SQL, list(key)) for _, key in queries]
        report(kind, web, ours, floor)
    rng = random.Random(9)
    points = []
    for _ in range(count):
        k, n = rng.randrange(len(roads)), rng.randint(1, NUMBERS_PER_ROAD)
        lon = GRID_LON + (k % ROADS_PER_ROW) * 0.03 + n * 0.00028 + rng.uniform(-0.0003, 0.0003)
        points.append((lon, GRID_LAT + (k // ROADS_PER_ROW) * 0.002 + rng.uniform(-0.0005, 0.0005)))
    for lon, lat in points[:20]:
        endpoint_ms(client, "/api/v1/reverse", {"lon": lon, "lat": lat})
    web = [endpoint_ms(client, "/api/v1/reverse", {"lon": lon, "lat": lat}) for lon, lat in points]
    ours = [_ms(lambda p=p: nearest_address(*p, public_only=True)) for p in points]
    floor = [floor_ms(FLOOR_NEAREST_SQL, list(p)) for p in points]
    report(f"reverse ({NEAREST_WITHIN_M:.0f} m)", web, ours, floor)
    print("  (reverse: the endpoint also finds the units at the point and the nearest places; stmt: the address only)")


# ---- the other design: addresses as rows of the name index ------------------------------------------------

AS_ENTRIES = """
INSERT INTO gazetteer_searchentry (place_id, name, kind, is_public, is_proposed, hanzi, proper, pinyin,
  proper_pinyin, initials, bigrams, tier, category_code, category_parent, ancestors, point, payload)
SELECT e.place_id, e.name || h.number || '号', 'standard', true, false, e.hanzi || h.number || '号', e.proper,
  e.pinyin || h.number, e.proper_pinyin, e.initials || h.number,
  ARRAY(SELECT DISTINCT substr(e.hanzi || h.number || '号', i, 2)
        FROM generate_series(1, char_length(e.hanzi || h.number || '号') - 1) i),
  5, '08100', '08000', '{}', h.geom, e.payload
FROM gazetteer_housenumber h JOIN gazetteer_road r ON r.id = h.road_id
JOIN gazetteer_searchentry e ON e.place_id = r.place_id AND e.category_code = '08100'
WHERE r.id = ANY(%(roads)s) AND h.status <> 'retired'
RETURNING id
"""
AS_DELETIONS = """
INSERT INTO gazetteer_searchdeletion (entry_id, key, position)
SELECT x.id, left(x.hanzi, i) || substr(x.hanzi, i + 2), i
FROM gazetteer_searchentry x, generate_series(0, char_length(x.hanzi) - 1) i
WHERE x.id = ANY(%(ids)s)
"""


def compare_with_name_index(roads, road_ids: list[int], count: int) -> None:
    """Write the addresses as name-index rows (rolled back with the rest) and measure what that costs."""
    client = Client()
    queries = [name[:2] for _, _, name, _, _ in random.Random(4).sample(roads, min(count, len(roads)))]

    def name_query_p50() -> float:
        for q in queries[:20]:
            endpoint_ms(client, "/api/v1/places/search", {"q": q, "limit": LIMIT})
        return percentile([endpoint_ms(client, "/api/v1/places/search", {"q": q, "limit": LIMIT}) for q in queries], 50)

    tables = ["gazetteer_searchentry", "gazetteer_searchdeletion"]
    before_size, before_ms = relation_sizes(tables), name_query_p50()
    ids: list[int] = []

    def write_entries():
        with connection.cursor() as cursor:
            cursor.execute(AS_ENTRIES, {"roads": road_ids})
            ids.extend(row[0] for row in cursor.fetchall())
            cursor.execute(AS_DELETIONS, {"ids": ids})
            cursor.execute("ANALYZE gazetteer_searchentry; ANALYZE gazetteer_searchdeletion")

    print("  -- the other design: every address a row of the name index (SearchEntry + deletion keys) --")
    timed(f"write {len(road_ids) * ROWS_PER_ROAD:,} addresses as name-index rows (SQL, no romanizing)", write_entries)
    after_size, after_ms = relation_sizes(tables), name_query_p50()
    print(f"  name index (tables + indexes): {before_size / 2**20:,.0f} MB -> {after_size / 2**20:,.0f} MB")
    print(f"  a name query (two characters, API p50): {before_ms:.2f} ms -> {after_ms:.2f} ms")


# ---- main --------------------------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def bench_size(size: int, queries: int, compare: bool) -> None:
    count = max(1, round(size / ROWS_PER_ROAD))
    print(f"\n== address search: {count * ROWS_PER_ROAD:,} synthetic addresses on {count:,} roads (rolled back) ==")
    try:
        with transaction.atomic():
            made: dict = {}
            timed("road-name partial indexes (migration 0013), where missing", ensure_road_indexes)
            timed(f"{count:,} roads: places, names, search entries", lambda: made.update(roads=make_roads(count)))
            roads = made["roads"]
            road_ids = [r[0] for r in roads]

            def insert():
                with connection.cursor() as cursor:
                    cursor.execute(INSERT_NUMBERS, {"roads": road_ids})

            timed("insert the house numbers (the register's indexes kept)", insert)
            timed(
                "build the register's indexes from scratch (REINDEX)",
                lambda: _sql("REINDEX TABLE gazetteer_housenumber"),
            )
            timed("ANALYZE", lambda: _sql("ANALYZE gazetteer_housenumber; ANALYZE gazetteer_searchentry"))
            sizes = ", ".join(f"{name} {size / 2**20:,.1f} MB" for name, size in index_sizes("gazetteer_housenumber"))
            print(f"  register indexes: {sizes}")
            road_idx = [(n, s) for n, s in index_sizes("gazetteer_searchentry") if n.startswith("search_road_")]
            print(f"  road-name partial indexes: {sum(s for _, s in road_idx) / 2**10:,.0f} kB in all")
            run_queries(roads, queries)
            if compare:
                compare_with_name_index(roads, road_ids, queries)
            raise Rollback
    except Rollback:
        pass


def _sql(statement: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--compare", choices=("smallest", "all", "none"), default="smallest")
    args = parser.parse_args()
    settings.RATE_LIMIT_PER_MINUTE = 0  # one local client, in-process
    settings.SEARCH_REFRESH_SECONDS = 0
    for size in args.sizes:
        compare = args.compare == "all" or (args.compare == "smallest" and size == min(args.sizes))
        bench_size(size, args.queries, compare)


if __name__ == "__main__":
    main()
