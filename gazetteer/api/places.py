"""The place-record API: thin views over gazetteer.services, permissions from gazetteer.permissions,
declared on ``router`` (config.api mounts it under /api/v1/). The bodies' types are in
gazetteer.api.inputs, built from the record's attributes (gazetteer.fields)."""

import contextlib
from typing import Annotated

from ninja import Path, Query, Router
from pydantic import Field

from core.api import ApiError
from core.history import open_changeset
from core.http import json_response
from core.models import Changeset
from core.restapi import (
    GEOJSON,
    MAX_TEXT,
    OFFICERS,
    Answer,
    Day,
    Json,
    OneOf,
    Page,
    StrictSchema,
    Text,
    Version,
    endpoint,
)
from gazetteer import representation
from gazetteer.api import inputs
from gazetteer.models import Category, Place, PlaceName
from gazetteer.permissions import Action, can, visible_places
from gazetteer.queries import filter_places, visible_place, with_record_relations
from gazetteer.services import geometry_provenance, standing
from gazetteer.services import places as place_service

router = Router()

PLACES = "places"
# A page of the list is cheap for anyone to ask for; whole sets are exports and open-data files.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# No length limit of 20: a longer code is a record that does not exist (404), not a malformed request.
PlaceCode = Annotated[Text(), Path(description="20-digit place code", examples=["23108410104300000001"])]
# The names the record's own endpoint adds; the standard name changes through a naming application.
ADDED_NAME_KINDS = tuple(
    kind.value for kind in (PlaceName.Kind.ALIAS, PlaceName.Kind.SHORT, PlaceName.Kind.MAP, PlaceName.Kind.FORMER)
)


def _place(request, code: str) -> Place:
    place = visible_place(request.user, code)
    if place is None:
        raise ApiError(404, f"no place record has the code {code!r}", code=code)
    return place


def forbid_unless(user, action: Action, place: Place | None = None, counties: set[int] | None = None):
    if not user.is_authenticated:
        raise ApiError(401, "log in or send 'Authorization: Token <key>'")
    if not can(user, action, place, counties=counties):
        raise ApiError(
            403,
            f"your role does not allow '{action}' here"
            + (" (this record lies outside your counties)" if action != Action.DECIDE else ""),
        )


def _changeset(request, reason: str, kind=Changeset.Kind.EDIT) -> Changeset:
    return open_changeset(kind, reason, author=request.user)


def _landing(place: Place | None, changes: dict) -> set[int]:
    try:
        return place_service.landing_counties(place, changes)
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc), field="unit") from None


@contextlib.contextmanager
def _place_rules():
    """A rule of the place service refusing the write: 400 with its reason (a stale version is the
    API's 409, core.restapi.version_conflict)."""
    try:
        yield
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None


def _feature(request, code: str, status: int = 200):
    return json_response(representation.feature(_place(request, code)), status=status, content_type=GEOJSON)


# ---- the list and a new record ----------------------------------------------------------------------


