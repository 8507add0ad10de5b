"""The boundary-marker registry (界桩): numbers, coordinates, reference objects, the rules of the
registry, versions and conflicts, rights, the demonstration markers, and every face saying which
markers are synthetic."""

from __future__ import annotations

import datetime as dt
import itertools

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.management import call_command
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import BoundaryLine, BoundaryMarker, TopologyEdge, TopologyNode
from boundaries.services import markers_registry as registry
from boundaries.services.demo_markers import SPACING_M
from boundaries.services.marker_coords import (
    bearing_and_distance,
    bearing_difference,
    degrees_minutes,
    gauss_kruger,
    offset,
)
from core.geometry import from_geos, to_geos
from core.history import VersionConflict, open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from core.srid import STORAGE_SRID, gk3_srid
from tests.gazetteer_helpers import Api
from tiles.vector.grid import tile_containing

HAILIN_NINGAN = "231083-231084"  # 海林市—宁安市线, 120 km
DONGNING = "231086"
MARKERS = "/api/v1/boundary-markers"
KINDS = st.sampled_from(list(registry.FAMILIES))
PREFIXES = st.sampled_from(["1253", "2310", "231083-231084", "黑民〔2001〕27号-", "A-9"])


# ---- numbers (no database) --------------------------------------------------------------------------


@given(prefix=PREFIXES, sequence=st.integers(1, 999), kind=KINDS)
def test_every_number_parses_back(prefix, sequence, kind):
    number = registry.marker_number(prefix, sequence, kind)
    assert registry.parse_number(number) == (prefix, sequence, kind)
    assert number.endswith(f"{sequence:03d}{kind}")


@given(sequence=st.integers(1, 999), kind=KINDS)
def test_a_provincial_line_gives_eight_characters(sequence, kind):
    assert len(registry.marker_number("1253", sequence, kind)) == 8


@given(sequence=st.integers(1, 999))
def test_a_pair_and_a_triple_share_their_sequence(sequence):
    a, b = (registry.marker_number(HAILIN_NINGAN, sequence, k) for k in "AB")
    assert registry.parse_number(a)[:2] == registry.parse_number(b)[:2] and a != b
    assert len({registry.parse_number(registry.marker_number("1253", sequence, k))[1] for k in "CDE"}) == 1


@pytest.mark.parametrize("bad", ["", "231083-231084000Q", "001Q", "1253165X", "1253165"])
def test_what_is_not_a_number(bad):
    with pytest.raises(ValueError, match="not a marker number"):
        registry.parse_number(bad)


@pytest.mark.parametrize(("sequence", "kind"), [(0, "Q"), (1000, "Q"), (1, "F")])
def test_a_number_out_of_range_is_refused(sequence, kind):
    with pytest.raises(registry.MarkerRuleError):
        registry.marker_number("1253", sequence, kind)


# ---- coordinates (no database) ----------------------------------------------------------------------


def test_the_three_degree_zones_of_the_city():
    assert gk3_srid(129.47) == 4552 and gk3_srid(128.2) == 4552  # CGCS2000 / 3-degree Gauss-Kruger CM 129E
    assert gk3_srid(131.15) == 4553 and gk3_srid(130.5) == 4553  # CM 132E; the edge belongs to the east
    epsg, x, y = gauss_kruger(Point(129.0, 44.0, srid=STORAGE_SRID))
    assert epsg == 4552 and abs(y - 500_000) < 0.001 and 4_870_000 < x < 4_880_000  # on the central meridian


def test_an_object_100_m_due_grid_north_is_at_0_degrees_and_100_m():
    marker = Point(129.6, 44.5, srid=STORAGE_SRID)
    bearing, distance = bearing_and_distance(marker, offset(marker, 0, 100))
    assert bearing_difference(bearing, 0) < 1e-6 and abs(distance - 100) < 1e-6
    assert degrees_minutes(bearing) == "0°00′"
    east = bearing_and_distance(marker, offset(marker, 90, 250))
    assert abs(east[0] - 90) < 1e-6 and abs(east[1] - 250) < 1e-6


