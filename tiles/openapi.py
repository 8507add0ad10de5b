"""The vector tiles and the print-map jobs in the OpenAPI document (a core.openapi part, registered
from TilesConfig.ready()): /tiles/... and /api/v1/map-jobs..., and their schemas."""

from __future__ import annotations

from core.openapi import FILE, Part, Tag, authenticated, body, errors, ok, operation, path_param
from core.openapi_schemas import ANY_OBJECT, DATE, DATETIME, INTEGER, STRING, array, enum, nullable, obj, ref
from core.srid import TILE_SRID

MAPS = "maps"


def staff(operation_id: str, summary: str, responses: dict, *, codes=(), **extra) -> dict:
    """An operation for the bureau's staff (any role), authenticated as officers are."""
    return authenticated(operation_id, summary, MAPS, responses, codes=codes, **extra)


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


MAP_REQUEST = obj(
    {
        "unit": {"type": "string", "description": "Code of the city or a county-level unit", "examples": ["231000"]},
        "paper": enum(["A0", "A1", "A2", "A3", "A4"], "Default A3"),
        "orientation": enum(["auto", "portrait", "landscape"], "auto (default): the one with the larger scale"),
        "at": nullable({**DATE, "description": "Draw the divisions as they stood on this day; default today"}),
        "format": enum(["pdf", "png", "svg"], "Default pdf (vector, CJK fonts embedded)"),
    },
    required=["unit"],
)
MAP_JOB = obj(
    {
        "id": INTEGER,
        "unit_name": {
            "type": "string",
            "description": "Today's name of the unit (the report has the name as of the day)",
        },
        "status": enum(["queued", "running", "succeeded", "failed", "cancelled"]),
        "progress": {"type": "integer", "minimum": 0, "maximum": 100},
        "message": STRING,
        "params": ANY_OBJECT,
        "requested_by": STRING,
        "created_at": DATETIME,
        "started_at": nullable(DATETIME),
        "finished_at": nullable(DATETIME),
        "error": nullable(STRING),
        "report": {
            **ANY_OBJECT,
            "description": "When it succeeded: unit, scale, labels (missing, not_labelled), legend, warnings, "
            "synthetic_layers, approval_number, render_seconds, bytes, output (file name)",
        },
        "download": nullable({"type": "string", "description": "URL of the finished file"}),
        "url": {"type": "string", "description": "URL of this job"},
        "cancel": nullable({"type": "string", "description": "POST here to cancel, while the job is queued"}),
    },
    required=["id", "unit_name", "status", "progress", "message", "params", "download", "url"],
)
TILEJSON = {**ANY_OBJECT, "description": "TileJSON 3.0.0 (tilejson, tiles, vector_layers, bounds, attribution)"}
GL_STYLE = {**ANY_OBJECT, "description": "A MapLibre / Mapbox GL style (version 8) of the tile layers"}


PART = Part(
    name="tiles",
    tags=(
        Tag("tiles", "矢量瓦片 Vector tiles of the web map (public)", 100),
        Tag(MAPS, "制图 Print maps (PDF, PNG, SVG) as background jobs, for the bureau's staff", 110),
    ),
    paths={**tile_paths(), **map_paths()},
    schemas={
        "MapRequest": MAP_REQUEST,
        "MapJob": MAP_JOB,
        "MapJobs": obj({"jobs": array(ref("MapJob"))}),
        "TileJSON": TILEJSON,
        "GlStyle": GL_STYLE,
    },
)
