"""Turning API input into model values, with a clear error for every way it can be wrong.

The shapes (text, days, numbers, choices, geometry) are pydantic types: the bodies of a place record
are built here from the one declaration of its attributes (gazetteer.fields), so a new attribute needs
no edit here. What needs the database or the naming rules (a category, a unit, a name) is checked by
the functions below, which raise ApiError.
"""

from typing import Annotated, Any, Literal

import pydantic
from ninja import Schema
from pydantic import BeforeValidator, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from boundaries.models import AdminUnit
from boundaries.services.queries import UnknownUnit, unit_by_code
from core.api import ApiError
from core.restapi import MAX_TEXT, Day, Flag, Geometry, OneOf, StrictSchema, Text, Version, validated
from core.text import text_problem
from gazetteer import fields
from gazetteer.models import Category, Place
from gazetteer.services.names import MAX_NAME_CHARS, name_problem

MAX_CODE = 20  # a category (5), unit (6, 9 or 12) or place (20) code


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


def text(value, field: str, max_length: int = MAX_TEXT) -> str:
    """Text no type has checked (a multipart field): storable, stripped, at most ``max_length``."""
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


def place_name(value: str, field: str = "name") -> str:
    """A name a place record may carry (gazetteer.services.names decides), or a 400 saying why not.
    ``value`` is text its type has checked (storable, stripped)."""
    problem = name_problem(value)
    if problem:
        raise ApiError(400, f"'{field}': {problem}", field=field)
    return value


# ---- the types of a place record's attributes -------------------------------------------------------


def _null_as_empty(value):
    return "" if value is None else value  # a text sent as null is cleared, as an empty one is


def _empty_as_null(value):
    return None if value == "" else value  # a day or a filter sent empty is none


def _metres(value):
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise PydanticCustomError("number", "must be a number")
    return value


def Prose(max_length: int = MAX_TEXT) -> Any:
    """Text that null clears (to empty), as the record's texts take it."""
    return Annotated[Text(max_length), BeforeValidator(_null_as_empty)]


OptionalDay = Annotated[Day | None, BeforeValidator(_empty_as_null)]
Metres = Annotated[Annotated[float, Field(ge=-500, le=9000)] | None, BeforeValidator(_metres)]
Code = Text(MAX_CODE)
# Null clears it. The schema inline: pydantic resolves every "$ref" it meets, and knows no Geometry.
OptionalGeometry = Geometry | None
Name = Text(MAX_NAME_CHARS, min_length=1)
Reason = Text(MAX_TEXT, min_length=1, description="Why: recorded in the change history.")


def _attribute_type(attribute: fields.Attribute) -> Any:
    """The type of an attribute (gazetteer.fields) in a body that writes the record."""
    if attribute.kind == fields.GEOMETRY:
        return OptionalGeometry
    if attribute.kind == fields.CATEGORY:
        return Code
    if attribute.kind == fields.UNIT:
        return Code | None
    if attribute.kind == fields.DATE:
        return OptionalDay
    if attribute.kind == fields.BOOLEAN:
        return Flag
    if attribute.kind == fields.NUMBER:
        return Metres
    if attribute.kind == fields.CHOICE:
        return OneOf(attribute.choices)
    if attribute.kind == fields.TEXT:
        return Prose(Place._meta.get_field(attribute.name).max_length or MAX_TEXT)
    return Prose()


def _leave_out_default(schema: dict) -> None:
    schema.pop("default", None)  # a member left out is not changed: there is no default to show


def _optional(attribute: fields.Attribute) -> tuple:
    extra = {"description": attribute.description} if attribute.description else {}
    return _attribute_type(attribute), Field(None, json_schema_extra=_leave_out_default, **extra)


ATTRIBUTES = {attribute.json_name: _optional(attribute) for attribute in fields.BY_OFFICERS}
STANDARD_NAME = (
    Text(MAX_NAME_CHARS),
    Field(
        None,
        description="The standard name, only as it is: it changes through a naming application.",
        json_schema_extra=_leave_out_default,
    ),
)
REQUIRED_CATEGORY = (Text(MAX_CODE, min_length=1), Field(description=fields.BY_NAME["category"].description))


class DecisionCited(StrictSchema):
    """The decision that made a name standard before it was registered here (the census, a government document)."""

    authority: Text(200) = Field(description="批准机关")
    document_number: Text(100) = Field(description="批准文号")
    decision_date: Day = Field(description="批准日期 (not in the future)")


PlaceCreate = create_model(
    "PlaceCreate",
    __base__=StrictSchema,
    __doc__="A new place-name record: its name, category and where it lies (geometry, unit or both). It is a "
    "candidate (候选地名) until the naming procedure makes the name standard, unless `decision` cites the "
    "decision that made it standard already (then it is registered as standard, 登记).",
    name=(Name, Field(description="The name (标准名称 once standard)")),
    reason=(Reason, ...),
    decision=(DecisionCited | None, Field(None, description="The decision that made the name standard, if any")),
    **{**ATTRIBUTES, "category": REQUIRED_CATEGORY},
)
PlaceUpdate = create_model(
    "PlaceUpdate",
    __base__=StrictSchema,
    __doc__="The members sent change (null clears one); the others stay. "
    "The standard name is not changed here: it changes through a naming application.",
    version=(Version, ...),
    reason=(Reason, ...),
    name=STANDARD_NAME,
    **ATTRIBUTES,
)
# A changeset's edit of a place (core.changesets): the attributes PATCH takes, without version and reason.
PlaceChanges = create_model("PlaceChanges", __base__=StrictSchema, name=STANDARD_NAME, **ATTRIBUTES)


def sent(body: pydantic.BaseModel, *, leave_out: tuple[str, ...] = ()) -> dict:
    """The members of ``body`` the client sent (an explicit null included), as their types read them."""
    return {name: getattr(body, name) for name in body.model_fields_set if name not in leave_out}


def place_changes(data: dict) -> dict:
    """The attributes of a changeset's edit of a place, checked as PATCH checks them (PlaceChanges);
    a problem is the same 400 naming the member."""
    return sent(validated(PlaceChanges, data))


def place_fields(values: dict) -> dict:
    """The attributes in ``values`` (by JSON member, as their types read them) as model values."""
    model_values = {}
    for attribute in fields.BY_OFFICERS:
        if attribute.json_name not in values:
            continue
        value = values[attribute.json_name]
        if attribute.kind == fields.CATEGORY:
            value = category(value)
        elif attribute.kind == fields.UNIT and value is not None:
            value = unit(value)
        model_values[attribute.name] = value
    return model_values


# ---- the filters of a list or an export --------------------------------------------------------------

# An empty value means any status, so the document lists it with the statuses.
StatusFilter = Annotated[
    Literal[tuple(Place.Status.values)] | None,
    BeforeValidator(_empty_as_null),
    WithJsonSchema({"type": "string", "enum": [*Place.Status.values, ""]}),
]


class PlaceFilters(Schema):
    category: Text(MAX_CODE, description="Category code; a class matches its sub-classes too", examples=["05100"]) = ""
    unit: Text(MAX_CODE, description="Unit code; the unit and everything below it", examples=["231084"]) = ""
    status: Annotated[StatusFilter, Field(description="Record status (empty: any)")] = None


def place_filters(filters: PlaceFilters) -> dict:
    """The filters as the keyword arguments of gazetteer.queries.filter_places."""
    return {
        "category": filters.category or None,
        "unit": unit(filters.unit) if filters.unit else None,
        "status": filters.status,
    }
