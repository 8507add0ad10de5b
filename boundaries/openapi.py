"""What the unit endpoints (boundaries.api) answer, as JSON Schema for the OpenAPI document (config.api
adds them to its components); other apps' schemas refer to them by name (UnitBrief in a place's unit
path). The inputs are declared with the endpoints."""

from __future__ import annotations

from boundaries.levels import Level
from boundaries.models import BoundaryLine, DivisionChange, ProposalApproval, UnitCode, UnitName
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
from core.srid import METRIC_CRS_LABEL

UNIT_BRIEF = obj({"code": STRING, "name": STRING, "level": enum(Level.values)})
LON_LAT = array(NUMBER, minItems=2, maxItems=2, description="[longitude, latitude], WGS84")
UNIT_SOURCE = obj(
    {
        "key": STRING,
        "title": STRING,
        "package": STRING,
        "licence": STRING,
        "vintage": STRING,
        "datum": STRING,
        "conversion": STRING,
        "attribution": STRING,
    }
)
UNIT_PROPERTIES = obj(
    {
        "code": STRING,
        "name": STRING,
        "level": enum(Level.values),
        "tier": {
            "type": "integer",
            "minimum": 1,
            "maximum": 4,
            "description": "1 city, 2 county, 3 township, 4 village",
        },
        "parent": nullable(ref("UnitBrief")),
        "children": array(ref("UnitBrief"), description="Current units directly below."),
        "valid_from": nullable(DATE),
        "valid_to": nullable(DATE),
        "source": nullable(ref("UnitSource")),
        "geometry_source": nullable(ref("UnitSource")),
        "seat": nullable(LON_LAT),
        "label_point": nullable(LON_LAT),
        "marker": {
            **nullable(LON_LAT),
            "description": "Where the unit is marked: its seat where known (boundaries.services.markers)",
        },
        "label": {**nullable(LON_LAT), "description": "Where its name is drawn (districts: their area)"},
        "area_km2": nullable(NUMBER),
        "other_codes": array(
            obj({"code": STRING, "kind": enum(UnitCode.Kind.values), "valid_to": nullable(DATE), "note": STRING})
        ),
        "other_names": array(
            obj({"name": STRING, "kind": enum(UnitName.Kind.values), "valid_to": nullable(DATE), "note": STRING})
        ),
        "version": INTEGER,
        "geometry_generalised": ref("GeometryGeneralised"),
        "as_of": {**DATE, "description": "Only with ?at=: the day the unit is shown as of (code, name, level)"},
        "current": {**UNIT_BRIEF, "description": "Only with ?at=: the unit's code, name and level today"},
        "geometry_as_of": {"type": "string", "description": "Only with ?at=: which outline the geometry is"},
    },
    required=[
        *("code", "name", "level", "tier", "parent", "children", "valid_from", "valid_to", "source"),
        *("geometry_source", "seat", "label_point", "area_km2", "other_codes", "other_names", "version"),
    ],
)
UNIT_HISTORY = obj(
    {
        "code": STRING,
        "versions": array(
            obj(
                {"version": INTEGER, "at": DATETIME, "by": STRING, "kind": STRING, "reason": STRING, "data": ANY_OBJECT}
            )
        ),
        "division_changes": array(
            obj(
                {
                    "year": INTEGER,
                    "kind": enum(DivisionChange.Kind.values),
                    "kind_zh": STRING,
                    "old_code": STRING,
                    "old_name": STRING,
                    "new_code": STRING,
                    "new_name": STRING,
                    "is_noise": BOOLEAN,
                    "noise_reason": STRING,
                }
            )
        ),
    }
)


