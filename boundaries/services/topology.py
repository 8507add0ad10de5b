"""The territory's boundaries as a topology: every stretch of boundary stored once (TopologyEdge)
between two nodes (TopologyNode), with the county-level unit on its left and on its right (none:
outside the city). The county polygons and the city's are rebuilt from the edges, so that one edit of
an edge moves both neighbours; ``validate`` reports what would break the tiling, with where.

Why our own edge/node tables over shapely, not PostGIS topology: PostGIS topology lives in a schema
of its own that only a superuser may create (``CREATE EXTENSION postgis_topology``); the local
cluster's role is one, but a bureau's external ``DATABASE_URL`` role usually is not, and then the
feature would be missing. Ordinary tables migrate like every other record, take versions and
changesets through the record kernel, and are tested like the rest. The polygons share their vertices
exactly (one lineage), so noding is exact: 32 edges from the 10 county polygons (split where three
units meet and where an outer line ends), each polygon rebuilt identical (symmetric difference 0).
Timings: ``bench/topology_bench.py``. Each county's townships are a second layer of the same tables
(boundaries.services.township_topology); what both layers share is boundaries.services.edge_geometry.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from boundaries.levels import Tier
from boundaries.lines import sync_boundary_lines
from boundaries.models import AdminUnit, BoundaryLine, TopologyEdge, TopologyEdgeVersion, TopologyNode
from boundaries.services import edge_geometry, township_topology
from boundaries.services.edge_geometry import (
    Finding,
    TopologyRefused,
    check_course,
    edges_of,
    first_refusal,
    rebuilt_polygon,
)
from boundaries.services.units import update_unit
from core.geometry import from_geos, to_geos, to_geos_multipolygon
from core.metric import to_metric
from core.models import Changeset
from core.records import bump, lock

# An edge farther than this from its units' stored outlines strays from them.
STRAY_TOLERANCE_M = 1.0


# ---- building the topology from the polygons -----------------------------------------------------------


def counties() -> list[AdminUnit]:
    city = AdminUnit.objects.current().get(code=settings.TERRITORY_CODE)
    return list(AdminUnit.objects.current().filter(parent=city, tier=Tier.COUNTY, geom__isnull=False).order_by("code"))


@transaction.atomic
def build() -> int:
    """(Re)build the edges and nodes from the county polygons as they stand; returns the edge count.
    Run when the polygons were loaded (base data); afterwards the edges are the truth and the polygons
    follow them (``move_edge``)."""
    if TopologyEdgeVersion.objects.filter(edge__within__isnull=True).exists():
        raise TopologyRefused("edges have been edited: the topology is the truth now, not rebuilt from polygons")
    units = {unit.id: unit for unit in counties()}
    polygons = {uid: from_geos(unit.geom) for uid, unit in units.items()}
    TopologyEdge.objects.county_layer().delete()
    TopologyNode.objects.county_layer().delete()
    sync_boundary_lines()  # without edges, from the polygons: where each line begins and ends
    nodes: dict[tuple[float, float], TopologyNode] = {}

    def node(xy) -> TopologyNode:
        key = (float(xy[0]), float(xy[1]))
        if key not in nodes:
            nodes[key] = TopologyNode.objects.create(geom=to_geos(shapely.Point(key)))
        return nodes[key]

    lines = _lines_by_parties()
    edges = [
        (piece, left, right)
        for geometry, left, right in edges_of(polygons)
        for piece in _split_at(geometry, _line_ends())
    ]
    for geometry, left, right in edges:
        coords = shapely.get_coordinates(geometry)
        TopologyEdge.objects.create(
            geom=to_geos(geometry),
            start_node=node(coords[0]),
            end_node=node(coords[-1]),
            left_id=left,
            right_id=right,
            line=_line_of(lines, units, left, right, geometry),
        )
    return len(edges)


def _line_ends() -> set[tuple[float, float]]:
    """Where a line begins or ends: on the city's outline the party across changes there (a prefecture,
    another province, Russia), so an edge ends there too."""
    ends = set()
    for line in BoundaryLine.objects.filter(valid_to__isnull=True).exclude(level=BoundaryLine.Level.TOWNSHIP):
        for part in shapely.get_parts(from_geos(line.geom)):
            coords = shapely.get_coordinates(part)
            ends.update({(float(coords[0][0]), float(coords[0][1])), (float(coords[-1][0]), float(coords[-1][1]))})
    return ends


def _split_at(edge: shapely.LineString, points: set[tuple[float, float]]) -> list[shapely.LineString]:
    """The edge cut at those of ``points`` that are inner vertices of it."""
    coords = [tuple(map(float, xy)) for xy in shapely.get_coordinates(edge)]
    cuts = [i for i in range(1, len(coords) - 1) if coords[i] in points]
    if not cuts:
        return [edge]
    bounds = [0, *cuts, len(coords) - 1]
    return [shapely.LineString(coords[a : b + 1]) for a, b in itertools.pairwise(bounds)]


def _lines_by_parties() -> dict[frozenset, list[BoundaryLine]]:
    by_parties: dict[frozenset, list[BoundaryLine]] = {}
    for line in BoundaryLine.objects.filter(valid_to__isnull=True).prefetch_related("party_rows"):
        key = frozenset(row.unit_id for row in line.party_rows.all() if row.unit_id)
        by_parties.setdefault(key, []).append(line)
    return by_parties


def _line_of(lines, units, left, right, geometry) -> BoundaryLine | None:
    """The legal line an edge belongs to: the county line of its two units, or the outer line (of the
    city and the area across) whose course covers it."""
    if left and right:
        found = lines.get(frozenset({left, right}), [])
        return found[0] if found else None
    city_id = next(iter(units.values())).parent_id
    middle = shapely.line_interpolate_point(geometry, 0.5, normalized=True)
    for line in lines.get(frozenset({city_id}), []):
        if from_geos(line.geom).distance(middle) < 1e-7:
            return line
    return None


# ---- rebuilding the polygons from the edges -----------------------------------------------------------


def polygons_from_edges(replaced: dict[int, shapely.LineString] | None = None) -> dict[int, shapely.Geometry]:
    """Each county's polygon rebuilt from its edges (``replaced``: edge id -> a proposed geometry)."""
    replaced = replaced or {}
    faces: dict[int, list[shapely.LineString]] = {}
    for edge in TopologyEdge.objects.county_layer():
        geometry = replaced.get(edge.id) or from_geos(edge.geom)
        for unit_id in (edge.left_id, edge.right_id):
            if unit_id is not None:
                faces.setdefault(unit_id, []).append(geometry)
    return {unit_id: rebuilt_polygon(edges) for unit_id, edges in faces.items()}


