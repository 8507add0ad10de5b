"""Each county's township layer (boundaries.services.township_topology): built when the bureau's
township file is imported, a township edge moved by a proposal the county and both townships agree to
(both townships' polygons at once), a county edge carrying the townships along it, and a new file
retiring the layer before it. The file: the real 海林市 polygon cut into four (tests.test_township_import)."""

from __future__ import annotations

import json

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import GEOSGeometry
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boundaries.models import (
    AdminUnit,
    BoundaryLine,
    BoundaryProposal,
    DivisionDraft,
    TopologyEdge,
    TopologyEdgeVersion,
    TopologyNode,
)
from boundaries.services import topology, township_topology
from boundaries.services.township_import import ImportRefused, import_townships
from boundaries.services.units import update_unit
from core import inbox
from core.geometry import from_geos, to_geos, to_geos_multipolygon
from core.history import open_changeset
from core.metric import to_metric
from core.models import Changeset
from tests.test_township_import import CODES, REASON, county, quarters, write_zip

pytestmark = pytest.mark.django_db
URL = "/api/v1/topology/proposals"
SIGNATURE = {"signed_on": "2026-12-01", "document": "海林市乡镇界线协议书〔2026〕1号"}


@pytest.fixture
def layer(tmp_path):
    report = import_townships(county(), write_zip(tmp_path / "first", quarters(from_geos(county().geom))),
                              reason=REASON, dry_run=False)  # fmt: skip
    assert report.applied, report.as_dict()["findings"]
    return report


def _edges():
    return TopologyEdge.objects.townships_of(county()).select_related("left", "right", "start_node", "end_node")


def _between(a: str, b: str) -> TopologyEdge:
    """The longest edge between the two townships (the cut crosses the county's bays more than once)."""
    edges = _edges().filter(left__code__in=[a, b], right__code__in=[a, b])
    return max(edges, key=lambda edge: edge.geom.length)


def _bent(edge: TopologyEdge, dx: float, dy: float) -> shapely.LineString:
    """The edge's course through a new vertex: its middle moved by (dx, dy) degrees, its ends kept."""
    course = from_geos(edge.geom)
    coords = list(course.coords)
    middle = course.interpolate(0.5, normalized=True)
    cut = next(i for i in range(1, len(coords)) if course.project(shapely.Point(coords[i])) >= course.project(middle))
    return shapely.LineString([*coords[:cut], (middle.x + dx, middle.y + dy), *coords[cut:]])


def _geojson(line: shapely.LineString) -> dict:
    return json.loads(GEOSGeometry(to_geos(line).wkt, srid=4490).json)


def _townships() -> dict[str, shapely.Geometry]:
    return {u.code: from_geos(u.geom) for u in AdminUnit.objects.filter(code__in=CODES)}


def _tiles_the_county() -> bool:
    union = shapely.union_all(list(_townships().values()))
    return to_metric(shapely.symmetric_difference(union, from_geos(county().geom))).area < 1.0


def _changeset() -> Changeset:
    return open_changeset(Changeset.Kind.EDIT, "township topology test", label="tests")


def test_the_import_builds_the_layer_and_the_townships_rebuild_from_it(layer):
    edges = list(_edges())
    assert layer.figures["township_edges"] == len(edges) >= 4
    assert all(e.left.code in CODES and e.right.code in CODES for e in edges)  # only edges between townships
    assert all(e.line is not None and e.line.level == BoundaryLine.Level.TOWNSHIP for e in edges)
    assert {e.line.code for e in edges} == set(
        BoundaryLine.objects.filter(level="township").values_list("code", flat=True)
    )
    rebuilt, problems = township_topology.polygons(county())
    assert problems == []
    stored = {u.pk: from_geos(u.geom) for u in AdminUnit.objects.filter(code__in=CODES)}
    assert set(rebuilt) == set(stored)
    assert all(to_metric(rebuilt[pk].symmetric_difference(stored[pk])).area < 1.0 for pk in stored)
    assert topology.validate_all() == []
    # The county layer knows nothing of the townships' nodes: line parties and tri-points stay the counties'.
    assert not TopologyNode.objects.county_layer().filter(within__isnull=False).exists()


