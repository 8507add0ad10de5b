"""The JSON API: one NinjaAPI (core.restapi.build_api) with each app's router, and its OpenAPI document.

Each app declares its endpoints on a ``router`` next to its views (core.endpoints, boundaries.api,
gazetteer.api, tiles.api) and its output schemas in ``OUTPUT_SCHEMAS``; this module mounts them, which
is why it sits in config (the top layer), the one place that may know every app.
"""

from __future__ import annotations

from functools import cache

from ninja import Router

from boundaries.api import router as units_router
from boundaries.api_division_drafts import router as division_drafts_router
from boundaries.api_inspections import router as inspections_router
from boundaries.api_lines import router as lines_router
from boundaries.api_marker_events import router as marker_events_router
from boundaries.api_marker_forms import router as marker_forms_router
from boundaries.api_marker_photos import router as marker_photos_router
from boundaries.api_markers import router as markers_router
from boundaries.api_proposals import router as proposals_router
from boundaries.api_replacement import router as replacement_router
from boundaries.api_townships import OUTPUT_SCHEMAS as TOWNSHIP_SCHEMAS
from boundaries.api_townships import router as townships_router
from boundaries.openapi import OUTPUT_SCHEMAS as UNIT_SCHEMAS
from boundaries.openapi_drafts import OUTPUT_SCHEMAS as DRAFT_SCHEMAS
from boundaries.openapi_inspections import OUTPUT_SCHEMAS as INSPECTION_SCHEMAS
from boundaries.openapi_marker_photos import OUTPUT_SCHEMAS as MARKER_PHOTO_SCHEMAS
from boundaries.openapi_markers import OUTPUT_SCHEMAS as MARKER_SCHEMAS
from boundaries.openapi_replacement import OUTPUT_SCHEMAS as REPLACEMENT_SCHEMAS
from core.endpoints import router as core_router
from core.http import json_response
from core.openapi_schemas import OUTPUT_SCHEMAS as CORE_SCHEMAS
from core.restapi import Answer, Tag, build_api, document, endpoint, served_urls
from gazetteer.api import addresses, naming, open_data, places, romanize, search
from gazetteer.api import io as place_io
from gazetteer.api.numbering_requests import router as numbering_requests_router
from gazetteer.api.sign_photos import router as sign_photos_router
from gazetteer.api.sign_surveys import router as sign_surveys_router
from gazetteer.api.signs import router as signs_router
from gazetteer.openapi_addresses import OUTPUT_SCHEMAS as ADDRESS_SCHEMAS
from gazetteer.openapi_requests import OUTPUT_SCHEMAS as NUMBERING_REQUEST_SCHEMAS
from gazetteer.openapi_schemas import OUTPUT_SCHEMAS as GAZETTEER_SCHEMAS
from gazetteer.openapi_sign_photos import OUTPUT_SCHEMAS as SIGN_PHOTO_SCHEMAS
from gazetteer.openapi_sign_surveys import OUTPUT_SCHEMAS as SIGN_SURVEY_SCHEMAS
from gazetteer.openapi_signs import OUTPUT_SCHEMAS as SIGN_SCHEMAS
from tiles import print_views
from tiles import views as tile_views
from tiles.openapi import OUTPUT_SCHEMAS as TILE_SCHEMAS

DESCRIPTION = """\
牡丹江市地名与行政区划信息系统的公开接口。The public API of the Mudanjiang place-name and
administrative-division system.

- Coordinates: GeoJSON in WGS84 longitude/latitude (RFC 7946). Records are stored in CGCS2000,
  which equals WGS84 to a few centimetres.
- Errors: every endpoint answers a client error with `{"error": {"status", "message", ...}}`; the
  further members name the field or parameter that was wrong (`field`, `parameter`) and, for a body or
  parameters that do not fit their schema, every problem found (`problems`).
- Licences: each record carries its licence and attribution (`source` in the API, `licence` and
  `attribution` columns in files); GeoNames data is CC BY 4.0. See `/api/v1/open-data`.
- Geometry whose source never licensed it openly (the Amap-lineage county and township polygons) is
  shown, not given: the tiles and maps draw it, and anyone gets its generalised outline (about 50 m);
  its full-precision coordinates go to the bureau's staff only (or to everyone where the bureau sets
  OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY). An answer that carries the outline instead says so in
  `geometry_generalised`; open-data files and public exports leave such geometry out.
- Anonymous clients are rate-limited per minute, by class of request: API calls, tiles, bulk files
  (exports and open-data files), pages (429 with Retry-After). Bulk files and imports also share a few
  slots per server process; when none is free the answer is 503 with Retry-After.
- Every error is JSON. An unexpected one is a 500 whose `id` is also in the server's log: quote it.
  The one exception: a request line (method, path and query) longer than 8,190 bytes is refused by
  the web server itself, before the API, with `414 URI Too Long`; send long values in a body.
- Officers authenticate with `Authorization: Token <key>`, or with the session of the site plus the
  `X-CSRFToken` header for writes.
"""

