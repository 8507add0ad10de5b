"""A per-client request limit for anonymous API use, shared by all server workers through an
UNLOGGED PostgreSQL table (one upsert per request; no Redis needed)."""

from __future__ import annotations

import functools
import random

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.http import json_error

WINDOW_SECONDS = 60


def client_key(request) -> str:
    """The client's address; behind a trusted proxy, the first address it forwarded."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.RATE_LIMIT_TRUST_FORWARDED and request.META.get("HTTP_X_FORWARDED_FOR"):
        address = request.META["HTTP_X_FORWARDED_FOR"].split(",")[0].strip()
    return address[:64] or "unknown"


def hit(client: str) -> int:
    """Count one request of ``client`` in the current window; returns the count so far."""
    now = timezone.now()
    window = now.replace(second=0, microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_rate_counter (client, window_start, hits) VALUES (%s, %s, 1) "
            "ON CONFLICT (client, window_start) DO UPDATE SET hits = core_rate_counter.hits + 1 RETURNING hits",
            [client, window],
        )
        hits = cursor.fetchone()[0]
        if random.random() < 0.001:  # noqa: S311 (housekeeping, not security)
            cursor.execute("DELETE FROM core_rate_counter WHERE window_start < %s", [window])
    return hits


def rate_limited(view):
    """Answer 429 when an anonymous client exceeds RATE_LIMIT_PER_MINUTE requests a minute."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        limit = settings.RATE_LIMIT_PER_MINUTE
        if limit and not request.user.is_authenticated and hit(client_key(request)) > limit:
            response = json_error(429, f"too many requests: at most {limit} a minute; try again shortly")
            response["Retry-After"] = str(WINDOW_SECONDS - timezone.now().second)
            return response
        return view(request, *args, **kwargs)

    return wrapper
