"""The OpenAPI 3.1 document of the public API, built once as a Python structure.

Served at /api/v1/openapi.json (core.api_docs) and shown at /api/docs by Swagger UI from npm.
tests/test_openapi.py checks that every URL pattern under /api/v1/ is here, with the methods it
serves, that the document is valid OpenAPI 3.1, and that real responses fit the schemas.
Component schemas are in core.openapi_schemas.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings

from boundaries.geojson import GEOMETRY_MODES
from boundaries.levels import Level
from core.openapi_schemas import DATE, INTEGER, SCHEMAS, STRING, enum, ref
from core.srid import TILE_SRID
from gazetteer.models import NamingApplication, Place
from gazetteer.services import naming
from gazetteer.services.open_data import OPEN_DATA_FORMATS
from gazetteer.services.place_io import EXPORT_FORMATS
from gazetteer.services.place_io.writers import CONTENT_TYPES

GEOJSON = "application/geo+json"
JSON = "application/json"
OFFICERS = "officers"
# Officer operations: a token, or a logged-in session plus the CSRF token.
OFFICER_SECURITY = [{"tokenAuth": []}, {"sessionCookie": [], "csrfToken": []}]
# Public operations that show officers more (non-public records) when they are authenticated.
OPTIONAL_SECURITY = [{}, {"tokenAuth": []}, {"sessionCookie": []}]

DESCRIPTION = """\
牡丹江市地名与行政区划信息系统的公开接口。The public API of the Mudanjiang place-name and
administrative-division system.

- Coordinates: GeoJSON in WGS84 longitude/latitude (RFC 7946). Records are stored in CGCS2000,
  which equals WGS84 to a few centimetres.
- Errors: every endpoint answers a client error with `{"error": {"status", "message", ...}}`; the
  further members name the field or parameter that was wrong.
- Licences: each record carries its licence and attribution (`source` in the API, `licence` and
  `attribution` columns in files); GeoNames data is CC BY 4.0. See `/api/v1/open-data`.
- Anonymous clients are rate-limited per minute, by class of request: API calls, tiles, bulk files
  (exports and open-data files), pages (429 with Retry-After). Bulk files and imports also share a few
  slots per server process; when none is free the answer is 503 with Retry-After.
- Every error is JSON. An unexpected one is a 500 whose `id` is also in the server's log: quote it.
- Officers authenticate with `Authorization: Token <key>`, or with the session of the site plus the
  `X-CSRFToken` header for writes.
"""

TAGS = [
    {"name": "service", "description": "Health of the service"},
    {"name": "units", "description": "行政区划 Administrative units"},
    {"name": "places", "description": "地名 Place-name records (public read)"},
    {"name": "search", "description": "检索 Search, type-ahead and reverse lookup"},
    {"name": "romanization", "description": "罗马字母拼写 Romanization (GB/T 16159)"},
    {"name": "open data", "description": "开放数据 Bulk downloads with licences"},
    {"name": "notices", "description": "地名公告 Published naming notices"},
    {"name": "documentation", "description": "This document"},
    {"name": OFFICERS, "description": "地名管理 Writes and applications, for place-name officers and approvers"},
    {"name": "tiles", "description": "矢量瓦片 Vector tiles of the web map (public)"},
    {"name": "maps", "description": "制图 Print maps (PDF, PNG, SVG) as background jobs, for the bureau's staff"},
]

ERROR_RESPONSES = {
    "400": ("BadRequest", "A parameter or the body is wrong; the message says which and why."),
    "401": ("Unauthorized", "Not logged in, or the API token is invalid or revoked."),
    "403": ("Forbidden", "Your role does not allow this here (or the CSRF token is missing)."),
    "404": ("NotFound", "No such record, unit, application or step."),
    "409": ("Conflict", "The record moved on since the version you sent (your_version, current_version)."),
    "410": ("Gone", "The thing asked for was there once and is no longer (e.g. a map file cleared away)."),
    "413": ("TooLarge", "The body or file is larger than the limit."),
    "415": ("UnsupportedMediaType", "Send JSON with Content-Type: application/json."),
    "500": ("InternalError", "Unexpected; the body's `id` names the error in the server's log."),
    "503": ("Busy", "The server is busy with other large requests; retry after Retry-After seconds."),
}


def _responses_component() -> dict:
    components = {
        name: {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for name, text in ERROR_RESPONSES.values()
    }
    components["TooManyRequests"] = {
        "description": "Too many requests from this anonymous client in a minute.",
        "headers": {"Retry-After": {"description": "Seconds to wait", "schema": INTEGER}},
        "content": {JSON: {"schema": ref("Error")}},
    }
    return components


def errors(*codes: str) -> dict:
    found = {**ERROR_RESPONSES, "429": ("TooManyRequests", "")}
    return {code: {"$ref": f"#/components/responses/{found[code][0]}"} for code in codes}


def query(name: str, schema: dict, description: str, *, required: bool = False, example=None) -> dict:
    parameter = {"name": name, "in": "query", "required": required, "schema": schema, "description": description}
    if example is not None:
        parameter["example"] = example
    return parameter


def path_param(name: str, description: str, *, example=None, schema: dict | None = None) -> dict:
    parameter = {"name": name, "in": "path", "required": True, "schema": schema or STRING, "description": description}
    if example is not None:
        parameter["example"] = example
    return parameter


def body(schema_name: str, media: str = JSON) -> dict:
    return {"required": True, "content": {media: {"schema": ref(schema_name)}}}


def ok(description: str, schema: dict, media: str = JSON, status: str = "200") -> dict:
    return {status: {"description": description, "content": {media: {"schema": schema}}}}


def operation(operation_id: str, summary: str, tag: str, responses: dict, **extra) -> dict:
    """Every operation may answer 429 (the per-client limit) and 500 (with an error id)."""
    responses = {**responses, **errors("429", "500")}
    return {"operationId": operation_id, "summary": summary, "tags": [tag], "responses": responses, **extra}


WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "415")
READ_ERRORS = ("400", "401", "404")


def officer(operation_id: str, summary: str, responses: dict, *, codes=WRITE_ERRORS, **extra) -> dict:
    return operation(
        operation_id, summary, OFFICERS, {**responses, **errors(*codes)}, security=OFFICER_SECURITY, **extra
    )


def staff(operation_id: str, summary: str, responses: dict, *, codes=(), **extra) -> dict:
    """An operation for the bureau's staff (any role), authenticated as officers are."""
    return operation(operation_id, summary, "maps", {**responses, **errors(*codes)}, security=OFFICER_SECURITY, **extra)


