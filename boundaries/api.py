"""The administrative-unit API (read-only): thin views over boundaries.services."""

from __future__ import annotations

from boundaries.geojson import GEOMETRY_MODES, feature, feature_collection, with_children, with_geojson
from boundaries.models import AdminUnit, DivisionChange
from boundaries.services.queries import BadFilter, UnknownUnit, list_units, unit_by_code
from core.api import ApiError, api_view, parse_page
from core.http import json_error, json_response
from core.records import history_entries

GEOJSON = "application/geo+json"
# A page of units: every county's towns or a town's villages fit in one; the whole register takes several.
PAGE_SIZE = 200
MAX_PAGE_SIZE = 500


def _geometry_mode(request, default: str) -> str | None:
    mode = request.GET.get("geometry", default)
    return mode if mode in GEOMETRY_MODES else None


@api_view("GET", "HEAD")
def unit_detail(request, code: str):
    mode = _geometry_mode(request, "full")
    if mode is None:
        return json_error(400, f"geometry must be one of: {', '.join(GEOMETRY_MODES)}")
    try:
        unit = unit_by_code(code)
    except UnknownUnit:
        return json_error(404, f"no administrative unit has the code {code!r}", code=code)
    unit = (
        with_children(with_geojson(AdminUnit.objects.filter(pk=unit.pk), mode))
        .select_related("parent", "source", "geometry_source")
        .get()
    )
    return json_response(feature(unit), content_type=GEOJSON)


@api_view("GET", "HEAD")
def unit_list(request):
    mode = _geometry_mode(request, "simplified")
    if mode is None:
        return json_error(400, f"geometry must be one of: {', '.join(GEOMETRY_MODES)}")
    levels = [level for value in request.GET.getlist("level") for level in value.split(",") if level]
    try:
        limit, offset = parse_page(request.GET, default_limit=PAGE_SIZE, max_limit=MAX_PAGE_SIZE)
        units = list_units(levels=levels, parent_code=request.GET.get("parent") or None)
    except ApiError as exc:
        return json_error(exc.status, exc.message, **exc.details)
    except BadFilter as exc:
        return json_error(400, str(exc))
    except UnknownUnit as exc:
        return json_error(404, f"no administrative unit has the code {exc.args[0]!r}", code=exc.args[0])
    page = with_children(with_geojson(units.order_by("code"), mode))[offset : offset + limit]
    collection = feature_collection(page)
    return json_response({**collection, "count": units.count(), "offset": offset, "limit": limit}, content_type=GEOJSON)


@api_view("GET", "HEAD")
def unit_history(request, code: str):
    try:
        unit = unit_by_code(code)
    except UnknownUnit:
        return json_error(404, f"no administrative unit has the code {code!r}", code=code)
    versions = unit.versions.select_related("changeset").order_by("version")
    changes = DivisionChange.objects.filter(unit=unit).order_by("year", "id")
    return json_response(
        {
            "code": unit.code,
            "versions": history_entries(versions),
            "division_changes": [
                {
                    "year": c.year,
                    "kind": c.kind,
                    "kind_zh": c.get_kind_display(),
                    "old_code": c.old_code,
                    "old_name": c.old_name,
                    "new_code": c.new_code,
                    "new_name": c.new_name,
                    "is_noise": c.is_noise,
                    "noise_reason": c.noise_reason,
                }
                for c in changes
            ],
        }
    )
