"""The plumbing every JSON endpoint shares: methods, authentication, JSON bodies and errors.

Views raise ApiError for anything the client got wrong; the decorator turns it into the shared
JSON error body. Session-authenticated writes need the CSRF token; token-authenticated ones do not.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from django.views.decorators.csrf import csrf_exempt

from core.http import json_error

MAX_JSON_BYTES = 20 * 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str, **details):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


def api_view(*methods: str, login_required: bool = False):
    """Allow ``methods``; answer 401 for a bad token, or for anonymous users when ``login_required``."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                response = json_error(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
                response["Allow"] = ", ".join(methods)
                return response
            if getattr(request, "token_error", None):
                return json_error(401, request.token_error)
            if login_required and not request.user.is_authenticated:
                return json_error(401, "log in or send 'Authorization: Token <key>'")
            try:
                return view(request, *args, **kwargs)
            except ApiError as error:
                return json_error(error.status, error.message, **error.details)
            except RequestDataTooBig:
                return json_error(413, "the request body is too large")

        return wrapper

    return decorate


def json_body(request: HttpRequest) -> dict:
    """The request's JSON object, or a 400 that says what is wrong with it."""
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError(415, f"send JSON with Content-Type: application/json (got {content_type or 'none'})")
    if len(request.body) > MAX_JSON_BYTES:
        raise ApiError(413, f"the JSON body is larger than {MAX_JSON_BYTES // (1024 * 1024)} MB")
    try:
        data = json.loads(request.body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON: the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    if not isinstance(data, dict):
        raise ApiError(400, "malformed JSON: expected an object")
    return data


def require(data: dict, key: str, kind: type = str):
    value = data.get(key)
    if value in (None, ""):
        raise ApiError(400, f"'{key}' is required", field=key)
    if not isinstance(value, kind):
        raise ApiError(400, f"'{key}' must be a {kind.__name__}", field=key)
    return value.strip() if isinstance(value, str) else value


def parse_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ApiError(400, f"'{field}' must be a date YYYY-MM-DD, got {value!r}", field=field) from None


def parse_int(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ApiError(400, f"'{field}' must be a whole number", field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"'{field}' must be a whole number, got {value!r}", field=field) from None


@csrf_exempt
def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a JSON 403 for the API, Django's page elsewhere."""
    if request.path.startswith("/api/"):
        return json_error(403, f"CSRF check failed ({reason}): send the X-CSRFToken header, or use an API token")
    from django.views.csrf import csrf_failure as default

    return default(request, reason)