UNIT_CODE = path_param("code", "Current, former or statistical code (6, 9 or 12 digits)", example="231084")
PLACE_CODE = path_param("code", "20-digit place code", example="23108410104300000001")
APPLICATION_NUMBER = path_param("number", "Application number (受理编号)", example="231084-2026-0001")
PLACE_FILTERS = [
    query("category", STRING, "Category code; a class matches its sub-classes too", example="05100"),
    query("unit", STRING, "Unit code; the unit and everything below it", example="231084"),
    query("status", enum([*Place.Status.values, ""]), "Record status (empty: any)"),
]
FILE = {"type": "string", "contentMediaType": "application/octet-stream"}


def file_schema(fmt: str) -> dict:
    """A GeoJSON file is a FeatureCollection a client can read as JSON; the other formats are bytes."""
    if fmt == "geojson":
        return {"type": "object", "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}}
    return FILE


def page_parameters(default: int, maximum: int) -> list[dict]:
    return [
        query("limit", {"type": "integer", "minimum": 1, "maximum": maximum, "default": default}, "Page size"),
        query("offset", {"type": "integer", "minimum": 0, "maximum": 100_000, "default": 0}, "How many to skip"),
    ]


PAGE = page_parameters(50, 100)


# ---- paths ---------------------------------------------------------------------------------------


def service_paths() -> dict:
    health = ok("Up, and the database answers", ref("Health"))
    health["503"] = {"description": "The database is unreachable", "content": {JSON: {"schema": ref("Health")}}}
    spec = ok("This document", {"type": "object"})
    return {
        "/healthz": {"get": operation("healthz", "Health check", "service", health)},
        "/api/v1/openapi.json": {"get": operation("openapi", "The OpenAPI 3.1 document", "documentation", spec)},
    }


def unit_paths() -> dict:
    geometry = query("geometry", enum(GEOMETRY_MODES), "Polygon detail (or the seat point where there is none)")
    levels = ", ".join(Level.values)
    return {
        "/api/v1/units": {
            "get": operation(
                "listUnits",
                "Administrative units",
                "units",
                {**ok("Current units, by code", ref("UnitCollection"), GEOJSON), **errors("400", "404")},
                description="Default geometry: simplified.",
                parameters=[
                    query("level", STRING, f"Comma-separated levels: {levels}", example="town,township"),
                    query("parent", STRING, "Code of the parent unit", example="231084"),
                    geometry,
                    *page_parameters(200, 500),
                ],
            )
        },
        "/api/v1/units/{code}": {
            "get": operation(
                "getUnit",
                "One administrative unit",
                "units",
                {**ok("The unit (a former code finds today's unit)", ref("Unit"), GEOJSON), **errors("400", "404")},
                parameters=[UNIT_CODE, geometry],
            )
        },
        "/api/v1/units/{code}/history": {
            "get": operation(
                "getUnitHistory",
                "Versions and division changes of a unit",
                "units",
                {**ok("History", ref("UnitHistory")), **errors("404")},
                parameters=[UNIT_CODE],
            )
        },
    }


def place_paths() -> dict:
    listing = [
        *PLACE_FILTERS,
        query("name", STRING, "Part of any of its names", example="宁安"),
        *PAGE,
        query("geometry", enum(["full", "none"]), "none leaves geometry out"),
    ]
    return {
        "/api/v1/places": {
            "get": operation(
                "listPlaces",
                "Place-name records",
                "places",
                {**ok("A page of records, by code", ref("PlaceCollection"), GEOJSON), **errors("400")},
                description="Anonymous users see public records only.",
                parameters=listing,
                security=OPTIONAL_SECURITY,
            ),
            "post": officer(
                "createPlace",
                "Register a new record",
                ok("The new record (Location header)", ref("Place"), GEOJSON, "201"),
                requestBody=body("PlaceCreate"),
            ),
        },
        "/api/v1/places/{code}": {
            "get": operation(
                "getPlace",
                "One record, now or as it stood on a day",
                "places",
                {**ok("The record", ref("Place"), GEOJSON), **errors("400", "404")},
                parameters=[
                    PLACE_CODE,
                    query("at", DATE, "Show the record as it stood on this day", example="2020-01-01"),
                ],
                security=OPTIONAL_SECURITY,
            ),
            "patch": officer(
                "updatePlace",
                "Change attributes (not the standard name)",
                ok("The changed record", ref("Place"), GEOJSON),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceUpdate"),
            ),
        },
        "/api/v1/places/{code}/history": {
            "get": operation(
                "getPlaceHistory",
                "Every version of a record",
                "places",
                {**ok("Versions, oldest first", ref("PlaceHistory")), **errors("404")},
                parameters=[PLACE_CODE],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/{code}/names": {
            "post": officer(
                "addPlaceName",
                "Add an alias, short, map or former name",
                ok("The record with the new name", ref("Place"), GEOJSON, "201"),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceNameNew"),
            )
        },
        "/api/v1/places/{code}/retire": {
            "post": officer(
                "retirePlace",
                "Retire a record (it becomes historical; nothing is deleted)",
                ok("The retired record", ref("Place"), GEOJSON),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceRetire"),
            )
        },
        "/api/v1/categories": {
            "get": operation(
                "listCategories",
                "Place-name categories (GB/T 18521)",
                "places",
                ok("Categories by code", {"type": "array", "items": ref("Category")}),
            )
        },
    }


def file_paths() -> dict:
    export_content = {CONTENT_TYPES[fmt]: {"schema": file_schema(fmt)} for fmt in EXPORT_FORMATS}
    return {
        "/api/v1/places/export": {
            "get": operation(
                "exportPlaces",
                "Export records as a file",
                "places",
                {
                    "200": {
                        "description": "The file (attachment)",
                        "headers": {"Content-Disposition": {"schema": STRING}},
                        "content": export_content,
                    },
                    **errors("400", "503"),
                },
                description="Anonymous users get public records, without geometry that is not openly licensed.",
                parameters=[query("format", enum(EXPORT_FORMATS), "File format", example="csv"), *PLACE_FILTERS],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/import": {
            "post": officer(
                "importPlaces",
                "Import records from a file (dry run by default)",
                {
                    **ok("Dry run: the report, nothing written", ref("ImportReport")),
                    **ok("Committed: the report", ref("ImportReport"), status="201"),
                },
                description="On 400 and 413 the error carries the report as `report`.",
                requestBody=body("ImportForm", "multipart/form-data"),
                codes=(*WRITE_ERRORS, "503"),
            )
        },
    }


def search_paths() -> dict:
    busy = errors("400", "429")
    return {
        "/api/v1/places/search": {
            "get": operation(
                "searchPlaces",
                "Search by name, pinyin, initials, former names, with a unit as context",
                "search",
                {**ok("Matches, best first", ref("SearchResults")), **busy},
                parameters=[
                    query("q", STRING, "牡丹江, mudanjiang, mdj, 宁安 渤海 (unit as context; none: no results)"),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}, "How many"),
                    query("unit", STRING, "Only within this unit", example="231084"),
                    query("category", STRING, "Only this category (or class)", example="05100"),
                    query("near", STRING, "lon,lat: nearer places rank higher", example="129.6,44.58"),
                    query("at", DATE, "Names valid on this day (former names as they were)"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/suggest": {
            "get": operation(
                "suggestPlaces",
                "Type-ahead suggestions",
                "search",
                {**ok("Suggestions, best first", ref("Suggestions")), **busy},
                parameters=[
                    query("q", STRING, "What has been typed so far (none: no suggestions)", example="mdj"),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 8}, "How many"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/reverse": {
            "get": operation(
                "reverseLookup",
                "The units at a point and the nearest named places",
                "search",
                {**ok("Units from the city down; places nearest first", ref("Reverse")), **busy},
                parameters=[
                    query("lon", {"type": "number"}, "Longitude, WGS84", required=True, example=129.6),
                    query("lat", {"type": "number"}, "Latitude, WGS84", required=True, example=44.58),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}, "Nearest places"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/romanize": {
            "get": operation(
                "romanize",
                "Romanize a place name (GB/T 16159, place-name readings)",
                "romanization",
                {**ok("The romanization and its parts", ref("Romanization")), **errors("400")},
                parameters=[
                    query("name", {"type": "string", "maxLength": 100}, "A name", required=True, example="穆棱市")
                ],
            )
        },
    }


def open_data_paths() -> dict:
    conditional = [
        {"name": "If-None-Match", "in": "header", "required": False, "schema": STRING, "description": "An ETag"},
        {"name": "If-Modified-Since", "in": "header", "required": False, "schema": STRING, "description": "A date"},
    ]
    headers = {
        "ETag": {"schema": STRING, "description": "Changes when the content changes"},
        "Last-Modified": {"schema": STRING, "description": "The latest change of the records"},
        "Content-Disposition": {"schema": STRING, "description": "attachment; filename=..."},
    }
    paths = {
        "/api/v1/open-data": {
            "get": operation(
                "openDataManifest",
                "What open data holds: counts, files, licences, what is withheld",
                "open data",
                ok("The manifest with download links", ref("OpenDataManifest")),
            )
        }
    }
    for fmt in OPEN_DATA_FORMATS:
        paths[f"/api/v1/open-data/places.{fmt}"] = {
            "get": operation(
                f"openData{fmt.capitalize()}",
                f"The public records as {fmt}",
                "open data",
                {
                    "200": {
                        "description": "The file, each record with its licence and attribution",
                        "headers": headers,
                        "content": {CONTENT_TYPES[fmt]: {"schema": file_schema(fmt)}},
                    },
                    "304": {"description": "Not modified: the copy you have (If-None-Match) is current"},
                    **errors("503"),
                },
                description="Public records only, whoever asks. Geometry whose source grants no open licence "
                "is left out unless the server sets OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY.",
                parameters=conditional,
            )
        }
    return paths


def naming_paths() -> dict:
    app = ref("NamingApplication")
    return {
        "/api/v1/naming-applications": {
            "get": officer(
                "listApplications",
                "Naming applications (yours, or all for approvers)",
                ok("The latest 200", {"type": "object", "properties": {"results": {"type": "array", "items": app}}}),
                parameters=[
                    query("status", enum([*NamingApplication.Status.values, ""]), "Only this status (empty: any)")
                ],
                codes=READ_ERRORS,
            ),
            "post": officer(
                "submitApplication",
                "Submit a naming, renaming or abolition application",
                ok("The application (Location header)", app, status="201"),
                requestBody=body("NamingApplicationNew"),
            ),
        },
        "/api/v1/naming-applications/{number}": {
            "get": officer(
                "getApplication",
                "One application",
                ok("The application", app),
                parameters=[APPLICATION_NUMBER],
                codes=READ_ERRORS,
            )
        },
        "/api/v1/naming-applications/{number}/attachments": {
            "post": officer(
                "attachToApplication",
                "Attach a document (multipart: file, title)",
                ok("The application with the attachment", app, status="201"),
                parameters=[APPLICATION_NUMBER],
                requestBody={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": FILE, "title": STRING},
                                "required": ["file"],
                            }
                        }
                    },
                },
            )
        },
        "/api/v1/attachments/{name}": {
            "get": officer(
                "getAttachment",
                "An application's attached document, to those who may read the application",
                {
                    "200": {
                        "description": "The file, as a download (Content-Disposition: attachment)",
                        "content": {"application/octet-stream": {"schema": FILE}},
                    }
                },
                parameters=[
                    path_param("name", "As in the application's attachments[].url", example="applications/2026/map.pdf")
                ],
                codes=("401", "404", "410"),
            )
        },
        "/api/v1/naming-applications/{number}/{step}": {
            "post": officer(
                "takeApplicationStep",
                "Take a step: " + ", ".join(naming.STEPS),
                ok("The application after the step", app),
                description="approve and reject are the approver's; the others the county officer's.",
                parameters=[APPLICATION_NUMBER, path_param("step", "The step", schema=enum(naming.STEPS))],
                requestBody=body("NamingApplicationStep"),
            )
        },
        "/api/v1/naming-applications/{number}/notice.{fmt}": {
            "get": operation(
                "getNotice",
                "The naming notice (公告) of an application in notice, approved or effective",
                "notices",
                {
                    "200": {
                        "description": "The notice",
                        "content": {"text/html": {"schema": STRING}, "application/pdf": {"schema": FILE}},
                    },
                    **errors("404"),
                },
                parameters=[APPLICATION_NUMBER, path_param("fmt", "html or pdf", schema=enum(["html", "pdf"]))],
            )
        },
    }


def tile_paths() -> dict:
    cached = "ETag and Cache-Control on every answer; a matching If-None-Match gets 304."
    zxy = [path_param(name, f"Tile {name} (XYZ, EPSG:{TILE_SRID})", schema=INTEGER) for name in ("z", "x", "y")]
    return {
        "/tiles/{z}/{x}/{y}.mvt": {
            "get": operation(
                "getTile",
                "One vector tile: units, boundaries, markers, places, roads, house numbers",
                "tiles",
                {
                    "200": {
                        "description": "Mapbox Vector Tile",
                        "content": {"application/vnd.mapbox-vector-tile": {"schema": FILE}},
                    },
                    "204": {"description": "No feature in this tile"},
                    "304": {"description": "Not modified"},
                    **errors("404"),
                },
                parameters=zxy,
                description=cached,
            )
        },
        "/tiles/tiles.json": {
            "get": operation("getTileJson", "TileJSON of the vector tiles", "tiles", ok("TileJSON", ref("TileJSON")))
        },
        "/tiles/style.json": {
            "get": operation(
                "getTileStyle", "The style the portal draws the tiles with", "tiles", ok("Style", ref("GlStyle"))
            )
        },
    }


def map_paths() -> dict:
    job = ref("MapJob")
    job_id = path_param("pk", "Job number", schema=INTEGER, example=1)
    read = ("401", "403", "404")
    return {
        "/api/v1/map-jobs": {
            "get": staff("listMapJobs", "The latest print-map jobs", ok("Jobs", ref("MapJobs")), codes=("401", "403")),
            "post": staff(
                "requestMap",
                "Queue a print map of the city or a county-level unit",
                ok("The queued job (Location header); poll it until it ends", job, status="202"),
                requestBody=body("MapRequest"),
                codes=("400", "401", "403", "413", "415"),
            ),
        },
        "/api/v1/map-jobs/{pk}": {
            "get": staff(
                "getMapJob", "A job: status, progress, report", ok("The job", job), parameters=[job_id], codes=read
            )
        },
        "/api/v1/map-jobs/{pk}/cancel": {
            "post": staff(
                "cancelMapJob",
                "Cancel a job that has not started",
                ok("The job", job),
                parameters=[job_id],
                codes=(*read, "409"),
            )
        },
        "/api/v1/map-jobs/{pk}/file": {
            "get": staff(
                "downloadMap",
                "The finished map",
                {
                    "200": {
                        "description": "The map as an attachment",
                        "content": {
                            media: {"schema": FILE} for media in ("application/pdf", "image/png", "image/svg+xml")
                        },
                    },
                    **errors(*read, "409", "410"),
                },
                parameters=[job_id],
            )
        },
    }


@cache
def document() -> dict:
    """The whole document (built once per process)."""
    paths = {}
    parts = (service_paths, unit_paths, place_paths, file_paths, search_paths, open_data_paths, naming_paths,
             tile_paths, map_paths)  # fmt: skip
    for part in parts:
        paths |= part()
    return {
        "openapi": "3.1.0",
        "info": {"title": "牡丹江市地名与行政区划信息系统 API", "version": "1.0.0", "description": DESCRIPTION},
        "tags": TAGS,
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "responses": _responses_component(),
            "securitySchemes": {
                "tokenAuth": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": "`Authorization: Token <key>` (an officer's API token; no CSRF needed)",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": settings.SESSION_COOKIE_NAME,
                    "description": "The session of a logged-in officer (log in at /admin/)",
                },
                "csrfToken": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "X-CSRFToken",
                    "description": "With the session cookie, writes need the csrftoken cookie's value here",
                },
            },
        },
    }
