"""Who an answer is for: API tokens authenticate on the API only (accounts/auth.py), and answers that can
depend on who asks say so to caches (core/cache_headers.py): Vary: Cookie, Authorization everywhere but
static files and tiles, Cache-Control: private for every authenticated request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.cache import cc_delim_re

from accounts.models import ApiToken, Role
from accounts.services import create_officer

pytestmark = pytest.mark.django_db

TILE = "/tiles/7/110/46.mvt"  # over the city


@pytest.fixture
def administrator(db):
    user, key = create_officer("cache_admin", role=Role.ADMINISTRATOR, counties=[], with_token=True)
    user.is_staff = user.is_superuser = True
    user.save()
    return user, key


def token(key: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def session(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def vary(response) -> set[str]:
    return {field.lower() for field in cc_delim_re.split(response.get("Vary", "")) if field}


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


# ---- tokens: the API only --------------------------------------------------------------------------


def test_a_token_opens_the_api(administrator):
    _, key = administrator
    assert Client().get("/api/v1/naming-applications").status_code == 401
    assert Client().get("/api/v1/naming-applications", **token(key)).status_code == 200


def test_a_token_does_not_open_the_admin_or_the_staff_pages(administrator):
    _, key = administrator
    response = Client().get("/admin/", **token(key))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = Client().get("/admin/gazetteer/place/", **token(key))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    response = Client().get("/maps/print", **token(key))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_a_token_does_not_skip_csrf_outside_the_api(administrator):
    user, key = administrator
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/admin/logout/", **token(key))
    assert response.status_code == 403  # no CSRF token: refused, token or not
    assert client.get("/admin/").status_code == 200  # still logged in


def test_a_bad_token_outside_the_api_is_ignored_not_an_error():
    assert Client().get("/", **token("not-a-key")).status_code == 200


def test_last_use_is_written_at_most_once_a_minute(administrator, monkeypatch):
    user, key = administrator
    row = ApiToken.objects.get(user=user)
    assert row.last_used_at is None

    def token_updates() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get("/api/v1/naming-applications", **token(key)).status_code == 200
        return sum(q["sql"].startswith('UPDATE "accounts_apitoken"') for q in queries.captured_queries)

    assert token_updates() == 1
    first = ApiToken.objects.get(pk=row.pk).last_used_at
    assert first is not None
    assert token_updates() == 0  # within the minute: not even a query
    assert ApiToken.objects.get(pk=row.pk).last_used_at == first
    long_ago = timezone.now() - dt.timedelta(seconds=61)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=long_ago)
    later = timezone.now() + dt.timedelta(seconds=61)  # and the server's clock a minute on
    monkeypatch.setattr("accounts.auth.timezone.now", lambda: later)
    assert token_updates() == 1
    assert ApiToken.objects.get(pk=row.pk).last_used_at > long_ago


def test_the_last_use_update_is_conditional(administrator):
    """Two requests that both read an old time: only the first write lands (a conditional UPDATE)."""
    from accounts.auth import record_use

    user, _ = administrator
    stale = ApiToken.objects.get(user=user)
    ApiToken.objects.filter(pk=stale.pk).update(last_used_at=timezone.now() - dt.timedelta(hours=1))
    stale.refresh_from_db()
    record_use(stale)
    written = ApiToken.objects.get(pk=stale.pk).last_used_at
    record_use(stale)  # still holds the old time, as a concurrent request would
    assert ApiToken.objects.get(pk=stale.pk).last_used_at == written


# ---- Vary and Cache-Control ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/divisions", "/api/v1/places/search?q=ningan", "/admin/login/", "/no-such-page"]
)
def test_answers_that_can_depend_on_who_asks_vary_on_cookie_and_authorization(path):
    assert {"cookie", "authorization"} <= vary(Client().get(path))


def test_an_anonymous_page_stays_cacheable():
    assert "private" not in cache_control(Client().get("/divisions"))


def test_a_logged_in_officer_gets_private_answers(administrator):
    user, _ = administrator
    client = session(user)
    for path in ("/", "/admin/", "/admin/gazetteer/place/", "/maps/print"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "private" in cache_control(response), path
        assert {"cookie", "authorization"} <= vary(response), path


def test_a_token_client_gets_private_answers_keeping_no_store(administrator):
    _, key = administrator
    response = Client().get("/api/v1/places/search", {"q": "宁安"}, **token(key))
    assert response.status_code == 200
    assert {"private", "no-store", "no-cache"} <= cache_control(response)
    assert {"cookie", "authorization"} <= vary(response)


def test_a_public_answer_to_staff_becomes_private(administrator):
    user, _ = administrator
    anonymous = Client().get("/api/v1/open-data/places.csv")
    assert cache_control(anonymous) == {"public", "no-cache"}
    staff = session(user).get("/api/v1/open-data/places.csv")
    assert cache_control(staff) == {"private", "no-cache"}


def test_tiles_are_the_same_for_everyone(administrator):
    user, key = administrator
    for client, headers in ((Client(), {}), (session(user), {}), (Client(), token(key))):
        response = client.get(TILE, **headers)
        assert response.status_code == 200
        assert cache_control(response) == {"public", "max-age=300"}
        assert not {"cookie", "authorization"} & vary(response)
    assert not {"cookie", "authorization"} & vary(session(user).get("/tiles/style.json"))


def test_static_files_are_the_same_for_everyone(administrator, static_manifest):
    user, _ = administrator
    response = session(user).get(settings.STATIC_URL + static_manifest["js/citymap.js"])
    assert response.status_code == 200
    assert "private" not in cache_control(response)
    assert not {"cookie", "authorization"} & vary(response)
