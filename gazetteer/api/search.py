"""Public search, type-ahead suggestions and reverse lookup: thin views over gazetteer.search, declared
on ``router`` (config.api mounts it under /api/v1/, before the place records: places/search is not a
place code)."""

from dataclasses import replace
from typing import Annotated, Any

from django.utils.cache import add_never_cache_headers
from ninja import Query, Router, Schema
from pydantic import BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from accounts.roles import is_staff_reader
from core.api import ApiError
from core.http import json_bytes, json_bytes_response, json_response
from core.restapi import Answer, Day, Text, Whole, endpoint
from gazetteer.api import inputs
from gazetteer.search import reverse as reverse_lookup
from gazetteer.search.addresses import NEAREST_WITHIN_M, parse_address, search_addresses
from gazetteer.search.answers import answers
from gazetteer.search.engine import SearchOptions, compile_search, run, search
from gazetteer.search.normalize import QueryTooLong, parse_query

router = Router()

SEARCH = "search"
MAX_LIMIT = 50
BUSY = ("400", "429")


def _lon_lat(value):
    if value in (None, ""):
        return None
    try:
        lon, lat = (float(part) for part in str(value).split(","))
    except ValueError:
        raise PydanticCustomError("near", "must be 'lon,lat' in degrees, e.g. near=129.6,44.58") from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise PydanticCustomError("near", "is not a longitude,latitude pair")
    return lon, lat


def _degrees(limit: int, example: str):
    def check(value):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise PydanticCustomError("degrees", f"must be a number of degrees, e.g. {example}") from None
        if not -limit <= number <= limit:  # NaN and the infinities too
            raise PydanticCustomError("degrees", f"must lie between -{limit} and {limit} degrees")
        return number

    return check


# A point as "lon,lat" (WGS84 degrees), or none.
# Typed Any: Ninja reads a tuple-typed parameter as a list of repeated values.
Near = Annotated[
    Any,
    BeforeValidator(_lon_lat),
    WithJsonSchema({"type": "string", "description": "lon,lat: nearer places rank higher", "example": "129.6,44.58"}),
]
Longitude = Annotated[float, BeforeValidator(_degrees(180, "129.6"))]
Latitude = Annotated[float, BeforeValidator(_degrees(90, "44.58"))]
# The query's own length rule is gazetteer.search.normalize's (a 400 that says "at most").
SearchText = Text()


HowMany = Whole(ge=1, le=MAX_LIMIT)


class SearchFilters(Schema):
    unit: Text(inputs.MAX_CODE, description="Only within this unit", examples=["231084"]) = ""
    category: Text(inputs.MAX_CODE, description="Only this category (or class)", examples=["05100"]) = ""
    near: Near = None
    at: Annotated[Day | None, Field(description="Names valid on this day (former names as they were)")] = None


def _query(text: str):
    try:
        return parse_query(text)
    except QueryTooLong as exc:
        raise ApiError(400, str(exc), field="q") from None


def _options(request, filters: SearchFilters, limit: int) -> SearchOptions:
    unit = inputs.unit(filters.unit) if filters.unit else None
    return SearchOptions(
        limit=limit,
        public_only=not is_staff_reader(request.user),
        unit_id=unit.id if unit else None,
        category=inputs.category(filters.category).code if filters.category else None,
        near=filters.near,
        at=filters.at,
    )


def _uncached(response):
    add_never_cache_headers(response)  # each asker's answer: officers see more than the public
    return response


@endpoint(
    router,
    "GET",
    "/places/search",
    operation_id="searchPlaces",
    summary="Search by name, pinyin, initials, former names, with a unit as context; addresses (太平路12号)",
    tag=SEARCH,
    answers=Answer("Matches, best first", "SearchResults"),
    errors=BUSY,
    public=True,
    url_name="place-search",
)
def place_search(
    request,
    *,
    q: SearchText = Query(
        "",
        description="牡丹江, mudanjiang, mdj, 宁安 渤海 (unit as context), 太平路12号, taipinglu 12 (an address); "
        "none: no results",
    ),
    limit: HowMany = Query(10, description="How many"),
    filters: Query[SearchFilters],
):
    query = _query(q)
    options = _options(request, filters, limit)
    if query.empty:
        return _uncached(
            json_response({"results": [], "message": "nothing to search for: type a name, pinyin or initials"})
        )
    body = answers.get_or_make(("search", query, options), lambda: _search_body(query, options))
    return _uncached(json_bytes_response(body))


def _search_body(query, options) -> bytes:
    results, compiled = search(query, options)
    body = {"results": results}
    if compiled.context:
        body["context"] = compiled.context["typed"]
    return json_bytes(body)


@endpoint(
    router,
    "GET",
    "/places/suggest",
    operation_id="suggestPlaces",
    summary="Type-ahead suggestions",
    tag=SEARCH,
    answers=Answer("Suggestions, best first", "Suggestions"),
    errors=BUSY,
    public=True,
    url_name="place-suggest",
)
def place_suggest(
    request,
    *,
    q: SearchText = Query("", description="What has been typed so far (none: no suggestions)", examples=["mdj"]),
    limit: HowMany = Query(8, description="How many"),
    filters: Query[SearchFilters],
):
    """Type-ahead: the cheap branches only (exact, proper part, prefix, pinyin, initials); what reads as
    an address (太平路12) suggests the addresses first."""
    query = _query(q)
    options = _options(request, filters, limit)
    if query.empty:
        return _uncached(json_response({"suggestions": []}))
    body = answers.get_or_make(("suggest", query, options), lambda: _suggest_body(query, options))
    return _uncached(json_bytes_response(body))


def _suggest_body(query, options) -> bytes:
    address = None if options.category else parse_address(query.raw)
    results = search_addresses(address, options) if address is not None else []
    if len(results) < options.limit:
        results += run(compile_search(query, replace(options, limit=options.limit - len(results)), full=False))
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
                    "standing": r["standing"],
                }
                for r in results
            ]
        }
    )


@endpoint(
    router,
    "GET",
    "/reverse",
    operation_id="reverseLookup",
    summary="The units at a point, the nearest named places and the nearest address",
    tag=SEARCH,
    answers=Answer(
        "Units from the city down; places nearest first; the nearest current address within "
        f"{NEAREST_WITHIN_M:.0f} m (null when none)",
        "Reverse",
    ),
    errors=BUSY,
    public=True,
    url_name="reverse",
)
def reverse(
    request,
    lon: Longitude = Query(..., description="Longitude, WGS84", examples=[129.6]),
    lat: Latitude = Query(..., description="Latitude, WGS84", examples=[44.58]),
    limit: HowMany = Query(5, description="Nearest places"),
):
    found = reverse_lookup.at(lon, lat, limit=limit, public_only=not is_staff_reader(request.user))
    return _uncached(json_response(found))
