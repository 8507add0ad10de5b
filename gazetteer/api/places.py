"""The place-record API: thin views over gazetteer.services, permissions from gazetteer.permissions."""

from __future__ import annotations

from core.api import ApiError, api_view, json_body, only, parse_date, parse_int, parse_page, query_date, require
from core.history import VersionConflict, open_changeset
from core.http import json_response
from core.models import Changeset
from gazetteer import representation
from gazetteer.api import inputs
from gazetteer.models import Category, Place, PlaceName
from gazetteer.permissions import Action, can, visible_places
from gazetteer.queries import filter_places, visible_place, with_record_relations
from gazetteer.services import places as place_service

GEOJSON = "application/geo+json"
# A page of the list is cheap for anyone to ask for; whole sets are exports and open-data files.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100


def _place(request, code: str) -> Place:
    place = visible_place(request.user, code)
    if place is None:
        raise ApiError(404, f"no place record has the code {code!r}", code=code)
    return place


def _forbid_unless(request, action: Action, place: Place | None = None, counties: set[int] | None = None):
    forbid_unless(request.user, action, place, counties)


def forbid_unless(user, action: Action, place: Place | None = None, counties: set[int] | None = None):
    if not user.is_authenticated:
        raise ApiError(401, "log in or send 'Authorization: Token <key>'")
    if not can(user, action, place, counties=counties):
        raise ApiError(
            403,
            f"your role does not allow '{action}' here"
            + (" (this record lies outside your counties)" if action != Action.DECIDE else ""),
        )


def _changeset(request, data: dict, kind=Changeset.Kind.EDIT) -> Changeset:
    return open_changeset(kind, inputs.text(require(data, "reason"), "reason"), author=request.user)


@api_view("GET", "POST")
def place_collection(request):
    if request.method == "POST":
        return _create(request)
    params = request.GET
    places = filter_places(
        visible_places(request.user, Place.objects.all()), **inputs.place_filters(params, by_name=True)
    )
    limit, offset = parse_page(params, default_limit=PAGE_SIZE, max_limit=MAX_PAGE_SIZE)
    total = places.count()
    geometry = params.get("geometry", "full")
    if geometry not in ("full", "none"):
        raise ApiError(400, "geometry must be full or none", field="geometry")
    with_geometry = geometry == "full"
    page = with_record_relations(places).order_by("code")
    page = (representation.with_geojson(page) if with_geometry else page.defer("geom"))[offset : offset + limit]
    return json_response(
        {
            "type": "FeatureCollection",
            "count": total,
            "offset": offset,
            "limit": limit,
            "features": [representation.feature(p, with_geometry=with_geometry) for p in page],
        },
        content_type=GEOJSON,
    )


def _create(request):
    data = only(json_body(request), (*inputs.PLACE_FIELDS, "name", "reason"))
    name = inputs.place_name(require(data, "name"))
    fields = inputs.place_fields(data)
    if "category" not in fields:
        raise ApiError(400, "'category' is required", field="category")
    counties = _landing(None, fields)
    geom, unit = fields.pop("geom", None), fields.pop("unit", None)
    if not counties:
        raise ApiError(400, "the place lies in no county of the territory: give a geometry inside it or a unit")
    _forbid_unless(request, Action.CREATE, counties=counties)
    romanization = None
    if fields.get("romanization"):
        romanization = (fields.pop("romanization"), fields.pop("romanization_tones", "") or fields.get("romanization"))
    try:
        place = place_service.create_place(
            changeset=_changeset(request, data),
            name=name,
            geom=geom,
            unit=unit,
            romanization=romanization,
            registered_by=request.user,
            **fields,
        )
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None
    response = json_response(representation.feature(_place(request, place.code)), status=201, content_type=GEOJSON)
    response["Location"] = f"/api/v1/places/{place.code}"
    return response


@api_view("GET", "PATCH")
def place_detail(request, code: str):
    place = _place(request, code)
    if request.method == "PATCH":
        return _update(request, place)
    day = query_date(request.GET, "at")
    if day is not None:
        as_of = representation.feature_on(place, day)
        if as_of is None:
            raise ApiError(404, f"place {code} did not exist on {day}", code=code, at=day.isoformat())
        return json_response(as_of, content_type=GEOJSON)
    return json_response(representation.feature(place), content_type=GEOJSON)


