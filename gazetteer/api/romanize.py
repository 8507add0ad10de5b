"""GET /api/v1/romanize?name=…: the standard romanization of a place name (a thin view over romanize),
declared on ``router`` (config.api mounts it under /api/v1/)."""

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from core.http import json_error, json_response
from core.restapi import Answer, Text, endpoint
from gazetteer.romanization import romanize
from gazetteer.romanization.readings import is_han

router = Router()

MAX_NAME_LENGTH = 100
# Longer than MAX_NAME_LENGTH is refused by the type ("'name' is longer than 100 characters").
RomanizedName = Text(MAX_NAME_LENGTH)


def name_problem(name: str) -> str | None:
    """Why ``name`` (stripped; its length is the type's rule) cannot be romanized, or None."""
    if not name:
        return "the query parameter 'name' is required, e.g. ?name=牡丹江市"
    if not any(is_han(ch) or (ch.isascii() and ch.isalpha()) for ch in name):
        return "'name' has no Chinese character and no letter"
    return None


@endpoint(
    router,
    "GET",
    "/romanize",
    operation_id="romanize",
    summary="Romanize a place name (GB/T 16159, place-name readings)",
    tag="romanization",
    answers=Answer("The romanization and its parts", "Romanization"),
    errors=("400",),
    url_name="romanize",
)
def romanize_name(
    request: HttpRequest, name: RomanizedName = Query(..., description="A name", examples=["穆棱市"])
) -> HttpResponse:
    name = name.strip()
    problem = name_problem(name)
    if problem is None:
        try:
            return json_response(romanize(name).as_dict())
        except ValueError as exc:
            problem = str(exc)
    return json_error(400, problem, parameter="name")
