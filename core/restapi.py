"""The JSON API's plumbing on Django Ninja: one declaration per endpoint gives its validation and its
part of the OpenAPI document.

An endpoint is declared once, with ``endpoint(router, "GET", "/path", ...)`` over a view whose
parameters carry pydantic types: path and query parameters, and a body schema (a ``StrictSchema``).
Ninja validates them before the view runs and writes them into the document; the view gets typed
values and answers with an HttpResponse (core.http.json_response), which Ninja passes through.

What Ninja does not do the way this API promises, done here once:
- bodies are parsed strictly (core.api.parse_json: UTF-8, no NaN/Infinity, bounded numbers and
  nesting, no NUL or lone surrogates anywhere), with 415 and 413 as before (StrictJsonParser);
- a validation error is a 400 in the shared error body naming the field, not Ninja's 422
  (``validation_error``); ApiError raised anywhere (a view, a validator) is its own status;
- strings refuse NUL and lone surrogates in query parameters too (``Text``), numbers are strict in
  bodies (``true`` is not 1, ``"3"`` is not 3), unknown body members are refused (extra="forbid");
- every served path is wrapped by ``core.api.guarded`` (served_urls): a JSON 405 with Allow, 401 for a
  bad token, writes in one transaction rolled back on any error answer, CSRF for session writes;
- the document is post-processed (``document``): the shared error responses, the security schemes,
  GeoJSON media types, the tags in their order, and the output schemas each app declares.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import annotated_types
import pydantic
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.http import Http404, HttpRequest
from django.urls import URLPattern
from django.urls import path as django_path
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.params.models import Body, BodyModel
from ninja.parser import Parser
from ninja.utils import normalize_path, replace_path_param_notation
from pydantic import BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.api import EARLIEST_DATE, LATEST_DATE, MAX_NUMBER_DIGITS, ApiError, geojson_geometry, guarded, json_body
from core.history import VersionConflict
from core.http import json_error
from core.text import text_problem

GEOJSON = "application/geo+json"
JSON = "application/json"
# Staff operations: a token, or a logged-in session plus the CSRF token.
OFFICER_SECURITY = [{"tokenAuth": []}, {"sessionCookie": [], "csrfToken": []}]
# Public operations that show officers more (non-public records) when they are authenticated.
OPTIONAL_SECURITY = [{}, {"tokenAuth": []}, {"sessionCookie": []}]
MAX_TEXT = 20_000


# ---- input types ---------------------------------------------------------------------------------


class StrictSchema(Schema):
    """A request body: unknown members refused, numbers finite, text stripped."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, str_strip_whitespace=True)


def _storable(value):
    if isinstance(value, str):
        problem = text_problem(value)
        if problem:
            raise PydanticCustomError("unstorable_text", problem)
    return value


def Text(max_length: int = MAX_TEXT, *, min_length: int = 0, description: str | None = None, **extra) -> Any:
    """A string that can be stored: no NUL, no lone surrogate, at most ``max_length`` characters."""
    # The bounds before the validator: pydantic then checks them as a string's ("is required", "is
    # longer than"), not as any sequence's.
    return Annotated[
        str,
        Field(max_length=max_length, min_length=min_length or None, description=description, **extra),
        BeforeValidator(_storable),
    ]


