"""The boundaries' topology (boundaries.services.topology): each stretch of boundary stored once, the
county polygons rebuilt from the edges, the validator saying what breaks the tiling and where, and an
edit of an edge moving both neighbours or refused with nothing written."""

from __future__ import annotations

import json

import pytest
import shapely
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import AdminUnit, BoundaryLine, BoundaryLineVersion, TopologyEdge, TopologyEdgeVersion
from boundaries.services import topology
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import VersionConflict
from tests.gazetteer_helpers import HAILIN, NINGAN, Api

pytestmark = pytest.mark.django_db
XIAN = "231005"  # 西安区, whose short edge with 海林市 the edits move


def _edge(a: str, b: str) -> TopologyEdge:
    return TopologyEdge.objects.filter(left__code__in=[a, b], right__code__in=[a, b]).order_by("pk").first()


def _changeset() -> Changeset:
    return open_changeset(Changeset.Kind.EDIT, "topology test", label="tests")


def _nudged(edge: TopologyEdge, dx: float, dy: float, at: float = 0.5) -> shapely.LineString:
    """The edge with one inner vertex moved by (dx, dy) degrees."""
    coords = list(from_geos(edge.geom).coords)
    i = max(1, min(len(coords) - 2, int(len(coords) * at)))
    coords[i] = (coords[i][0] + dx, coords[i][1] + dy)
    return shapely.LineString(coords)


def _state() -> dict:
    units = {u.code: u.geom.wkb for u in AdminUnit.objects.filter(tier__lte=2)}
    edges = {e.pk: (e.geom.wkb, e.version) for e in TopologyEdge.objects.all()}
    return {"units": units, "edges": edges, "edge_versions": TopologyEdgeVersion.objects.count()}


# ---- the loaded data -----------------------------------------------------------------------------------


def test_the_loaded_counties_make_a_topology_that_rebuilds_them_exactly():
    edges = TopologyEdge.objects.all()
    assert edges.count() == 32  # the county pairs' stretches and the outline, split where three meet or a line ends
    assert not edges.filter(line__isnull=True).exists()  # each edge belongs to a legal line
    assert not edges.filter(left__isnull=True, right__isnull=True).exists()
    rebuilt = topology.polygons_from_edges()
    for unit in topology.counties():
        assert rebuilt[unit.id].symmetric_difference(from_geos(unit.geom)).area == 0, unit.name
    assert topology.validate() == []
    national = BoundaryLine.objects.get(level="national")
    assert national.read_only and national.edges.exists()


def test_the_validator_says_what_breaks_the_tiling_and_where():
    units = {u.code: u for u in topology.counties()}
    polygons = topology.polygons_from_edges()
    hailin, ningan = units[HAILIN], units[NINGAN]
    bite = shapely.Point(from_geos(_edge(HAILIN, NINGAN).geom).coords[800]).buffer(0.01)
    shrunk = {**polygons, hailin.id: polygons[hailin.id].difference(bite)}
    gaps = [f for f in topology.validate(shrunk) if f.kind == "gap"]
    assert len(gaps) == 1 and bite.contains(shapely.Point(gaps[0].lon, gaps[0].lat))
    grown = {**polygons, hailin.id: polygons[hailin.id].union(bite)}
    overlaps = [f for f in topology.validate(grown) if f.kind == "overlap"]
    assert overlaps and "海林市" in overlaps[0].message and "宁安市" in overlaps[0].message
    assert bite.contains(shapely.Point(overlaps[0].lon, overlaps[0].lat))
    sliver = shapely.box(127.0, 44.0, 127.0001, 44.05)  # 8 m by 5.5 km, a part of its own (outside the city)
    thin = {**polygons, ningan.id: polygons[ningan.id].union(sliver)}
    assert any(f.kind == "sliver" for f in topology.validate(thin))

    edge = _edge(HAILIN, XIAN)
    TopologyEdge.objects.filter(pk=edge.pk).update(geom=to_geos(_nudged(edge, 0.001, 0)))
    strays = [f for f in topology.validate() if f.kind == "stray"]
    assert strays and f"edge {edge.pk}" in strays[0].message
    loose = TopologyEdge.objects.create(
        geom=to_geos(shapely.LineString([(129.5, 44.5), (129.51, 44.5)])),
        start_node=edge.start_node,
        end_node=topology.TopologyNode.objects.create(geom=to_geos(shapely.Point(129.51, 44.5))),
        left=hailin,
    )
    dangling = [f for f in topology.validate() if f.kind == "dangling"]
    assert dangling and (dangling[0].lon, dangling[0].lat) == (129.51, 44.5)
    assert loose.pk


# ---- an edit of an edge -------------------------------------------------------------------------------


