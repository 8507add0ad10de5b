"""The administrative-unit API (read-only): thin views over boundaries.services, declared on ``router``
(config.api mounts it under /api/v1/); what they answer is described in boundaries.openapi."""

import datetime as dt

from ninja import Query, Router
from pydantic import Field

from boundaries.geojson import GEOMETRY_MODES, feature, feature_collection, with_children, with_geojson
from boundaries.levels import Level
from boundaries.models import AdminUnit, DivisionChange
from boundaries.services.licensing import full_geometry_released
from boundaries.services.queries import (
    BadFilter,
    DivisionHistory,
    UnknownUnit,
    as_it_stood,
    list_units,
    unit_by_code,
)
from core.api import ApiError
from core.http import json_response
from core.records import history_entries
from core.restapi import GEOJSON, Answer, Day, OneOf, Page, Text, endpoint

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


AT_WORDS = (
    "The divisions as they stood on this day: the units that existed then, with the code, name and level "
    "they had (东宁县 231024 in 2010), their parents and children of that day; the geometry is the one "
    "known today (`geometry_as_of`)."
)


class UnitFilters(Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    level: Text(200, description=f"Comma-separated levels: {', '.join(Level.values)}", examples=["town,township"]) = ""
    parent: Text(12, description="Code of the parent unit", examples=["231084"]) = ""
    geometry: GeometryMode = "simplified"
    at: Day | None = Field(None, description=AT_WORDS)


def _as_of(feature: dict, unit: AdminUnit, day: dt.date | None, history: DivisionHistory | None = None) -> dict:
    """A unit's feature as it stood on ``day`` (boundaries.services.queries.as_it_stood)."""
    if day is None:
        return feature
    history = history or DivisionHistory()
    props = feature["properties"]
    props["current"] = {"code": unit.code, "name": unit.name, "level": unit.level}
    props.update(as_it_stood(unit, day, history))
    props["parent"] = as_it_stood(unit.parent, day, history) if unit.parent_id else None
    children = unit.children.valid_at(day).order_by("code").only("pk", "code", "name", "level", "tier")
    props["children"] = [as_it_stood(child, day, history) for child in children]
    props["as_of"] = day.isoformat()
    props["geometry_as_of"] = "today: the outline of that day is not recorded"
    feature["id"] = props["code"]
    return feature


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
        units = list_units(levels=levels, parent_code=filters.parent or None, at=filters.at)
    except BadFilter as exc:
        raise ApiError(400, str(exc)) from None
    except UnknownUnit as exc:
        raise ApiError(404, f"no administrative unit has the code {exc.args[0]!r}", code=exc.args[0]) from None
    released = full_geometry_released(request.user)
    page = with_children(with_geojson(units.order_by("code"), filters.geometry, released=released))
    page = list(page[filters.offset : filters.offset + filters.limit])
    collection = feature_collection(page)
    history = DivisionHistory() if filters.at else None
    collection["features"] = [
        _as_of(f, unit, filters.at, history) for f, unit in zip(collection["features"], page, strict=True)
    ]
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
def unit_detail(
    request,
    code: UnitCodeParam,
    geometry: GeometryMode = Query("full", description=GEOMETRY_WORDS),
    at: Day | None = Query(None, description=AT_WORDS),
):
    unit = _unit(code)
    if at is not None and not AdminUnit.objects.valid_at(at).filter(pk=unit.pk).exists():
        raise ApiError(404, f"{unit.name} ({unit.code}) did not exist on {at}", code=code)
    unit = (
        with_children(
            with_geojson(AdminUnit.objects.filter(pk=unit.pk), geometry, released=full_geometry_released(request.user))
        )
        .select_related("parent", "source", "geometry_source")
        .get()
    )
    return json_response(_as_of(feature(unit), unit, at), content_type=GEOJSON)


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