def _iso_day(value):
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("day", "must be a date YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PydanticCustomError("day", "must be a date YYYY-MM-DD, got {got}", {"got": repr(value[:40])}) from None
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise PydanticCustomError("day", f"must lie between {EARLIEST_DATE} and {LATEST_DATE}")
    return day


# A day, in a body or a query string: ISO 8601 only (pydantic would also take a Unix timestamp).
Day = Annotated[
    dt.date, BeforeValidator(_iso_day), WithJsonSchema({"type": "string", "format": "date", "example": "2026-01-01"})
]


def _whole(value):
    if isinstance(value, str):
        text = value.strip()
        if text == "":
            raise PydanticCustomError("whole", "is empty: give a whole number or leave it out")
        if len(text.lstrip("+-")) > MAX_NUMBER_DIGITS:
            raise PydanticCustomError("whole", f"must be a whole number of at most {MAX_NUMBER_DIGITS} digits")
    return value


def Whole(*, ge: int | None = None, le: int | None = None, description: str | None = None, **extra) -> Any:
    """A whole number from a query string (text of digits; an empty value is refused)."""
    bounds = [annotated_types.Ge(ge)] if ge is not None else []
    bounds += [annotated_types.Le(le)] if le is not None else []
    return Annotated[int, BeforeValidator(_whole), *bounds, Field(description=description, **extra)]


def Number(*, ge: int | None = None, le: int | None = None, description: str | None = None, **extra) -> Any:
    """A whole number in a JSON body: an integer, not ``true``, ``3.0`` or ``"3"``."""
    return Annotated[int, Strict(), Field(ge=ge, le=le, description=description, **extra)]


Version = Annotated[
    int,
    Strict(),
    Field(ge=1, le=2**31 - 1, description="The version the change is based on; 409 when the record moved on."),
]
Flag = Annotated[bool, Strict()]


def OneOf(values: Iterable[str], description: str | None = None) -> Any:
    """One of ``values`` (read from the model's choices, so a new one shows without an edit here)."""
    return Annotated[Literal[tuple(values)], Field(description=description)]


def Page(default: int, maximum: int, max_offset: int = 100_000) -> type[Schema]:
    """The page parameters of a list (limit, offset), as a query schema to extend with the filters."""

    class PageParams(Schema):
        limit: Whole(ge=1, le=maximum, description="Page size") = default
        offset: Whole(ge=0, le=max_offset, description="How many to skip") = 0

    PageParams.__name__ = f"Page{default}of{maximum}"
    return PageParams


GEOMETRY_TYPES = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]
GEOMETRY_SCHEMA = {
    "type": "object",
    "description": "A GeoJSON geometry (RFC 7946): WGS84 longitude/latitude, no 'crs' member.",
    "properties": {"type": {"type": "string", "enum": GEOMETRY_TYPES}, "coordinates": {"type": "array"}},
    "required": ["type", "coordinates"],
}


def _geometry(value) -> GEOSGeometry:
    return geojson_geometry(value)  # raises ApiError(400, field="geometry") with what is wrong


# A GeoJSON geometry, checked and brought to the storage CRS (core.api.geojson_geometry decides). Its
# schema is inline: pydantic cannot resolve a $ref to a component it did not make.
Geometry = Annotated[Any, BeforeValidator(_geometry), WithJsonSchema(GEOMETRY_SCHEMA)]


# ---- bodies ----------------------------------------------------------------------------------------


class StrictJsonParser(Parser):
    """Bodies through core.api.json_body: 415 for another content type, 413 above the limit, 400 for
    anything JSON or storable text forbids. Multipart bodies are the upload views' own business."""

    def parse_body(self, request: HttpRequest):
        return json_body(request)


class _JsonBodyModel(BodyModel):
    """A body read by the API's parser even when it is empty (Ninja's own BodyModel takes an empty body
    for no body at all, so a wrong content type would be a missing field instead of a 415)."""

    @classmethod
    def get_request_data(cls, request, api, path_params):
        data = api.parser.parse_body(request)
        name = getattr(cls, "__read_from_single_attr__", None)
        return {name: data} if name else data


class _JsonBodyParam(Body):
    _model = _JsonBodyModel

    @classmethod
    def _param_source(cls) -> str:
        return "body"


class Json:
    """``body: Json[SomeSchema]``: the request's JSON body, parsed strictly, validated as SomeSchema."""

    def __class_getitem__(cls, model):
        return Annotated[model, _JsonBodyParam(...)]


# ---- errors ----------------------------------------------------------------------------------------

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a field this takes",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
    "list_type": "must be a list",
}


def _field(loc: tuple) -> str:
    """The field an error is about: the location after Ninja's (source, parameter name) prefix, as
    ``edits[0].version``."""
    parts = list(loc[2:]) or list(loc[1:2]) or ["body"]
    if isinstance(parts[0], int) and len(loc) > 1:  # an item of a list parameter: ids[0]
        parts = [loc[1], *parts]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f"{'.' if text else ''}{part}"
    return text


def _named(field: str) -> str:
    """'version' in edits[0] (the member, then where it is), or 'name'."""
    container, dot, leaf = field.rpartition(".")
    return f"'{leaf}' in {container}" if dot else f"'{field}'"