def test_bearings_as_the_forms_write_them():
    assert degrees_minutes(227 + 10 / 60) == "227°10′"
    assert degrees_minutes(359.999) == "0°00′"
    assert bearing_difference(359.5, 0.3) == pytest.approx(0.8)


# ---- the registry -------------------------------------------------------------------------------------


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("marker_officer")


def changeset(user, reason="界桩登记"):
    return open_changeset(Changeset.Kind.EDIT, reason, author=user)


def the_line(code: str = HAILIN_NINGAN) -> BoundaryLine:
    return BoundaryLine.objects.get(code=code)


def on_line(line: BoundaryLine, fraction: float = 0.5) -> Point:
    metric = to_metric(from_geos(line.geom))
    return to_geos(to_lonlat(metric.interpolate(metric.length * fraction)))


def far_from(line: BoundaryLine, point: Point, metres: float = 400) -> Point:
    """A point ``metres`` across the line from ``point`` (the side where it is farthest from the line)."""
    candidates = [offset(point, bearing, metres) for bearing in range(0, 360, 15)]
    return max(candidates, key=lambda p: registry.placement(line, p)[1])


def three_references(point: Point) -> list[registry.ReferenceInput]:
    return [registry.ReferenceInput(f"方位物{n}", geom=offset(point, 100 * n, 50 + 10 * n)) for n in (1, 2, 3)]


def register(user, line=None, kind="Q", fraction=0.5, **values) -> BoundaryMarker:
    line = line or the_line()
    values.setdefault("geom", on_line(line, fraction))
    return registry.register_marker(changeset=changeset(user), line=line, kind=kind, **values)


@pytest.mark.django_db
def test_a_marker_is_numbered_placed_along_its_line_and_versioned(officer):
    line = the_line()
    marker = register(officer, fraction=0.25, reference_objects=three_references(on_line(line, 0.25)))
    assert marker.number == f"{HAILIN_NINGAN}{marker.sequence:03d}Q" and marker.sequence >= 1
    assert marker.grade == BoundaryMarker.Grade.COUNTY and marker.shape == BoundaryMarker.Shape.TWO_FACED
    assert marker.distance_along_m == pytest.approx(line.length_km * 1000 * 0.25, rel=0.002)
    second = register(officer, fraction=0.75)
    assert second.sequence == marker.sequence + 1
    version = marker.versions.get()
    assert version.data["event"] == "set" and len(version.data["reference_objects"]) == 3
    line.agreement_number = "海宁2001"
    line.save(update_fields=["agreement_number"])
    assert register(officer, fraction=0.5).number.startswith("海宁2001")  # the agreement's number, where set


@pytest.mark.django_db
def test_reference_objects_are_computed_from_their_positions(officer):
    point = on_line(the_line(), 0.4)
    north = offset(point, 0, 100)
    refs = [registry.ReferenceInput("北面电线杆", geom=north), *three_references(point)[1:]]
    marker = register(officer, fraction=0.4, geom=point, reference_objects=refs)
    first = marker.reference_objects.get(order=1)
    assert bearing_difference(first.bearing_deg, 0) < 1e-4 and first.distance_m == pytest.approx(100, abs=0.01)