LINE_PARTY = obj(
    {
        "code": STRING,
        "name": STRING,
        "outside": {"type": "boolean", "description": "An area outside the system (a neighbouring prefecture, Russia)"},
    }
)
LINE_PROPERTIES = obj(
    {
        "code": {"type": "string", "description": "Internal key: the parties' codes (the agreement's number is apart)"},
        "name": STRING,
        "level": enum(BoundaryLine.Level.values),
        "level_label": STRING,
        "status": enum(BoundaryLine.Status.values),
        "read_only": {"type": "boolean", "description": "Not the bureau's to edit (the national border)"},
        "parties": array(ref("LineParty")),
        "length_m": nullable({**NUMBER, "description": f"Length in metres, {METRIC_CRS_LABEL}"}),
        "agreement": obj({"number": STRING, "date": nullable(DATE), "signatories": array(STRING)}),
        "course_description": {"type": "string", "description": "走向说明, generated from the data"},
        "valid_from": nullable(DATE),
        "valid_to": nullable(DATE),
        "version": INTEGER,
        "geometry_generalised": ANY_OBJECT,
    },
    required=["code", "name", "level", "status", "read_only", "parties", "length_m", "agreement", "version"],
)
FINDING = obj(
    {
        "kind": enum(["invalid", "gap", "overlap", "sliver", "dangling", "stray"]),
        "message": STRING,
        "lon": NUMBER,
        "lat": NUMBER,
    }
)
EDGE_PROPERTIES = obj(
    {
        "id": INTEGER,
        "version": INTEGER,
        "left": nullable(STRING),
        "right": nullable(STRING),
        "line": nullable(STRING),
        "start_node": INTEGER,
        "end_node": INTEGER,
    }
)
EDGE = obj(
    {"type": {"const": "Feature"}, "id": INTEGER, "geometry": ref("Geometry"), "properties": EDGE_PROPERTIES},
    description="A stretch of boundary stored once, with the units on its left and right (null: outside the city).",
)

PARTY = enum(list(ProposalApproval.Party.values))
APPROVAL = obj(
    {
        "party": PARTY,
        "unit": nullable(STRING),
        "outside": nullable(STRING),
        "approved_by": STRING,
        "approved_at": DATETIME,
        "signed_by": STRING,
        "signed_on": nullable(DATE),
        "document": STRING,
    }
)
PROPOSAL = obj(
    {
        "number": STRING,
        "status": enum(["pending", "applied", "rejected", "withdrawn"]),
        "line": STRING,
        "edge": INTEGER,
        "base_version": INTEGER,
        "reason": STRING,
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
    description="A proposed new course for one edge: applied whole once every party has approved it.",
)

OUTPUT_SCHEMAS = {
    "BoundaryProposal": PROPOSAL,
    "BoundaryProposals": obj({"proposals": array(PROPOSAL)}),
    "LineParty": LINE_PARTY,
    "BoundaryLine": feature(LINE_PROPERTIES, "A boundary line as a GeoJSON Feature (WGS84)."),
    "BoundaryLineList": obj({"lines": array(LINE_PROPERTIES)}),
    "BoundaryLineHistory": obj(
        {
            "code": STRING,
            "versions": array(
                obj(
                    {
                        "version": INTEGER,
                        "at": DATETIME,
                        "by": STRING,
                        "kind": STRING,
                        "reason": STRING,
                        "data": ANY_OBJECT,
                    }
                )
            ),
        }
    ),
    "TopologyValidation": obj({"ok": BOOLEAN, "edges": INTEGER, "findings": array(FINDING)}),
    "TopologyEdge": EDGE,
    "TopologyEdges": obj({"type": {"const": "FeatureCollection"}, "features": array(EDGE)}),
    "UnitBrief": UNIT_BRIEF,
    "UnitSource": UNIT_SOURCE,
    "Unit": feature(UNIT_PROPERTIES, "An administrative unit as a GeoJSON Feature (WGS84)."),
    "UnitCollection": obj(
        {
            "type": {"const": "FeatureCollection"},
            "count": {"type": "integer", "description": "All units that match, not only this page."},
            "offset": INTEGER,
            "limit": INTEGER,
            "features": array(ref("Unit")),
        }
    ),
    "UnitHistory": UNIT_HISTORY,
}
