"""The OpenAPI 3.1 document of the public API, assembled from the parts each app declares.

Served at /api/v1/openapi.json (core.api_docs) and shown at /api/docs by Swagger UI from npm.
tests/test_openapi.py checks that every URL pattern under /api/v1/ is here, with the methods it
serves, that the document is valid OpenAPI 3.1, and that real responses fit the schemas.

core holds the skeleton (info, security schemes, the shared error responses), the helpers that
declare operations and parameters (here) and schemas (core.openapi_schemas), and its own part (CORE):
the health check, this document and POST /api/v1/changesets. Every other path is declared by the app
that serves it, next to its views: boundaries.openapi, gazetteer.openapi, tiles.openapi. core imports
none of them.

Adding to the document:

- a new endpoint of an app that has a part: add its path (and any schema) to that app's openapi.py
  (core's own endpoints: to CORE below);
- a new part (a new app): a module ``<app>/openapi.py`` declaring
  ``PART = Part(name="<app>", tags=(Tag(...),), paths={...}, schemas={...})`` with the helpers below,
  and one line in the app's AppConfig.ready(): ``openapi.register("<app>.openapi.PART")``.

Parts register from AppConfig.ready(), as the changeset kinds and the event subscriptions do, so that
the list of parts is what is installed. They register by dotted path and are imported only when the
document is first built: a part reads its app's views and models (the place formats import the GIS
writers), which every process start need not pay for. A path, schema or tag declared twice is an
error, not an override.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from core.openapi_schemas import INTEGER, STRING, ref
from core.openapi_schemas import SCHEMAS as CORE_SCHEMAS

GEOJSON = "application/geo+json"
JSON = "application/json"
# Staff operations: a token, or a logged-in session plus the CSRF token.
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
  The one exception: a request line (method, path and query) longer than 8,190 bytes is refused by
  the web server itself, before the API, with `414 URI Too Long`; send long values in a body.
- Officers authenticate with `Authorization: Token <key>`, or with the session of the site plus the
  `X-CSRFToken` header for writes.
"""

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
# ---- parts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A section of the document. ``position`` orders the sections (Swagger UI shows them in that
    order) across the parts: core's are 10, 80 and 90, the apps' in between and after; leave gaps."""

    name: str
    description: str
    position: int


@dataclass(frozen=True)
class Part:
    """What one app adds to the document: its tags, its paths and its component schemas."""

    name: str
    tags: tuple[Tag, ...] = ()
    paths: dict = field(default_factory=dict)
    schemas: dict = field(default_factory=dict)


_registered: list[str] = []


def register(dotted_path: str) -> None:
    """Add the part at ``dotted_path`` (e.g. "gazetteer.openapi.PART"); call it from AppConfig.ready()."""
    if dotted_path not in _registered:
        _registered.append(dotted_path)
        document.cache_clear()


def _merge(into: dict, new: dict, what: str, part: str) -> None:
    twice = sorted(set(into) & set(new))
    if twice:
        raise ImproperlyConfigured(f"OpenAPI part {part!r} declares {what} {', '.join(twice)} again")
    into |= new


def parts() -> list[Part]:
    """core's own part, then the registered ones."""
    return [CORE, *(import_string(path) for path in _registered)]


# ---- declaring operations ------------------------------------------------------------------------


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


def _security_schemes() -> dict:
    return {
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
    }


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


def authenticated(operation_id: str, summary: str, tag: str, responses: dict, *, codes=(), **extra) -> dict:
    """An operation for the bureau's staff: a token, or the session plus the CSRF token."""
    return operation(operation_id, summary, tag, {**responses, **errors(*codes)}, security=OFFICER_SECURITY, **extra)


OFFICERS = "officers"


def officer(operation_id: str, summary: str, responses: dict, *, codes=WRITE_ERRORS, **extra) -> dict:
    """A write (or a read of work in progress) for place-name officers, approvers and administrators."""
    return authenticated(operation_id, summary, OFFICERS, responses, codes=codes, **extra)


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


# ---- core's own part: the service, this document, changesets -----------------------------------


def _core_paths() -> dict:
    health = ok("Up, and the database answers", ref("Health"))
    health["503"] = {"description": "The database is unreachable", "content": {JSON: {"schema": ref("Health")}}}
    spec = ok("This document", {"type": "object"})
    return {
        "/healthz": {"get": operation("healthz", "Health check", "service", health)},
        "/api/v1/openapi.json": {"get": operation("openapi", "The OpenAPI 3.1 document", "documentation", spec)},
        "/api/v1/changesets": {
            "post": officer(
                "applyChangeset",
                "Edit several records of several kinds at once, all or nothing",
                ok("The changeset and every record after it", ref("Changeset"), status="201"),
                description="Each edit is checked as the record's own endpoint checks it. A stale version "
                "refuses the whole changeset: the 409 lists every conflict (`conflicts`: edit, kind, key, "
                "your_version, current_version). Any refusal names the edit (`edit`, `kind`, `key`).",
                requestBody=body("ChangesetNew"),
            )
        },
    }


CORE = Part(
    name="core",
    tags=(
        Tag("service", "Health of the service", 10),
        Tag("documentation", "This document", 80),
        Tag(OFFICERS, "地名管理 Writes and applications, for place-name officers and approvers", 90),
    ),
    paths=_core_paths(),
    schemas=CORE_SCHEMAS,
)


# ---- the document --------------------------------------------------------------------------------


@cache
def document() -> dict:
    """The whole document (built once per process, and again if a part registers later)."""
    paths, schemas, tags = {}, {}, {}
    for part in parts():
        _merge(paths, part.paths, "the paths", part.name)
        _merge(schemas, part.schemas, "the schemas", part.name)
        _merge(tags, {tag.name: tag for tag in part.tags}, "the tags", part.name)
    return {
        "openapi": "3.1.0",
        "info": {"title": "牡丹江市地名与行政区划信息系统 API", "version": "1.0.0", "description": DESCRIPTION},
        "tags": [
            {"name": tag.name, "description": tag.description}
            for tag in sorted(tags.values(), key=lambda tag: tag.position)
        ],
        "paths": paths,
        "components": {"schemas": schemas, "responses": _responses_component(), "securitySchemes": _security_schemes()},
    }
