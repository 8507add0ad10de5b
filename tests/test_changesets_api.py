"""POST /api/v1/changesets: edits of several records of several kinds, all or nothing, every conflict
listed, the same rights as the single-record endpoints, and the seam for proposals."""

from __future__ import annotations

import pytest

from boundaries.models import AdminUnit
from core import changesets
from core.models import Changeset
from gazetteer.models import Place
from gazetteer.services.places import place_counties
from tests.gazetteer_helpers import HAILIN, NINGAN, POINT_HAILIN

pytestmark = pytest.mark.django_db
URL = "/api/v1/changesets"


def places_in(county: str, count: int = 2) -> list[Place]:
    """Records that lie in the county alone (a county's own polygon touches its neighbours too)."""
    unit = AdminUnit.objects.current().get(code=county)
    candidates = Place.objects.filter(code__startswith=county, valid_to__isnull=True).order_by("code")[:50]
    return [p for p in candidates if place_counties(p) == {unit.pk}][:count]


def place_edit(place: Place, version: int | None = None, **changes) -> dict:
    return {"kind": "place", "key": place.code, "version": version or place.version, "changes": changes}


def versions(*records) -> list[int]:
    return [type(r).objects.get(pk=r.pk).version for r in records]


def test_one_changeset_edits_places_and_a_unit_together(accounts):
    a, b = places_in(NINGAN)
    county = AdminUnit.objects.current().get(code=HAILIN)
    body = {
        "reason": "外业核查 field check",
        "edits": [
            place_edit(a, description="核查一"),
            place_edit(b, description="核查二"),
            {"kind": "unit", "key": HAILIN, "version": county.version, "changes": {"valid_from": "1992-09-01"}},
        ],
    }
    response = accounts["administrator"].post(URL, body)
    assert response.status_code == 201, response.content
    answer = response.json()
    assert [r["key"] for r in answer["records"]] == [a.code, b.code, HAILIN]
    assert versions(a, b, county) == [a.version + 1, b.version + 1, county.version + 1]
    changeset = Changeset.objects.get(pk=answer["changeset"])
    assert changeset.reason == "外业核查 field check" and changeset.author_label == "administrator"
    assert {v.changeset_id for v in (a.versions.last(), b.versions.last(), county.versions.last())} == {changeset.pk}
    assert Place.objects.get(pk=a.pk).description == "核查一"


def test_stale_edits_are_all_listed_and_nothing_is_applied(accounts):
    a, b = places_in(NINGAN)
    changesets_before = Changeset.objects.count()
    body = {
        "reason": "based on an old copy",
        "edits": [
            place_edit(a, description="x"),
            place_edit(b, version=b.version + 5, description="y"),
            {"kind": "unit", "key": HAILIN, "version": 99, "changes": {"name": "海林"}},
        ],
    }
    response = accounts["administrator"].post(URL, body)
    assert response.status_code == 409, response.content
    conflicts = response.json()["error"]["conflicts"]
    current_unit = AdminUnit.objects.current().get(code=HAILIN).version
    assert conflicts == [
        {"edit": 1, "kind": "place", "key": b.code, "your_version": b.version + 5, "current_version": b.version},
        {"edit": 2, "kind": "unit", "key": HAILIN, "your_version": 99, "current_version": current_unit},
    ]
    assert versions(a, b) == [a.version, b.version]
    assert Changeset.objects.count() == changesets_before