@pytest.mark.django_db
def test_hand_entered_bearings_and_distances_are_checked_against_a_position(officer):
    point = on_line(the_line(), 0.45)
    target = offset(point, 45, 100)
    others = three_references(point)[1:]

    def refs(**hand):
        return [registry.ReferenceInput("水塔", geom=target, **hand), *others]

    kept = register(officer, geom=point, reference_objects=refs(bearing_deg=45.6, distance_m=101.5))
    assert kept.reference_objects.get(order=1).bearing_deg == pytest.approx(45, abs=1e-4)  # the position's value
    for hand, word in (({"bearing_deg": 46.5}, "bearing"), ({"distance_m": 103.5}, "distance")):
        with pytest.raises(registry.MarkerRuleError, match=word):
            register(officer, geom=point, reference_objects=refs(**hand))
    by_hand = [registry.ReferenceInput(f"独立树{n}", bearing_deg=10.0 * n, distance_m=80.0) for n in (1, 2, 3)]
    assert register(officer, geom=point, reference_objects=by_hand).reference_objects.count() == 3
    with pytest.raises(registry.MarkerRuleError, match="position, or its bearing and distance"):
        register(officer, geom=point, reference_objects=[registry.ReferenceInput("山头"), *others])
    with pytest.raises(registry.MarkerRuleError, match="at least 3"):
        register(officer, geom=point, reference_objects=others)


@pytest.mark.django_db
def test_a_marker_off_its_line_needs_a_reason(officer):
    line = the_line()
    away = far_from(line, on_line(line, 0.6))
    assert registry.placement(line, away)[1] > 50
    with pytest.raises(registry.MarkerRuleError, match="off_line_reason") as refused:
        register(officer, geom=away)
    assert refused.value.field == "off_line_reason"
    marker = register(officer, geom=away, off_line_reason="界线位于河道中心线，界桩设于东岸")
    assert marker.distance_along_m == pytest.approx(line.length_km * 600, rel=0.01)


@pytest.mark.django_db
def test_single_pair_and_triple_rules(officer):
    line = the_line()
    single = register(officer, fraction=0.1)
    with pytest.raises(registry.MarkerRuleError, match="single marker"):
        register(officer, fraction=0.11, sequence=single.sequence)
    with pytest.raises(registry.MarkerRuleError, match="cannot share"):
        register(officer, kind="A", fraction=0.11, sequence=single.sequence)
    a = register(officer, kind="A", fraction=0.2)
    assert {"line": HAILIN_NINGAN, "sequence": a.sequence, "have": "A", "missing": "B"} in registry.unpartnered([line])
    b = register(officer, kind="B", fraction=0.2001, sequence=a.sequence)
    assert b.number == a.number[:-1] + "B"
    assert not [p for p in registry.unpartnered([line]) if p["sequence"] == a.sequence]
    with pytest.raises(registry.MarkerRuleError, match="tri-point"):
        register(officer, kind="C", fraction=0.3)


@pytest.mark.django_db
def test_a_triple_marker_stands_where_three_boundaries_meet(officer):
    line = the_line()
    point = on_line(line, 0.3)
    node = TopologyNode.objects.create(geom=point)
    for n in range(3):
        far = TopologyNode.objects.create(geom=offset(point, 120 * n, 500))
        TopologyEdge.objects.create(
            geom=LineString(node.geom, far.geom, srid=STORAGE_SRID),
            start_node=node,
            end_node=far,
            left=line.party_rows.first().unit,
            line=line if n == 0 else None,
        )
    c = register(officer, kind="C", geom=offset(point, 45, 20))
    assert c.shape == BoundaryMarker.Shape.THREE_FACED
    d = register(officer, kind="D", geom=offset(point, 135, 20), sequence=c.sequence)
    assert d.number[:-1] == c.number[:-1]
    assert {"have": "CD", "missing": "E"}.items() <= registry.unpartnered([line])[0].items()


