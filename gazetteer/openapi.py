"""The gazetteer in the OpenAPI document (a core.openapi part, registered from GazetteerConfig.ready()):
place records, their files, search, romanization, open data and naming applications. The schemas are
in gazetteer.openapi_schemas; the officers' writes are tagged with core's "officers"."""

from __future__ import annotations

from core.openapi import (
    FILE,
    GEOJSON,
    OPTIONAL_SECURITY,
    READ_ERRORS,
    WRITE_ERRORS,
    Part,
    Tag,
    body,
    errors,
    file_schema,
    officer,
    ok,
    operation,
    page_parameters,
    path_param,
    query,
)
from core.openapi_schemas import DATE, STRING, enum, ref
from gazetteer.models import NamingApplication, Place
from gazetteer.openapi_schemas import SCHEMAS
from gazetteer.services import naming
from gazetteer.services.open_data import OPEN_DATA_FORMATS
from gazetteer.services.place_io import EXPORT_FORMATS
from gazetteer.services.place_io.writers import CONTENT_TYPES

TAGS = (
    Tag("places", "地名 Place-name records (public read)", 30),
    Tag("search", "检索 Search, type-ahead and reverse lookup", 40),
    Tag("romanization", "罗马字母拼写 Romanization (GB/T 16159)", 50),
    Tag("open data", "开放数据 Bulk downloads with licences", 60),
    Tag("notices", "地名公告 Published naming notices", 70),
)


PLACE_CODE = path_param("code", "20-digit place code", example="23108410104300000001")
APPLICATION_NUMBER = path_param("number", "Application number (受理编号)", example="231084-2026-0001")
PLACE_FILTERS = [
    query("category", STRING, "Category code; a class matches its sub-classes too", example="05100"),
    query("unit", STRING, "Unit code; the unit and everything below it", example="231084"),
    query("status", enum([*Place.Status.values, ""]), "Record status (empty: any)"),
]
PAGE = page_parameters(50, 100)


