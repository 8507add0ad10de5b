"""What the inspection endpoints (boundaries.api_inspections) answer, as JSON Schema for the OpenAPI
document (config.api adds them to its components)."""

from __future__ import annotations

from boundaries.models import InspectionCampaign, InspectionTask, MarkerCheck, StretchCheck
from core.openapi_schemas import BOOLEAN, DATE, DATETIME, INTEGER, NUMBER, STRING, array, enum, nullable, obj

LON_LAT = array(NUMBER, minItems=2, maxItems=2, description="[longitude, latitude], WGS84")
SIDE = obj({"code": STRING, "name": STRING})
MARKER_CHECK = obj(
    {
        "client_id": {**STRING, "format": "uuid"},
        "marker": STRING,
        "synthetic": BOOLEAN,
        "checked_on": DATE,
        "found": enum(MarkerCheck.Found.values),
        "inscription_repainted": BOOLEAN,
        "references_changed": BOOLEAN,
        "measured": nullable(LON_LAT),
        "displacement_m": {**nullable(NUMBER), "description": "From the registered position, metres"},
        "notes": STRING,
        "photos": array(
            obj(
                {
                    "id": INTEGER,
                    "taken_at": nullable(DATETIME),
                    "exif_position": nullable(LON_LAT),
                    "distance_from_marker_m": nullable(NUMBER),
                    "url": STRING,
                }
            )
        ),
        "checked_by": STRING,
        "received_at": DATETIME,
    }
)
STRETCH_CHECK = obj(
    {
        "client_id": {**STRING, "format": "uuid"},
        "from_m": NUMBER,
        "to_m": NUMBER,
        "condition": enum(StretchCheck.Condition.values),
        "checked_on": DATE,
        "notes": STRING,
        "checked_by": STRING,
        "received_at": DATETIME,
    }
)
TASK = obj(
    {
        "id": INTEGER,
        "campaign": STRING,
        "kind": enum(InspectionTask.Kind.values),
        "label": STRING,
        "marker": nullable(STRING),
        "owner": nullable(SIDE),
        "due_on": DATE,
        "status": enum(InspectionTask.Status.values),
        "done_on": nullable(DATE),
        "note": STRING,
        "version": INTEGER,
    }
)
BRIEF = {
    "number": STRING,
    "line": STRING,
    "line_name": STRING,
    "year": INTEGER,
    "occasion": enum(InspectionCampaign.Occasion.values),
    "status": enum(InspectionCampaign.Status.values),
    "plan_due": DATE,
    "closed_on": nullable(DATE),
    "version": INTEGER,
}
CAMPAIGN = obj(
    {
        **BRIEF,
        "cause": STRING,
        "lead": nullable(SIDE),
        "sides": array(SIDE),
        "planned_start": nullable(DATE),
        "planned_end": nullable(DATE),
        "plan_filed_at": nullable(DATETIME),
        "plan_late": {**BOOLEAN, "description": "Filed after its due day (31 May)"},
        "teams": array(obj({"side": STRING, "name": STRING, "members": array(obj({"name": STRING, "role": STRING}))})),
        "office_review": STRING,
        "report_summary": STRING,
        "filing_reference": STRING,
        "markers": array(
            obj(
                {
                    "number": STRING,
                    "status": STRING,
                    "synthetic": BOOLEAN,
                    "position": nullable(LON_LAT),
                    "distance_along_m": NUMBER,
                }
            )
        ),
        "unchecked": array(STRING, description="Standing markers of the line not checked yet"),
        "marker_checks": array(MARKER_CHECK),
        "stretch_checks": array(STRETCH_CHECK),
        "tasks": array(TASK),
        "signatures": array(
            obj({"side": SIDE, "signed_by": STRING, "signed_on": DATE, "document": STRING, "recorded_by": STRING})
        ),
        "awaiting_signatures": array(SIDE),
    }
)
COUNTS = {
    name: INTEGER
    for name in (
        "markers_checked",
        "stretches_checked",
        *(f"found_{f}" for f in MarkerCheck.Found.values),
        "tasks",
        "tasks_done",
        "tasks_open",
    )
}

OUTPUT_SCHEMAS = {
    "Inspection": CAMPAIGN,
    "InspectionList": obj({"inspections": array(obj(BRIEF))}),
    "InspectionsDue": obj(
        {
            "year": INTEGER,
            "lines": array(
                obj({"line": STRING, "name": STRING, "last_inspected": nullable(DATE), "due_year": nullable(INTEGER)})
            ),
        }
    ),
    "InspectionSummary": obj(
        {
            "year": INTEGER,
            "campaigns": array(
                obj(
                    {
                        "number": STRING,
                        "line": STRING,
                        "line_code": STRING,
                        "occasion": STRING,
                        "status": STRING,
                        "closed_on": nullable(DATE),
                        **COUNTS,
                    }
                )
            ),
            "totals": obj({"campaigns": INTEGER, "closed": INTEGER, **COUNTS}),
            "due_without_campaign": array(obj({"line": STRING, "name": STRING, "due_year": nullable(INTEGER)})),
        }
    ),
    "MarkerCheck": MARKER_CHECK,
    "StretchCheck": STRETCH_CHECK,
    "InspectionTask": TASK,
}