TAGS = (
    Tag("service", "Health of the service"),
    Tag("units", "行政区划 Administrative units"),
    Tag("boundary lines", "行政区域界线 Boundary lines as legal records"),
    Tag("topology", "界线拓扑 Edges, nodes and the validator (staff)"),
    Tag("markers", "界桩 Boundary markers (staff; synthetic demonstration markers are public)"),
    Tag("places", "地名 Place-name records (public read)"),
    Tag("addresses", "道路与门牌 Roads and house numbers (public read; synthetic demonstration streets labelled)"),
    Tag("search", "检索 Search, type-ahead and reverse lookup"),
    Tag("romanization", "罗马字母拼写 Romanization (GB/T 16159)"),
    Tag("open data", "开放数据 Bulk downloads with licences"),
    Tag("notices", "地名公告 Published naming notices"),
    Tag("documentation", "This document"),
    Tag("officers", "地名管理 Writes and applications, for place-name officers and approvers"),
    Tag("tiles", "矢量瓦片 Vector tiles of the web map (public)"),
    Tag("maps", "制图 Print maps (PDF, PNG, SVG) as background jobs, for the bureau's staff"),
    Tag("signs", "地名标志 The sign inventory (public: signs in place; their make, campaigns and orders: staff)"),
)

api = build_api(title="牡丹江市地名与行政区划信息系统 API", version="1.0.0", description=DESCRIPTION)
documentation = Router()
OUTPUT_SCHEMAS = {
    **CORE_SCHEMAS,
    **UNIT_SCHEMAS,
    **DRAFT_SCHEMAS,
    **MARKER_SCHEMAS,
    **MARKER_PHOTO_SCHEMAS,
    **INSPECTION_SCHEMAS,
    **REPLACEMENT_SCHEMAS,
    **TOWNSHIP_SCHEMAS,
    **GAZETTEER_SCHEMAS,
    **NUMBERING_REQUEST_SCHEMAS,
    **SIGN_SCHEMAS,
    **SIGN_SURVEY_SCHEMAS,
    **SIGN_PHOTO_SCHEMAS,
    **ADDRESS_SCHEMAS,
    **TILE_SCHEMAS,
}


@cache
def openapi_document() -> dict:
    return document(api, tags=TAGS, schemas=OUTPUT_SCHEMAS)


@endpoint(
    documentation,
    "GET",
    "/api/v1/openapi.json",
    operation_id="openapi",
    summary="The OpenAPI 3.1 document",
    tag="documentation",
    answers=Answer("This document", {"type": "object"}),
    url_name="openapi",
)
def openapi_json(request):
    return json_response(openapi_document())


# In the order Django tries them: a fixed path (places/search, places/import) before places/{code}.
for prefix, router in (
    ("/", core_router),
    ("/api/v1/", townships_router),
    ("/api/v1/", units_router),
    ("/api/v1/", lines_router),
    ("/api/v1/", proposals_router),
    ("/api/v1/", division_drafts_router),
    ("/api/v1/", markers_router),
    ("/api/v1/", marker_photos_router),
    ("/api/v1/", marker_forms_router),
    ("/api/v1/", marker_events_router),
    ("/api/v1/", inspections_router),
    ("/api/v1/", replacement_router),
    ("/api/v1/", search.router),
    ("/api/v1/", place_io.router),
    ("/api/v1/", places.router),
    ("/api/v1/", addresses.router),
    ("/api/v1/", naming.router),
    ("/api/v1/", numbering_requests_router),
    ("/api/v1/", open_data.router),
    ("/api/v1/", romanize.router),
    ("/api/v1/", signs_router),
    ("/api/v1/", sign_surveys_router),
    ("/api/v1/", sign_photos_router),
    ("/api/v1/", print_views.router),
    ("/tiles/", tile_views.router),
    ("/", documentation),
):
    api.add_router(prefix, router)

urlpatterns = served_urls(api)
