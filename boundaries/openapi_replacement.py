"""What the marker-replacement endpoints (boundaries.api_replacement) answer, as JSON Schema for the
OpenAPI document (config.api adds them to its components)."""

from __future__ import annotations

from boundaries.models import ReplacementCampaign, ReplacementItem
from core.openapi_schemas import ANY_OBJECT, BOOLEAN, DATE, INTEGER, STRING, array, enum, nullable, obj

STEPS = ReplacementItem.Step.values
ITEM = obj(
    {
        "id": INTEGER,
        "marker": STRING,
        "synthetic": BOOLEAN,
        "line": STRING,
        "county": nullable(STRING),
        "why": STRING,
        "step": enum(STEPS),
        "maker": STRING,
        "order_reference": STRING,
        "ordered_on": nullable(DATE),
        "made_on": nullable(DATE),
        "set_on": nullable(DATE),
        "accepted_on": nullable(DATE),
        "accepted_by": array(obj({"side": STRING, "by": STRING, "on": DATE})),
        "note": STRING,
        "version": INTEGER,
    }
)
BRIEF = {
    "number": STRING,
    "year": INTEGER,
    "title": STRING,
    "criteria": ANY_OBJECT,
    "status": enum(ReplacementCampaign.Status.values),
    "created_by": STRING,
    "version": INTEGER,
}
COUNTS = {"total": INTEGER, **{step: INTEGER for step in STEPS}}
GROUP = obj({"code": STRING, "name": STRING, **COUNTS})

OUTPUT_SCHEMAS = {
    "MarkersDue": obj({"markers": array(obj({"number": STRING, "line": STRING, "status": STRING, "why": STRING}))}),
    "ReplacementCampaigns": obj({"campaigns": array(obj(BRIEF))}),
    "ReplacementCampaign": obj({**BRIEF, "items": array(ITEM)}),
    "ReplacementItem": ITEM,
    "ReplacementDashboard": obj(
        {
            "number": STRING,
            "title": STRING,
            "year": INTEGER,
            "status": STRING,
            "totals": obj(COUNTS),
            "accepted_in_year": INTEGER,
            "by_county": array(GROUP),
            "by_line": array(GROUP),
            "orders": array(obj({"maker": STRING, "markers": array(STRING), "references": array(STRING)})),
        }
    ),
}
