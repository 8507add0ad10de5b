"""JSON Schema helpers for what the API answers, and the output schemas every app shares.

The inputs of each endpoint are declared with it (core.restapi, pydantic types); what it answers is
described here and in each app's openapi module (e.g. boundaries.openapi), reading enums from the
models so that a new level or status shows without an edit. OpenAPI 3.1 schemas are JSON Schema
2020-12: ``null`` is a type, not a ``nullable`` flag. config.api adds them all to the document.
"""

from __future__ import annotations

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
ANY_OBJECT = {"type": "object", "additionalProperties": True}
GEOMETRY_TYPES = ["Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon"]


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    if "type" in schema and "$ref" not in schema:
        kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        return {**schema, "type": [*kinds, "null"]}
    return {"anyOf": [schema, {"type": "null"}]}


def array(items: dict, **extra) -> dict:
    return {"type": "array", "items": items, **extra}


def obj(properties: dict, *, required: list[str] | None = None, description: str | None = None) -> dict:
    """An object; every property is required unless ``required`` says otherwise."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": list(properties) if required is None else required,
    }
    if description:
        schema["description"] = description
    return schema


def enum(values, description: str | None = None) -> dict:
    schema = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def feature(properties: dict, description: str) -> dict:
    return obj(
        {
            "type": {"const": "Feature"},
            "id": STRING,
            "geometry": nullable(ref("Geometry")),
            "properties": properties,
        },
        description=description,
    )


ERROR = obj(
    {
        "error": {
            "type": "object",
            "properties": {"status": INTEGER, "message": STRING},
            "required": ["status", "message"],
            "additionalProperties": True,
            "description": "Further members name what was wrong: field, parameter, code, your_version, report, ...",
        }
    },
    description="The error body every endpoint shares.",
)

GEOMETRY = {
    "type": "object",
    "description": "A GeoJSON geometry (RFC 7946): WGS84 longitude/latitude, no 'crs' member.",
    "properties": {"type": enum(GEOMETRY_TYPES), "coordinates": {"type": "array"}},
    "required": ["type", "coordinates"],
}

HEALTH = obj({"status": enum(["ok", "error"]), "database": enum(["ok", "unreachable"])})

CHANGESET = obj(
    {
        "changeset": {"type": "integer", "description": "The changeset's number, in every record's history."},
        "reason": STRING,
        "records": array(
            obj({"kind": STRING, "key": STRING}, description="The record after the change, as its kind shows it."),
            description="In the order of the edits.",
        ),
    }
)

GEOMETRY_GENERALISED = obj(
    {
        "tolerance_m": INTEGER,
        "source": STRING,
        "reason": STRING,
        "reason_zh": STRING,
    },
    description="Present where the geometry is the generalised outline of a polygon whose source never "
    "licensed it openly (boundaries.services.licensing: shown, not given).",
)

OUTPUT_SCHEMAS = {
    "GeometryGeneralised": GEOMETRY_GENERALISED,
    "Error": ERROR,
    "Geometry": GEOMETRY,
    "Health": HEALTH,
    "Changeset": CHANGESET,
    "Object": {"type": "object"},
}