# ---- the validator ------------------------------------------------------------------------------------


def validate(polygons: dict[int, shapely.Geometry] | None = None, *, outline: shapely.Geometry | None = None):
    """What breaks the tiling of the city by its counties, each finding with where it is: invalid
    polygons, gaps, overlaps, slivers, dangling edge ends, edges straying from their units' outlines."""
    units = {unit.id: unit for unit in counties()}
    polygons = polygons if polygons is not None else polygons_from_edges()
    return tiling_findings(polygons, units, outline=outline) + _dangling() + _strays(units)


def validate_all() -> list[Finding]:
    """The county layer's findings and every township layer's (boundaries.services.township_topology)."""
    return validate() + township_topology.validate()


def tiling_findings(polygons: dict[int, shapely.Geometry], units: dict[int, AdminUnit], *, outline=None):
    """Invalid polygons, overlaps, slivers and gaps (of ``outline``, else the city's stored outline)."""
    city = (
        outline
        if outline is not None
        else from_geos(AdminUnit.objects.current().get(code=settings.TERRITORY_CODE).geom)
    )
    return edge_geometry.tiling_findings(polygons, {uid: unit.name for uid, unit in units.items()}, city)


def _dangling() -> list[Finding]:
    ends = Counter()
    where = {}
    for edge in TopologyEdge.objects.county_layer().select_related("start_node", "end_node"):
        for node in (edge.start_node, edge.end_node):
            ends[node.id] += 1
            where[node.id] = node.geom
    return [
        Finding(
            "dangling",
            f"node {node_id}: an edge ends here and none goes on",
            round(where[node_id].x, 6),
            round(where[node_id].y, 6),
        )
        for node_id, count in sorted(ends.items())
        if count == 1
    ]


def _strays(units) -> list[Finding]:
    """Edges with a vertex farther than STRAY_TOLERANCE_M from the stored outline of a unit they bound.
    A vertex the outline has too (the usual case: one lineage) is on it; only the others are measured."""
    outlines = {uid: from_geos(unit.geom).boundary for uid, unit in units.items()}
    vertices_of = {uid: set(map(tuple, shapely.get_coordinates(outline))) for uid, outline in outlines.items()}
    found = []
    for edge in TopologyEdge.objects.county_layer():
        coords = shapely.get_coordinates(from_geos(edge.geom))
        for unit_id in (edge.left_id, edge.right_id):
            if unit_id is None or unit_id not in outlines:
                continue
            off = [xy for xy in map(tuple, coords) if xy not in vertices_of[unit_id]]
            if not off:
                continue
            outline = to_metric(outlines[unit_id])
            distances = shapely.distance(to_metric(shapely.points(off)), outline)
            worst = int(np.argmax(distances))
            if distances[worst] > STRAY_TOLERANCE_M:
                x, y = off[worst]
                message = f"edge {edge.id} strays {distances[worst]:,.1f} m from {units[unit_id].name}'s outline"
                found.append(Finding("stray", message, round(x, 6), round(y, 6)))
    return found


