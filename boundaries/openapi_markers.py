"""What the boundary-marker endpoints (boundaries.api_markers) answer, as JSON Schema for the OpenAPI
document (config.api adds them to its components, beside boundaries.openapi's)."""

from __future__ import annotations

from boundaries.models import BoundaryLine, BoundaryMarker, MarkerEvent
from boundaries.openapi import APPROVAL, PARTY
from core.openapi_schemas import (
    ANY_OBJECT,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    NUMBER,
    STRING,
    array,
    enum,
    feature,
    nullable,
    obj,
    ref,
)
from core.srid import STORAGE_CRS_LABEL, gk3_srid

LON_LAT = array(NUMBER, minItems=2, maxItems=2, description="[longitude, latitude], WGS84")

MARKER_REFERENCE = obj(
    {
        "order": INTEGER,
        "name": STRING,
        "measured_part": STRING,
        "bearing_deg": {**NUMBER, "description": "Grid bearing (坐标方位角) in the marker's Gauss-Kruger plane"},
        "bearing": {**STRING, "description": "The same as the forms write it, e.g. 227°10′"},
        "distance_m": NUMBER,
        "position": {**nullable(LON_LAT), "description": "Where the object's position is known"},
    }
)
MARKER_PROPERTIES = obj(
    {
        "number": {**STRING, "description": "界桩号: line prefix + 3-digit sequence + type letter"},
        "synthetic": {**BOOLEAN, "description": "A demonstration marker (示例), not a real one"},
        "synthetic_note": STRING,
        "line": obj({"code": STRING, "name": STRING, "level": enum(BoundaryLine.Level.values)}),
        "sequence": {"type": "integer", "minimum": 1, "maximum": 999},
        "kind": enum(BoundaryMarker.Kind.values, "Q single; A/B paired; C/D/E triple"),
        "kind_zh": STRING,
        "grade": enum(BoundaryMarker.Grade.values),
        "shape": enum(BoundaryMarker.Shape.values),
        "material": enum(BoundaryMarker.Material.values),
        "status": enum(BoundaryMarker.Status.values),
        "status_zh": STRING,
        "cgcs2000": obj(
            {"lon": NUMBER, "lat": NUMBER, "epsg": INTEGER}, description=f"The stored position ({STORAGE_CRS_LABEL})"
        ),
        "gauss_kruger": obj(
            {"epsg": INTEGER, "x": NUMBER, "y": NUMBER},
            description="CGCS2000 3-degree Gauss-Kruger zone of the marker "
            f"(EPSG:{gk3_srid(129)} CM 129E, EPSG:{gk3_srid(132)} CM 132E): "
            "x northing, y easting (false easting 500 km, no zone number), metres",
        ),
        "elevation_m": nullable(NUMBER),
        "position_description": STRING,
        "distance_along_m": {**NUMBER, "description": "Metres along the line from its start"},
        "off_line_reason": STRING,
        "set_on": nullable(DATE),
        "abolished_on": nullable(DATE),
        "reference_objects": array(ref("MarkerReference")),
        "version": INTEGER,
    },
    required=[
        *("number", "synthetic", "line", "sequence", "kind", "kind_zh", "grade", "shape", "material", "status"),
        *("status_zh", "cgcs2000", "gauss_kruger", "elevation_m", "position_description", "distance_along_m"),
        *("off_line_reason", "set_on", "abolished_on", "reference_objects", "version"),
    ],
)

MARKER_EVENT = obj(
    {
        "number": {**STRING, "description": "e.g. JZ-2026-0001"},
        "kind": enum(
            MarkerEvent.Kind.values, "set, move, status (damaged, lost, displaced, repaired), replace, edit, abolish"
        ),
        "status": enum(MarkerEvent.Status.values),
        "line": STRING,
        "marker": {**nullable(STRING), "description": "The marker's number (null for one to be set, until applied)"},
        "synthetic": {**BOOLEAN, "description": "The marker is a demonstration marker (示例)"},
        "change": {**ANY_OBJECT, "description": "The arguments of the register's step (positions as GeoJSON)"},
        "base_version": {**nullable(INTEGER), "description": "The marker's version the event was drawn on"},
        "reason": STRING,
        "needs_bureau": {**BOOLEAN, "description": "Whether the bureau's approver is a party (set, move, abolish)"},
        "proposed_by": STRING,
        "proposed_at": DATETIME,
        "approvals": array(APPROVAL),
        "awaiting": array(
            obj({"party": PARTY, "unit": nullable(STRING), "outside": nullable(STRING)}),
            description="The approvals still missing (empty once decided)",
        ),
        "decided_at": nullable(DATETIME),
        "decision_note": STRING,
        "version": INTEGER,
    },
    description="A change of a marker held until every party has approved it, then applied to the register.",
)
OUTPUT_SCHEMAS = {
    "MarkerEvent": MARKER_EVENT,
    "MarkerEvents": obj(
        {
            "count": {"type": "integer", "description": "All events that match, not only this page."},
            "offset": INTEGER,
            "limit": INTEGER,
            "events": array(MARKER_EVENT),
        }
    ),
    "MarkerReference": MARKER_REFERENCE,
    "Marker": feature(MARKER_PROPERTIES, "A boundary marker (界桩) as a GeoJSON Feature (WGS84)."),
    "MarkerCollection": obj(
        {
            "type": {"const": "FeatureCollection"},
            "count": {"type": "integer", "description": "All markers that match, not only this page."},
            "offset": INTEGER,
            "limit": INTEGER,
            "features": array(ref("Marker")),
        }
    ),
    "MarkerHistory": obj(
        {
            "number": STRING,
            "versions": array(
                obj(
                    {
                        "version": INTEGER,
                        "at": DATETIME,
                        "by": STRING,
                        "kind": STRING,
                        "reason": STRING,
                        "data": ANY_OBJECT,
                        "geometry": nullable(LON_LAT),
                    }
                )
            ),
        }
    ),
}
