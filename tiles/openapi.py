"""What the tile and print-map endpoints (tiles.views, tiles.print_views) answer, as JSON Schema for the
OpenAPI document (config.api adds them); the inputs are declared with the endpoints."""

from __future__ import annotations

from core.openapi_schemas import ANY_OBJECT, DATETIME, INTEGER, STRING, array, enum, nullable, obj, ref

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


OUTPUT_SCHEMAS = {
    "MapJob": MAP_JOB,
    "MapJobs": obj({"jobs": array(ref("MapJob"))}),
    "TileJSON": TILEJSON,
    "GlStyle": GL_STYLE,
}