def _landing(place: Place | None, changes: dict) -> set[int]:
    try:
        return place_service.landing_counties(place, changes)
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc), field="unit") from None


def _conflict(exc: VersionConflict) -> ApiError:
    return ApiError(409, str(exc), your_version=exc.expected_version, current_version=exc.current_version)


def checked_changes(user, place: Place, data: dict) -> dict:
    """The changes an edit of the place may make, read from the attributes as sent, with the user's
    right to make them checked where the record is and where it would land. The PATCH endpoint and
    the changesets (gazetteer.api.changeset_kinds) both ask this."""
    if "name" in data and data["name"] != place.name:
        raise ApiError(
            400, "the standard name changes through a naming application (/api/v1/naming-applications)", field="name"
        )
    changes = inputs.place_fields({k: v for k, v in data.items() if k != "name"})
    forbid_unless(user, Action.UPDATE, place)
    if "geom" in changes or "unit" in changes:
        forbid_unless(user, Action.UPDATE, counties=_landing(place, changes))
    return changes


def _update(request, place: Place):
    data = only(json_body(request), (*inputs.PLACE_FIELDS, "name", "reason", "version"))
    version = parse_int(require(data, "version", int), "version")
    changes = checked_changes(request.user, place, {k: v for k, v in data.items() if k not in {"version", "reason"}})
    try:
        place_service.update_place(
            place, changeset=_changeset(request, data), changes=changes, expected_version=version
        )
    except VersionConflict as exc:
        raise _conflict(exc) from None
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(representation.feature(_place(request, place.code)), content_type=GEOJSON)


@api_view("POST", login_required=True)
def place_names(request, code: str):
    """Add an alias, short name, map name or former name."""
    place = _place(request, code)
    data = only(json_body(request), ("kind", "name", "version", "reason", "valid_from", "valid_to", "note"))
    _forbid_unless(request, Action.UPDATE, place)
    kind = require(data, "kind")
    if kind not in (PlaceName.Kind.ALIAS, PlaceName.Kind.SHORT, PlaceName.Kind.MAP, PlaceName.Kind.FORMER):
        raise ApiError(
            400, "kind must be alias, short, map or former (the standard name changes by application)", field="kind"
        )
    try:
        place_service.add_name(
            place,
            inputs.place_name(require(data, "name")),
            kind,
            changeset=_changeset(request, data),
            expected_version=parse_int(require(data, "version", int), "version"),
            valid_from=parse_date(data.get("valid_from"), "valid_from"),
            valid_to=parse_date(data.get("valid_to"), "valid_to"),
            note=inputs.text(data.get("note"), "note"),
        )
    except VersionConflict as exc:
        raise _conflict(exc) from None
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(representation.feature(_place(request, code)), status=201, content_type=GEOJSON)


@api_view("POST", login_required=True)
def place_retire(request, code: str):
    place = _place(request, code)
    data = only(json_body(request), ("valid_to", "version", "reason"))
    _forbid_unless(request, Action.RETIRE, place)
    valid_to = parse_date(require(data, "valid_to"), "valid_to")
    try:
        place_service.retire_place(
            place,
            changeset=_changeset(request, data),
            valid_to=valid_to,
            expected_version=parse_int(require(data, "version", int), "version"),
        )
    except VersionConflict as exc:
        raise _conflict(exc) from None
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(representation.feature(_place(request, code)), content_type=GEOJSON)


@api_view("GET")
def place_history(request, code: str):
    return json_response(representation.history(_place(request, code)))


@api_view("GET", "HEAD")
def categories(request):
    rows = Category.objects.select_related("parent").order_by("code")
    return json_response(
        [
            {
                "code": c.code,
                "name": c.name_zh,
                "name_en": c.name_en,
                "parent": c.parent.code if c.parent else None,
                "geometry": c.geometry,
            }
            for c in rows
        ]
    )