def test_one_refused_edit_undoes_the_others(accounts):
    a, b = places_in(NINGAN)
    bad_geometry = {"type": "Point", "coordinates": [510000, 4910000]}
    body = {"reason": "r", "edits": [place_edit(a, description="kept?"), place_edit(b, geometry=bad_geometry)]}
    response = accounts["administrator"].post(URL, body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["edit"] == 1 and error["key"] == b.code and "not longitude/latitude" in error["message"]
    assert Place.objects.get(pk=a.pk).description == a.description
    assert versions(a) == [a.version]


def test_the_rights_are_those_of_the_single_record_endpoints(accounts):
    (ningan_place,) = places_in(NINGAN, 1)
    (hailin_place,) = places_in(HAILIN, 1)
    officer = accounts["officer_ningan"]
    assert officer.post(URL, {"reason": "r", "edits": [place_edit(ningan_place, description="ok")]}).status_code == 201
    mixed = {
        "reason": "r",
        "edits": [
            place_edit(Place.objects.get(pk=ningan_place.pk), description="again"),
            place_edit(hailin_place, description="not mine"),
        ],
    }
    refused = officer.post(URL, mixed)
    assert refused.status_code == 403 and refused.json()["error"]["key"] == hailin_place.code
    # Moving one's own record into another county is refused as the PATCH refuses it.
    own = Place.objects.get(pk=ningan_place.pk)
    moved = officer.post(URL, {"reason": "r", "edits": [place_edit(own, geometry=POINT_HAILIN, unit=HAILIN)]})
    assert moved.status_code == 403
    unit = AdminUnit.objects.current().get(code=NINGAN)
    unit_edit = {"kind": "unit", "key": NINGAN, "version": unit.version, "changes": {"name": "宁安"}}
    assert officer.post(URL, {"reason": "r", "edits": [unit_edit]}).status_code == 403
    assert accounts["public"].post(URL, {"reason": "r", "edits": [unit_edit]}).status_code == 401
    assert Place.objects.get(pk=hailin_place.pk).version == hailin_place.version


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"edits": []}, "'reason' is required"),
        ({"reason": "r", "edits": []}, "non-empty list"),
        ({"reason": "r", "edits": [{"kind": "road", "key": "1", "version": 1, "changes": {"a": 1}}]}, "kind must be"),
        ({"reason": "r", "edits": [{"kind": "place", "key": "1", "version": 1, "changes": {}}]}, "non-empty object"),
        ({"reason": "r", "edits": [{"kind": "place", "key": "1", "version": "1", "changes": {"a": 1}}]}, "'version'"),
        (
            {"reason": "r", "edits": [{"kind": "place", "key": "x", "version": 1, "changes": {"a": 1}, "b": 1}]},
            "unknown field 'b' in edits[0]",
        ),
    ],
)
def test_malformed_changesets_are_refused(accounts, body, message):
    response = accounts["administrator"].post(URL, body)
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_unknown_records_and_records_edited_twice_are_refused(accounts):
    (a,) = places_in(NINGAN, 1)
    unknown = {"kind": "place", "key": "0" * 20, "version": 1, "changes": {"description": "x"}}
    assert accounts["administrator"].post(URL, {"reason": "r", "edits": [unknown]}).status_code == 404
    twice = {"reason": "r", "edits": [place_edit(a, description="1"), place_edit(a, description="2")]}
    response = accounts["administrator"].post(URL, twice)
    assert response.status_code == 400 and "edited twice" in response.json()["error"]["message"]


def test_a_changeset_needing_agreement_is_held_whole_by_the_proposal_keeper(accounts, monkeypatch):
    a, b = places_in(NINGAN)
    place_kind = changesets.kinds()["place"]
    monkeypatch.setitem(
        changesets._kinds,
        "place",
        place_kind.__class__(**{**place_kind.__dict__, "needs_agreement": lambda r, c: True}),
    )
    body = {"reason": "shared", "edits": [place_edit(a, description="1"), place_edit(b, description="2")]}
    refused = accounts["administrator"].post(URL, body)
    assert refused.status_code == 400 and "agreement" in refused.json()["error"]["message"]
    held = []
    monkeypatch.setattr(
        changesets, "_proposal_keeper", lambda user, reason, edits: held.append(edits) or {"proposal": reason}
    )
    response = accounts["administrator"].post(URL, body)
    assert response.status_code == 202 and response.json() == {"proposal": "shared"}
    assert [e.key for e in held[0]] == [a.code, b.code]
    assert versions(a, b) == [a.version, b.version]  # nothing applied until the parties agree


def test_a_unit_that_would_end_before_it_starts_is_refused_by_the_service(accounts):
    county = AdminUnit.objects.current().get(code=HAILIN)
    changes = {"valid_from": "2030-01-01", "valid_to": "2020-01-01"}
    edit = {"kind": "unit", "key": HAILIN, "version": county.version, "changes": changes}
    refused = accounts["administrator"].post(URL, {"reason": "r", "edits": [edit]})
    assert refused.status_code == 400 and "valid_to" in refused.json()["error"]["message"]
    assert AdminUnit.objects.get(pk=county.pk).version == county.version
