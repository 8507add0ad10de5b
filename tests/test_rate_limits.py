"""core.ratelimit: every anonymous request counts against its class's limit, the client is named by a
trusted proxy only, a 429 is an answer and not a warning, and heavy requests leave threads free."""

from __future__ import annotations

import datetime
import logging
import threading
from types import SimpleNamespace

import pytest
from django.test import Client, RequestFactory

from core import ratelimit

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings, monkeypatch):
    # The count runs per calendar minute: a test that straddled a minute's end would see its count
    # restart, so the limiter's clock stands still at 30 s past a minute.
    still = datetime.datetime(2026, 12, 3, 10, 0, 30, tzinfo=datetime.UTC)
    monkeypatch.setattr(ratelimit, "timezone", SimpleNamespace(now=lambda: still))
    settings.RATE_LIMIT_PER_MINUTE = 3
    settings.TILE_RATE_LIMIT_PER_MINUTE = 5
    settings.BULK_RATE_LIMIT_PER_MINUTE = 2
    settings.PAGE_RATE_LIMIT_PER_MINUTE = 3
    return settings


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/api/v1/places", "api"),
        ("/api/v1/units", "api"),
        ("/api/v1/places/search?q=宁安", "api"),
        ("/tiles/tiles.json", "tiles"),
        ("/api/v1/places/export?format=csv", "bulk"),
        ("/api/v1/open-data/places.csv", "bulk"),
        ("/divisions", "pages"),
        ("/open-data", "pages"),
    ],
)
def test_every_public_endpoint_is_limited_by_its_class(limits, path, kind):
    client = Client(REMOTE_ADDR="203.0.113.7")
    allowed = ratelimit.limit_per_minute(kind)
    statuses = [client.get(path).status_code for _ in range(allowed + 1)]
    assert 429 not in statuses[:allowed], statuses
    assert statuses[-1] == 429
    refused = client.get(path)
    assert refused.json()["error"]["status"] == 429 and refused["Retry-After"] == "30"
    assert Client(REMOTE_ADDR="203.0.113.8").get(path).status_code != 429  # another client is not affected


def test_classes_are_counted_apart_and_health_checks_and_staff_never(limits, admin_client):
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        client.get("/api/v1/categories")
    assert client.get("/api/v1/categories").status_code == 429
    assert client.get("/tiles/tiles.json").status_code == 200  # tiles have their own count
    assert all(client.get("/healthz").status_code == 200 for _ in range(10))
    assert all(admin_client.get("/api/v1/categories").status_code == 200 for _ in range(10))


def test_a_429_is_not_logged_as_a_warning(limits, caplog):
    client = Client(REMOTE_ADDR="203.0.113.10")
    with caplog.at_level(logging.WARNING):
        for _ in range(8):
            client.get("/api/v1/categories")
    assert not [r for r in caplog.records if "Too Many Requests" in r.getMessage()]


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "client"),
    [
        ("198.51.100.1", "", [], "198.51.100.1"),
        ("198.51.100.1", "203.0.113.5", [], "198.51.100.1"),  # nobody trusted: the header is ignored
        ("10.0.0.2", "203.0.113.5", ["10.0.0.2"], "203.0.113.5"),
        ("10.0.0.2", "1.2.3.4, 203.0.113.5", ["10.0.0.0/8"], "203.0.113.5"),  # a forged first entry is ignored
        ("10.0.0.2", "203.0.113.5, 10.0.0.3", ["10.0.0.0/8"], "203.0.113.5"),  # two proxies of ours
        ("10.0.0.2", "not-an-address", ["10.0.0.2"], "10.0.0.2"),
        ("198.51.100.1", "203.0.113.5", ["10.0.0.2"], "198.51.100.1"),  # not from our proxy
        ("::1", "2001:db8::7", ["::1"], "2001:db8::7"),
    ],
)
def test_the_client_is_named_by_a_trusted_proxy_only(settings, remote, forwarded, trusted, client):
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert ratelimit.client_key(request) == client


def test_heavy_requests_leave_a_thread_free_and_others_are_told_to_come_back(settings, monkeypatch):
    """While the process's heavy slots are taken, another bulk file is a quick 503, a search still runs."""
    settings.HEAVY_REQUESTS_PER_PROCESS = 1
    settings.BULK_RATE_LIMIT_PER_MINUTE = 0
    monkeypatch.setattr(ratelimit, "_heavy_slots", threading.BoundedSemaphore(1))
    ratelimit.heavy_slots().acquire()  # a long export is running
    try:
        busy = Client().get("/api/v1/open-data/places.csv")
        assert busy.status_code == 503 and busy["Retry-After"] == "5"
        assert busy.json()["error"]["status"] == 503
        assert Client().get("/api/v1/places/search", {"q": "宁安"}).status_code == 200
    finally:
        ratelimit.heavy_slots().release()
    assert Client().get("/api/v1/open-data/places.csv").status_code == 200