def _message(error: dict) -> str:
    kind, ctx = error.get("type", ""), error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind in ("less_than_equal", "less_than"):
        return f"must be at most {ctx.get('le', ctx.get('lt'))}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"must be at least {ctx.get('ge', ctx.get('gt'))}"
    if kind == "string_too_long":
        return f"is longer than {ctx.get('max_length')} characters"
    if kind == "string_too_short":
        return "is required" if ctx.get("min_length") == 1 else f"is shorter than {ctx.get('min_length')} characters"
    if kind == "too_short":
        if ctx.get("min_length") == 1:
            return f"must be a non-empty {'object' if ctx.get('field_type') == 'Dictionary' else 'list'}"
        return f"needs at least {ctx.get('min_length')} items"
    if kind == "too_long":
        return f"takes at most {ctx.get('max_length')} items"
    if kind == "literal_error":
        return _choices(ctx.get("expected", ""))
    return error.get("msg", "is not valid")


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as "must be one of a, b, c" ("must be a or b" for two)."""
    values = [v.strip().strip("'") for v in expected.replace(" or ", ", ").split(",") if v.strip()]
    return f"must be {values[0]} or {values[1]}" if len(values) == 2 else f"must be one of {', '.join(values)}"


def refusal(errors: list[dict]) -> ApiError:
    """pydantic's errors (their ``loc`` starting with Ninja's source and parameter name) as the API's
    400: the first problem in words, naming its field, and the whole list."""
    problems = [
        {"field": _field(tuple(e.get("loc", ()))), "message": _message(e), "in": str((e.get("loc") or ["body"])[0])}
        for e in errors
    ]
    first = problems[0] if problems else {"field": "body", "message": "is not valid", "in": "body"}
    if first["message"] == "is not a field this takes":
        message = f"unknown field {_named(first['field'])}"
    elif errors and errors[0].get("type") == "literal_error":
        message = f"{first['field']} {first['message']}"  # "paper must be one of A0, A1", as the services say it
    else:
        message = f"{_named(first['field'])} {first['message']}"
    key = "parameter" if first["in"] in ("query", "path") else "field"
    return ApiError(400, message, **{key: first["field"]}, problems=problems)


def validation_error(request, exc: NinjaValidationError):
    """Ninja's 422 as the API's 400 (``refusal``)."""
    error = refusal(exc.errors)
    return json_error(error.status, error.message, **error.details)


def validated(model: type[Schema], data: dict) -> Schema:
    """``data`` (attributes a changeset's edit sends) read by ``model``, or the 400 the endpoints would
    answer for the same body."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise refusal([{**e, "loc": ("body", "body", *e["loc"])} for e in exc.errors(include_url=False)]) from None


def version_conflict(request, exc: VersionConflict):
    """A write based on a version the record has moved on from (core.records.lock): 409 with both."""
    return json_error(409, str(exc), your_version=exc.expected_version, current_version=exc.current_version)


def http_error(request, exc: HttpError):
    """Ninja's own refusals; a body our parser refused (ApiError, which Ninja wraps) keeps its answer."""
    cause = exc.__cause__
    if isinstance(cause, ApiError):
        return json_error(cause.status, cause.message, **cause.details)
    return json_error(exc.status_code, str(exc))


def build_api(*, title: str, version: str, description: str) -> NinjaAPI:
    """The project's NinjaAPI: its own parser and error answers, no documentation routes of Ninja's
    (core.api_docs serves the post-processed document and the page)."""
    api = NinjaAPI(
        title=title,
        version=version,
        description=description,
        parser=StrictJsonParser(),
        openapi_url=None,
        docs_url=None,
        urls_namespace="api",
    )
    api.add_exception_handler(NinjaValidationError, validation_error)
    api.add_exception_handler(ApiError, lambda request, exc: json_error(exc.status, exc.message, **exc.details))
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(
        AuthenticationError, lambda request, exc: json_error(401, "log in or send 'Authorization: Token <key>'")
    )
    api.add_exception_handler(Http404, lambda request, exc: json_error(404, str(exc) or "not found"))
    api.add_exception_handler(VersionConflict, version_conflict)
    return api


def signed_in(request):
    """Ninja's auth callback: the user a session or token names (accounts.auth), or a 401."""
    return request.user if request.user.is_authenticated else None


# ---- declaring endpoints ---------------------------------------------------------------------------

ERROR_RESPONSES = {
    "400": ("BadRequest", "A parameter or the body is wrong; the message says which and why."),
    "401": ("Unauthorized", "Not logged in, or the API token is invalid or revoked."),
    "403": ("Forbidden", "Your role does not allow this here (or the CSRF token is missing)."),
    "404": ("NotFound", "No such record, unit, application or step."),
    "409": ("Conflict", "The record moved on since the version you sent (your_version, current_version)."),
    "410": ("Gone", "The thing asked for was there once and is no longer (e.g. a map file cleared away)."),
    "413": ("TooLarge", "The body or file is larger than the limit."),
    "415": ("UnsupportedMediaType", "Send JSON with Content-Type: application/json."),
    "429": ("TooManyRequests", "Too many requests from this anonymous client in a minute."),
    "500": ("InternalError", "Unexpected; the body's `id` names the error in the server's log."),
    "503": ("Busy", "The server is busy with other large requests; retry after Retry-After seconds."),
}
STRING = {"type": "string"}
FILE = {"type": "string", "contentMediaType": "application/octet-stream"}
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "415")
READ_ERRORS = ("400", "401", "404")
OFFICERS = "officers"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


