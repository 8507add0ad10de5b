"""Per-client request limits for anonymous use, and a ceiling on heavy work per server process.

Every request is sorted into a class by its path (``REQUEST_CLASSES``, first match wins): API calls,
tiles, bulk files, pages, or none (health checks, static files, the admin, whose login django-axes
throttles). An anonymous client that exceeds its class's requests a minute gets a JSON 429; staff
(any authenticated user) are not limited. The counters live in an UNLOGGED PostgreSQL table shared by
all server workers (one upsert per limited request; no Redis needed).

Heavy requests (bulk files, imports, geometry lists) also take one of a few slots per server process,
so that they can never occupy every thread: a health check or a search always finds one free. When
no slot is free the answer is an immediate 503 with Retry-After, not a wait.

The client is the connecting address. X-Forwarded-For is believed only when the connection comes from
one of settings.TRUSTED_PROXIES, and then the client is the last address in it that is not a trusted
proxy (earlier entries are whatever the client chose to send).
"""

from __future__ import annotations

import ipaddress
import random
import threading
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.http import json_error

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class RequestClass:
    name: str | None  # None: not limited
    heavy: bool = False


# (path prefix, class): the first prefix that matches decides. A new endpoint is limited as "api" or
# "pages" without anyone remembering to add it.
REQUEST_CLASSES: tuple[tuple[str, RequestClass], ...] = (
    ("/healthz", RequestClass(None)),
    ("/static/", RequestClass(None)),
    ("/admin/", RequestClass(None)),
    ("/tiles/", RequestClass("tiles")),
    ("/api/v1/places/export", RequestClass("bulk", heavy=True)),
    ("/api/v1/places/import", RequestClass(None, heavy=True)),  # staff only, still heavy
    ("/api/v1/open-data/places.", RequestClass("bulk", heavy=True)),
    ("/api/", RequestClass("api")),
    ("/", RequestClass("pages")),
)


def request_class(path: str) -> RequestClass:
    for prefix, kind in REQUEST_CLASSES:
        if path.startswith(prefix):
            return kind
    return RequestClass("pages")


def limit_per_minute(kind: str) -> int:
    """Requests a minute one anonymous client may make of this class (0: unlimited)."""
    return {
        "api": settings.RATE_LIMIT_PER_MINUTE,
        "tiles": settings.TILE_RATE_LIMIT_PER_MINUTE,
        "bulk": settings.BULK_RATE_LIMIT_PER_MINUTE,
        "pages": settings.PAGE_RATE_LIMIT_PER_MINUTE,
        # Not a path class: counted by the view that takes the post (a public notice's comment form,
        # web.notices), on top of "pages", for every client; the view answers its own 429 in the page.
        "comments": settings.COMMENT_RATE_LIMIT_PER_MINUTE,
    }[kind]


# ---- who is asking ---------------------------------------------------------------------------------


def _address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip().strip("[]")))
    except ValueError:
        return None


def _trusted(address: str | None) -> bool:
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES)


def client_key(request) -> str:
    """The client's address: the connecting address, or behind a trusted proxy the last forwarded
    address that is not itself a trusted proxy."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    client = remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and _trusted(remote):
        for hop in reversed(forwarded.split(",")):
            hop_address = _address(hop)
            if hop_address is None:
                break  # a forged or garbled entry: stop at the last address we can vouch for
            client = hop_address
            if not _trusted(hop_address):
                break
    return (client or "unknown")[:64]


# ---- counting --------------------------------------------------------------------------------------


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


def too_many(kind: str, limit: int):
    response = json_error(429, f"too many requests: at most {limit} a minute for {kind}; try again shortly")
    response["Retry-After"] = str(WINDOW_SECONDS - timezone.now().second)
    response._has_been_logged = True  # an expected answer under load, not a warning per request
    return response


def _may_be_staff(request) -> bool:
    """Only a request with a session cookie or a token can be staff: for the others the user is not
    looked up, so that the session is not touched (and no Vary: Cookie lands on a public tile)."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META


def over_limit(request, kind: str | None):
    """A 429 response when this anonymous request is over its class's limit, else None."""
    if kind is None or (_may_be_staff(request) and request.user.is_authenticated):
        return None
    limit = limit_per_minute(kind)
    if limit and hit(f"{kind}:{client_key(request)}") > limit:
        return too_many(kind, limit)
    return None


# ---- heavy work ------------------------------------------------------------------------------------

_heavy_slots: threading.BoundedSemaphore | None = None
_heavy_slots_lock = threading.Lock()


def heavy_slots() -> threading.BoundedSemaphore:
    global _heavy_slots
    with _heavy_slots_lock:
        if _heavy_slots is None:
            _heavy_slots = threading.BoundedSemaphore(settings.HEAVY_REQUESTS_PER_PROCESS)
        return _heavy_slots


def busy():
    response = json_error(503, "the server is busy with other large requests; try again in a few seconds")
    response["Retry-After"] = "5"
    response._has_been_logged = True
    return response


class RequestLimitMiddleware:
    """The per-client limit and the heavy-work ceiling, by request class. Runs after authentication."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        kind = request_class(request.path_info)
        refused = over_limit(request, kind.name)
        if refused is not None:
            return refused
        if not kind.heavy:
            return self.get_response(request)
        slots = heavy_slots()
        if not slots.acquire(blocking=False):
            return busy()
        try:
            return self.get_response(request)
        finally:
            slots.release()
