"""The administrative-unit API (read-only): thin views over boundaries.services, declared on ``router``
(config.api mounts it under /api/v1/); what they answer is described in boundaries.openapi."""

from ninja import Query, Router

from boundaries.geojson import GEOMETRY_MODES, feature, feature_collection, with_children, with_geojson
from boundaries.levels import Level
from boundaries.models import AdminUnit, DivisionChange
from boundaries.services.licensing import full_geometry_released
from boundaries.services.queries import BadFilter, UnknownUnit, list_units, unit_by_code
from core.api import ApiError
from core.http import json_response
from core.records import history_entries
from core.restapi import GEOJSON, Answer, OneOf, Page, Text, endpoint

router = Router()
# A page of units: every county's towns or a town's villages fit in one; the whole register takes several.
PAGE_SIZE = 200
MAX_PAGE_SIZE = 500
UnitCodeParam = Text(12, description="Current, former or statistical code (6, 9 or 12 digits)", examples=["231084"])
GEOMETRY_WORDS = (
    "Polygon detail (or the seat point where there is none). `full` gives a polygon whose source never "
    "licensed it openly at full precision to the bureau's staff only; others get its generalised outline "
    "(about 50 m), marked `geometry_generalised` (boundaries.services.licensing)."
)
GeometryMode = OneOf(GEOMETRY_MODES, GEOMETRY_WORDS)


def _unit(code: str) -> AdminUnit:
    try:
        return unit_by_code(code)
    except UnknownUnit:
        raise ApiError(404, f"no administrative unit has the code {code!r}", code=code) from None


class UnitFilters(Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    level: Text(200, description=f"Comma-separated levels: {', '.join(Level.values)}", examples=["town,township"]) = ""
    parent: Text(12, description="Code of the parent unit", examples=["231084"]) = ""
    geometry: GeometryMode = "simplified"


@endpoint(
    router,
    "GET",
    "/units",
    operation_id="listUnits",
    summary="Administrative units",
    tag="units",
    answers=Answer("Current units, by code", "UnitCollection", GEOJSON),
    errors=("400", "404"),
    description="Default geometry: simplified.",
    url_name="unit-list",
)
def unit_list(request, filters: Query[UnitFilters]):
    levels = [level for value in request.GET.getlist("level") for level in value.split(",") if level]
    try:
        units = list_units(levels=levels, parent_code=filters.parent or None)
    except BadFilter as exc:
        raise ApiError(400, str(exc)) from None
    except UnknownUnit as exc:
        raise ApiError(404, f"no administrative unit has the code {exc.args[0]!r}", code=exc.args[0]) from None
    released = full_geometry_released(request.user)
    page = with_children(with_geojson(units.order_by("code"), filters.geometry, released=released))
    page = page[filters.offset : filters.offset + filters.limit]
    collection = feature_collection(page)
    return json_response(
        {**collection, "count": units.count(), "offset": filters.offset, "limit": filters.limit},
        content_type=GEOJSON,
    )


@endpoint(
    router,
    "GET",
    "/units/{code}",
    operation_id="getUnit",
    summary="One administrative unit",
    tag="units",
    answers=Answer("The unit (a former code finds today's unit)", "Unit", GEOJSON),
    errors=("400", "404"),
    url_name="unit-detail",
)
def unit_detail(request, code: UnitCodeParam, geometry: GeometryMode = Query("full", description=GEOMETRY_WORDS)):
    unit = _unit(code)
    unit = (
        with_children(
            with_geojson(AdminUnit.objects.filter(pk=unit.pk), geometry, released=full_geometry_released(request.user))
        )
        .select_related("parent", "source", "geometry_source")
        .get()
    )
    return json_response(feature(unit), content_type=GEOJSON)


@endpoint(
    router,
    "GET",
    "/units/{code}/history",
    operation_id="getUnitHistory",
    summary="Versions and division changes of a unit",
    tag="units",
    answers=Answer("History", "UnitHistory"),
    errors=("404",),
    url_name="unit-history",
)
def unit_history(request, code: UnitCodeParam):
    unit = _unit(code)
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
