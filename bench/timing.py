"""What the benchmarks share: a timed GET on a kept-alive connection, and percentiles."""

from __future__ import annotations

import http.client
import statistics
import time


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[float, http.client.HTTPResponse, bytes]:
    """(milliseconds, response, body) of one GET; anything but 200 stops the benchmark."""
    started = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status != 200:
        raise RuntimeError(f"{path}: HTTP {response.status} {body[:200]!r}")
    return elapsed, response, body


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]