class PlaceList(inputs.PlaceFilters, Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    name: Text(MAX_TEXT, description="Part of any of its names", examples=["宁安"]) = ""
    geometry: OneOf(["full", "none"], "none leaves geometry out") = "full"


@endpoint(
    router,
    "GET",
    "/places",
    operation_id="listPlaces",
    summary="Place-name records",
    tag=PLACES,
    answers=Answer("A page of records, by code", "PlaceCollection", GEOJSON),
    errors=("400",),
    public=True,
    description="Anonymous users see public records only.",
    url_name="place-list",
)
def place_list(request, query: Query[PlaceList]):
    places = filter_places(
        visible_places(request.user, Place.objects.all()), **inputs.place_filters(query), name=query.name or None
    )
    total = places.count()
    with_geometry = query.geometry == "full"
    page = with_record_relations(places).order_by("code")
    page = (representation.with_geojson(page) if with_geometry else page.defer("geom"))[
        query.offset : query.offset + query.limit
    ]
    return json_response(
        {
            "type": "FeatureCollection",
            "count": total,
            "offset": query.offset,
            "limit": query.limit,
            "features": _released(request, [(p, representation.feature(p, with_geometry=with_geometry)) for p in page]),
        },
        content_type=GEOJSON,
    )


@endpoint(
    router,
    "POST",
    "/places",
    operation_id="createPlace",
    summary="Register a new record (a candidate, or a standard name citing its decision)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The new record (Location header)", "Place", GEOJSON, status="201"),
    url_name="place-list-post",
)
def place_create(request, body: Json[inputs.PlaceCreate]):
    name = inputs.place_name(body.name)
    fields = inputs.place_fields(inputs.sent(body, leave_out=("name", "reason", "decision")))
    counties = _landing(None, fields)
    geom, unit = fields.pop("geom", None), fields.pop("unit", None)
    if not counties:
        raise ApiError(400, "the place lies in no county of the territory: give a geometry inside it or a unit")
    forbid_unless(request.user, Action.CREATE, counties=counties)
    romanization = None
    if fields.get("romanization"):
        romanization = (fields.pop("romanization"), fields.pop("romanization_tones", "") or fields.get("romanization"))
    with _place_rules():
        cited = body.decision
        decision = cited and standing.Decision.from_values(cited.authority, cited.document_number, cited.decision_date)
        place = place_service.create_place(
            changeset=_changeset(request, body.reason),
            name=name,
            geom=geom,
            unit=unit,
            romanization=romanization,
            decision=decision,
            registered_by=request.user,
            **fields,
        )
    response = _feature(request, place.code, status=201)
    response["Location"] = f"/api/v1/places/{place.code}"
    return response


# ---- one record ---------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/places/{code}",
    operation_id="getPlace",
    summary="One record, now or as it stood on a day",
    tag=PLACES,
    answers=Answer("The record", "Place", GEOJSON),
    errors=("400", "404"),
    public=True,
    url_name="place-detail",
)
def place_detail(
    request,
    code: PlaceCode,
    at: Day | None = Query(None, description="Show the record as it stood on this day", examples=["2020-01-01"]),
):
    place = _place(request, code)
    if at is not None:
        as_of = representation.feature_on(place, at)
        if as_of is None:
            raise ApiError(404, f"place {code} did not exist on {at}", code=code, at=at.isoformat())
        return json_response(_released(request, [(place, as_of)])[0], content_type=GEOJSON)
    return json_response(_released(request, [(place, representation.feature(place))])[0], content_type=GEOJSON)


def _released(request, records: list[tuple[Place, dict]]) -> list[dict]:
    """The features as this reader may receive them (geometry_provenance.release: shown, not given)."""
    geometry_provenance.release(request.user, records)
    return [feature for _, feature in records]


def _checked(user, place: Place, values: dict) -> dict:
    if "name" in values and values["name"] != place.name:
        raise ApiError(
            400, "the standard name changes through a naming application (/api/v1/naming-applications)", field="name"
        )
    changes = inputs.place_fields(values)
    forbid_unless(user, Action.UPDATE, place)
    if "geom" in changes or "unit" in changes:
        forbid_unless(user, Action.UPDATE, counties=_landing(place, changes))
    return changes


def checked_changes(user, place: Place, data: dict) -> dict:
    """The changes an edit of the place may make, read from the attributes as sent (checked as PATCH
    checks its body: inputs.PlaceChanges), with the user's right to make them checked where the record
    is and where it would land. The changesets (gazetteer.api.changeset_kinds) ask this."""
    return _checked(user, place, inputs.place_changes(data))


@endpoint(
    router,
    "PATCH",
    "/places/{code}",
    operation_id="updatePlace",
    summary="Change attributes (not the standard name)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The changed record", "Place", GEOJSON),
    url_name="place-detail-patch",
)
def place_update(request, code: PlaceCode, body: Json[inputs.PlaceUpdate]):
    place = _place(request, code)
    changes = _checked(request.user, place, inputs.sent(body, leave_out=("version", "reason")))
    with _place_rules():
        place_service.update_place(
            place, changeset=_changeset(request, body.reason), changes=changes, expected_version=body.version
        )
    return _feature(request, place.code)


