"""The bureau's township file over the API: a thin view over boundaries.services.township_import,
declared on ``router`` (config.api mounts it under /api/v1/, before the units' router).

- POST /units/{code}/townships/import (multipart: ``file`` a zipped shapefile or a GeoPackage,
  ``reason``, ``dry_run`` default true, optional ``code_field``, ``name_field``, ``encoding``): 200 with
  the report of a dry run, 201 with the report of an import that was written; 400 with the report as
  ``report`` when a finding blocks (nothing written), 400 for a file that cannot be read as a township
  file (its message says why: no .prj, another datum, not a zip, ...), 413 above
  settings.IMPORT_MAX_BYTES. For administrators and the officers of that county.
"""

from __future__ import annotations

from typing import Annotated

from ninja import Path, Router

from accounts.roles import may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.services import township_import as service
from core.api import ApiError
from core.http import json_error, json_response
from core.restapi import FILE, MAX_TEXT, OFFICERS, WRITE_ERRORS, Answer, endpoint
from core.text import text_problem

router = Router()

CountyCode = Annotated[str, Path(pattern=r"^\d{6}$", description="The county's 6-digit code", examples=["231083"])]
OPTION_MAX = 40
TEXT = {"type": "string", "maxLength": OPTION_MAX}
FORM = {
    "type": "object",
    "properties": {
        "file": {**FILE, "description": "A zipped shapefile (.shp, .shx, .dbf, .prj, .cpg) or a GeoPackage"},
        "reason": {"type": "string", "maxLength": MAX_TEXT, "description": "Why: in the history (required to write)"},
        "dry_run": {"type": "string", "enum": ["true", "false"], "default": "true"},
        "code_field": {**TEXT, "description": "The attribute holding the 9-digit code (else CODE, XZQDM, code)"},
        "name_field": {**TEXT, "description": "The attribute holding the name (else NAME, XZQMC, name)"},
        "encoding": {**TEXT, "description": "The .dbf's text encoding when there is no .cpg (GBK, UTF-8)"},
    },
    "required": ["file"],
}
FINDING = {
    "type": "object",
    "properties": {
        "kind": {"type": "string"},
        "message": {"type": "string"},
        "blocking": {"type": "boolean"},
        "row": {"type": ["integer", "null"]},
        "code": {"type": ["string", "null"]},
        "lon": {"type": ["number", "null"]},
        "lat": {"type": ["number", "null"]},
    },
    "required": ["kind", "message", "blocking"],
}
REPORT = {
    "type": "object",
    "description": "What the township file says and what the import did (or would do)",
    "properties": {
        "county": {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}},
        "file": {"type": "string"},
        "kind": {"type": "string", "enum": ["shp", "gpkg"]},
        "crs": {"type": "string", "description": "The file's coordinate system (reprojected to CGCS2000)"},
        "encoding": {"type": ["string", "null"]},
        "dry_run": {"type": "boolean"},
        "ok": {"type": "boolean", "description": "No finding blocks"},
        "applied": {"type": "boolean"},
        "changeset": {"type": ["integer", "null"]},
        "effective": {"type": ["string", "null"], "format": "date"},
        "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
        "findings": {"type": "array", "items": FINDING},
        "townships": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "row": {"type": "integer"},
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "area_km2": {"type": "number"},
                },
            },
        },
        "lines": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "code": {"type": "string"},
                    "name": {"type": "string"},
                    "length_m": {"type": ["number", "null"]},
                    "change": {"type": "string", "enum": ["created", "updated", "unchanged", "ended"]},
                },
            },
        },
        "figures": {"type": "object", "additionalProperties": {"type": "number"}},
    },
    "required": ["county", "file", "dry_run", "ok", "applied", "findings", "townships", "lines"],
}
OUTPUT_SCHEMAS = {"TownshipImportReport": REPORT}


def _county(code: str) -> AdminUnit:
    county = AdminUnit.objects.current().filter(code=code, tier=Tier.COUNTY).first()
    if county is None:
        raise ApiError(404, f"no current county-level unit has the code {code}")
    return county


def _option(request, name: str, max_length: int = OPTION_MAX) -> str | None:
    value = request.POST.get(name)
    if value in (None, ""):
        return None
    problem = text_problem(value)
    if problem:
        raise ApiError(400, f"'{name}' {problem}", field=name)
    if len(value) > max_length:
        raise ApiError(400, f"'{name}' is longer than {max_length} characters", field=name)
    return value.strip()


def _dry_run(request) -> bool:
    value = (request.POST.get("dry_run") or "true").lower()
    if value not in {"true", "false"}:
        raise ApiError(400, "'dry_run' must be true or false", field="dry_run")
    return value == "true"


@endpoint(
    router,
    "POST",
    "/units/{code}/townships/import",
    operation_id="importTownships",
    summary="Import a county's township polygons from the bureau's file (dry run by default)",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("Dry run: the report, nothing written", "TownshipImportReport"),
        Answer("Written: the report (one changeset)", "TownshipImportReport", status="201"),
    ],
    errors=WRITE_ERRORS,
    description="Each feature names its township by its 9-digit code. The townships must tile the county: the "
    "county's stored outline is the truth, slivers up to the tolerance are snapped, wider gaps, overlaps and "
    "overhangs are findings with where they are. Unknown codes, codes outside the county and duplicates block; "
    "a township the file leaves out is listed and keeps what it had. Written: every township's polygon (a new "
    "version, dated) and the township-level lines between neighbours. On 400 a blocked import carries the report "
    "as `report`. A township imported so is not edited by hand afterwards: import again.",
    request_body={"required": True, "content": {"multipart/form-data": {"schema": FORM}}},
    url_name="township-import",
)
def township_import(request, code: CountyCode):
    county = _county(code)
    if not may_write_in(request.user, {county.pk}):
        raise ApiError(403, f"the townships of {county.name} are imported by its officers or an administrator")
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, "send the file as multipart/form-data (fields 'file', 'reason', 'dry_run')")
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(400, "send the file as the multipart field 'file'", field="file")
    dry_run = _dry_run(request)
    reason = _option(request, "reason", MAX_TEXT) or ""
    if not dry_run and not reason:
        raise ApiError(400, "'reason' is required for an import that writes", field="reason")
    options = {name: _option(request, name) for name in ("code_field", "name_field", "encoding")}
    try:
        report = service.import_townships(county, upload, reason=reason, user=request.user, dry_run=dry_run, **options)
    except service.ImportRefused as exc:
        raise ApiError(exc.status, exc.message, field=exc.field) from None
    if not report.ok:
        blocking = [f for f in report.findings if f.blocking]
        message = f"{len(blocking)} finding(s) block the import, nothing was written; the first: {blocking[0].message}"
        return json_error(400, message, report=report.as_dict())
    return json_response(report.as_dict(), status=200 if dry_run else 201)
