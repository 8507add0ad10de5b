"""Place records in changesets (core.changesets): found, checked and applied exactly as the
single-record endpoint does (gazetteer.api.places), through the place service."""

from __future__ import annotations

from core.api import ApiError
from core.changesets import EditKind, register
from core.records import lock
from gazetteer.api.places import checked_changes
from gazetteer.models import Place
from gazetteer.queries import visible_place
from gazetteer.services import places as place_service


def _prepare(user, place: Place, attributes: dict) -> dict:
    return checked_changes(user, place, attributes)


def _apply(place: Place, changes: dict, changeset, expected_version: int) -> Place:
    try:
        return place_service.update_place(
            place, changeset=changeset, changes=changes, expected_version=expected_version
        )
    except place_service.PlaceRuleError as exc:
        raise ApiError(400, str(exc)) from None


def _describe(place: Place) -> dict:
    return {"version": place.version, "url": f"/api/v1/places/{place.code}"}


PLACE = EditKind(
    name="place",
    find=visible_place,
    prepare=_prepare,
    apply=_apply,
    lock=lambda place, version: lock(Place.objects.select_related("category", "unit"), place.pk, version),
    describe=_describe,
)


def register_kinds() -> None:
    register(PLACE)