@pytest.mark.django_db
def test_events_are_versions_and_a_stale_one_is_refused(officer):
    marker = register(officer, fraction=0.5, set_on=dt.date(2001, 5, 1))
    damaged = registry.record_status(marker, "damaged", changeset=changeset(officer), expected_version=1)
    assert damaged.version == 2
    with pytest.raises(VersionConflict):
        registry.record_status(marker, "intact", changeset=changeset(officer), expected_version=1)
    replaced = registry.replace_marker(
        marker, changeset=changeset(officer), set_on=dt.date(2026, 6, 1), material="reinforced_concrete"
    )
    moved = registry.move_marker(marker, changeset=changeset(officer), geom=on_line(the_line(), 0.52))
    abolished = registry.abolish_marker(marker, changeset=changeset(officer), abolished_on=dt.date(2026, 7, 1))
    assert (replaced.status, moved.status, abolished.status) == ("intact", "intact", "abolished")
    events = [v.data["event"] for v in marker.versions.order_by("version")]
    assert events == ["set", "damaged", "replaced", "moved", "abolished"]
    with pytest.raises(registry.MarkerRuleError, match="abolished"):
        registry.record_status(marker, "intact", changeset=changeset(officer))
    assert BoundaryMarker.objects.filter(pk=marker.pk).exists()  # abolished, not deleted


# ---- the API ----------------------------------------------------------------------------------------------


def create_body(line: BoundaryLine, fraction: float = 0.5, **extra) -> dict:
    point = on_line(line, fraction)
    return {
        "line": line.code,
        "kind": "Q",
        "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
        "reason": "联检补设界桩",
        "material": "granite",
        "reference_objects": [
            {"name": "北面电线杆", "position": {"type": "Point", "coordinates": list(offset(point, 0, 100).coords)}},
            {"name": "独立树", "bearing_deg": 120.5, "distance_m": 35},
            {"name": "桥头", "bearing_deg": 250, "distance_m": 60.5, "measured_part": "东南角"},
        ],
        **extra,
    }


def set_through_api(accounts, body: dict, proposer: str = "officer_ningan") -> str:
    """Propose a marker (202, a pending event) and let every awaited party approve it: its number."""
    made = accounts[proposer].post(MARKERS, body)
    assert made.status_code == 202, made.content
    event = approve_event(accounts, made.json())
    assert event["status"] == "applied", event
    return event["marker"]


@pytest.mark.django_db
def test_an_officer_of_a_party_county_registers_one_of_another_county_may_not(accounts):
    line = the_line()
    _, key = create_officer("officer_dongning", role=Role.OFFICER, counties=[DONGNING], with_token=True)
    assert Api(key).post(MARKERS, create_body(line)).status_code == 403
    assert accounts["public"].post(MARKERS, create_body(line)).status_code == 401
    assert accounts["approver"].post(MARKERS, create_body(line)).status_code == 403
    number = set_through_api(accounts, create_body(line))
    properties = accounts["officer_ningan"].get(f"{MARKERS}/{number}").json()["properties"]
    north = properties["reference_objects"][0]
    assert north["bearing"] == "0°00′" and north["distance_m"] == pytest.approx(100, abs=0.01)
    assert properties["gauss_kruger"]["epsg"] in (4552, 4553) and properties["synthetic"] is False
    assert set_through_api(accounts, create_body(line, 0.6), proposer="officer_hailin")


def approve_event(accounts, event: dict) -> dict:
    """Every party still awaited approves the event."""
    for need in event["awaiting"]:
        who = {"231083": "officer_hailin", "231084": "officer_ningan", None: "approver"}[need["unit"]]
        body = {"party": need["party"], "version": event["version"]} | ({"unit": need["unit"]} if need["unit"] else {})
        event = accounts[who].post(f"/api/v1/marker-events/{event['number']}/approve", body).json()
    return event


