"""The plumbing every JSON endpoint shares beneath Django Ninja (core.restapi): methods, token errors,
write transactions, the strict JSON body, GeoJSON geometry and the shared error body.

Views (and validators) raise ApiError for anything the client got wrong; ``guarded`` and the API's
exception handlers turn it into the shared JSON error body. Session-authenticated writes need the CSRF
token; token-authenticated ones do not.
"""

from __future__ import annotations

import datetime as dt
import json
import math

from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry
from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.db import transaction
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.views.decorators.csrf import csrf_exempt

from core.http import json_error
from core.srid import API_SRID, STORAGE_SRID
from core.text import first_unstorable

MAX_JSON_BYTES = 20 * 1024 * 1024


class ApiError(Exception):
    def __init__(self, status: int, message: str, **details):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def guarded(view, methods):
    """``view`` behind the rules every JSON endpoint shares: only ``methods`` (HEAD wherever GET is),
    401 for a bad token; each API error its JSON answer.

    A write runs in one transaction that is rolled back whenever the answer is an error, so that a
    refused request leaves nothing behind (not even the changeset opened before the refusal). A view
    that only reads needs no CSRF token: a wrong method gets its JSON 405, not a CSRF refusal."""
    methods = tuple(dict.fromkeys([*methods, *(["HEAD"] if "GET" in methods else [])]))

    def answer(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ApiError as error:
            return json_error(error.status, error.message, **error.details)
        except RequestDataTooBig:
            return json_error(413, "the request body is too large")
        except (BadRequest, MultiPartParserError, SuspiciousOperation) as error:
            return json_error(400, f"malformed request: {error}")

    def wrapper(request: HttpRequest, *args, **kwargs):
        if request.method not in methods:
            response = json_error(405, f"{request.method} is not allowed here; use {', '.join(methods)}")
            response["Allow"] = ", ".join(methods)
            return response
        if getattr(request, "token_error", None):
            return json_error(401, request.token_error)
        if request.method in SAFE_METHODS:
            return answer(request, *args, **kwargs)
        with transaction.atomic():
            response = answer(request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
        return response

    wrapper.__name__ = getattr(view, "__name__", "api_view")
    wrapper.__doc__ = view.__doc__
    return csrf_exempt(wrapper) if SAFE_METHODS.issuperset(methods) else wrapper


# JSON bodies: how deep objects may nest (a MultiPolygon in a Feature is about 7 levels), and how many
# digits a number may have (a version, a day count; Python would take 4,300 and then fail elsewhere).
MAX_JSON_DEPTH = 32
MAX_NUMBER_DIGITS = 20
# Dates the register can hold and compute with (a day after 9999-12-31 does not exist).
EARLIEST_DATE, LATEST_DATE = dt.date(1000, 1, 1), dt.date(2999, 12, 31)


def _no_constant(name: str):
    raise ApiError(400, f"malformed JSON: {name} is not a number JSON allows")


def _finite_float(text: str) -> float:
    if len(text) > 50:
        raise ApiError(400, "malformed JSON: a number has too many digits")
    value = float(text)
    if not math.isfinite(value):
        raise ApiError(400, f"malformed JSON: {text} is out of range")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_NUMBER_DIGITS:
        raise ApiError(400, f"malformed JSON: a whole number has more than {MAX_NUMBER_DIGITS} digits")
    return int(text)


def check_json_value(data) -> None:
    """Every key and string of a parsed body is storable text, and nothing nests deeper than allowed."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise ApiError(400, f"malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((item, depth + 1) for item in value.values())
        elif isinstance(value, list):
            stack.extend((item, depth + 1) for item in value)
    unstorable = first_unstorable(data)
    if unstorable:
        where, problem = unstorable
        raise ApiError(400, f"'{where}' {problem}", field=where)


def parse_json(raw: bytes):
    """Parse a JSON document strictly: UTF-8, finite numbers of sane size, bounded nesting."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ApiError(400, "malformed JSON: the body is not UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_no_constant, parse_float=_finite_float, parse_int=_bounded_int)
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise ApiError(400, f"malformed JSON: nested deeper than {MAX_JSON_DEPTH} levels") from None
    check_json_value(data)
    return data


def json_body(request: HttpRequest) -> dict:
    """The request's JSON object, or a 4xx that says what is wrong with it."""
    content_type = request.content_type or ""
    if content_type != "application/json":
        raise ApiError(415, f"send JSON with Content-Type: application/json (got {content_type or 'none'})")
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_JSON_BYTES:
        raise ApiError(413, f"the JSON body is larger than {MAX_JSON_BYTES // (1024 * 1024)} MB")
    data = parse_json(request.body)
    if not isinstance(data, dict):
        raise ApiError(400, "malformed JSON: expected an object")
    return data


def parse_date(value, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, str | dt.date):
        raise ApiError(400, f"'{field}' must be a date YYYY-MM-DD", field=field)
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ApiError(400, f"'{field}' must be a date YYYY-MM-DD, got {str(value)[:40]!r}", field=field) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ApiError(400, f"'{field}' must lie between {EARLIEST_DATE} and {LATEST_DATE}", field=field)
    return day


@csrf_exempt
def csrf_failure(request, reason=""):
    """settings.CSRF_FAILURE_VIEW: a JSON answer for the API (401 when nobody is logged in: the CSRF
    token is not what is missing), Django's page elsewhere."""
    if request.path.startswith("/api/"):
        if not request.user.is_authenticated:
            return json_error(401, "log in or send 'Authorization: Token <key>'")
        return json_error(403, f"CSRF check failed ({reason}): send the X-CSRFToken header, or use an API token")
    from django.views.csrf import csrf_failure as default

    return default(request, reason)


def geojson_geometry(value, field: str = "geometry") -> GEOSGeometry:
    """A GeoJSON geometry object in WGS84 (RFC 7946), checked and brought to the storage CRS."""
    if not isinstance(value, dict) or "type" not in value:
        raise ApiError(400, f"{field} must be a GeoJSON geometry object", field=field)
    if "crs" in value:
        raise ApiError(400, f"{field} must be WGS84 longitude/latitude without a 'crs' member (RFC 7946)", field=field)
    try:
        geom = GEOSGeometry(json.dumps(value), srid=API_SRID)
    except (GEOSException, GDALException, ValueError, TypeError) as exc:
        raise ApiError(400, f"malformed geometry: {exc}", field=field) from None
    if geom.empty:
        raise ApiError(400, "the geometry is empty", field=field)
    minx, miny, maxx, maxy = geom.extent
    if minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ApiError(400, "geometry coordinates are not longitude/latitude", field=field)
    if not geom.valid:
        raise ApiError(400, f"invalid geometry: {geom.valid_reason}", field=field)
    geom.transform(STORAGE_SRID)
    return geom
