"""API plumbing benchmark: what one request costs in-process (Django's test client, no server, no
network), from the middleware to the answer, for reads, validation refusals and a stale-version write.

It measures the layer the API is declared with (core.restapi on Django Ninja: routing, parameter and
body validation, the error answers), so the figures compare one version of that layer with another:
run it on two checkouts against the same database. Every request is an officer's (an API token of
the account mdj-bench-api, made here and revoked at the end), so no per-client limit applies; no
request changes anything (the write is refused as stale, the refusals roll back).

Run by scripts/bench.sh (make bench, BENCH_KINDS=api), or directly:
    DATABASE_URL=... python bench/api_bench.py --requests 300
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ApiToken, Role  # noqa: E402
from accounts.services import create_officer  # noqa: E402
from gazetteer.models import Place  # noqa: E402

USER = "mdj-bench-api"
NINGAN = "231084"


def requests_to_time(place: Place) -> list[tuple[str, str, str, dict | None]]:
    """(label, method, path, JSON body) of each request measured."""
    stale = {"version": max(place.version - 1, 1) if place.version > 1 else place.version + 1000, "reason": "bench"}
    return [
        ("GET unit (no geometry)", "GET", f"/api/v1/units/{NINGAN}?geometry=none", None),
        ("GET places page of 5", "GET", "/api/v1/places?limit=5&geometry=none&unit=231084", None),
        ("GET romanize", "GET", "/api/v1/romanize?name=宁安市", None),
        ("GET bad query (400)", "GET", "/api/v1/places?limit=0", None),
        ("PATCH stale version (409)", "PATCH", f"/api/v1/places/{place.code}", {**stale, "meaning": "x"}),
        ("PATCH bad body (400)", "PATCH", f"/api/v1/places/{place.code}", {**stale, "elevation_m": "high"}),
        ("POST changeset bad body (400)", "POST", "/api/v1/changesets", {"reason": "bench", "edits": []}),
    ]


def time_request(client: Client, method: str, path: str, body: dict | None, count: int) -> tuple[int, list[float]]:
    send = getattr(client, method.lower())
    data = json.dumps(body) if body is not None else None
    kwargs = {"content_type": "application/json"} if data is not None else {}
    status = send(path, data, **kwargs).status_code if data is not None else send(path).status_code  # warm
    times = []
    for _ in range(count):
        started = time.perf_counter()
        send(path, data, **kwargs) if data is not None else send(path)
        times.append((time.perf_counter() - started) * 1e6)
    return status, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="requests per case")
    args = parser.parse_args()
    _, key = create_officer(USER, role=Role.OFFICER, counties=[NINGAN], full_name="make bench (api)", with_token=True)
    try:
        place = Place.objects.filter(code__startswith=NINGAN, valid_to__isnull=True).order_by("code").first()
        client = Client(HTTP_AUTHORIZATION=f"Token {key}", HTTP_HOST="127.0.0.1")
        print(f"API plumbing, in-process, {args.requests} requests per case, officer token (µs per request)")
        print(f"{'case':32} {'status':>6} {'p50':>8} {'p95':>8}")
        for label, method, path, body in requests_to_time(place):
            status, times = time_request(client, method, path, body, args.requests)
            p95 = statistics.quantiles(times, n=100, method="inclusive")[94]
            print(f"{label:32} {status:>6} {statistics.median(times):>8.0f} {p95:>8.0f}")
    finally:
        ApiToken.objects.filter(user__username=USER, revoked_at__isnull=True).update(revoked_at=timezone.now())


if __name__ == "__main__":
    main()