class PlaceNameNew(StrictSchema):
    kind: OneOf(ADDED_NAME_KINDS, "The standard name changes through a naming application")
    name: inputs.Name
    version: Version
    reason: inputs.Reason
    valid_from: inputs.OptionalDay = None
    valid_to: inputs.OptionalDay = None
    note: inputs.Prose() = ""


@endpoint(
    router,
    "POST",
    "/places/{code}/names",
    operation_id="addPlaceName",
    summary="Add an alias, short, map or former name",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The record with the new name", "Place", GEOJSON, status="201"),
    url_name="place-names",
)
def place_names(request, code: PlaceCode, body: Json[PlaceNameNew]):
    """Add an alias, short name, map name or former name."""
    place = _place(request, code)
    forbid_unless(request.user, Action.UPDATE, place)
    with _place_rules():
        place_service.add_name(
            place,
            inputs.place_name(body.name),
            body.kind,
            changeset=_changeset(request, body.reason),
            expected_version=body.version,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            note=body.note,
        )
    return _feature(request, code, status=201)


class PlaceRetire(StrictSchema):
    valid_to: Day = Field(description="The last day the record is valid")
    version: Version
    reason: inputs.Reason


@endpoint(
    router,
    "POST",
    "/places/{code}/retire",
    operation_id="retirePlace",
    summary="Retire a candidate or synthetic record (it becomes historical; nothing is deleted); a standard name "
    "is refused (400): it ends through the abolition procedure (销名)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The retired record", "Place", GEOJSON),
    url_name="place-retire",
)
def place_retire(request, code: PlaceCode, body: Json[PlaceRetire]):
    place = _place(request, code)
    forbid_unless(request.user, Action.RETIRE, place)
    with _place_rules():
        place_service.retire_place(
            place, changeset=_changeset(request, body.reason), valid_to=body.valid_to, expected_version=body.version
        )
    return _feature(request, code)


class PlaceRegistration(StrictSchema):
    authority: Text(200) = Field(description="批准机关: who made the name standard")
    document_number: Text(100) = Field(description="批准文号: the decision's document number")
    decision_date: Day = Field(description="批准日期: the day of the decision (not in the future)")
    version: Version
    reason: inputs.Reason


@endpoint(
    router,
    "POST",
    "/places/{code}/register-standard",
    operation_id="registerStandardName",
    summary="Register a candidate's name as a standard name made standard by an earlier decision (登记), citing it",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The record, now standard", "Place", GEOJSON),
    url_name="place-register-standard",
)
def place_register_standard(request, code: PlaceCode, body: Json[PlaceRegistration]):
    place = _place(request, code)
    forbid_unless(request.user, Action.UPDATE, place)
    with _place_rules():
        decision = standing.Decision.from_values(body.authority, body.document_number, body.decision_date)
        standing.register_standard(
            place, decision, changeset=_changeset(request, body.reason), expected_version=body.version
        )
    return _feature(request, code)


@endpoint(
    router,
    "GET",
    "/places/{code}/history",
    operation_id="getPlaceHistory",
    summary="Every version of a record",
    tag=PLACES,
    answers=Answer("Versions, oldest first", "PlaceHistory"),
    errors=("404",),
    public=True,
    url_name="place-history",
)
def place_history(request, code: PlaceCode):
    place = _place(request, code)
    history = representation.history(place)
    versions = [{"geometry": entry.get("geometry"), "properties": entry} for entry in history["versions"]]
    _released(request, [(place, version) for version in versions])
    for version in versions:
        version["properties"]["geometry"] = version["geometry"]
    return json_response(history)


@endpoint(
    router,
    "GET",
    "/categories",
    operation_id="listCategories",
    summary="Place-name categories (GB/T 18521)",
    tag=PLACES,
    answers=Answer("Categories by code", {"type": "array", "items": {"$ref": "#/components/schemas/Category"}}),
    url_name="categories",
)
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
