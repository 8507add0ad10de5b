"""What the sign-inventory and renewal-campaign endpoints (gazetteer.api.signs) answer, as JSON Schema for
the OpenAPI document (config.api adds them to its components)."""

from __future__ import annotations

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
    nullable,
    obj,
)
from gazetteer.models_signs import ProductionOrder, RenewalCampaign, RenewalItem, Sign

POINT = obj({"type": enum(["Point"]), "coordinates": array(NUMBER, minItems=2, maxItems=2)})
PUBLIC = {
    "number": STRING,
    "kind": enum(Sign.Kind.values),
    "text": STRING,
    "romanization": STRING,
    "number_text": STRING,
    "names": obj({"place": STRING, "house_number": nullable(STRING)}),
    "position": POINT,
    "facing_deg": nullable(NUMBER),
    "status": enum(Sign.Status.values),
    "synthetic": BOOLEAN,
}
STAFF = {
    "note": STRING,
    "county": nullable(STRING),
    "width_mm": nullable(INTEGER),
    "height_mm": nullable(INTEGER),
    "material": STRING,
    "ground_colour": STRING,
    "ink_colour": STRING,
    "maker": STRING,
    "installed_on": nullable(DATE),
    "condition": enum(Sign.Condition.values),
    "last_inspected_on": nullable(DATE),
    "removed_on": nullable(DATE),
    "removed_reason": STRING,
    "text_outdated_since": nullable(DATETIME),
    "expected_text": STRING,
    "version": INTEGER,
}
SIGN = obj(
    {**PUBLIC, **STAFF},
    required=list(PUBLIC),
    description="A sign; staff see every member, others the public face (a synthetic one carries `note`: 示例).",
)
ITEM = obj(
    {
        "id": INTEGER,
        "sign": STRING,
        "kind": enum(Sign.Kind.values),
        "synthetic": BOOLEAN,
        "county": nullable(STRING),
        "why": STRING,
        "step": enum(RenewalItem.Step.values),
        "order": nullable(STRING),
        "selected_on": DATE,
        **{f"{step}_{part}": nullable(DATE if part == "on" else STRING)
           for step in ("ordered", "made", "installed", "accepted") for part in ("on", "by")},
        "dropped_reason": STRING,
        "version": INTEGER,
    }
)  # fmt: skip
BRIEF = {
    "number": STRING,
    "year": INTEGER,
    "title": STRING,
    "criteria": ANY_OBJECT,
    "status": enum(RenewalCampaign.Status.values),
    "created_by": STRING,
    "orders": array(STRING),
    "version": INTEGER,
}
ORDER = obj(
    {
        "number": STRING,
        "campaign": STRING,
        "maker": STRING,
        "ordered_on": DATE,
        "status": enum(ProductionOrder.Status.values),
        "items": array(ITEM),
        "version": INTEGER,
    }
)
COUNTS = {step: INTEGER for step in ("selected", "ordered", "made", "installed", "accepted")}

OUTPUT_SCHEMAS = {
    "Sign": SIGN,
    "Signs": obj({"total": INTEGER, "offset": INTEGER, "signs": array(SIGN)}),
    "SignHistory": obj({"number": STRING, "versions": array(ANY_OBJECT)}),
    "SignCampaigns": obj({"campaigns": array(obj(BRIEF))}),
    "SignCampaign": obj({**BRIEF, "items": array(ITEM)}),
    "SignOrder": ORDER,
    "SignOrders": obj({"orders": array(ORDER)}),
    "SignRenewal": ITEM,
    "SignDashboard": obj(
        {
            "year": nullable(INTEGER),
            "county": nullable(STRING),
            "rows": array(
                obj({"county": STRING, "county_name": STRING, "kind": STRING, "kind_name": STRING, **COUNTS})
            ),
            "totals": obj(COUNTS),
            "by_year": array(obj({"year": INTEGER, **COUNTS})),
        }
    ),
}