# ---- an edit of an edge: both neighbours at once ------------------------------------------------------


def check_move(edge: TopologyEdge, geometry: shapely.LineString):
    """Refused (TopologyRefused, saying where) unless the edge may take this course: its ends at its
    own nodes, crossing neither itself nor another edge, the counties still tiling the city and the
    townships of a county with a township layer still tiling it (boundaries.services.township_topology;
    a township edge is judged by that layer alone). Writes nothing; returns what ``move_edge`` writes."""
    if edge.within_id is not None:
        return Move(townships={edge.within_id: township_topology.check_move(edge, geometry)})
    if edge.line is not None and edge.line.read_only:
        raise TopologyRefused(f"{edge.line.name} is not the bureau's to edit")
    check_course(edge, geometry, TopologyEdge.objects.county_layer())
    polygons = polygons_from_edges({edge.id: geometry})
    on_outline = edge.left_id is None or edge.right_id is None  # the city's outline moves with it
    outline = shapely.union_all(list(polygons.values())) if on_outline else None
    units = {unit.id: unit for unit in counties()}
    refused = first_refusal(tiling_findings(polygons, units, outline=outline))
    if refused is not None:
        raise refused
    return Move(polygons, outline, township_topology.check_follow(edge, geometry, polygons))


@dataclass(frozen=True)
class Move:
    """What an accepted move writes: the rebuilt county polygons, the city's new outline (an edge of
    the outline), and the rebuilt townships of each county with a township layer it touches."""

    counties: dict[int, shapely.Geometry] = field(default_factory=dict)
    outline: shapely.Geometry | None = None
    townships: dict[int, dict[int, shapely.Geometry]] = field(default_factory=dict)


@transaction.atomic
def move_edge(edge: TopologyEdge, geometry: shapely.LineString, *, changeset: Changeset, expected_version: int | None):
    """The edge takes a new course between its own two nodes (``check_move``); the units on both sides
    get the polygons rebuilt from their edges, versioned in ``changeset``; nothing is written when refused."""
    edges = TopologyEdge.objects.select_related("start_node", "end_node", "line", "left", "right", "within")
    locked = lock(edges, edge.pk, expected_version)
    if locked.within_id is not None:
        return township_topology.move(locked, geometry, changeset=changeset)
    move = check_move(locked, geometry)
    locked.geom = to_geos(geometry)
    bump(locked)
    locked.refresh_from_db()
    TopologyEdgeVersion.objects.create(
        edge=locked,
        version=locked.version,
        changeset=changeset,
        data=township_topology.snapshot(locked),
        geom=locked.geom,
    )
    for unit_id in (locked.left_id, locked.right_id):
        if unit_id is not None:
            unit = AdminUnit.objects.get(pk=unit_id)
            update_unit(unit, changeset=changeset, changes={"geom": to_geos_multipolygon(move.counties[unit_id])})
    if move.outline is not None:
        city = AdminUnit.objects.current().get(code=settings.TERRITORY_CODE)
        update_unit(city, changeset=changeset, changes={"geom": to_geos_multipolygon(move.outline)})
    township_topology.follow(move.townships, changeset)
    return locked


# The key of the DataSource a township's polygon came from when it came from the bureau's township file
# (boundaries.services.township_import): such a polygon is kept by that file, as a county's by its edges.
TOWNSHIP_SOURCE_PREFIX = "bureau-townships-"


def keeps_outline(unit: AdminUnit) -> bool:
    """Is the unit's polygon kept by its edges (a county-level unit or the city, once the topology
    exists) or by the bureau's township file (a township imported from it)? Then it changes by moving
    an edge or by importing the file again (or a proposal), not by editing the polygon: the API and
    the admin refuse."""
    if unit.tier == Tier.TOWNSHIP:
        source = unit.geometry_source
        from_file = source is not None and source.key.startswith(TOWNSHIP_SOURCE_PREFIX)
        return from_file or township_topology.has_layer(unit.parent_id)
    return unit.tier <= Tier.COUNTY and TopologyEdge.objects.county_layer().exists()


OUTLINE_BY_EDGES = (
    "its outline is kept by its boundary edges, shared with its neighbours: move an edge "
    "(POST /api/v1/topology/proposals) and both neighbours follow; a township's outline comes from "
    "the bureau's township file and then from its county's township edges: propose a new course for a "
    "township edge, import the file again (POST /api/v1/units/{county}/townships/import) or draft the "
    "change (a division draft)"
)


def ensure_built() -> int:
    """Build the topology once the county polygons are loaded and no edge exists yet (base data step)."""
    if (
        TopologyEdge.objects.county_layer().exists()
        or not AdminUnit.objects.current().filter(tier=Tier.COUNTY, geom__isnull=False).exists()
    ):
        return 0
    return build()