@dataclass(frozen=True)
class Answer:
    """A documented success: its status, words, schema (a component name or a JSON Schema) and media
    type (or types; or a dict of media type -> schema when each has its own)."""

    description: str
    schema: str | dict | None = "Object"
    media: str | tuple[str, ...] | dict[str, dict] = JSON
    status: str = "200"

    headers: tuple[tuple[str, str], ...] = ()  # (name, description) of the headers it comes with

    def response(self) -> dict:
        answer: dict = {"description": self.description}
        if self.headers:
            answer["headers"] = {
                name: {"schema": {"type": "string"}, "description": text} for name, text in self.headers
            }
        if self.schema is None:  # no body (204, 304)
            return answer
        if isinstance(self.media, dict):  # media type -> its own schema
            answer["content"] = {m: {"schema": s} for m, s in self.media.items()}
            return answer
        schema = ref(self.schema) if isinstance(self.schema, str) else self.schema
        media = (self.media,) if isinstance(self.media, str) else self.media
        answer["content"] = {m: {"schema": schema} for m in media}
        return answer


def endpoint(
    router: Router,
    methods: str | list[str],
    path: str,
    *,
    operation_id: str,
    summary: str,
    tag: str,
    answers: Answer | Iterable[Answer],
    errors: Iterable[str] = (),
    officer: bool = False,
    public: bool = False,
    login: bool = False,
    description: str | None = None,
    request_body: dict | None = None,
    url_name: str | None = None,
) -> Callable:
    """Declare ``methods`` at ``path`` on ``router``: the validation comes from the view's typed
    parameters; the words, answers and errors from here. ``officer``: a write (or a read of work in
    progress) for the bureau's staff, tagged "officers", 401 before anything else for anonymous users;
    ``login``: the same 401 for a read of another tag; ``public``: anonymous readers welcome, officers
    see more."""
    answers = [answers] if isinstance(answers, Answer) else list(answers)
    responses = {a.status: a.response() for a in answers}
    codes = (*errors, *(WRITE_ERRORS if officer and not errors else ()), "429", "500")
    for code in codes:
        responses[code] = {"$ref": f"#/components/responses/{ERROR_RESPONSES[code][0]}"}
    extra: dict = {"responses": responses}
    if officer or login:
        extra["security"] = OFFICER_SECURITY
    elif public:
        extra["security"] = OPTIONAL_SECURITY
    if request_body is not None:
        extra["requestBody"] = request_body
    return router.api_operation(
        [methods] if isinstance(methods, str) else methods,
        path,
        auth=signed_in if (officer or login) else None,
        response={int(a.status): None for a in answers},
        operation_id=operation_id,
        summary=summary,
        description=description,
        tags=[tag],
        openapi_extra=extra,
        url_name=url_name,
    )


# ---- URLs ------------------------------------------------------------------------------------------


