"""The record kernel and the event seam (core.records, core.events): consumers follow the services'
announcements; a county's new polygon carries its boundary lines with it."""

from __future__ import annotations

import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from boundaries.models import AdminUnit, BoundaryLine
from boundaries.services.units import update_unit
from core import events
from core.events import Moment, RecordChanged, announce, subscribe
from core.geometry import from_geos
from core.history import VersionConflict, open_changeset
from core.models import Changeset
from core.records import changed_values, history_entries, same_value

pytestmark = pytest.mark.django_db


def changeset(reason="a test of the record kernel"):
    return open_changeset(Changeset.Kind.EDIT, reason, label="test")


def county_line() -> BoundaryLine:
    return BoundaryLine.objects.filter(level=BoundaryLine.Level.COUNTY).order_by("code").first()


def test_moving_an_edge_carries_both_counties_and_their_line():
    """The counties' outlines are kept by their boundary edges (boundaries.services.topology): one edge
    moved, both neighbours' polygons and the line between them follow; other lines stay."""
    from boundaries.models import TopologyEdge
    from boundaries.services import topology

    edge = (
        TopologyEdge.objects.filter(left__isnull=False, right__isnull=False, line__isnull=False).order_by("pk").first()
    )
    line = edge.line
    left_code, right_code = line.code.split("-")
    others = {
        o.code: o.geom.wkb
        for o in BoundaryLine.objects.exclude(code__contains=left_code).exclude(code__contains=right_code)
    }
    coords = list(from_geos(edge.geom).coords)
    i = len(coords) // 2
    coords[i] = (coords[i][0] + 0.001, coords[i][1] + 0.0005)
    moved = shapely.LineString(coords)

    topology.move_edge(edge, moved, changeset=changeset(), expected_version=edge.version)

    line.refresh_from_db()
    assert from_geos(line.geom).distance(shapely.Point(coords[i])) < 1e-9
    assert [party["code"] for party in line.parties] == [left_code, right_code]
    for code in (left_code, right_code):
        assert shapely.Point(coords[i]).distance(from_geos(AdminUnit.objects.get(code=code).geom).boundary) < 1e-9
    # Lines that touch neither county are as they were.
    assert {
        o.code: o.geom.wkb
        for o in BoundaryLine.objects.exclude(code__contains=left_code).exclude(code__contains=right_code)
    } == others


def test_a_unit_edit_that_leaves_the_polygon_alone_does_not_rederive(monkeypatch):
    calls = []
    monkeypatch.setattr("boundaries.lines.sync_boundary_lines", lambda: calls.append(1) or 0)
    unit = AdminUnit.objects.current().get(code=county_line().code.split("-")[0])
    update_unit(unit, changeset=changeset(), changes={"seat_source": unit.seat_source}, expected_version=unit.version)
    assert calls == []


def test_subscribers_are_called_in_the_transaction_or_once_after_it(django_capture_on_commit_callbacks):
    seen_now, seen_after = [], []

    def now(event):
        seen_now.append(event.record)

    def after(event):
        seen_after.append(event.record)

    subscribe("kernel-test", now)
    subscribe("kernel-test", now)  # twice: still once
    subscribe("kernel-test", after, moment=Moment.AFTER_COMMIT, once_key="kernel-test-after")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            announce(RecordChanged("kernel-test", "a"))
            announce(RecordChanged("kernel-test", "b"))
            assert seen_now == ["a", "b"] and seen_after == []
        assert seen_after == ["a"]  # once per transaction
    finally:
        events._subscriptions.pop("kernel-test")


def test_a_subscriber_with_a_condition_sees_only_what_it_asked_for():
    seen = []
    subscribe("kernel-test", seen.append, when=lambda event: event.touches("geom"))
    try:
        announce(RecordChanged("kernel-test", "name only", frozenset({"name"})))
        announce(RecordChanged("kernel-test", "moved", frozenset({"geom"})))
        announce(RecordChanged("kernel-test", "new", created=True))
        assert [event.record for event in seen] == ["moved", "new"]
    finally:
        events._subscriptions.pop("kernel-test")


def test_every_record_service_reaches_its_consumers_only_through_the_seam():
    assert events.subscribers("place") and events.subscribers("unit")
    names = {handler.__module__ for handler in events.subscribers("place") + events.subscribers("unit")}
    assert {"gazetteer.search.index", "tiles.vector.hooks", "boundaries.lines"} <= names


def test_the_lock_refuses_an_older_version_naming_the_record():
    unit = AdminUnit.objects.current().get(code=county_line().code.split("-")[0])
    with pytest.raises(VersionConflict) as refused:
        update_unit(unit, changeset=changeset(), changes={"name": unit.name + "x"}, expected_version=unit.version - 1)
    assert str(refused.value).startswith(f"unit {unit.code} is at version {unit.version}")


def test_geometries_compare_by_their_coordinates():
    a = GEOSGeometry("POINT (129.6 44.58)", srid=4490)
    b = GEOSGeometry("POINT (129.6 44.58)", srid=4490)
    assert same_value(a, b) and not same_value(a, None) and not same_value(None, a)
    assert not same_value(a, GEOSGeometry("POINT (129.6 44.59)", srid=4490))
    assert same_value(None, None) and same_value("x", "x")

    class Record:
        geom, name = a, "东宁"

    assert changed_values(Record(), {"geom": b, "name": "东宁市"}) == {"name": "东宁市"}


def test_unit_and_place_histories_have_one_shape(client):
    unit = AdminUnit.objects.current().get(code=county_line().code.split("-")[0])
    update_unit(unit, changeset=changeset("renamed for the test"), changes={"name": unit.name + "测"})
    unit_history = client.get(f"/api/v1/units/{unit.code}/history").json()["versions"]
    expected = history_entries(unit.versions.select_related("changeset").order_by("version"))
    assert unit_history == expected
    assert unit_history[-1]["reason"] == "renamed for the test"
    assert set(unit_history[-1]) == {"version", "at", "by", "kind", "reason", "data"}
    place_code = client.get("/api/v1/places/search", {"q": "东宁市"}).json()["results"][0]["code"]
    place_history = client.get(f"/api/v1/places/{place_code}/history").json()["versions"]
    # plus, for a reader not given an unlicensed polygon, the note saying so (boundaries.services.licensing)
    assert set(place_history[0]) - {"geometry_generalised"} == {
        "version",
        "at",
        "by",
        "kind",
        "reason",
        "data",
        "geometry",
    }


def test_no_admin_page_deletes_anything(rf, admin_user):
    """Nothing is deleted, only retired: not even a superuser gets a delete button or bulk delete."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = admin_user
    deleting = [
        model.__name__
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"core", "boundaries", "gazetteer", "tiles"}
        and model_admin.has_delete_permission(request)
    ]
    assert deleting == []


def test_renaming_a_unit_renames_it_in_the_search_results_of_its_places(client):
    from gazetteer.models import Place

    township = AdminUnit.objects.current().get(name="兰岗镇")
    village = Place.objects.filter(unit__parent=township).order_by("code").first()
    update_unit(township, changeset=changeset("更名 renamed"), changes={"name": "兰岗新镇"})
    results = client.get("/api/v1/places/search", {"q": village.name, "limit": 50}).json()["results"]
    path = next(r["unit_path"] for r in results if r["code"] == village.code)
    assert "兰岗新镇" in [unit["name"] for unit in path] and "兰岗镇" not in [unit["name"] for unit in path]


def test_the_search_index_follows_units_through_the_seam():
    assert "gazetteer.search.index" in {handler.__module__ for handler in events.subscribers("unit")}