def test_moving_an_edge_moves_both_neighbours_and_their_line():
    edge = _edge(HAILIN, XIAN)
    hailin, xian = (AdminUnit.objects.get(code=c) for c in (HAILIN, XIAN))
    line = BoundaryLine.objects.get(code=f"{XIAN}-{HAILIN}")
    before = (hailin.version, xian.version, line.version, from_geos(hailin.geom).area + from_geos(xian.geom).area)
    moved = _nudged(edge, 0.002, 0.001)
    topology.move_edge(edge, moved, changeset=_changeset(), expected_version=edge.version)

    hailin.refresh_from_db(), xian.refresh_from_db(), line.refresh_from_db()
    assert (hailin.version, xian.version, line.version) == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert from_geos(hailin.geom).area + from_geos(xian.geom).area == pytest.approx(before[3], abs=1e-12)
    moved_vertex = shapely.Point(moved.coords[int(len(moved.coords) * 0.5)])
    assert from_geos(line.geom).distance(moved_vertex) < 1e-9  # the line is its edges
    assert topology.validate() == []
    assert TopologyEdgeVersion.objects.filter(edge=edge).count() == 1
    assert BoundaryLineVersion.objects.filter(line=line, version=line.version).exists()
    with pytest.raises(VersionConflict):
        topology.move_edge(edge, _nudged(edge, 0.001, 0), changeset=_changeset(), expected_version=edge.version)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: shapely.LineString([(e.coords[0][0] + 0.001, e.coords[0][1]), *e.coords[1:]]), "keeps its ends"),
        (lambda e: shapely.LineString([*e.coords[:5], (e.coords[5][0] + 0.3, e.coords[5][1]), *e.coords[6:]]), "cross"),
    ],
)
def test_an_edit_that_would_break_the_tiling_is_refused_and_nothing_written(change, message):
    edge = _edge(HAILIN, XIAN)
    before = _state()
    with pytest.raises(topology.TopologyRefused, match=message) as refused:
        topology.move_edge(edge, change(from_geos(edge.geom)), changeset=_changeset(), expected_version=edge.version)
    assert refused.value.where is not None
    assert _state() == before


def test_the_national_border_is_not_the_bureaus_to_edit():
    edge = TopologyEdge.objects.filter(line__level="national").first()
    with pytest.raises(topology.TopologyRefused, match="not the bureau's to edit"):
        topology.move_edge(edge, _nudged(edge, 0.0001, 0), changeset=_changeset(), expected_version=edge.version)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    at=st.floats(min_value=0.05, max_value=0.95),
    dx=st.floats(min_value=-0.02, max_value=0.02),
    dy=st.floats(min_value=-0.02, max_value=0.02),
)
def test_any_accepted_edit_keeps_the_tiling_and_any_refused_one_changes_nothing(at, dx, dy):
    edge = _edge(HAILIN, XIAN)
    before = _state()
    try:
        topology.move_edge(edge, _nudged(edge, dx, dy, at), changeset=_changeset(), expected_version=edge.version)
    except topology.TopologyRefused:
        assert _state() == before
    else:
        assert topology.validate() == []
        city = from_geos(AdminUnit.objects.get(code="231000").geom)
        union = shapely.union_all([from_geos(u.geom) for u in topology.counties()])
        assert city.symmetric_difference(union).area < 1e-12


# ---- the API ------------------------------------------------------------------------------------------


@pytest.fixture
def officers(accounts):
    _, key = create_officer("topology_admin", role=Role.ADMINISTRATOR, with_token=True)
    return {**accounts, "admin": Api(key)}


def test_lines_are_public_records_with_their_parties_and_agreement(officers):
    lines = Client().get("/api/v1/boundary-lines").json()["lines"]
    assert len(lines) == 24
    national = next(line for line in lines if line["level"] == "national")
    assert national["read_only"] and national["parties"][1] == {"code": "RUS", "name": "俄罗斯", "outside": True}
    code = f"{HAILIN}-{NINGAN}"
    anonymous = Client().get(f"/api/v1/boundary-lines/{code}").json()
    assert anonymous["properties"]["geometry_generalised"]["tolerance_m"] == 50
    staff = officers["officer_ningan"].get(f"/api/v1/boundary-lines/{code}").json()
    assert "geometry_generalised" not in staff["properties"]
    assert len(json.dumps(staff["geometry"])) > len(json.dumps(anonymous["geometry"]))

    body = {
        "version": staff["properties"]["version"],
        "reason": "录入协议书",
        "agreement_number": "黑勘〔2001〕17号",
        "agreement_date": "2001-09-20",
    }
    url = f"/api/v1/boundary-lines/{code}"
    assert officers["officer_hailin"].patch(url, body).status_code == 200  # an officer of either party
    assert officers["officer_ningan"].patch(url, body).status_code == 409  # on a version that moved on
    other = f"/api/v1/boundary-lines/{NINGAN}-231085"  # 宁安市—穆棱市: 海林市's officer is no party
    assert officers["officer_hailin"].patch(other, body).status_code == 403
    history = Client().get(f"{url}/history").json()["versions"]
    assert history[-1]["data"]["agreement_number"] == "黑勘〔2001〕17号" and history[-1]["reason"] == "录入协议书"
    national_url = f"/api/v1/boundary-lines/{national['code']}"
    assert officers["admin"].patch(national_url, {**body, "version": national["version"]}).status_code == 403


def test_the_topology_api_is_staffs(officers):
    assert Client().get("/api/v1/topology/validation").status_code == 401
    report = officers["officer_ningan"].get("/api/v1/topology/validation").json()
    assert report == {"ok": True, "edges": 32, "findings": []}
    edge = _edge(HAILIN, XIAN)
    features = officers["officer_ningan"].get("/api/v1/topology/edges", line=f"{XIAN}-{HAILIN}").json()["features"]
    assert [f["id"] for f in features] == [edge.pk]
    assert features[0]["properties"]["left"] in (HAILIN, XIAN) and features[0]["properties"]["version"] == 1
    assert Client().get("/api/v1/topology/edges").status_code == 401
    # An edge changes by a proposal the parties approve (tests/test_proposals.py), not by a direct edit.
    assert officers["admin"].patch(f"/api/v1/topology/edges/{edge.pk}", {"version": 1}).status_code in (404, 405)