def test_a_township_edge_moves_when_the_county_and_both_townships_agree(layer, accounts):
    officer = accounts["officer_hailin"]
    edge = _between(CODES[0], CODES[1])
    before = _townships()
    course = _bent(edge, 0.002, 0.001)
    made = officer.post(
        URL, {"edge": edge.pk, "geometry": _geojson(course), "version": edge.version, "reason": "村界调整"}
    )
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    awaiting = [(a["party"], a["unit"]) for a in made.json()["awaiting"]]
    assert awaiting == [("township", CODES[0]), ("township", CODES[1])]  # the county approved by proposing
    assert _townships() == before

    def approve(api, township, **signature):
        version = BoundaryProposal.objects.get(number=number).version
        body = {"version": version, "party": "township", "unit": township, **signature}
        return api.post(f"{URL}/{number}/approve", body)

    unsigned = approve(officer, CODES[0])
    assert unsigned.status_code == 400 and "who signed" in unsigned.json()["error"]["message"]
    stranger = approve(accounts["officer_ningan"], CODES[0], signed_by="海林镇 王某", **SIGNATURE)
    assert stranger.status_code == 400 and "your role does not give" in stranger.json()["error"]["message"]
    first = approve(officer, CODES[0], signed_by="海林镇人民政府 王某", **SIGNATURE)
    assert first.status_code == 200 and first.json()["status"] == "pending"
    assert _townships() == before
    applied = approve(officer, CODES[1], signed_by="长汀镇人民政府 李某", **SIGNATURE)
    assert applied.status_code == 200, applied.content
    assert applied.json()["status"] == "applied"

    after = _townships()
    assert {code for code in CODES if not after[code].equals(before[code])} == set(CODES[:2])  # both at once
    assert _tiles_the_county() and topology.validate_all() == []
    moved = TopologyEdge.objects.get(pk=edge.pk)
    assert from_geos(moved.geom).equals_exact(course, 0)
    assert TopologyEdgeVersion.objects.get(edge=edge, version=moved.version).data["within"] == county().code
    line = BoundaryLine.objects.get(pk=edge.line_id)
    assert from_geos(line.geom).buffer(1e-9).contains(course)  # the line follows its edge
    assert from_geos(line.geom).distance(shapely.Point(_bent(edge, 0, 0).coords[1])) > 1e-4  # not its old course
    assert line.versions.count() >= 2
    approvals = BoundaryProposal.objects.get(number=number).approvals.filter(party="township")
    assert sorted(approvals.values_list("signed_by", flat=True)) == ["海林镇人民政府 王某", "长汀镇人民政府 李某"]


def test_a_township_edge_that_would_leave_the_county_or_break_the_tiling_is_refused(layer, accounts):
    edge = _between(CODES[0], CODES[1])
    before = (_townships(), TopologyEdge.objects.get(pk=edge.pk).geom.wkb)
    for dx, dy in [(0.0, 3.0), (3.0, 0.0)]:  # far beyond the county (and across the other edges)
        body = {"edge": edge.pk, "geometry": _geojson(_bent(edge, dx, dy)), "version": edge.version, "reason": "x"}
        refused = accounts["officer_hailin"].post(URL, body)
        assert refused.status_code == 400, refused.content
        assert refused.json()["error"]["field"] == "geometry" and len(refused.json()["error"]["where"]) == 2
    assert not BoundaryProposal.objects.exists()
    assert (_townships(), TopologyEdge.objects.get(pk=edge.pk).geom.wkb) == before


def test_a_county_edge_carries_the_townships_along_it_and_keeps_where_township_lines_meet_it(layer):
    hailin = county()
    nodes = [from_geos(n.geom) for n in TopologyNode.objects.townships_of(hailin)]
    county_edges = TopologyEdge.objects.county_layer().filter(left=hailin) | TopologyEdge.objects.county_layer().filter(
        right=hailin
    )
    county_edges = county_edges.select_related("start_node", "end_node", "line")
    # An edge a township line meets: dropping that point from its course is refused, saying where.
    met = next(e for e in county_edges if any(from_geos(e.geom).distance(n) < 1e-9 for n in nodes))
    node = next(n for n in nodes if from_geos(met.geom).distance(n) < 1e-9)
    coords = list(from_geos(met.geom).coords)
    segment = next(i for i in range(len(coords) - 1) if shapely.LineString(coords[i : i + 2]).distance(node) < 1e-9)
    for i in {segment, segment + 1} - {0, len(coords) - 1}:  # the stretch through the node moves off it
        coords[i] = (coords[i][0], coords[i][1] + 0.001)
    with pytest.raises(topology.TopologyRefused, match="township line") as refused:
        topology.check_move(met, shapely.LineString(coords))
    assert refused.value.where == (round(node.x, 6), round(node.y, 6))

    # A county edge with a long inner stretch and no township node on it: the townships along it follow.
    free = max(
        (
            e
            for e in county_edges
            if e.left_id and e.right_id and not any(from_geos(e.geom).distance(n) < 1e-9 for n in nodes)
        ),
        key=lambda e: len(e.geom.coords),
    )
    before = _townships()
    coords = list(from_geos(free.geom).coords)
    i = len(coords) // 2
    coords[i] = (coords[i][0] + 0.0005, coords[i][1] + 0.0005)
    topology.move_edge(free, shapely.LineString(coords), changeset=_changeset(), expected_version=free.version)
    after = _townships()
    assert any(not after[c].equals(before[c]) for c in CODES)  # a township along the edge followed
    assert _tiles_the_county() and topology.validate_all() == []


