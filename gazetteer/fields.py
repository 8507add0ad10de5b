"""A place record's own attributes, declared once. The service's list of what an update may change,
the API's members and its parser's dispatch, the place files' text and date columns, the history
snapshot and the OpenAPI document's record body all read this table; a new attribute is one line here
(and its model field and migration)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from gazetteer.models import Place

# Kinds of value, each read and written one way.
PROSE = "prose"  # the record's descriptive texts (含义, 来历, 沿革, 描述, 资料来源)
TEXT = "text"
DATE = "date"
BOOLEAN = "boolean"
NUMBER = "number"
CHOICE = "choice"
CATEGORY = "category"  # a category, by its code
UNIT = "unit"  # an administrative unit, by its code
GEOMETRY = "geometry"


@dataclass(frozen=True)
class Attribute:
    name: str  # the model attribute
    kind: str
    member: str | None = None  # the JSON member, where it is not the attribute's name
    by_officers: bool = True  # officers write it (API, files); otherwise only the services set it
    choices: tuple[str, ...] = ()
    description: str = ""

    @property
    def json_name(self) -> str:
        return self.member or self.name


PLACE_ATTRIBUTES = (
    Attribute("category", CATEGORY, description="Category code, see /api/v1/categories"),
    Attribute("geom", GEOMETRY, member="geometry"),
    Attribute("unit", UNIT, description="Code of the containing unit (else found from the geometry)"),
    Attribute("meaning", PROSE),
    Attribute("origin", PROSE),
    Attribute("history", PROSE),
    Attribute("description", PROSE),
    Attribute("sources_text", PROSE),
    Attribute("named_on", DATE),
    Attribute("valid_from", DATE),
    Attribute("valid_to", DATE),
    Attribute("status", CHOICE, choices=tuple(Place.Status.values)),
    Attribute("is_public", BOOLEAN),
    Attribute("heritage_listed_on", DATE, description="地名文化遗产: the day the name was listed as heritage"),
    Attribute("heritage_reason", PROSE),
    Attribute("elevation_m", NUMBER),
    Attribute("survey_method", CHOICE, choices=tuple(Place.SurveyMethod.values)),
    Attribute("romanization", TEXT, description="An officer's romanization instead of the engine's"),
    Attribute("romanization_tones", TEXT),
    Attribute("registered_for", UNIT, by_officers=False),
)
BY_NAME = {a.name: a for a in PLACE_ATTRIBUTES}

# What an update may change (gazetteer.services.places), and what officers write (API, admin, files).
EDITABLE = tuple(a.name for a in PLACE_ATTRIBUTES)
BY_OFFICERS = tuple(a for a in PLACE_ATTRIBUTES if a.by_officers)
API_MEMBERS = tuple(a.json_name for a in BY_OFFICERS)
PROSE_FIELDS = tuple(a.name for a in PLACE_ATTRIBUTES if a.kind == PROSE)
DATE_FIELDS = tuple(a.name for a in PLACE_ATTRIBUTES if a.kind == DATE)


def snapshot_value(attribute: Attribute, place: Place):
    """The attribute as the history keeps it (plain JSON: codes for related records, ISO dates)."""
    value = getattr(place, attribute.name)
    if value is None:
        return None
    if attribute.kind == CATEGORY:
        return value.code
    if attribute.kind == UNIT:
        return value.code
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
