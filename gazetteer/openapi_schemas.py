"""What the gazetteer's endpoints (gazetteer.api) answer, as JSON Schema for the OpenAPI document
(config.api adds them to its components); what they take is declared with each endpoint. Enums are
read from the models, so that a new status or kind shows here without an edit. Units are referred to
by name (UnitBrief, from boundaries.openapi)."""

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
    feature,
    nullable,
    obj,
    ref,
)
from gazetteer.models import NamingApplication, Place, PlaceName

CATEGORY_BRIEF = obj({"code": STRING, "name": STRING, "name_en": STRING})
PLACE_NAME = obj(
    {
        "name": STRING,
        "kind": enum(PlaceName.Kind.values),
        "valid_from": nullable(DATE),
        "valid_to": nullable(DATE),
        "romanization": nullable(STRING),
    }
)
PLACE_PROPERTIES = obj(
    {
        "code": {"type": "string", "pattern": "^[0-9]{20}$", "description": "20-digit place code; never changes"},
        "name": STRING,
        "romanization": STRING,
        "romanization_tones": STRING,
        "romanization_overridden": BOOLEAN,
        "category": ref("CategoryBrief"),
        "unit_path": array(ref("UnitBrief"), description="The containing units from the city down."),
        "unit_overridden": BOOLEAN,
        "admin_unit": nullable(STRING),
        "names": array(ref("PlaceName")),
        "meaning": STRING,
        "origin": STRING,
        "history": STRING,
        "description": STRING,
        "sources": STRING,
        "heritage": nullable(
            obj(
                {"listed_on": DATE, "reason": STRING},
                description="地名文化遗产: listed as place-name heritage on this day, for this reason",
            )
        ),
        "status": enum(Place.Status.values),
        "named_on": nullable(DATE),
        "valid_from": nullable(DATE),
        "valid_to": nullable(DATE),
        "survey_method": enum(Place.SurveyMethod.values),
        "elevation_m": nullable(NUMBER),
        "is_public": BOOLEAN,
        "is_synthetic": BOOLEAN,
        "standing": obj(
            {
                "code": enum(Place.Standing.values),
                "label": STRING,
                "basis": nullable(enum(Place.Basis.values)),
                "basis_label": nullable(STRING),
                "decision": nullable(
                    obj(
                        {"authority": STRING, "document": STRING, "date": DATE},
                        required=["authority", "document", "date"],
                    )
                ),
            },
            description="标准地名 through the procedure, a registered decision or an official register; 候选 "
            "candidates (OpenStreetMap, GeoNames, new records) wait for the procedure; synthetic records are "
            "demonstration data.",
            required=["code", "label", "basis", "decision"],
        ),
        "registered_by": nullable(STRING),
        "registered_for": nullable(STRING),
        "registered_at": DATETIME,
        "source": nullable(obj({"key": STRING, "licence": STRING, "attribution": STRING})),
        "version": INTEGER,
        "permalink": STRING,
        "cite_as": STRING,
        "as_of": {**DATE, "description": "Only with ?at=: the day the record is shown as of."},
        "geometry_generalised": ref("GeometryGeneralised"),
    },
    required=["code", "name", "romanization", "category", "unit_path", "names", "status", "version", "cite_as"],
)
PLACE_HISTORY = obj(
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
                    "geometry": nullable(ref("Geometry")),
                    "geometry_generalised": ref("GeometryGeneralised"),
                },
                required=["version", "at", "by", "kind", "reason", "data", "geometry"],
            )
        ),
    }
)
CATEGORY = obj(
    {
        "code": STRING,
        "name": STRING,
        "name_en": STRING,
        "parent": nullable(STRING),
        "geometry": enum(
            ["point", "line", "polygon", "any"], "The geometry a place of this category is expected to have."
        ),
    }
)
ROMANIZATION = obj(
    {
        "name": STRING,
        "romanization": {"type": "string", "description": "Without tone marks, as on signs: Mudanjiang Shi"},
        "romanization_tones": {"type": "string", "description": "With tone marks: Mǔdānjiāng Shì"},
        "parts": array(
            obj(
                {
                    "text": STRING,
                    "role": {"type": "string", "description": "proper (专名) or generic (通名) part"},
                    "romanization": STRING,
                    "romanization_tones": STRING,
                }
            )
        ),
    }
)

