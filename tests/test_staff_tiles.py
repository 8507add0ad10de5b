"""Two tile paths: the public one carries only public features (synthetic demonstration markers, no
pending proposal) and may be cached by anyone; the staff's (/tiles/staff/...) carries every marker and
the pending proposals, answered with Cache-Control: private so that no shared cache keeps it."""

from __future__ import annotations

import pytest
import shapely
from django.contrib.auth import get_user_model
from django.contrib.gis.geos import Point

from boundaries.models import BoundaryLine, TopologyEdge
from boundaries.services import markers_registry, proposals
from core.geometry import from_geos
from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID
from tests.gazetteer_helpers import HAILIN
from tests.test_tiles import decode, fetch, tile_containing

pytestmark = pytest.mark.django_db
XIAN = "231005"


def _on_line(line: BoundaryLine, fraction: float) -> Point:
    point = shapely.line_interpolate_point(from_geos(line.geom).geoms[0], fraction, normalized=True)
    return Point(point.x, point.y, srid=STORAGE_SRID)


def test_real_markers_and_pending_proposals_are_in_the_staffs_tiles_only(accounts):
    line = BoundaryLine.objects.get(code=f"{XIAN}-{HAILIN}")
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test", label="tests")
    real = markers_registry.register_marker(changeset=changeset, line=line, kind="Q", geom=_on_line(line, 0.5))
    demo = markers_registry.register_marker(
        changeset=changeset, line=line, kind="Q", geom=_on_line(line, 0.501), is_synthetic=True
    )
    edge = TopologyEdge.objects.get(line=line)
    coords = list(from_geos(edge.geom).coords)
    i = len(coords) // 2
    coords[i] = (coords[i][0] + 0.001, coords[i][1] + 0.0005)
    officer = get_user_model().objects.get(username="officer_hailin")
    pending = proposals.propose(
        edge, shapely.LineString(coords), user=officer, reason="道路改线", expected_version=edge.version
    )

    x, y = tile_containing(real.geom.x, real.geom.y, 13)
    public = fetch(f"/tiles/13/{x}/{y}.mvt")
    assert public["Cache-Control"].startswith("public")
    public_tile = decode(public)
    assert [m["code"] for m in public_tile.get("markers", [])] == [demo.number]
    assert "proposals" not in public_tile

    assert fetch(f"/tiles/staff/13/{x}/{y}.mvt").status_code == 401
    staff = accounts["officer_ningan"].get(f"/tiles/staff/13/{x}/{y}.mvt")
    assert staff["Cache-Control"] == "private, no-cache" and "Authorization" in staff["Vary"]
    staff_tile = decode(staff)
    assert {m["code"] for m in staff_tile["markers"]} == {real.number, demo.number}
    assert [p["code"] for p in staff_tile["proposals"]] == [pending.number]
    assert staff_tile["proposals"][0]["status"] == "pending"
