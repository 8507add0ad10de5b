"""What the numbering-request endpoints (gazetteer.api.numbering_requests) answer, as JSON Schema for the
OpenAPI document (config.api adds them to its components)."""

from __future__ import annotations

from core.openapi_schemas import (
    ANY_OBJECT,
    BOOLEAN,
    DATE,
    DATETIME,
    INTEGER,
    STRING,
    array,
    enum,
    nullable,
    obj,
    ref,
)
from gazetteer.models import HouseNumber, NumberingRequest
from gazetteer.services.numbering_requests import CONDITIONS, STEPS

CONFIRMED = obj({"confirmed": BOOLEAN, "by": STRING, "at": DATETIME})
REQUEST_BRIEF = {
    "number": STRING,
    "status": enum(NumberingRequest.Status.values),
    "status_label": STRING,
    "applicant": STRING,
    "applicant_kind": enum(NumberingRequest.ApplicantKind.values),
    "road": obj({"code": STRING, "name": STRING, "romanization": STRING}),
    "county": obj({"code": STRING, "name": STRING}),
    "building_name": STRING,
    "house_number": nullable(STRING),
    "awaiting": {
        "type": ["string", "null"],
        "enum": [*STEPS, None],
        "description": "The step the request waits for; null when ended",
    },
    "submitted_at": DATETIME,
    "synthetic": {**BOOLEAN, "description": "On a synthetic demonstration road (示例): its certificate is not valid"},
    "version": INTEGER,
}
REQUEST = obj(
    {
        **REQUEST_BRIEF,
        "applicant_contact": {**STRING, "description": "Staff only"},
        "geometry": ref("Geometry"),
        "building": nullable(STRING),
        "documents": array(obj({"kind": STRING, "number": STRING})),
        "former_address": STRING,
        "conditions": obj({name: CONFIRMED for name in CONDITIONS}, required=[]),
        "site_check": STRING,
        "number_detail": nullable(
            obj(
                {
                    "label": STRING,
                    "number": INTEGER,
                    "suffix": INTEGER,
                    "status": enum(HouseNumber.Status.values),
                    "version": INTEGER,
                }
            )
        ),
        "would_take": {
            **nullable(STRING),
            "description": "Before numbering: the number the engine would give the entrance now",
        },
        "certificate": nullable(obj({"number": STRING, "issued_on": DATE, "url": STRING})),
        "decision_reason": STRING,
        "submitted_by": STRING,
        "history": array(
            obj(
                {"version": INTEGER, "at": DATETIME, "by": STRING, "kind": STRING, "reason": STRING, "data": ANY_OBJECT}
            )
        ),
    }
)
REQUEST_LIST = obj({"requests": array(obj(REQUEST_BRIEF))})

OUTPUT_SCHEMAS = {"NumberingRequest": REQUEST, "NumberingRequestList": REQUEST_LIST}