def test_a_new_file_retires_the_layer_before_it_and_a_pending_proposal_blocks_it(layer, accounts, tmp_path):
    old = set(_edges().values_list("pk", flat=True))
    shifted = quarters(from_geos(county().geom), shift=0.01)
    again = import_townships(county(), write_zip(tmp_path / "second", shifted), reason=REASON, dry_run=False)
    assert again.applied
    assert TopologyEdge.objects.filter(pk__in=old, retired_at__isnull=False).count() == len(old)  # kept, retired
    assert not old & set(_edges().values_list("pk", flat=True))
    assert _tiles_the_county() and topology.validate_all() == []

    edge = _between(CODES[0], CODES[1])
    body = {"edge": edge.pk, "geometry": _geojson(_bent(edge, 0.002, 0.0)), "version": edge.version, "reason": "x"}
    assert accounts["officer_hailin"].post(URL, body).status_code == 201
    with pytest.raises(ImportRefused, match="pending"):
        import_townships(county(), write_zip(tmp_path / "third", shifted), reason=REASON, dry_run=False)
    assert set(_edges().values_list("pk", flat=True)) == set(
        TopologyEdge.objects.townships_of(county()).values_list("pk", flat=True)
    )


def test_a_retired_edge_takes_no_proposal(layer, accounts, tmp_path):
    retired = _between(CODES[0], CODES[1])
    import_townships(county(), write_zip(tmp_path / "second", quarters(from_geos(county().geom), 0.01)),
                     reason=REASON, dry_run=False)  # fmt: skip
    body = {
        "edge": retired.pk,
        "geometry": _geojson(_bent(retired, 0.001, 0)),
        "version": retired.version,
        "reason": "x",
    }
    assert accounts["officer_hailin"].post(URL, body).status_code == 404


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(dx=st.floats(min_value=-0.05, max_value=0.05), dy=st.floats(min_value=-0.05, max_value=0.05))
def test_any_accepted_township_move_keeps_the_tiling_and_any_refused_one_changes_nothing(layer, dx, dy):
    edge = _between(CODES[2], CODES[3])
    before = (_townships(), TopologyEdge.objects.get(pk=edge.pk).geom.wkb)
    try:
        topology.move_edge(edge, _bent(edge, dx, dy), changeset=_changeset(), expected_version=edge.version)
    except topology.TopologyRefused:
        assert (_townships(), TopologyEdge.objects.get(pk=edge.pk).geom.wkb) == before
    else:
        assert _tiles_the_county()
        assert township_topology.validate() == []


def test_a_division_draft_moving_a_village_rebuilds_the_layer(layer, accounts):
    """A village with a polygon inside 海林镇 transferred to 长汀镇: both townships' polygons change, and
    the layer is rebuilt from them (the old one retired) with the village's ring as a township edge."""
    town = AdminUnit.objects.get(code=CODES[0])
    village = AdminUnit.objects.current().filter(parent=town).order_by("code").first()
    inside = from_geos(town.geom).representative_point()
    square = shapely.box(inside.x - 0.002, inside.y - 0.002, inside.x + 0.002, inside.y + 0.002)
    assert from_geos(town.geom).contains(square)
    update_unit(village, changeset=_changeset(), changes={"geom": to_geos_multipolygon(square)})
    old = set(_edges().values_list("pk", flat=True))
    draft = {
        "kind": "transfer",
        "title": "村划转",
        "reason": "便于管理",
        "steps": [{"op": "transfer", "unit": village.code, "to": CODES[1]}],
        "effective_date": "2026-06-01",
    }
    made = accounts["officer_hailin"].post("/api/v1/division-drafts", draft)
    assert made.status_code == 201, made.content
    number = made.json()["number"]
    basis = {"authority": "海林市人民政府", "document": "海政函〔2026〕3号", "date": "2026-05-20"}
    version = DivisionDraft.objects.get(number=number).version
    approved = accounts["approver"].post(f"/api/v1/division-drafts/{number}/approve", {**basis, "version": version})
    assert approved.status_code == 200, approved.content

    assert not old & set(_edges().values_list("pk", flat=True))  # retired, not edited in place
    ring = [e for e in _edges() if from_geos(e.geom).is_ring]
    assert len(ring) == 1 and {ring[0].left.code, ring[0].right.code} == set(CODES[:2])
    assert (
        to_metric(from_geos(AdminUnit.objects.get(code=CODES[1]).geom).intersection(square)).area
        > 0.99 * to_metric(square).area
    )
    assert _tiles_the_county() and topology.validate_all() == []


def test_a_township_proposal_waits_in_the_county_officers_inbox(layer, accounts):
    edge = _between(CODES[0], CODES[1])
    body = {"edge": edge.pk, "geometry": _geojson(_bent(edge, 0.002, 0.0)), "version": edge.version, "reason": "x"}
    assert accounts["officer_hailin"].post(URL, body).status_code == 201
    users = get_user_model().objects
    hailin, ningan = users.get(username="officer_hailin"), users.get(username="officer_ningan")
    items = [i for i in inbox.items_for(hailin) if i.kind.startswith("界线变更")]
    assert len(items) == 1 and "乡镇签字" in items[0].awaited
    assert inbox.count_for(hailin) >= 1 and inbox.count_for(hailin) == len(inbox.items_for(hailin))
    assert not [i for i in inbox.items_for(ningan) if i.kind.startswith("界线变更")]