@pytest.mark.django_db
def test_a_stale_patch_is_a_409_and_the_steps_answer(accounts):
    officer = accounts["officer_ningan"]
    number = set_through_api(accounts, create_body(the_line()))
    url = f"{MARKERS}/{number}"
    proposed = officer.patch(url, {"version": 1, "reason": "联检发现损坏", "status": "damaged"})
    assert proposed.status_code == 202 and proposed.json()["kind"] == "status"
    assert officer.get(url).json()["properties"]["status"] == "intact"  # not before both sides approve
    assert approve_event(accounts, proposed.json())["status"] == "applied"
    assert officer.get(url).json()["properties"]["status"] == "damaged"
    stale = officer.patch(url, {"version": 1, "reason": "修复", "status": "intact"})
    assert stale.status_code == 409
    assert stale.json()["error"] | {"your_version": 1, "current_version": 2} == stale.json()["error"]
    away = far_from(the_line(), on_line(the_line(), 0.5))
    refused = officer.patch(
        url, {"version": 2, "reason": "迁移", "geometry": {"type": "Point", "coordinates": list(away.coords)}}
    )
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "off_line_reason"
    abolished = officer.post(f"{url}/abolish", {"version": 2, "reason": "界线调整", "abolished_on": "2026-06-01"})
    assert abolished.status_code == 202 and abolished.json()["kind"] == "abolish"
    assert approve_event(accounts, abolished.json())["status"] == "applied"
    assert officer.get(url).json()["properties"]["status"] == "abolished"
    history = officer.get(f"{url}/history").json()["versions"]
    assert [v["data"]["event"] for v in history] == ["set", "damaged", "abolished"]


@pytest.mark.django_db
def test_no_real_marker_is_public(accounts):
    number = set_through_api(accounts, create_body(the_line()))
    assert accounts["public"].get(f"{MARKERS}/{number}").status_code == 404
    assert number not in {f["id"] for f in accounts["public"].get(MARKERS).json()["features"]}
    assert accounts["approver"].get(f"{MARKERS}/{number}").status_code == 200
    assert number in {f["id"] for f in accounts["approver"].get(MARKERS, line=HAILIN_NINGAN).json()["features"]}


# ---- the demonstration markers -------------------------------------------------------------------------


