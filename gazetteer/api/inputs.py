"""Turning API input into model values, with a clear error for every way it can be wrong."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry

from boundaries.models import AdminUnit
from boundaries.services.queries import UnknownUnit, unit_by_code
from core.api import ApiError, geojson_geometry, parse_date
from core.text import text_problem
from gazetteer import fields
from gazetteer.models import Category, Place
from gazetteer.services.names import name_problem

TEXT_FIELDS = fields.PROSE_FIELDS
MAX_TEXT = 20_000


def category(code) -> Category:
    found = Category.objects.filter(code=str(code)).first() if code not in (None, "") else None
    if found is None:
        raise ApiError(400, f"unknown category {code!r}; see /api/v1/categories", field="category")
    return found


def unit(code) -> AdminUnit:
    try:
        return unit_by_code(str(code))
    except UnknownUnit:
        raise ApiError(400, f"unknown administrative unit {code!r}", field="unit") from None


def geometry(value) -> GEOSGeometry:
    return geojson_geometry(value)


def text(value, field: str, max_length: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ApiError(400, f"'{field}' must be text", field=field)
    problem = text_problem(value)
    if problem:
        raise ApiError(400, f"'{field}' {problem}", field=field)
    if len(value.strip()) > max_length:
        raise ApiError(400, f"'{field}' is longer than {max_length} characters", field=field)
    return value.strip()


def column_text(value, model, field: str, *, name: str | None = None) -> str:
    """Text for a model's column: as long as the column allows, and no longer."""
    return text(value, name or field, model._meta.get_field(field).max_length or MAX_TEXT)


def place_name(value, field: str = "name") -> str:
    """A name a place record may carry (gazetteer.services.names decides), or a 400 saying why not."""
    name = text(value, field)
    problem = name_problem(name)
    if problem:
        raise ApiError(400, f"'{field}': {problem}", field=field)
    return name


def boolean(value, field: str) -> bool:
    if not isinstance(value, bool):
        raise ApiError(400, f"'{field}' must be true or false", field=field)
    return value


# The members a place record's JSON may carry when it is written (place_fields reads them).
PLACE_FIELDS = fields.API_MEMBERS


def place_fields(data: dict) -> dict:
    """The editable attributes present in ``data`` as model values (names are handled apart)."""
    values = {}
    if "category" in data:
        values["category"] = category(data["category"])
    if "geometry" in data:
        values["geom"] = None if data["geometry"] is None else geometry(data["geometry"])
    if "unit" in data:
        values["unit"] = None if data["unit"] is None else unit(data["unit"])
    for field in TEXT_FIELDS:
        if field in data:
            values[field] = text(data[field], field)
    for field in fields.DATE_FIELDS:
        if field in data:
            values[field] = parse_date(data[field], field)
    if "status" in data:
        if data["status"] not in Place.Status.values:
            raise ApiError(400, f"status must be one of {', '.join(Place.Status.values)}", field="status")
        values["status"] = data["status"]
    if "is_public" in data:
        values["is_public"] = boolean(data["is_public"], "is_public")
    if "elevation_m" in data:
        elevation = data["elevation_m"]
        if elevation is not None and (isinstance(elevation, bool) or not isinstance(elevation, int | float)):
            raise ApiError(400, "'elevation_m' must be a number", field="elevation_m")
        if elevation is not None and not -500 <= elevation <= 9000:
            raise ApiError(400, "'elevation_m' must lie between -500 and 9000 metres", field="elevation_m")
        values["elevation_m"] = data["elevation_m"]
    if "survey_method" in data:
        if data["survey_method"] not in Place.SurveyMethod.values:
            raise ApiError(400, f"survey_method must be one of {Place.SurveyMethod.values}", field="survey_method")
        values["survey_method"] = data["survey_method"]
    for field in ("romanization", "romanization_tones"):
        if field in data:
            values[field] = column_text(data[field], Place, field)
    return values


def status(value: str | None) -> str | None:
    if value and value not in Place.Status.values:
        raise ApiError(400, f"status must be one of {', '.join(Place.Status.values)}", field="status")
    return value or None


def place_filters(params, *, by_name: bool = False) -> dict:
    """The list filters of a query string (category, unit, status and, for the list, name) as the
    keyword arguments of gazetteer.queries.filter_places."""
    filters = {
        "category": params.get("category"),
        "unit": unit(params["unit"]) if params.get("unit") else None,
        "status": status(params.get("status")),
    }
    if by_name:
        filters["name"] = params.get("name")
    return filters
