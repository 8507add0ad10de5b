"""The OpenAPI document: valid OpenAPI 3.1, every URL pattern the project serves under /api/v1/ in it
with the methods it serves, and real responses that fit the documented schemas."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from config.api import openapi_document as document

pytestmark = pytest.mark.django_db

API_PREFIX = "/api/v1/"
ROUTE_PARAMETER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
REGEX_GROUP = re.compile(r"\(\?P<([^>]+)>[^)]*\)")
# Sample values for path parameters, to call each served path.
SAMPLES = {
    "code": "231084",
    "number": "231084-2026-0001",
    "step": "review",
    "fmt": "html",
    "pk": "1",
    "name": "applications/2026/map.pdf",
    "edge_id": "1",
    "photo_id": "1",
    "task_id": "1",
    "item_id": "1",
    "house_id": "1",
    "client_id": "3f1d8c1e-7d2a-4a55-9a52-5b2f6d1e9c01",
}
DOC_URI = "urn:mdj:openapi"


def _route(pattern) -> str:
    """A URL pattern as an OpenAPI path template (<str:code> -> {code})."""
    text = getattr(pattern.pattern, "_route", None)
    if text is None:  # re_path
        text = REGEX_GROUP.sub(r"{\1}", pattern.pattern.regex.pattern).lstrip("^").rstrip("$").replace("\\", "")
    return ROUTE_PARAMETER.sub(r"{\1}", text)


def served_paths(patterns=None, prefix: str = "/") -> dict[str, object]:
    """Every URL pattern of the project as an OpenAPI path -> its view."""
    found = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            found |= served_paths(pattern.url_patterns, prefix + _route(pattern))
        elif isinstance(pattern, URLPattern):
            found[prefix + _route(pattern)] = pattern.callback
    return found


def api_paths() -> list[str]:
    return sorted(p for p in served_paths() if p.startswith(API_PREFIX))


def sample(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLES[m.group(1)], path)


def documented_methods(path: str) -> set[str]:
    item = document()["paths"][path]
    return {m.upper() for m in item if m in {"get", "put", "post", "patch", "delete", "head", "options"}}


# ---- the document itself -------------------------------------------------------------------------


def test_the_document_is_valid_openapi_3_1():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on anything invalid


def test_every_api_url_pattern_is_documented():
    paths = api_paths()
    assert len(paths) > 20
    missing = [p for p in paths if p not in document()["paths"]]
    assert missing == [], f"served under {API_PREFIX} but not in the OpenAPI document: {missing}"


def test_every_documented_path_is_served():
    served = set(served_paths())
    assert [p for p in document()["paths"] if p not in served] == []


@pytest.mark.parametrize("path", [*api_paths(), "/healthz"])
def test_documented_methods_are_the_served_ones(path):
    """A method no view takes (DELETE) is refused with 405 and the Allow header lists what is served."""
    response = Client().delete(sample(path))
    assert response.status_code == 405, (path, response.status_code)
    allowed = {m.strip() for m in response["Allow"].split(",")} - {"HEAD", "OPTIONS"}
    assert allowed == documented_methods(path) - {"HEAD"}


def test_the_officer_operations_say_how_to_authenticate():
    spec = document()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["tokenAuth"] == {**schemes["tokenAuth"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert schemes["csrfToken"]["name"] == "X-CSRFToken" and schemes["sessionCookie"]["in"] == "cookie"
    writes = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in {"post", "patch", "put", "delete"}
    ]
    assert len(writes) >= 10  # create, change, name, retire, import, apply, attach, step; map job, cancel
    for path, method, op in writes:
        assert op["tags"] in (["officers"], ["maps"]), (path, method)
        assert {"tokenAuth": []} in op["security"] and {"sessionCookie": [], "csrfToken": []} in op["security"]
        assert "401" in op["responses"] and "403" in op["responses"]


def test_every_operation_has_one_tag_an_id_and_error_bodies():
    operation_ids = []
    for item in document()["paths"].values():
        for op in item.values():
            assert len(op["tags"]) == 1
            operation_ids.append(op["operationId"])
            for status, response in op["responses"].items():
                if status.startswith("4"):
                    assert response["$ref"].startswith("#/components/responses/")
    assert len(operation_ids) == len(set(operation_ids))


def test_the_document_is_served_as_json():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response.json() == document()


# ---- real responses against the schemas ------------------------------------------------------------


def _pointer(*parts: str) -> str:
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def _validator(path: str, method: str, status: str) -> Draft202012Validator:
    """A validator for the JSON body documented for ``path``/``method``/``status``; the document is
    registered as one resource so that its '#/components/...' references resolve."""
    spec = document()
    registry = Registry().with_resource(DOC_URI, Resource.from_contents(spec, default_specification=DRAFT202012))
    where = ("paths", path, method, "responses", status)
    response = spec["paths"][path][method]["responses"][status]
    if "$ref" in response:
        where = ("components", "responses", response["$ref"].rsplit("/", 1)[1])
        response = spec["components"]["responses"][where[-1]]
    (media,) = response["content"]  # a JSON body has one media type
    schema = {"$ref": f"{DOC_URI}#{_pointer(*where, 'content', media, 'schema')}"}
    return Draft202012Validator(schema, registry=registry)


def _check(path: str, url: str, params: dict | None = None, *, expect: int = 200):
    """GET ``url`` and check the body against the schema documented for ``path`` and that status."""
    response = Client().get(url, params or {})
    assert response.status_code == expect, (url, response.content[:300])
    errors = sorted(_validator(path, "get", str(expect)).iter_errors(response.json()), key=str)
    assert errors == [], f"{url}: {[f'{list(e.absolute_path)}: {e.message}' for e in errors[:5]]}"
    return response.json()


def test_unit_responses_fit_the_schemas():
    _check("/api/v1/units", "/api/v1/units", {"level": "county,county_city,district"})
    _check("/api/v1/units/{code}", "/api/v1/units/231084", {"geometry": "none"})
    _check("/api/v1/units/{code}/history", "/api/v1/units/231084/history")
    _check("/api/v1/units/{code}", "/api/v1/units/999999", expect=404)
    _check("/api/v1/units", "/api/v1/units", {"geometry": "tiny"}, expect=400)


def test_place_responses_fit_the_schemas():
    listing = _check("/api/v1/places", "/api/v1/places", {"limit": 5, "unit": "231084"})
    code = listing["features"][0]["properties"]["code"]
    _check("/api/v1/places/{code}", f"/api/v1/places/{code}")
    _check("/api/v1/places/{code}", f"/api/v1/places/{code}", {"at": "2030-01-01"})
    _check("/api/v1/places/{code}/history", f"/api/v1/places/{code}/history")
    _check("/api/v1/places/{code}", "/api/v1/places/00000000000000000000", expect=404)
    _check("/api/v1/places", "/api/v1/places", {"status": "x"}, expect=400)
    _check("/api/v1/categories", "/api/v1/categories")


def test_service_romanization_and_open_data_responses_fit_the_schemas():
    _check("/healthz", "/healthz")
    assert _check("/api/v1/romanize", "/api/v1/romanize", {"name": "穆棱市"})["romanization"] == "Muling Shi"
    _check("/api/v1/romanize", "/api/v1/romanize", expect=400)
    _check("/api/v1/open-data", "/api/v1/open-data")


def test_search_responses_fit_the_schemas():
    found = _check("/api/v1/places/search", "/api/v1/places/search", {"q": "宁安"})
    assert found["results"]
    _check("/api/v1/places/search", "/api/v1/places/search", {"q": "ningan", "near": "129.47,44.34", "limit": 3})
    _check("/api/v1/places/search", "/api/v1/places/search", {"q": "宁安", "near": "east"}, expect=400)
    assert _check("/api/v1/places/suggest", "/api/v1/places/suggest", {"q": "mdj"})["suggestions"]
    reverse = _check("/api/v1/reverse", "/api/v1/reverse", {"lon": 129.47, "lat": 44.34})
    assert [u["code"] for u in reverse["units"]][:2] == ["231000", "231084"]
    assert reverse["nearest"]
    _check("/api/v1/reverse", "/api/v1/reverse", {"lon": "x", "lat": 44.34}, expect=400)


def test_rate_limited_search_answers_429_with_the_documented_body(settings):
    settings.RATE_LIMIT_PER_MINUTE = 1
    client = Client(REMOTE_ADDR="192.0.2.77")
    client.get("/api/v1/places/suggest", {"q": "mdj"})
    response = client.get("/api/v1/places/suggest", {"q": "mdj"})
    assert response.status_code == 429 and int(response["Retry-After"]) >= 0
    errors = list(_validator("/api/v1/places/suggest", "get", "429").iter_errors(response.json()))
    assert errors == []


def test_map_job_responses_fit_the_schemas():
    from accounts.models import Role
    from accounts.services import create_officer

    _, key = create_officer("schema_cartographer", role=Role.CARTOGRAPHER, with_token=True)
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Token {key}"}

    def fits(path: str, method: str, response, status: int) -> dict:
        assert response.status_code == status, response.content[:300]
        errors = list(_validator(path, method, str(status)).iter_errors(response.json()))
        assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
        return response.json()

    queued = client.post("/api/v1/map-jobs", '{"unit": "231004"}', content_type="application/json", **auth)
    job = fits("/api/v1/map-jobs", "post", queued, 202)
    fits("/api/v1/map-jobs/{pk}", "get", client.get(job["url"], **auth), 200)
    fits("/api/v1/map-jobs", "get", client.get("/api/v1/map-jobs", **auth), 200)
    refused = client.post("/api/v1/map-jobs", '{"unit": "1"}', content_type="application/json", **auth)
    fits("/api/v1/map-jobs", "post", refused, 400)
    fits("/api/v1/map-jobs/{pk}/file", "get", client.get(f"{job['url']}/file", **auth), 409)


def test_marker_responses_fit_the_schemas():
    from accounts.models import Role
    from accounts.services import create_officer
    from boundaries.models import BoundaryLine
    from core.geometry import from_geos, to_geos
    from core.metric import to_lonlat, to_metric

    _, key = create_officer("schema_marker_officer", role=Role.OFFICER, counties=["231084"], with_token=True)
    client, auth = Client(), {"HTTP_AUTHORIZATION": f"Token {key}"}
    metric = to_metric(from_geos(BoundaryLine.objects.get(code="231083-231084").geom))
    point = to_geos(to_lonlat(metric.interpolate(metric.length / 2)))

    def fits(path: str, method: str, response, status: int) -> dict:
        assert response.status_code == status, response.content[:300]
        errors = list(_validator(path, method, str(status)).iter_errors(response.json()))
        assert errors == [], [f"{list(e.absolute_path)}: {e.message}" for e in errors[:5]]
        return response.json()

    body = {
        "line": "231083-231084",
        "kind": "A",
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "reason": "schema check",
        "reference_objects": [{"name": f"树{n}", "bearing_deg": 90.0 * n, "distance_m": 20} for n in (1, 2, 3)],
    }
    post = client.post("/api/v1/boundary-markers", body, content_type="application/json", **auth)
    event = fits("/api/v1/boundary-markers", "post", post, 202)  # a marker event awaiting the parties
    _, admin_key = create_officer("schema_marker_admin", role=Role.ADMINISTRATOR, with_token=True)
    admin = {"HTTP_AUTHORIZATION": f"Token {admin_key}"}
    approve = "/api/v1/marker-events/{number}/approve"
    for need in event["awaiting"]:
        given = client.post(
            f"/api/v1/marker-events/{event['number']}/approve",
            {"party": need["party"], "version": event["version"]} | ({"unit": need["unit"]} if need["unit"] else {}),
            content_type="application/json",
            **admin,
        )
        event = fits(approve, "post", given, 200)
    fits("/api/v1/marker-events", "get", client.get("/api/v1/marker-events", **auth), 200)
    fits("/api/v1/marker-events/{number}", "get", client.get(f"/api/v1/marker-events/{event['number']}", **auth), 200)
    number = event["marker"]
    one = "/api/v1/boundary-markers/{number}"
    fits(one, "get", client.get(f"/api/v1/boundary-markers/{number}", **auth), 200)
    fits(one, "get", client.get(f"/api/v1/boundary-markers/{number}"), 404)  # no real marker is public
    fits("/api/v1/boundary-markers", "get", client.get("/api/v1/boundary-markers", **auth), 200)
    fits("/api/v1/boundary-markers", "get", client.get("/api/v1/boundary-markers"), 200)
    fits(f"{one}/history", "get", client.get(f"/api/v1/boundary-markers/{number}/history", **auth), 200)
    patch = client.patch(
        f"/api/v1/boundary-markers/{number}",
        {"version": 1, "reason": "损坏", "status": "damaged"},
        content_type="application/json",
        **auth,
    )
    pending = fits(one, "patch", patch, 202)
    stale = client.patch(
        f"/api/v1/boundary-markers/{number}", {"version": 9, "reason": "x"}, content_type="application/json", **auth
    )
    fits(one, "patch", stale, 409)
    rejected = client.post(
        f"/api/v1/marker-events/{pending['number']}/reject",
        {"note": "撤回", "version": pending["version"]},
        content_type="application/json",
        **auth,
    )
    fits("/api/v1/marker-events/{number}/reject", "post", rejected, 200)
    bad = client.post("/api/v1/boundary-markers", {**body, "kind": "Z"}, content_type="application/json", **auth)
    fits("/api/v1/boundary-markers", "post", bad, 400)
