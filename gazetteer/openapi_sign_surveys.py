"""What the sign-survey endpoints (gazetteer.api.sign_surveys) answer, as JSON Schema for the OpenAPI
document (config.api adds them to its components)."""

from __future__ import annotations

from core.openapi_schemas import BOOLEAN, DATE, DATETIME, INTEGER, NUMBER, STRING, array, enum, nullable, obj
from gazetteer.models_signs import Sign

POINT = obj({"type": enum(["Point"]), "coordinates": array(NUMBER, minItems=2, maxItems=2)})
PHOTO = obj(
    {
        "id": INTEGER,
        "format": STRING,
        "width": INTEGER,
        "height": INTEGER,
        "sha256": STRING,
        "uploaded_at": DATETIME,
        "retired": BOOLEAN,
    }
)
SURVEY_MEMBERS = {
    "client_id": {**STRING, "format": "uuid"},
    "sign": STRING,
    "sign_text": STRING,
    "surveyed_on": DATE,
    "condition": enum(Sign.Condition.values, "The condition found"),
    "notes": STRING,
    "surveyor": STRING,
    "position": nullable(POINT),
    "sign_version": nullable(INTEGER),
    "photos": array(PHOTO),
    "created_at": DATETIME,
    "synthetic": BOOLEAN,
    "note": STRING,
}
SURVEY = obj(
    SURVEY_MEMBERS,
    required=[name for name in SURVEY_MEMBERS if name != "note"],
    description="A sign as found in the field (标志巡查); a survey of a synthetic sign carries `note`: 示例.",
)

OUTPUT_SCHEMAS = {
    "SignSurvey": SURVEY,
    "SignSurveys": obj({"sign": STRING, "surveys": array(SURVEY)}),
}
