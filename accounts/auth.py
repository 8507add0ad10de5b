"""Who is asking: API tokens for API clients, and the login throttle on the admin's login form.

A request to the API (``TOKEN_PATHS``) with ``Authorization: Token <key>`` is authenticated as the token's
user and is exempt from CSRF (no cookie is involved). Everywhere else (the admin site, the pages) a token
is ignored: those know only the session, with CSRF, so a token can never open the admin.

Logins go through django-axes (settings: AXES_*): ``LoginThrottleBackend`` refuses a user name that is
locked for the client's address, ``login_client_address`` names that address by the same trusted-proxy
rule as the rate limit, and ``lockout_response`` is the 429 page that says when to try again."""

from __future__ import annotations

import datetime as dt
import ipaddress

from axes.backends import AxesStandaloneBackend
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Max, Q
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.deprecation import MiddlewareMixin

from accounts.models import ApiToken
from accounts.roles import remember_roles
from core.generations import Generation, Kept
from core.ratelimit import client_key

# Where a token authenticates: the API and the vector tiles (part of the API; a token client is then
# not rate-limited as anonymous). Never the admin site or the pages.
TOKEN_PATHS = ("/api/", "/tiles/")
# A token's last use is written at most this often: one UPDATE a minute per token, not one per request.
LAST_USED_PRECISION = dt.timedelta(seconds=60)


class InvalidToken(Exception):
    pass


# Who a token is, kept in each process until an account, a role or a token changes (core.generations:
# accounts.apps raises the generation on every save of a user, a token or a group, and on every change
# of a user's groups). A revoked token or a deactivated officer is refused within
# CREDENTIALS_REFRESH_SECONDS everywhere; meanwhile an API request costs no round trip to know who asks.
credentials = Generation("accounts_credentials_generation", "CREDENTIALS_REFRESH_SECONDS")
kept_tokens = Kept(credentials, size=1024)
# The last use each process wrote, by token id: the kept row's last_used_at is as old as the row.
_use_written: dict[int, dt.datetime] = {}


def credentials_changed(**kwargs) -> None:
    """Connected to the model signals of users, tokens and groups (accounts.apps)."""
    credentials.advance()


def _read_token(key_hash: str) -> tuple:
    """(token id, last use, group names, the user's column values) of a live token of an active user,
    in one query (written in SQL: the ORM's compilation of it cost more than the query)."""
    user_model = get_user_model()
    columns = ", ".join(f'u."{field.column}"' for field in user_model._meta.concrete_fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT t.id, t.last_used_at, ARRAY(SELECT g.name FROM {Group._meta.db_table} g "  # noqa: S608 (names from the models)
            f"JOIN {user_model.groups.through._meta.db_table} ug ON ug.group_id = g.id WHERE ug.user_id = u.id), "
            f"{columns} FROM {ApiToken._meta.db_table} t JOIN {user_model._meta.db_table} u ON u.id = t.user_id "
            "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND u.is_active",
            [key_hash],
        )
        row = cursor.fetchone()
    if row is None:
        raise InvalidToken  # nothing is kept for a key that opens nothing
    token_id, last_used_at, group_names, *values = row
    return token_id, last_used_at, tuple(group_names), tuple(values)


def user_for_key(key: str):
    """The token's user (a new object each time), with their roles."""
    key_hash = ApiToken.hash_key(key)
    token_id, last_used_at, group_names, values = kept_tokens.get_or_make(key_hash, lambda: _read_token(key_hash))
    user_model = get_user_model()
    user = user_model.from_db(connection.alias, [f.attname for f in user_model._meta.concrete_fields], values)
    written = _use_written.get(token_id)
    if written is not None and (last_used_at is None or written > last_used_at):
        last_used_at = written
    if record_use(ApiToken(pk=token_id, user=user, last_used_at=last_used_at)):
        _use_written[token_id] = timezone.now()
    remember_roles(user, group_names)
    return user


def record_use(token: ApiToken) -> bool:
    """Set the token's last use to now unless it was set within the last minute. The UPDATE is
    conditional, so concurrent requests write once; a use seen recent on the row just read costs nothing.
    True when it wrote (a queryset update: it does not move the credentials' generation)."""
    now = timezone.now()
    stale = now - LAST_USED_PRECISION
    if token.last_used_at is not None and token.last_used_at >= stale:
        return False
    ApiToken.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token.pk).update(
        last_used_at=now
    )
    return True


def token_applies(path: str) -> bool:
    return path.startswith(TOKEN_PATHS)


class TokenAuthenticationMiddleware(MiddlewareMixin):
    """Runs after AuthenticationMiddleware; a bad token is answered by the API views (401)."""

    def process_request(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        request.token_error = None
        if not header.startswith("Token ") or not token_applies(request.path_info):
            return
        try:
            request.user = user_for_key(header.removeprefix("Token ").strip())
            request._dont_enforce_csrf_checks = True
        except InvalidToken:
            request.token_error = "invalid or revoked API token"  # noqa: S105 (a message, not a secret)


# ---- login throttle (django-axes) ------------------------------------------------------------------


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check, first of AUTHENTICATION_BACKENDS. A login made in code, with no
    request (Django's test client ``login()``, a shell), has no client to throttle: it goes on to the
    next backend instead of failing. Every login form passes its request (Django's AuthenticationForm)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_client_address(request) -> str | None:
    """The client address logins are counted by: core.ratelimit.client_key (X-Forwarded-For only from a
    trusted proxy), as an address django-axes can store; None when the request has no address."""
    try:
        return str(ipaddress.ip_network(client_key(request), strict=False).network_address)
    except ValueError:
        return None


def lockout_ends(request, credentials) -> dt.datetime:
    """When this user name may try again from this address: the cool-off after the last failure."""
    last = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=getattr(request, "axes_ip_address", None)
    ).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + get_cool_off(request)


def lockout_response(request, original_response=None, credentials=None):
    """429 Too Many Requests, in the admin's look, saying when to try again (and Retry-After)."""
    until = lockout_ends(request, credentials)
    wait = max(until - timezone.now(), dt.timedelta(0))
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    context = {
        **admin.site.each_context(request),
        "title": "登录已暂停 Login paused",
        "until": timezone.localtime(until),
        "minutes": minutes,
    }
    response = TemplateResponse(request, "login_locked.html", context, status=429)
    response["Retry-After"] = str(max(1, int(wait.total_seconds())))
    return response.render()