MATCHED = obj(
    {
        "name": {"type": "string", "description": "The name that matched the query."},
        "kind": enum(PlaceName.Kind.values, "Which of the record's names matched."),
        "form": enum(
            ["hanzi", "pinyin", "initials", "traditional", "fuzzy", "context", "number"],
            "How it matched: Chinese characters, pinyin, initials (mdj), traditional characters, fuzzy, "
            "a unit name given as context (宁安 渤海), or a boundary marker's number.",
        ),
    }
)
SEARCH_RESULT = obj(
    {
        "id": INTEGER,
        "code": STRING,
        "name": STRING,
        "romanization": STRING,
        "category": ref("CategoryBrief"),
        "unit_path": array(ref("UnitBrief"), description="From the city down."),
        "lon": nullable(NUMBER),
        "lat": nullable(NUMBER),
        "is_synthetic": BOOLEAN,
        "standing": enum(Place.Standing.values, "standard, candidate (not yet a standard name) or synthetic."),
        "score": NUMBER,
        "matched": ref("SearchMatch"),
        # A boundary line or marker (gazetteer.search.boundaries) has these too; a place has none of them.
        "kind": enum(
            ["boundary_line", "boundary_marker", "address"], "A boundary line, marker or address; absent for a place."
        ),
        "level": {"type": "string", "description": "A line's level: national, province, prefecture, county, township"},
        "length_km": nullable(NUMBER),
        "url": nullable(STRING),
        "line": obj({"code": STRING, "name": STRING}, description="A marker's line."),
        "status": {"type": "string", "description": "A marker's status (intact, damaged, lost, moved, abolished)"},
        "synthetic_note": {"type": "string", "description": "A synthetic demonstration marker (示例) says so."},
        "address": ref("AddressParts"),
    },
    required=[
        *("id", "code", "name", "romanization", "category", "unit_path", "lon", "lat", "is_synthetic", "standing"),
        *("score", "matched"),
    ],
)
SEARCH_RESULTS = obj(
    {
        "results": array(ref("SearchResult"), description="Best first."),
        "context": {"type": "string", "description": "The part of the query read as a unit name."},
        "message": {"type": "string", "description": "Why nothing was searched (an empty query)."},
    },
    required=["results"],
)
SUGGESTIONS = obj(
    {
        "suggestions": array(
            obj(
                {
                    "code": STRING,
                    "name": STRING,
                    "romanization": STRING,
                    "category": ref("CategoryBrief"),
                    "unit": {
                        "anyOf": [ref("UnitBrief"), {"type": "null"}],
                        "description": "The containing unit (the lowest above the place), null for the city.",
                    },
                    "matched": {"type": "string", "description": "The name that matched (a former name or alias too)."},
                    "standing": enum(Place.Standing.values, "standard, candidate or synthetic"),
                },
            )
        )
    }
)
ROAD_BRIEF = obj({"code": STRING, "name": STRING, "romanization": STRING})
ADDRESS_PARTS = obj(
    {
        "road": ROAD_BRIEF,
        "number": INTEGER,
        "suffix": {"type": "integer", "description": "附号: 1 for 12-1 (0: none)"},
        "number_label": {"type": "string", "description": "12号, 12-1号"},
        "building_no": STRING,
        "unit_no": STRING,
        "room_no": STRING,
    },
    description="An address result's parts (gazetteer.search.addresses).",
)
NEAREST_ADDRESS = obj(
    {
        "name": STRING,
        "romanization": STRING,
        "road": ROAD_BRIEF,
        "number_label": STRING,
        "lon": NUMBER,
        "lat": NUMBER,
        "distance_m": NUMBER,
        "status": STRING,
        "is_synthetic": BOOLEAN,
        "standing": enum(Place.Standing.values, "standard, candidate or synthetic"),
        "synthetic_note": {"type": "string", "description": "A synthetic demonstration address (示例) says so."},
    },
    required=[
        *("name", "romanization", "road", "number_label", "lon", "lat", "distance_m", "status"),
        *("is_synthetic", "standing"),
    ],
)
REVERSE = obj(
    {
        "lon": NUMBER,
        "lat": NUMBER,
        "units": array(ref("UnitBrief"), description="The units that contain the point, from the city down."),
        "nearest": array(
            obj(
                {
                    "code": STRING,
                    "name": STRING,
                    "romanization": STRING,
                    "category": ref("CategoryBrief"),
                    "distance_m": NUMBER,
                    "standing": enum(Place.Standing.values, "standard, candidate or synthetic"),
                },
            ),
            description="The nearest named places, nearest first.",
        ),
        "address": nullable(NEAREST_ADDRESS),
    }
)

