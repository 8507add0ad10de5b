"""Search benchmark: the endpoint over HTTP against the production server, and the same SQL run
directly on the same database (the floor). One client, warm, p50/p95 per kind of query.

Run by scripts/bench.sh (make bench), which starts the server for each database:
    DATABASE_URL=... python bench/search_bench.py --port 8765 --label real --queries 200
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import opencc  # noqa: E402
from django.db import connection  # noqa: E402

from bench.timing import percentile, timed_get  # noqa: E402
from gazetteer.search.engine import SearchOptions, compile_search, execute, full_phase_below  # noqa: E402
from gazetteer.search.normalize import parse_query  # noqa: E402

TO_TRADITIONAL = opencc.OpenCC("s2t")
LIMIT = 10


def sample_names(count: int, seed: int = 11) -> list[tuple[str, str, str]]:
    """(name, pinyin, initials) of standard names, sampled across the index."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM gazetteer_searchentry WHERE kind = 'standard'")
        total = cursor.fetchone()[0]
        rng = random.Random(seed)
        ids = rng.sample(range(total), min(count, total))
        cursor.execute(
            "SELECT name, pinyin, initials FROM (SELECT name, pinyin, initials, "
            "row_number() OVER (ORDER BY id) - 1 AS n FROM gazetteer_searchentry WHERE kind = 'standard') s "
            "WHERE n = ANY(%s)",
            [ids],
        )
        return cursor.fetchall()


def context_queries(count: int) -> list[str]:
    """A county name followed by the name of a place in it (real data only)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.proper, e.hanzi FROM gazetteer_searchentry e JOIN gazetteer_searchentry c "
            "ON c.tier = 2 AND c.kind = 'standard' AND e.ancestors @> ARRAY[c.ancestors[array_length(c.ancestors, 1)]] "
            "WHERE e.kind = 'standard' AND e.tier >= 3 ORDER BY e.id LIMIT %s",
            [count],
        )
        return [f"{county} {name}" for county, name in cursor.fetchall()]


def queries_by_kind(names, count: int) -> dict[str, list[str]]:
    rng = random.Random(5)
    kinds = {
        "exact": [n for n, _, _ in names],
        "prefix": [n[:2] for n, _, _ in names],
        "substring": [n[1:3] if len(n) >= 4 else n[1:] for n, _, _ in names],
        "one wrong": [n[:1] + "口" + n[2:] for n, _, _ in names],
        "one missing": [n[:1] + n[2:] for n, _, _ in names],
        "traditional": [TO_TRADITIONAL.convert(n) for n, _, _ in names],
        "pinyin": [p for _, p, _ in names],
        "pinyin prefix": [p[: max(3, len(p) // 2)] for _, p, _ in names],
        "initials": [i for _, _, i in names],
        "pinyin typo": [
            p[: len(p) // 2] + ("x" if p[len(p) // 2] != "x" else "q") + p[len(p) // 2 + 1 :] for _, p, _ in names
        ],
    }
    context = context_queries(count)
    if context:
        kinds["context"] = context
    return {kind: rng.sample(queries, min(count, len(queries))) for kind, queries in kinds.items()}


def sql_floor(query: str) -> float:
    """Milliseconds to run the statements the endpoint runs for ``query``, straight on the database."""
    parsed = parse_query(query)
    options = SearchOptions(limit=LIMIT, public_only=True)
    fast = compile_search(parsed, options, full=False)
    full = compile_search(parsed, options, full=True)
    with connection.cursor() as cursor:
        started = time.perf_counter()
        rows = execute(cursor, fast)
        if len(rows) < min(LIMIT, full_phase_below(parsed)):
            execute(cursor, full)
        return (time.perf_counter() - started) * 1000


def http_time(conn: http.client.HTTPConnection, query: str) -> float:
    elapsed, _, body = timed_get(conn, "/api/v1/places/search?" + urllib.parse.urlencode({"q": query, "limit": LIMIT}))
    json.loads(body)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--label", required=True)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM gazetteer_searchentry")
        size = cursor.fetchone()[0]
    kinds = queries_by_kind(sample_names(args.queries), args.queries)
    conn = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
    print(f"\n== search: {args.label} ({size:,} searchable names; one client, warm; milliseconds) ==")
    print(f"{'kind':<14} {'n':>4}  {'HTTP p50':>8} {'HTTP p95':>8}  {'SQL p50':>8} {'SQL p95':>8}  {'p50 gap':>7}")
    for kind, queries in kinds.items():
        for query in queries * 3:  # warm: every server worker has planned each statement shape
            http_time(conn, query)
            sql_floor(query)
        web = [http_time(conn, q) for q in queries]
        floor = [sql_floor(q) for q in queries]
        p50w, p50f = percentile(web, 50), percentile(floor, 50)
        print(
            f"{kind:<14} {len(queries):>4}  {p50w:8.2f} {percentile(web, 95):8.2f}  {p50f:8.2f} "
            f"{percentile(floor, 95):8.2f}  {p50w - p50f:7.2f}"
        )


if __name__ == "__main__":
    main()