@pytest.fixture
def demo(db):
    call_command("place_demo_markers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return BoundaryMarker.objects.filter(is_synthetic=True)


@pytest.mark.django_db
def test_demo_markers_stand_every_5_to_10_km_and_a_second_run_adds_nothing(demo):
    count = demo.count()
    county_lines = BoundaryLine.objects.filter(level=BoundaryLine.Level.COUNTY, valid_to__isnull=True)
    assert set(demo.values_list("line__code", flat=True)) == set(county_lines.values_list("code", flat=True))
    call_command("place_demo_markers", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert demo.count() == count
    along = list(demo.filter(line__code=HAILIN_NINGAN).order_by("sequence").values_list("distance_along_m", flat=True))
    assert len(along) >= 120 / 10
    gaps = [b - a for a, b in itertools.pairwise(along)]
    assert all(SPACING_M[0] - 1 <= gap <= SPACING_M[1] + 1 for gap in gaps), gaps
    marker = demo.filter(line__code=HAILIN_NINGAN).first()
    assert [r.name for r in marker.reference_objects.order_by("order")] == ["示例方位物1", "示例方位物2", "示例方位物3"]
    assert all(registry.placement(m.line, m.geom)[1] < 1 for m in demo.select_related("line")[:20])


@pytest.mark.django_db
def test_demo_markers_are_labelled_synthetic_everywhere(demo, admin_client):
    public = Api()
    listing = public.get(MARKERS, line=HAILIN_NINGAN).json()
    assert listing["count"] == demo.filter(line__code=HAILIN_NINGAN).count() > 0
    assert all(
        f["properties"]["synthetic"] and "示例" in f["properties"]["synthetic_note"] for f in listing["features"]
    )
    marker = demo.filter(line__code=HAILIN_NINGAN).first()
    assert public.get(f"{MARKERS}/{marker.number}").json()["properties"]["synthetic"] is True
    x, y = tile_containing(marker.geom.x, marker.geom.y, 12)
    tile = mapbox_vector_tile.decode(Client().get(f"/tiles/12/{x}/{y}.mvt").content)
    drawn = [f["properties"] for f in tile["markers"]["features"]]
    assert marker.number in {p["code"] for p in drawn} and all(p["synthetic"] is True for p in drawn)
    page = admin_client.get(
        f"/admin/boundaries/boundarymarker/?is_synthetic__exact=1&q={marker.number}"
    ).content.decode()
    assert marker.number in page and "示例 synthetic" in page
    change = admin_client.get(f"/admin/boundaries/boundarymarker/{marker.pk}/change/").content.decode()
    assert "示例方位物1" in change and "EPSG:455" in change


# ---- the admin ------------------------------------------------------------------------------------------


def marker_form(marker: BoundaryMarker, **overrides) -> dict:
    data = {
        "grade": marker.grade,
        "shape": marker.shape,
        "material": marker.material,
        "geom": marker.geom.ewkt,  # with its SRID (GeoJSON would be read in the map widget's 3857)
        "elevation_m": "",
        "position_description": marker.position_description,
        "off_line_reason": marker.off_line_reason,
        "status": marker.status,
        "set_on": marker.set_on.isoformat() if marker.set_on else "",
        "reason": "联检记录",
        "expected_version": marker.version,
    }
    for prefix in ("reference_objects", "versions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data | overrides


@pytest.mark.django_db
def test_the_admin_proposes_an_event_applied_when_the_parties_approve(admin_client, admin_user, officer):
    from boundaries.models import MarkerEvent
    from boundaries.services import marker_events

    marker = register(officer, fraction=0.35, set_on=dt.date(2001, 5, 1))
    url = f"/admin/boundaries/boundarymarker/{marker.pk}/change/"
    stale = marker_form(marker, status="lost")
    response = admin_client.post(url, marker_form(marker, status="damaged"), follow=True)
    assert response.status_code == 200
    event = MarkerEvent.objects.get(marker=marker)
    shown = response.content.decode()
    assert "Not applied yet" in shown and event.number in shown
    marker.refresh_from_db()
    assert (marker.status, marker.version, event.kind) == ("intact", 1, "status")
    for need in marker_events.missing(event):  # the administrator gives each county's approval
        event = marker_events.approve(event, user=admin_user, party=need.party, unit=need.unit)
    marker.refresh_from_db()
    latest = marker.versions.get(version=2)
    assert (marker.status, latest.data["event"], latest.changeset.author) == ("damaged", "damaged", admin_user)
    assert "Conflict" in admin_client.post(url, stale).content.decode()
    away = far_from(marker.line, marker.geom)
    refused = admin_client.post(url, marker_form(marker, geom=away.ewkt)).content.decode()
    assert "off_line_reason" in refused and BoundaryMarker.objects.get(pk=marker.pk).version == 2
    assert MarkerEvent.objects.count() == 1
    assert admin_client.get(f"/admin/boundaries/boundarymarker/{marker.pk}/delete/").status_code == 403


@pytest.mark.django_db
def test_adding_a_marker_in_the_admin_proposes_setting_it(admin_client):
    from boundaries.models import MarkerEvent

    line = the_line()
    point = on_line(line, 0.55)
    data = {
        "line": line.pk,
        "kind": "Q",
        "sequence": "",
        "grade": "county",
        "shape": "two_faced",
        "material": "granite",
        "geom": point.ewkt,
        "elevation_m": "",
        "position_description": "路西",
        "off_line_reason": "",
        "status": "intact",
        "set_on": "",
        "reason": "补设界桩",
    }
    for prefix in ("reference_objects", "versions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post("/admin/boundaries/boundarymarker/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event = MarkerEvent.objects.get()
    assert response["Location"] == f"/admin/boundaries/markerevent/{event.pk}/change/"
    assert (event.kind, event.marker, event.needs_bureau) == ("set", None, True)
    assert not BoundaryMarker.objects.exists()
    page = admin_client.get(response["Location"]).content.decode()
    assert "Not applied yet" in page and "批准 Approve for" in page
