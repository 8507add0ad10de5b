"""What the sign-photo endpoints (gazetteer.api.sign_photos) answer, as JSON Schema for the OpenAPI
document (config.api adds them to its components)."""

from __future__ import annotations

from core.openapi_schemas import BOOLEAN, DATETIME, INTEGER, NUMBER, STRING, array, enum, nullable, obj, ref
from core.photos import FORMATS

LON_LAT = array(NUMBER, minItems=2, maxItems=2, description="[longitude, latitude], WGS84")
STAFF_ONLY = " (the bureau's staff only; left out for anyone else)"

SIGN_PHOTO = obj(
    {
        "id": INTEGER,
        "sign": {**STRING, "description": "The sign's number"},
        "synthetic": {**BOOLEAN, "description": "The sign names synthetic demonstration data (示例)"},
        "synthetic_note": STRING,
        "format": enum(list(FORMATS)),
        "width": {**INTEGER, "description": "Pixels, as the photo is seen (orientation applied)"},
        "height": INTEGER,
        "caption": STRING,
        "taken_at": {**nullable(DATETIME), "description": "From the photo's EXIF, where it says"},
        "uploaded_at": DATETIME,
        "retired": BOOLEAN,
        "urls": obj(
            {
                "public": {**nullable(STRING), "description": "The copy without metadata (None once retired)"},
                "original": {**STRING, "description": "The file as received" + STAFF_ONLY},
            },
            required=["public"],
        ),
        "sha256": {**STRING, "description": "Of the original" + STAFF_ONLY},
        "size_bytes": {**INTEGER, "description": "Of the original" + STAFF_ONLY},
        "exif_position": {**nullable(LON_LAT), "description": "Where the EXIF GPS puts it" + STAFF_ONLY},
        "distance_from_sign_m": {
            **nullable(NUMBER),
            "description": "Metres from the sign's registered position to the EXIF position" + STAFF_ONLY,
        },
        "uploaded_by": {**STRING, "description": "Who uploaded it" + STAFF_ONLY},
        "retired_at": nullable(DATETIME),
        "retired_reason": STRING,
    },
    required=[
        *("id", "sign", "synthetic", "format", "width", "height", "caption", "taken_at"),
        *("uploaded_at", "retired", "urls"),
    ],
)

OUTPUT_SCHEMAS = {
    "SignPhoto": SIGN_PHOTO,
    "SignPhotoList": obj({"sign": STRING, "synthetic": BOOLEAN, "count": INTEGER, "photos": array(ref("SignPhoto"))}),
}
