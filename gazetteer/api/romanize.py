"""GET /api/v1/romanize?name=…: the standard romanization of a place name (a thin view over romanize)."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from core.api import api_view
from core.http import json_error, json_response
from gazetteer.romanization import romanize
from gazetteer.romanization.readings import is_han

MAX_NAME_LENGTH = 100


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be romanized, or None."""
    if not name:
        return "the query parameter 'name' is required, e.g. ?name=牡丹江市"
    if len(name) > MAX_NAME_LENGTH:
        return f"'name' is longer than {MAX_NAME_LENGTH} characters"
    if not any(is_han(ch) or (ch.isascii() and ch.isalpha()) for ch in name):
        return "'name' has no Chinese character and no letter"
    return None


@api_view("GET", "HEAD")
def romanize_view(request: HttpRequest) -> JsonResponse:
    name = request.GET.get("name", "").strip()
    problem = name_problem(name)
    if problem is None:
        try:
            return json_response(romanize(name).as_dict())
        except ValueError as exc:
            problem = str(exc)
    return json_error(400, problem, parameter="name")
