"""What the marker-photo endpoints (boundaries.api_marker_photos) answer, as JSON Schema for the OpenAPI
document (config.api adds them to its components)."""

from __future__ import annotations

from boundaries.models_photos import MarkerPhoto
from core.openapi_schemas import BOOLEAN, DATETIME, INTEGER, NUMBER, STRING, array, enum, nullable, obj, ref

LON_LAT = array(NUMBER, minItems=2, maxItems=2, description="[longitude, latitude], WGS84")
STAFF_ONLY = " (the bureau's staff only; left out for anyone else)"

MARKER_PHOTO = obj(
    {
        "id": INTEGER,
        "marker": {**STRING, "description": "The marker's number"},
        "synthetic": {**BOOLEAN, "description": "A photo of a synthetic demonstration marker (示例)"},
        "synthetic_note": STRING,
        "format": enum(MarkerPhoto.Format.values),
        "width": {**INTEGER, "description": "Pixels, as the photo is seen (orientation applied)"},
        "height": INTEGER,
        "caption": STRING,
        "source": {
            "type": ["string", "null"],
            "enum": [*MarkerPhoto.Source.values, None],
            "description": "register or inspection",
        },
        "taken_at": {**nullable(DATETIME), "description": "From the photo's EXIF, where it says"},
        "uploaded_at": DATETIME,
        "retired": BOOLEAN,
        "urls": obj(
            {
                "public": {**nullable(STRING), "description": "The copy without metadata: synthetic markers only"},
                "original": {**STRING, "description": "The file as received" + STAFF_ONLY},
            },
            required=["public"],
        ),
        "sha256": {**STRING, "description": "Of the original" + STAFF_ONLY},
        "size_bytes": {**INTEGER, "description": "Of the original" + STAFF_ONLY},
        "exif_position": {**nullable(LON_LAT), "description": "Where the EXIF GPS puts it" + STAFF_ONLY},
        "distance_from_marker_m": {
            **nullable(NUMBER),
            "description": "Metres from the marker's registered position to the EXIF position" + STAFF_ONLY,
        },
        "uploaded_by": {**STRING, "description": "Who uploaded it" + STAFF_ONLY},
        "retired_at": nullable(DATETIME),
        "retired_by": nullable(STRING),
        "retired_reason": STRING,
    },
    required=[
        *("id", "marker", "synthetic", "format", "width", "height", "caption", "source", "taken_at"),
        *("uploaded_at", "retired", "urls"),
    ],
)

OUTPUT_SCHEMAS = {
    "MarkerPhoto": MARKER_PHOTO,
    "MarkerPhotoList": obj(
        {
            "marker": STRING,
            "synthetic": BOOLEAN,
            "count": INTEGER,
            "photos": array(ref("MarkerPhoto")),
        }
    ),
}