def served_urls(api: NinjaAPI) -> list[URLPattern]:
    """The API's URL patterns, each path's view behind core.api.guarded (Ninja's own root and
    documentation routes left out). Reads Ninja's bound routers (django-ninja 1.7, pinned)."""
    patterns = []
    for bound in api._get_bound_routers():
        prefix = replace_path_param_notation(bound.prefix)
        for path, path_view in bound.path_operations.items():
            route = normalize_path("/".join(p for p in (prefix, replace_path_param_notation(path)) if p)).lstrip("/")
            methods = [m for operation in path_view.operations for m in operation.methods]
            view = guarded(_head_as_get(path_view.get_view()), methods)
            for operation in path_view.operations:
                patterns.append(django_path(route, view, name=operation.url_name or operation.operation_id))
    return patterns


def _head_as_get(view):
    """Ninja matches HEAD to no operation; the API answers it as GET (the server sends no body)."""

    def answer_head_as_get(request, *args, **kwargs):
        if request.method == "HEAD":
            request.method = "GET"
        return view(request, *args, **kwargs)

    return answer_head_as_get


# ---- the document ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tag:
    """A section of the document, in the order given to ``document``."""

    name: str
    description: str


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


def _responses_component() -> dict:
    components = {
        name: {"description": text, "content": {JSON: {"schema": ref("Error")}}}
        for name, text in ERROR_RESPONSES.values()
    }
    components["TooManyRequests"]["headers"] = {
        "Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer"}}
    }
    return components


def _json_schema_bounds(schema: dict) -> None:
    """Ninja writes a query parameter's bounds as pydantic's ge/le; JSON Schema calls them so."""
    for ours, theirs in (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum")):
        if ours in schema:
            schema[theirs] = schema.pop(ours)


METHODS = ("get", "put", "post", "patch", "delete")


def _referenced(candidates: dict, documents: dict) -> dict:
    """The schemas of ``candidates`` that ``documents`` refer to, directly or through one another (Ninja
    also lists the query-parameter models, which the parameters themselves spell out)."""
    kept: dict = {}
    text = json.dumps(documents)
    while True:
        found = {n: c for n, c in candidates.items() if n not in kept and f'"#/components/schemas/{n}"' in text}
        if not found:
            return kept
        kept |= found
        text = json.dumps(found)


def document(api: NinjaAPI, *, tags: Iterable[Tag], schemas: dict, extra_paths: dict | None = None) -> dict:
    """The OpenAPI 3.1 document: what Ninja generates from the declarations, with the shared error
    responses, security schemes and the output schemas (``schemas``) the apps declare."""
    generated = json.loads(json.dumps(api.get_openapi_schema(path_prefix=""), default=str))
    paths = {}
    for route, item in {**generated["paths"], **(extra_paths or {})}.items():
        kept = {}
        for method, operation in item.items():
            if method not in METHODS:
                continue
            responses = operation.get("responses", {})
            operation["responses"] = {code: answer for code, answer in responses.items() if code != "default"}
            for parameter in operation.get("parameters", []):
                _json_schema_bounds(parameter["schema"])
                if isinstance(parameter.get("examples"), list):  # a parameter's examples is a map in OpenAPI
                    parameter["example"] = parameter.pop("examples")[0]
            if not operation.get("parameters"):
                operation.pop("parameters", None)
            if (operation.get("parameters") or operation.get("requestBody")) and "400" not in operation["responses"]:
                # what the declaration validates can be refused: its 400 is documented with it
                operation["responses"]["400"] = {"$ref": f"#/components/responses/{ERROR_RESPONSES['400'][0]}"}
                operation["responses"] = dict(sorted(operation["responses"].items()))
            kept[method] = operation
        paths["/" + route.lstrip("/")] = kept
    components = generated.get("components", {})
    generated_schemas = components.get("schemas", {})
    twice = sorted(set(generated_schemas) & set(schemas))
    if twice:
        raise ValueError(f"schemas declared twice: {twice}")
    generated_schemas = _referenced(generated_schemas, {"paths": paths, "schemas": schemas})
    return {
        "openapi": "3.1.0",
        "info": generated["info"],
        "tags": [{"name": tag.name, "description": tag.description} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": {**schemas, **generated_schemas},
            "responses": _responses_component(),
            "securitySchemes": _security_schemes(),
        },
    }
