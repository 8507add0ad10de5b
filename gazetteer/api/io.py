"""Import and export of place records over the API: thin views over gazetteer.services.place_io,
declared on ``router`` (config.api mounts it under /api/v1/, before the place records).

POST /api/v1/places/import (multipart): ``file`` (one file, or the parts of a shapefile), ``format``,
``crs``, ``datum``, ``encoding``, ``category``, ``layer``, ``name_field``, ``reason`` (required unless a
dry run), ``dry_run`` ("true" by default). 200 with the report after a dry run, 201 after a committed
run, 400 (413 for a file over the limit) with the report in the error body when anything was refused.
The form is read by the view (request.FILES), not by a type: the upload's own checks
(gazetteer.services.place_io) decide what a file may be, in their order, with the report.

GET /api/v1/places/export?format=csv|geojson|shp|gpkg|census, filtered like the list (``category``,
``unit``, ``status``); anonymous users get public records only.
"""

from django.http import HttpResponse
from ninja import Query, Router

from accounts.roles import assigned_counties
from core.api import ApiError
from core.http import json_error, json_response
from core.restapi import OFFICERS, WRITE_ERRORS, Answer, OneOf, endpoint
from gazetteer.api import inputs
from gazetteer.api.open_data import file_schema
from gazetteer.models import Place
from gazetteer.permissions import Action, can, visible_places
from gazetteer.queries import filter_places
from gazetteer.services.geometry_provenance import may_include_unlicensed_geometry
from gazetteer.services.place_io import EXPORT_FORMATS, Refusal, export_places, import_places
from gazetteer.services.place_io.writers import CONTENT_TYPES

router = Router()

IMPORT_OPTIONS = ("format", "crs", "datum", "encoding", "category", "layer", "name_field")
STRING = {"type": "string"}
IMPORT_FORM = {
    "type": "object",
    "properties": {
        "file": {
            "type": "array",
            "items": {"type": "string", "contentMediaType": "application/octet-stream"},
            "description": "One file, or the parts of a shapefile",
        },
        "format": {"type": "string", "description": "csv, geojson, shp, gpkg, ... (else from the file name)"},
        "crs": STRING,
        "datum": {"type": "string", "description": "WGS84, CGCS2000, GCJ-02 (converted), BD-09 (converted)"},
        "encoding": STRING,
        "category": STRING,
        "layer": STRING,
        "name_field": STRING,
        "reason": {"type": "string", "description": "Required unless a dry run"},
        "dry_run": {"type": "string", "enum": ["true", "false"], "default": "true"},
    },
    "required": ["file"],
}


def _flag(value: str | None, field: str, default: bool) -> bool:
    if value in (None, ""):
        return default
    if value.lower() in {"true", "1", "yes"}:
        return True
    if value.lower() in {"false", "0", "no"}:
        return False
    raise ApiError(400, f"'{field}' must be true or false", field=field)


@endpoint(
    router,
    "POST",
    "/places/import",
    operation_id="importPlaces",
    summary="Import records from a file (dry run by default)",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("Dry run: the report, nothing written", "ImportReport"),
        Answer("Committed: the report", "ImportReport", status="201"),
    ],
    errors=(*WRITE_ERRORS, "503"),
    description="On 400 and 413 the error carries the report as `report`.",
    request_body={"required": True, "content": {"multipart/form-data": {"schema": IMPORT_FORM}}},
    url_name="place-import",
)
def place_import(request):
    if not can(request.user, Action.IMPORT, counties=assigned_counties(request.user)):
        raise ApiError(403, "your role does not allow 'import' (place-name officers of a county, administrators)")
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, "send the file as multipart/form-data (field 'file', and the options as fields)")
    files = request.FILES.getlist("file")
    if not files:
        raise ApiError(
            400, "send the file as the multipart field 'file' (several for a shapefile's parts)", field="file"
        )
    dry_run = _flag(request.POST.get("dry_run"), "dry_run", default=True)
    reason = (request.POST.get("reason") or "").strip()
    if not dry_run and not reason:
        raise ApiError(400, "'reason' is required for an import that writes", field="reason")
    options = {key: request.POST.get(key) or None for key in IMPORT_OPTIONS}
    report = import_places(files, user=request.user, reason=reason, dry_run=dry_run, **options)
    if report.refused == Refusal.TOO_LARGE:
        return json_error(413, report.errors[0].message, report=report.as_dict())
    if not report.ok:
        found = report.as_dict()
        return json_error(400, f"{found['counts']['errors']} problem(s) found; nothing was written", report=found)
    return json_response(report.as_dict(), status=200 if dry_run else 201)


@endpoint(
    router,
    "GET",
    "/places/export",
    operation_id="exportPlaces",
    summary="Export records as a file",
    tag="places",
    answers=Answer(
        "The file (attachment)",
        media={CONTENT_TYPES[fmt]: file_schema(fmt) for fmt in EXPORT_FORMATS},
        headers=(("Content-Disposition", "attachment; filename=..."),),
    ),
    errors=("400", "503"),
    public=True,
    description=(
        "Anonymous users get public records, without geometry that is not openly licensed.\n\n"
        "**csv**: WGS84; `lon`/`lat` (a point on the geometry, inside a polygon) and `geometry_type` always, "
        "`wkt` (the whole geometry) only where it fits: no cell holds more than a spreadsheet's 32,767 "
        "characters. A value that does not fit (the WKT of a county's polygon or a long line) is not cut: its "
        "cell is empty and the last column `not_in_csv` names it; the geojson and gpkg of the same query hold "
        "it (by `code`). The CSV import reads `not_in_csv` and keeps the record's own value.\n\n"
        "**gpkg**: CGCS2000; one layer per geometry type (`places_points`, `places_lines`, `places_polygons`), "
        "each declaring its type, and the table `places_no_geometry`; typed fields (integer `version`, real "
        "`elevation_m`, dates, booleans `is_public`/`synthetic`). **shp**: a zip with one shapefile per "
        "geometry type. **census**: the census registration form, with the same rule for long cells."
    ),
    url_name="place-export",
)
def place_export(
    request,
    format: OneOf(EXPORT_FORMATS) = Query("csv", description="File format", examples=["csv"]),
    *,
    filters: Query[inputs.PlaceFilters],
):
    places = filter_places(visible_places(request.user, Place.objects.all()), **inputs.place_filters(filters))
    unlicensed = may_include_unlicensed_geometry(request.user)
    content, content_type, filename = export_places(places, format, include_unlicensed_geometry=unlicensed)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