CREDIT = obj(
    {
        "licence": STRING,
        "attribution": {"type": "string", "description": "Show it wherever the data appears."},
        "open": BOOLEAN,
        "sources": array(obj({"key": nullable(STRING), "title": STRING})),
        "records": {"type": "integer", "description": "Records whose attributes come under this licence."},
        "geometries": {"type": "integer", "description": "Published geometries that come under this licence."},
    }
)
OPEN_DATA_FILE = obj(
    {
        "format": enum(["csv", "geojson", "gpkg"]),
        "url": {"type": "string", "format": "uri"},
        "media_type": STRING,
        "crs": STRING,
        "description": STRING,
        "note": STRING,
        "last_modified": nullable(DATETIME),
    }
)
OPEN_DATA_MANIFEST = obj(
    {
        "title": STRING,
        "publisher": STRING,
        "territory": STRING,
        "generated_at": DATETIME,
        "last_modified": nullable(DATETIME),
        "records": obj(
            {
                "total": INTEGER,
                "by_status": {"type": "object", "additionalProperties": INTEGER},
                "with_geometry": INTEGER,
                "geometry_withheld": INTEGER,
                "without_geometry": INTEGER,
            }
        ),
        "files": array(ref("OpenDataFile")),
        "licences": array(ref("Credit")),
        "withheld": obj(
            {
                "geometry_included": {
                    "type": "boolean",
                    "description": "True when OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY is set.",
                },
                "setting": STRING,
                "records": INTEGER,
                "codes": array(STRING),
                "sources": array(obj({"key": nullable(STRING), "title": STRING, "licence": STRING})),
                "note": STRING,
                "note_en": STRING,
                "not_published": STRING,
            }
        ),
        "links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
    }
)

# ---- answers to officers ------------------------------------------------------------------------

PROBLEM = obj(
    {"row": nullable(INTEGER), "field": STRING, "message": STRING, "layer": STRING},
    required=["row", "field", "message"],
)
IMPORT_REPORT = obj(
    {
        "dry_run": BOOLEAN,
        "committed": BOOLEAN,
        "refused": nullable(STRING),
        "format": STRING,
        "crs": STRING,
        "datum": STRING,
        "encoding": STRING,
        "layers": array(STRING),
        "counts": obj({k: INTEGER for k in ("rows_read", "created", "updated", "unchanged", "errors", "warnings")}),
        "errors": array(ref("ImportProblem")),
        "warnings": array(ref("ImportProblem")),
        "records": array(
            ANY_OBJECT,
            description="{row, action, code, name, standing[, from_version, to_version]}: a record is a candidate "
            "unless its row cites a decision in full (decision_authority, decision_document, decision_date)",
        ),
        "changeset": nullable(INTEGER),
    }
)
APPLICATION = obj(
    {
        "number": STRING,
        "batch": {
            **nullable(STRING),
            "description": "The number of the batch's head this name belongs to; null for a single application "
            "and for a head",
        },
        "members": array(STRING, description="A batch's head: the numbers of the batch's other names"),
        "kind": enum(NamingApplication.Kind.values),
        "status": enum(NamingApplication.Status.values),
        "status_label": STRING,
        "version": INTEGER,
        "place": nullable(STRING),
        "county": obj({"code": STRING, "name": STRING}),
        "proposed_name": STRING,
        "category": nullable(STRING),
        "geometry": nullable(ref("Geometry")),
        "location_description": STRING,
        "meaning": STRING,
        "origin": STRING,
        "reason": STRING,
        "applicant": STRING,
        "submitted_by": STRING,
        "submitted_at": DATETIME,
        "checks": array(ANY_OBJECT),
        "notice_start": nullable(DATE),
        "notice_end": nullable(DATE),
        "authority": STRING,
        "decision_date": nullable(DATE),
        "document_number": STRING,
        "effective_date": nullable(DATE),
        "rejection_reason": STRING,
        "filed_on": {**nullable(DATE), "description": "备案: the day the decision was filed upward"},
        "filed_with": STRING,
        "filing_reference": STRING,
        "opinions": array(ANY_OBJECT),
        "comments": array(ANY_OBJECT),
        "events": array(ANY_OBJECT),
        "attachments": array(obj({"title": STRING, "url": STRING})),
    },
    required=["number", "kind", "status", "version", "county", "batch", "members"],
)


OUTPUT_SCHEMAS = {
    "CategoryBrief": CATEGORY_BRIEF,
    "Category": CATEGORY,
    "PlaceName": PLACE_NAME,
    "Place": feature(PLACE_PROPERTIES, "A place-name record as a GeoJSON Feature (WGS84)."),
    "PlaceCollection": obj(
        {
            "type": {"const": "FeatureCollection"},
            "count": {"type": "integer", "description": "All records that match, not only this page."},
            "offset": INTEGER,
            "limit": INTEGER,
            "features": array(ref("Place")),
        }
    ),
    "PlaceHistory": PLACE_HISTORY,
    "Romanization": ROMANIZATION,
    "SearchMatch": MATCHED,
    "SearchResult": SEARCH_RESULT,
    "SearchResults": SEARCH_RESULTS,
    "Suggestions": SUGGESTIONS,
    "Reverse": REVERSE,
    "AddressParts": ADDRESS_PARTS,
    "Credit": CREDIT,
    "OpenDataFile": OPEN_DATA_FILE,
    "OpenDataManifest": OPEN_DATA_MANIFEST,
    "ImportProblem": PROBLEM,
    "ImportReport": IMPORT_REPORT,
    "NamingApplication": APPLICATION,
}
