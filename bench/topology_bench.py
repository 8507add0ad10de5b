"""Topology benchmark: how long the boundaries' topology takes to build from the county polygons, to
rebuild every county polygon from its edges, to validate the tiling, and to move one edge (both
neighbours' polygons, their line and the derived data following, all in a transaction rolled back);
then the same for a township layer (boundaries.services.township_topology) of 海林市 cut into two
demonstration halves east and west of its centroid (written, timed and rolled back: not real townships).

Nothing is kept: the build runs on a copy in a transaction that is rolled back, the move likewise.
Run by scripts/bench.sh (make bench, BENCH_KINDS=topology), or directly:
    DATABASE_URL=... python bench/topology_bench.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import shapely  # noqa: E402
from django.db import transaction  # noqa: E402

from boundaries.levels import Tier  # noqa: E402
from boundaries.models import AdminUnit, BoundaryLine, TopologyEdge  # noqa: E402
from boundaries.services import topology, township_topology  # noqa: E402
from boundaries.services.units import update_unit  # noqa: E402
from core.geometry import from_geos, to_geos_multipolygon  # noqa: E402
from core.history import open_changeset  # noqa: E402
from core.models import Changeset  # noqa: E402


class Rollback(Exception):
    pass


def timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def rolled_back(action) -> float:
    elapsed = 0.0
    try:
        with transaction.atomic():
            elapsed = timed(action)
            raise Rollback
    except Rollback:
        pass
    return elapsed


def _move() -> None:
    edge = TopologyEdge.objects.county_layer().filter(left__isnull=False, right__isnull=False).order_by("-pk").first()
    coords = list(from_geos(edge.geom).coords)
    i = len(coords) // 2
    coords[i] = (coords[i][0] + 0.0005, coords[i][1] + 0.0003)
    changeset = open_changeset(Changeset.Kind.EDIT, "topology benchmark (rolled back)", label="bench")
    topology.move_edge(edge, shapely.LineString(coords), changeset=changeset, expected_version=edge.version)


HAILIN = "231083"


def _halves() -> AdminUnit:
    """海林市's first two townships given its west and east halves, and the layer built (rolled back by the caller)."""
    county = AdminUnit.objects.current().get(code=HAILIN)
    outline = from_geos(county.geom)
    x = outline.centroid.x
    x0, y0, _, y1 = outline.bounds
    halves = [
        outline.intersection(shapely.box(x0 - 1, y0 - 1, x, y1 + 1)),
        outline.difference(shapely.box(x0 - 1, y0 - 1, x, y1 + 1)),
    ]
    townships = AdminUnit.objects.current().filter(parent=county, tier=Tier.TOWNSHIP).order_by("code")[:2]
    changeset = open_changeset(Changeset.Kind.EDIT, "topology benchmark (rolled back)", label="bench")
    for unit, half in zip(townships, halves, strict=True):
        update_unit(unit, changeset=changeset, changes={"geom": to_geos_multipolygon(half)})
    return county


def _township_run(figures: dict[str, list[float]]) -> None:
    """One run on the halves, rolled back."""
    try:
        with transaction.atomic():
            county = _halves()
            figures["build"].append(timed(lambda: township_topology.build(county)))
            figures["rebuild"].append(timed(lambda: township_topology.polygons(county)))
            figures["validate"].append(timed(township_topology.validate))
            edge = max(TopologyEdge.objects.townships_of(county), key=lambda e: e.geom.length)
            course = from_geos(edge.geom)
            middle = course.interpolate(0.5, normalized=True)
            bent = shapely.LineString([course.coords[0], (middle.x + 0.002, middle.y), *course.coords[1:]])
            changeset = open_changeset(Changeset.Kind.EDIT, "topology benchmark (rolled back)", label="bench")
            figures["move"].append(
                timed(lambda: topology.move_edge(edge, bent, changeset=changeset, expected_version=edge.version))
            )
            raise Rollback
    except Rollback:
        pass


def _township_figures(runs: int) -> dict[str, list[float]]:
    figures: dict[str, list[float]] = {name: [] for name in ("build", "rebuild", "validate", "move")}
    for _ in range(runs):
        _township_run(figures)
    return {
        "township layer of 海林市 (2 halves): build": figures["build"],
        "  rebuild its townships from the layer": figures["rebuild"],
        "  validate every township layer": figures["validate"],
        "  move one township edge (both townships, line)": figures["move"],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    if not TopologyEdge.objects.county_layer().exists():
        topology.ensure_built()
    edges = TopologyEdge.objects.county_layer().count()
    vertices = sum(len(e.geom.coords) for e in TopologyEdge.objects.county_layer())
    lines = BoundaryLine.objects.all()
    print(
        f"topology: {edges} edges, {vertices:,} vertices; {lines.count()} lines, "
        f"{sum(line.length_km for line in lines):,.1f} km in all"
    )
    figures = {
        "build from polygons": [rolled_back(topology.build) for _ in range(runs)],
        "rebuild all county polygons from edges": [timed(topology.polygons_from_edges) for _ in range(runs)],
        "validate (gaps, overlaps, slivers, dangling, strays)": [timed(topology.validate) for _ in range(runs)],
        "move one edge (both neighbours, line, derived data)": [rolled_back(_move) for _ in range(runs)],
        **_township_figures(runs),
    }
    for name, values in figures.items():
        print(f"  {name:<55} median {statistics.median(values):8.1f} ms   min {min(values):8.1f} ms   ({runs} runs)")
    findings = topology.validate()
    print(f"validator on the loaded data: {len(findings)} findings" + "".join(f"\n  {f.as_dict()}" for f in findings))


if __name__ == "__main__":
    main()
