"""The vector tile endpoints: thin views over tiles.vector, declared on ``router`` (config.api mounts it
under /tiles/).

GET /tiles/{z}/{x}/{y}.mvt   one tile (200 MVT bytes; 204 No Content for a tile with no feature)
GET /tiles/tiles.json        TileJSON 3.0.0
GET /tiles/style.json        a MapLibre / Mapbox GL style of the layers

Every answer has an ETag (sha256 of the bytes) and Cache-Control; a matching If-None-Match gets 304."""

import hashlib
import json
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from accounts.roles import is_staff_reader
from core.http import json_error
from core.restapi import FILE, OFFICERS, Answer, endpoint
from core.srid import TILE_SRID
from tiles.vector.cache import get_tile, render_for_staff
from tiles.vector.documents import document
from tiles.vector.grid import TileOutOfRange

router = Router()

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
TILE_MAX_AGE = 300  # seconds a browser or proxy may reuse a tile unasked; then it revalidates (304)
DOCUMENT_MAX_AGE = 300


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match", "")
    candidates = {value.strip().removeprefix("W/").strip('"') for value in header.split(",")}
    return "*" in candidates or etag in candidates


def _answer(request: HttpRequest, body: bytes, etag: str, content_type: str, max_age: int) -> HttpResponse:
    if _matches(request, etag):
        response = HttpResponse(status=304)
    elif body:
        response = HttpResponse(body, content_type=content_type)
    else:
        response = HttpResponse(status=204)
    response["ETag"] = f'"{etag}"'
    response["Cache-Control"] = f"public, max-age={max_age}"
    return response


def _tile_number(name: str):
    return Annotated[int, Path(description=f"Tile {name} (XYZ, EPSG:{TILE_SRID})")]


@endpoint(
    router,
    "GET",
    "/{int:z}/{int:x}/{int:y}.mvt",
    operation_id="getTile",
    summary="One vector tile: units, boundaries, markers, places, roads, house numbers",
    tag="tiles",
    answers=[
        Answer("Mapbox Vector Tile", FILE, MVT_CONTENT_TYPE),
        Answer("No feature in this tile", None, status="204"),
        Answer("Not modified", None, status="304"),
    ],
    errors=("404",),
    description="ETag and Cache-Control on every answer; a matching If-None-Match gets 304.",
    url_name="tile",
)
def tile(request: HttpRequest, z: _tile_number("z"), x: _tile_number("x"), y: _tile_number("y")) -> HttpResponse:
    try:
        made = get_tile(z, x, y)
    except TileOutOfRange as error:
        return json_error(404, str(error))
    response = _answer(request, made.data, made.etag, MVT_CONTENT_TYPE, TILE_MAX_AGE)
    response["X-Tile-Cache"] = "hit" if made.cached else "miss"
    return response


@endpoint(
    router,
    "GET",
    "/staff/{int:z}/{int:x}/{int:y}.mvt",
    operation_id="getStaffTile",
    summary="The staff's vector tile: every boundary marker and the pending boundary proposals too",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("Mapbox Vector Tile", FILE, MVT_CONTENT_TYPE),
        Answer("No feature in this tile", None, status="204"),
        Answer("Not modified", None, status="304"),
    ],
    errors=("404",),
    description="Cache-Control: private (never stored by a shared cache), made for each request.",
    url_name="staff-tile",
)
def staff_tile(request: HttpRequest, z: _tile_number("z"), x: _tile_number("x"), y: _tile_number("y")) -> HttpResponse:
    if not is_staff_reader(request.user):
        return json_error(403, "the staff's tiles carry the bureau's working data: staff only")
    try:
        made = render_for_staff(z, x, y)
    except TileOutOfRange as error:
        return json_error(404, str(error))
    response = _answer(request, made.data, made.etag, MVT_CONTENT_TYPE, 0)
    response["Cache-Control"] = "private, no-cache"
    response["Vary"] = "Authorization, Cookie"
    return response


def _json(request: HttpRequest, document: dict) -> HttpResponse:
    body = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    etag = hashlib.sha256(body).hexdigest()
    return _answer(request, body, etag, "application/json", DOCUMENT_MAX_AGE)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@endpoint(
    router,
    "GET",
    "/tiles.json",
    operation_id="getTileJson",
    summary="TileJSON of the vector tiles",
    tag="tiles",
    answers=Answer("TileJSON", "TileJSON"),
    url_name="tilejson",
)
def tilejson(request: HttpRequest) -> HttpResponse:
    return _json(request, document("tilejson", _base_url(request)))


@endpoint(
    router,
    "GET",
    "/style.json",
    operation_id="getTileStyle",
    summary="The style the portal draws the tiles with",
    tag="tiles",
    answers=Answer("Style", "GlStyle"),
    url_name="tile-style",
)
def style(request: HttpRequest) -> HttpResponse:
    return _json(request, document("style", _base_url(request)))
