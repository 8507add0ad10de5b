"""Public search, type-ahead suggestions and reverse lookup: thin views over gazetteer.search."""

from __future__ import annotations

from django.views.decorators.cache import never_cache

from accounts.roles import is_staff_reader
from core.api import ApiError, api_view, query_date, query_int
from core.http import json_bytes, json_bytes_response, json_response
from gazetteer.api import inputs
from gazetteer.search import reverse as reverse_lookup
from gazetteer.search.answers import answers
from gazetteer.search.engine import SearchOptions, compile_search, run, search
from gazetteer.search.normalize import QueryTooLong, parse_query

MAX_LIMIT = 50


def _query(request):
    try:
        return parse_query(request.GET.get("q", ""))
    except QueryTooLong as exc:
        raise ApiError(400, str(exc), field="q") from None


def _near(value: str | None) -> tuple[float, float] | None:
    if not value:
        return None
    try:
        lon, lat = (float(part) for part in value.split(","))
    except ValueError:
        raise ApiError(400, "near must be 'lon,lat' in degrees, e.g. near=129.6,44.58", field="near") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError(400, "near is not a longitude,latitude pair", field="near")
    return lon, lat


def _limit(request, default: int) -> int:
    limit = query_int(request.GET, "limit")
    limit = default if limit is None else limit
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    return limit


def _options(request, default_limit: int) -> SearchOptions:
    params = request.GET
    unit = inputs.unit(params["unit"]) if params.get("unit") else None
    category = inputs.category(params["category"]).code if params.get("category") else None
    return SearchOptions(
        limit=_limit(request, default_limit),
        public_only=not is_staff_reader(request.user),
        unit_id=unit.id if unit else None,
        category=category,
        near=_near(params.get("near")),
        at=query_date(params, "at"),
    )


@never_cache
@api_view("GET")
def place_search(request):
    query = _query(request)
    options = _options(request, 10)
    if query.empty:
        return json_response({"results": [], "message": "nothing to search for: type a name, pinyin or initials"})
    return json_bytes_response(answers.get_or_make(("search", query, options), lambda: _search_body(query, options)))


def _search_body(query, options) -> bytes:
    results, compiled = search(query, options)
    body = {"results": results}
    if compiled.context:
        body["context"] = compiled.context["typed"]
    return json_bytes(body)


@never_cache
@api_view("GET")
def place_suggest(request):
    """Type-ahead: the cheap branches only (exact, proper part, prefix, pinyin, initials)."""
    query = _query(request)
    options = _options(request, 8)
    if query.empty:
        return json_response({"suggestions": []})
    return json_bytes_response(answers.get_or_make(("suggest", query, options), lambda: _suggest_body(query, options)))


def _suggest_body(query, options) -> bytes:
    results = run(compile_search(query, options, full=False))
    return json_bytes(
        {
            "suggestions": [
                {
                    "code": r["code"],
                    "name": r["name"],
                    "romanization": r["romanization"],
                    "category": r["category"],
                    "unit": r["unit_path"][-2] if len(r["unit_path"]) > 1 else None,
                    "matched": r["matched"]["name"],
                }
                for r in results
            ]
        }
    )


@never_cache
@api_view("GET")
def reverse(request):
    try:
        lon, lat = float(request.GET["lon"]), float(request.GET["lat"])
    except (KeyError, ValueError):
        raise ApiError(400, "give lon and lat in degrees, e.g. ?lon=129.6&lat=44.58") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ApiError(400, "lon/lat out of range")
    limit = _limit(request, 5)
    return json_response(reverse_lookup.at(lon, lat, limit=limit, public_only=not is_staff_reader(request.user)))
