"""What the road, house-number and renumbering endpoints (gazetteer.api.addresses) answer, as JSON
Schema for the OpenAPI document (config.api adds them to its components)."""

from __future__ import annotations

from core.openapi_schemas import ANY_OBJECT, BOOLEAN, DATE, INTEGER, NUMBER, STRING, array, enum, nullable, obj
from gazetteer.models import HouseNumber, RenumberingProposal, Road

POINT = obj({"type": enum(["Point"]), "coordinates": array(NUMBER)})
HOUSE = {
    "id": INTEGER,
    "address": STRING,
    "road": STRING,
    "number": INTEGER,
    "suffix": INTEGER,
    "building_no": STRING,
    "unit_no": STRING,
    "room_no": STRING,
    "side": enum(HouseNumber.Side.values),
    "distance_m": NUMBER,
    "status": enum(HouseNumber.Status.values),
    "issued_on": nullable(DATE),
    "retired_on": nullable(DATE),
    "retired_reason": STRING,
    "former_address": STRING,
    "building": nullable(STRING),
    "building_name": STRING,
    "synthetic": BOOLEAN,
    "geometry": POINT,
    "version": INTEGER,
}
HOUSE_STAFF = {**HOUSE, "owner": STRING}
RULE = obj(
    {
        "numbering_from": enum(Road.NumberingFrom.values),
        "odd_side": STRING,
        "odd_side_is_the_citys": BOOLEAN,
        "interval_m": NUMBER,
        "interval_is_the_citys": BOOLEAN,
        "reserved": array(ANY_OBJECT),
    }
)
ROAD = {
    "code": STRING,
    "name": STRING,
    "romanization": STRING,
    "standing": STRING,
    "synthetic": BOOLEAN,
    "road_class": enum(Road.RoadClass.values),
    "route_ref": STRING,
    "bureau_id": {**STRING, "description": "The road's id in the bureau's road file (道路编码); empty if none"},
    "numbered": BOOLEAN,
    "rule": RULE,
    "version": INTEGER,
}
SIGN = obj({"id": INTEGER, "number": STRING, "kind": STRING})
ROW = obj(
    {
        "before": STRING,
        "after": STRING,
        "number": INTEGER,
        "suffix": INTEGER,
        "changes": BOOLEAN,
        "side": STRING,
        "distance_m": NUMBER,
        "records": array(obj({"id": INTEGER, "address": STRING})),
        "signs": array(SIGN),
    }
)

OUTPUT_SCHEMAS = {
    "Roads": obj({"roads": array(obj(ROAD))}),
    "Road": obj(
        {**ROAD, "house_numbers": array(obj(HOUSE, required=list(HOUSE))), "signs": array(SIGN)},
        required=list(ROAD),
    ),
    "HouseNumber": obj({**HOUSE_STAFF, "history": array(ANY_OBJECT)}, required=list(HOUSE)),
    "HouseNumbers": obj({"house_numbers": array(obj(HOUSE_STAFF))}),
    "NumberingPreview": obj(
        {
            "road": STRING,
            "numbers": array(
                obj({"number": INTEGER, "suffix": INTEGER, "label": STRING, "side": STRING, "distance_m": NUMBER})
            ),
        }
    ),
    "Renumbering": obj(
        {
            "number": STRING,
            "road": STRING,
            "road_name": STRING,
            "synthetic": BOOLEAN,
            "status": enum(RenumberingProposal.Status.values),
            "reason": STRING,
            "rows": array(ROW),
            "changed": INTEGER,
            "proposed_by": STRING,
            "proposed_at": STRING,
            "decided_at": nullable(STRING),
            "decision_note": STRING,
            "version": INTEGER,
        }
    ),
}