def place_paths() -> dict:
    listing = [
        *PLACE_FILTERS,
        query("name", STRING, "Part of any of its names", example="宁安"),
        *PAGE,
        query("geometry", enum(["full", "none"]), "none leaves geometry out"),
    ]
    return {
        "/api/v1/places": {
            "get": operation(
                "listPlaces",
                "Place-name records",
                "places",
                {**ok("A page of records, by code", ref("PlaceCollection"), GEOJSON), **errors("400")},
                description="Anonymous users see public records only.",
                parameters=listing,
                security=OPTIONAL_SECURITY,
            ),
            "post": officer(
                "createPlace",
                "Register a new record",
                ok("The new record (Location header)", ref("Place"), GEOJSON, "201"),
                requestBody=body("PlaceCreate"),
            ),
        },
        "/api/v1/places/{code}": {
            "get": operation(
                "getPlace",
                "One record, now or as it stood on a day",
                "places",
                {**ok("The record", ref("Place"), GEOJSON), **errors("400", "404")},
                parameters=[
                    PLACE_CODE,
                    query("at", DATE, "Show the record as it stood on this day", example="2020-01-01"),
                ],
                security=OPTIONAL_SECURITY,
            ),
            "patch": officer(
                "updatePlace",
                "Change attributes (not the standard name)",
                ok("The changed record", ref("Place"), GEOJSON),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceUpdate"),
            ),
        },
        "/api/v1/places/{code}/history": {
            "get": operation(
                "getPlaceHistory",
                "Every version of a record",
                "places",
                {**ok("Versions, oldest first", ref("PlaceHistory")), **errors("404")},
                parameters=[PLACE_CODE],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/{code}/names": {
            "post": officer(
                "addPlaceName",
                "Add an alias, short, map or former name",
                ok("The record with the new name", ref("Place"), GEOJSON, "201"),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceNameNew"),
            )
        },
        "/api/v1/places/{code}/retire": {
            "post": officer(
                "retirePlace",
                "Retire a record (it becomes historical; nothing is deleted)",
                ok("The retired record", ref("Place"), GEOJSON),
                parameters=[PLACE_CODE],
                requestBody=body("PlaceRetire"),
            )
        },
        "/api/v1/categories": {
            "get": operation(
                "listCategories",
                "Place-name categories (GB/T 18521)",
                "places",
                ok("Categories by code", {"type": "array", "items": ref("Category")}),
            )
        },
    }


def file_paths() -> dict:
    export_content = {CONTENT_TYPES[fmt]: {"schema": file_schema(fmt)} for fmt in EXPORT_FORMATS}
    return {
        "/api/v1/places/export": {
            "get": operation(
                "exportPlaces",
                "Export records as a file",
                "places",
                {
                    "200": {
                        "description": "The file (attachment)",
                        "headers": {"Content-Disposition": {"schema": STRING}},
                        "content": export_content,
                    },
                    **errors("400", "503"),
                },
                description="Anonymous users get public records, without geometry that is not openly licensed.",
                parameters=[query("format", enum(EXPORT_FORMATS), "File format", example="csv"), *PLACE_FILTERS],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/import": {
            "post": officer(
                "importPlaces",
                "Import records from a file (dry run by default)",
                {
                    **ok("Dry run: the report, nothing written", ref("ImportReport")),
                    **ok("Committed: the report", ref("ImportReport"), status="201"),
                },
                description="On 400 and 413 the error carries the report as `report`.",
                requestBody=body("ImportForm", "multipart/form-data"),
                codes=(*WRITE_ERRORS, "503"),
            )
        },
    }


def search_paths() -> dict:
    busy = errors("400", "429")
    return {
        "/api/v1/places/search": {
            "get": operation(
                "searchPlaces",
                "Search by name, pinyin, initials, former names, with a unit as context",
                "search",
                {**ok("Matches, best first", ref("SearchResults")), **busy},
                parameters=[
                    query("q", STRING, "牡丹江, mudanjiang, mdj, 宁安 渤海 (unit as context; none: no results)"),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 10}, "How many"),
                    query("unit", STRING, "Only within this unit", example="231084"),
                    query("category", STRING, "Only this category (or class)", example="05100"),
                    query("near", STRING, "lon,lat: nearer places rank higher", example="129.6,44.58"),
                    query("at", DATE, "Names valid on this day (former names as they were)"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/places/suggest": {
            "get": operation(
                "suggestPlaces",
                "Type-ahead suggestions",
                "search",
                {**ok("Suggestions, best first", ref("Suggestions")), **busy},
                parameters=[
                    query("q", STRING, "What has been typed so far (none: no suggestions)", example="mdj"),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 8}, "How many"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/reverse": {
            "get": operation(
                "reverseLookup",
                "The units at a point and the nearest named places",
                "search",
                {**ok("Units from the city down; places nearest first", ref("Reverse")), **busy},
                parameters=[
                    query("lon", {"type": "number"}, "Longitude, WGS84", required=True, example=129.6),
                    query("lat", {"type": "number"}, "Latitude, WGS84", required=True, example=44.58),
                    query("limit", {"type": "integer", "minimum": 1, "maximum": 50, "default": 5}, "Nearest places"),
                ],
                security=OPTIONAL_SECURITY,
            )
        },
        "/api/v1/romanize": {
            "get": operation(
                "romanize",
                "Romanize a place name (GB/T 16159, place-name readings)",
                "romanization",
                {**ok("The romanization and its parts", ref("Romanization")), **errors("400")},
                parameters=[
                    query("name", {"type": "string", "maxLength": 100}, "A name", required=True, example="穆棱市")
                ],
            )
        },
    }


def open_data_paths() -> dict:
    conditional = [
        {"name": "If-None-Match", "in": "header", "required": False, "schema": STRING, "description": "An ETag"},
        {"name": "If-Modified-Since", "in": "header", "required": False, "schema": STRING, "description": "A date"},
    ]
    headers = {
        "ETag": {"schema": STRING, "description": "Changes when the content changes"},
        "Last-Modified": {"schema": STRING, "description": "The latest change of the records"},
        "Content-Disposition": {"schema": STRING, "description": "attachment; filename=..."},
    }
    paths = {
        "/api/v1/open-data": {
            "get": operation(
                "openDataManifest",
                "What open data holds: counts, files, licences, what is withheld",
                "open data",
                ok("The manifest with download links", ref("OpenDataManifest")),
            )
        }
    }
    for fmt in OPEN_DATA_FORMATS:
        paths[f"/api/v1/open-data/places.{fmt}"] = {
            "get": operation(
                f"openData{fmt.capitalize()}",
                f"The public records as {fmt}",
                "open data",
                {
                    "200": {
                        "description": "The file, each record with its licence and attribution",
                        "headers": headers,
                        "content": {CONTENT_TYPES[fmt]: {"schema": file_schema(fmt)}},
                    },
                    "304": {"description": "Not modified: the copy you have (If-None-Match) is current"},
                    **errors("503"),
                },
                description="Public records only, whoever asks. Geometry whose source grants no open licence "
                "is left out unless the server sets OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY.",
                parameters=conditional,
            )
        }
    return paths


def naming_paths() -> dict:
    app = ref("NamingApplication")
    return {
        "/api/v1/naming-applications": {
            "get": officer(
                "listApplications",
                "Naming applications (yours, or all for approvers)",
                ok("The latest 200", {"type": "object", "properties": {"results": {"type": "array", "items": app}}}),
                parameters=[
                    query("status", enum([*NamingApplication.Status.values, ""]), "Only this status (empty: any)")
                ],
                codes=READ_ERRORS,
            ),
            "post": officer(
                "submitApplication",
                "Submit a naming, renaming or abolition application",
                ok("The application (Location header)", app, status="201"),
                requestBody=body("NamingApplicationNew"),
            ),
        },
        "/api/v1/naming-applications/{number}": {
            "get": officer(
                "getApplication",
                "One application",
                ok("The application", app),
                parameters=[APPLICATION_NUMBER],
                codes=READ_ERRORS,
            )
        },
        "/api/v1/naming-applications/{number}/attachments": {
            "post": officer(
                "attachToApplication",
                "Attach a document (multipart: file, title)",
                ok("The application with the attachment", app, status="201"),
                parameters=[APPLICATION_NUMBER],
                requestBody={
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "properties": {"file": FILE, "title": STRING},
                                "required": ["file"],
                            }
                        }
                    },
                },
            )
        },
        "/api/v1/attachments/{name}": {
            "get": officer(
                "getAttachment",
                "An application's attached document, to those who may read the application",
                {
                    "200": {
                        "description": "The file, as a download (Content-Disposition: attachment)",
                        "content": {"application/octet-stream": {"schema": FILE}},
                    }
                },
                parameters=[
                    path_param("name", "As in the application's attachments[].url", example="applications/2026/map.pdf")
                ],
                codes=("401", "404", "410"),
            )
        },
        "/api/v1/naming-applications/{number}/{step}": {
            "post": officer(
                "takeApplicationStep",
                "Take a step: " + ", ".join(naming.STEPS),
                ok("The application after the step", app),
                description="approve and reject are the approver's; the others the county officer's.",
                parameters=[APPLICATION_NUMBER, path_param("step", "The step", schema=enum(naming.STEPS))],
                requestBody=body("NamingApplicationStep"),
            )
        },
        "/api/v1/naming-applications/{number}/notice.{fmt}": {
            "get": operation(
                "getNotice",
                "The naming notice (公告) of an application in notice, approved or effective",
                "notices",
                {
                    "200": {
                        "description": "The notice",
                        "content": {"text/html": {"schema": STRING}, "application/pdf": {"schema": FILE}},
                    },
                    **errors("404"),
                },
                parameters=[APPLICATION_NUMBER, path_param("fmt", "html or pdf", schema=enum(["html", "pdf"]))],
            )
        },
    }


PART = Part(
    name="gazetteer",
    tags=TAGS,
    paths={**place_paths(), **file_paths(), **search_paths(), **open_data_paths(), **naming_paths()},
    schemas=SCHEMAS,
)
