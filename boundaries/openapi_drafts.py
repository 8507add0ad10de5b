"""What the division-draft endpoints (boundaries.api_division_drafts) answer, as JSON Schema for the
OpenAPI document (config.api adds them to its components, beside boundaries.openapi's)."""

from __future__ import annotations

from boundaries.levels import Level
from boundaries.models import DivisionChange, DivisionDraft
from core.openapi_schemas import ANY_OBJECT, DATE, DATETIME, INTEGER, NUMBER, STRING, array, enum, nullable, obj, ref
from core.srid import METRIC_CRS_LABEL

UNIT_NAMED = obj({"code": STRING, "name": STRING})
COUNTS = {
    "type": "object",
    "additionalProperties": INTEGER,
    "description": "Current units below, by tier word (township, village)",
}
PREVIEW_UNIT = obj(
    {
        "code": STRING,
        "name": STRING,
        "level": enum(Level.values),
        "tier": INTEGER,
        "change": enum(["transferred", "renamed", "abolished", "established", "affected"]),
        "parent": nullable(UNIT_NAMED),
        "after": nullable(
            obj({"code": STRING, "name": STRING, "level": enum(Level.values), "parent": nullable(UNIT_NAMED)})
        ),
        "children": obj({"before": COUNTS, "after": COUNTS}),
        "area_km2": obj(
            {"before": nullable(NUMBER), "after": nullable(NUMBER), "note": STRING},
            description=f"Area in km², {METRIC_CRS_LABEL}, where the unit has a polygon (the note says why not)",
        ),
    }
)
DRAFT = obj(
    {
        "number": {**STRING, "description": "e.g. QH-2026-0001"},
        "kind": enum(DivisionDraft.Kind.values),
        "kind_label": STRING,
        "title": STRING,
        "reason": STRING,
        "steps": array(ANY_OBJECT, description="establish / transfer / rename / abolish, codes allocated"),
        "effective_date": nullable(DATE),
        "basis": obj({"authority": STRING, "document": STRING, "date": nullable(DATE)}),
        "status": enum(DivisionDraft.Status.values),
        "drafted_by": STRING,
        "drafted_at": DATETIME,
        "decided_by": nullable(STRING),
        "decided_at": nullable(DATETIME),
        "decision_note": STRING,
        "division_changes": array(
            obj(
                {
                    "kind": enum(DivisionChange.Kind.values),
                    "kind_zh": STRING,
                    "effective_date": DATE,
                    "old_code": STRING,
                    "old_name": STRING,
                    "old_parent_code": STRING,
                    "new_code": STRING,
                    "new_name": STRING,
                    "new_parent_code": STRING,
                    "document_number": STRING,
                }
            ),
            description="The dated events its approval wrote",
        ),
        "version": INTEGER,
    }
)

OUTPUT_SCHEMAS = {
    "DivisionDraft": DRAFT,
    "DivisionDrafts": obj({"drafts": array(ref("DivisionDraft"))}),
    "DivisionDraftPreview": obj(
        {
            "number": STRING,
            "kind": enum(DivisionDraft.Kind.values),
            "status": enum(DivisionDraft.Status.values),
            "effective_date": nullable(DATE),
            "units": array(PREVIEW_UNIT),
            "warnings": array(STRING),
        }
    ),
}
