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
Timings: ``bench/topology_bench.py``.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass

import numpy as np
import shapely
from django.conf import settings
from django.db import transaction

from boundaries.levels import Tier
from boundaries.lines import sync_boundary_lines
from boundaries.models import AdminUnit, BoundaryLine, TopologyEdge, TopologyEdgeVersion, TopologyNode
from boundaries.services.units import update_unit
from core.geometry import from_geos, to_geos, to_geos_multipolygon
from core.metric import to_metric
from core.models import Changeset
from core.records import bump, lock

# A point this far (degrees, about 0.1 m) to one side of an edge falls in the unit on that side.
SIDE_OFFSET_DEG = 1e-6
# What the validator counts: an area below this is noise of the arithmetic, not a gap or an overlap.
AREA_NOISE_M2 = 1.0
OVERLAP_NOISE_DEG2 = 1e-10  # about 1 m² at this latitude
# A part whose Polsby-Popper compactness (4πA/P²) is below this and whose area is under SLIVER_AREA_M2 is a sliver.
SLIVER_COMPACTNESS = 0.02
SLIVER_AREA_M2 = 1_000_000
# An edge farther than this from its units' stored outlines strays from them.
STRAY_TOLERANCE_M = 1.0


class TopologyRefused(ValueError):
    """An edit that would break the tiling; ``where`` is (lon, lat) of the trouble."""

    def __init__(self, message: str, where: tuple[float, float] | None = None):
        super().__init__(message if where is None else f"{message} (at {where[0]:.6f}, {where[1]:.6f})")
        self.where = where


def lonlat_of(point: shapely.Point) -> tuple[float, float]:
    return round(point.x, 6), round(point.y, 6)


# ---- building the topology from the polygons -----------------------------------------------------------


def counties() -> list[AdminUnit]:
    city = AdminUnit.objects.current().get(code=settings.TERRITORY_CODE)
    return list(AdminUnit.objects.current().filter(parent=city, tier=Tier.COUNTY, geom__isnull=False).order_by("code"))


def _edges_of(polygons: dict[int, shapely.Geometry]) -> list[tuple[shapely.LineString, int | None, int | None]]:
    """(edge, left unit id, right unit id) for every stretch between nodes of the polygons' boundaries."""
    noded = shapely.union_all([shapely.boundary(p) for p in polygons.values()])
    merged = shapely.line_merge(noded)
    tree_ids = list(polygons)
    tree = shapely.STRtree([polygons[i] for i in tree_ids])
    found = []
    for edge in shapely.get_parts(merged):
        left, right = (_face(tree, tree_ids, polygons, point) for point in _side_points(edge))
        found.append((edge, left, right))
    return found


def _side_points(edge: shapely.LineString) -> tuple[shapely.Point, shapely.Point]:
    """A point just left and one just right of the edge's middle segment."""
    coords = shapely.get_coordinates(edge)
    i = (len(coords) - 1) // 2
    (x0, y0), (x1, y1) = coords[i], coords[i + 1]
    mx, my, dx, dy = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm * SIDE_OFFSET_DEG, dx / norm * SIDE_OFFSET_DEG
    return shapely.Point(mx + nx, my + ny), shapely.Point(mx - nx, my - ny)


def _face(tree, ids, polygons, point) -> int | None:
    for index in tree.query(point, predicate="within"):
        return ids[index]
    return None


@transaction.atomic
def build() -> int:
    """(Re)build the edges and nodes from the county polygons as they stand; returns the edge count.
    Run when the polygons were loaded (base data); afterwards the edges are the truth and the polygons
    follow them (``move_edge``)."""
    if TopologyEdgeVersion.objects.exists():
        raise TopologyRefused("edges have been edited: the topology is the truth now, not rebuilt from polygons")
    units = {unit.id: unit for unit in counties()}
    polygons = {uid: from_geos(unit.geom) for uid, unit in units.items()}
    TopologyEdge.objects.all().delete()
    TopologyNode.objects.all().delete()
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
        for geometry, left, right in _edges_of(polygons)
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


def rebuilt_polygon(edges: list[shapely.LineString]) -> shapely.Geometry:
    """The area the edges enclose (every edge bounding it once)."""
    return shapely.union_all(list(shapely.get_parts(shapely.polygonize(edges))))


def polygons_from_edges(replaced: dict[int, shapely.LineString] | None = None) -> dict[int, shapely.Geometry]:
    """Each county's polygon rebuilt from its edges (``replaced``: edge id -> a proposed geometry)."""
    replaced = replaced or {}
    faces: dict[int, list[shapely.LineString]] = {}
    for edge in TopologyEdge.objects.all():
        geometry = replaced.get(edge.id) or from_geos(edge.geom)
        for unit_id in (edge.left_id, edge.right_id):
            if unit_id is not None:
                faces.setdefault(unit_id, []).append(geometry)
    return {unit_id: rebuilt_polygon(edges) for unit_id, edges in faces.items()}


# ---- the validator ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    kind: str  # gap, overlap, sliver, dangling, stray, invalid
    message: str
    lon: float
    lat: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "lon": self.lon, "lat": self.lat}


def validate(polygons: dict[int, shapely.Geometry] | None = None, *, outline: shapely.Geometry | None = None):
    """What breaks the tiling of the city by its counties, each finding with where it is: invalid
    polygons, gaps, overlaps, slivers, dangling edge ends, edges straying from their units' outlines."""
    units = {unit.id: unit for unit in counties()}
    polygons = polygons if polygons is not None else polygons_from_edges()
    return tiling_findings(polygons, units, outline=outline) + _dangling() + _strays(units)


def tiling_findings(polygons: dict[int, shapely.Geometry], units: dict[int, AdminUnit], *, outline=None):
    """Invalid polygons, overlaps, slivers and gaps (of ``outline``, else the city's stored outline)."""
    findings: list[Finding] = []
    for unit_id, polygon in polygons.items():
        name = units[unit_id].name if unit_id in units else str(unit_id)
        if not polygon.is_valid or polygon.is_empty:
            where = shapely.point_on_surface(polygon) if not polygon.is_empty else shapely.Point(0, 0)
            findings.append(Finding("invalid", f"{name}: {shapely.is_valid_reason(polygon)}", *lonlat_of(where)))
    valid = {uid: p for uid, p in polygons.items() if p.is_valid and not p.is_empty}
    union = shapely.union_all(list(valid.values()))
    # The pairs are intersected only when the areas do not add up (cheap): that is where an overlap is.
    if sum(p.area for p in valid.values()) - union.area > OVERLAP_NOISE_DEG2:
        findings += _overlaps(valid, units)
    findings += _slivers(valid, units)
    city = (
        outline
        if outline is not None
        else from_geos(AdminUnit.objects.current().get(code=settings.TERRITORY_CODE).geom)
    )
    for part in shapely.get_parts(shapely.difference(city, union)):
        area = to_metric(part).area
        if area > AREA_NOISE_M2:
            findings.append(
                Finding("gap", f"a gap of {area:,.0f} m² no county covers", *lonlat_of(part.point_on_surface()))
            )
    return findings


def _overlaps(polygons, units) -> list[Finding]:
    found = []
    ids = sorted(polygons)
    tree = shapely.STRtree([polygons[i] for i in ids])
    for a_index, b_index in zip(*tree.query([polygons[i] for i in ids], predicate="intersects"), strict=True):
        a, b = ids[a_index], ids[b_index]
        if a >= b:
            continue
        shared = shapely.intersection(polygons[a], polygons[b])
        for part in shapely.get_parts(shared):
            if part.geom_type in ("Polygon", "MultiPolygon") and to_metric(part).area > AREA_NOISE_M2:
                message = f"{units[a].name} and {units[b].name} overlap by {to_metric(part).area:,.0f} m²"
                found.append(Finding("overlap", message, *lonlat_of(part.point_on_surface())))
    return found


def _slivers(polygons, units) -> list[Finding]:
    found = []
    for unit_id, polygon in polygons.items():
        for part in shapely.get_parts(polygon):
            shape = to_metric(part)
            compactness = 4 * math.pi * shape.area / (shape.length**2) if shape.length else 1.0
            if shape.area < SLIVER_AREA_M2 and compactness < SLIVER_COMPACTNESS:
                message = f"{units[unit_id].name}: a sliver of {shape.area:,.0f} m² (compactness {compactness:.3f})"
                found.append(Finding("sliver", message, *lonlat_of(part.point_on_surface())))
    return found


def _dangling() -> list[Finding]:
    ends = Counter()
    where = {}
    for edge in TopologyEdge.objects.select_related("start_node", "end_node"):
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
    for edge in TopologyEdge.objects.all():
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
    own nodes, crossing neither itself nor another edge, the counties still tiling the city. Writes
    nothing; returns the rebuilt polygons and, for an edge of the city's outline, the new outline."""
    if edge.line is not None and edge.line.read_only:
        raise TopologyRefused(f"{edge.line.name} is not the bureau's to edit")
    _check_course(edge, geometry)
    polygons = polygons_from_edges({edge.id: geometry})
    on_outline = edge.left_id is None or edge.right_id is None  # the city's outline moves with it
    outline = shapely.union_all(list(polygons.values())) if on_outline else None
    units = {unit.id: unit for unit in counties()}
    findings = tiling_findings(polygons, units, outline=outline)
    if findings:
        first = findings[0]
        raise TopologyRefused(f"the edit would break the tiling: {first.message}", (first.lon, first.lat))
    return polygons, outline


@transaction.atomic
def move_edge(edge: TopologyEdge, geometry: shapely.LineString, *, changeset: Changeset, expected_version: int | None):
    """The edge takes a new course between its own two nodes (``check_move``); the units on both sides
    get the polygons rebuilt from their edges, versioned in ``changeset``; nothing is written when refused."""
    locked = lock(TopologyEdge.objects.select_related("start_node", "end_node", "line"), edge.pk, expected_version)
    polygons, outline = check_move(locked, geometry)
    locked.geom = to_geos(geometry)
    bump(locked)
    locked.refresh_from_db()
    TopologyEdgeVersion.objects.create(
        edge=locked, version=locked.version, changeset=changeset, data=_snapshot(locked), geom=locked.geom
    )
    for unit_id in (locked.left_id, locked.right_id):
        if unit_id is not None:
            unit = AdminUnit.objects.get(pk=unit_id)
            update_unit(unit, changeset=changeset, changes={"geom": to_geos_multipolygon(polygons[unit_id])})
    if outline is not None:
        city = AdminUnit.objects.current().get(code=settings.TERRITORY_CODE)
        update_unit(city, changeset=changeset, changes={"geom": to_geos_multipolygon(outline)})
    return locked


def _check_course(edge: TopologyEdge, geometry: shapely.LineString) -> None:
    if geometry.geom_type != "LineString" or len(shapely.get_coordinates(geometry)) < 2:
        raise TopologyRefused("an edge is one LineString")
    coords = shapely.get_coordinates(geometry)
    for end, node in ((coords[0], edge.start_node), (coords[-1], edge.end_node)):
        if (float(end[0]), float(end[1])) != (node.geom.x, node.geom.y):
            raise TopologyRefused(
                f"an edge keeps its ends at its nodes ({node.geom.x:.6f}, {node.geom.y:.6f}): moving a node moves "
                "every edge that meets there",
                (float(end[0]), float(end[1])),
            )
    if not shapely.is_simple(geometry):
        crossing = _self_crossing(geometry)
        raise TopologyRefused("the new course crosses itself", crossing)
    nodes = {(edge.start_node.geom.x, edge.start_node.geom.y), (edge.end_node.geom.x, edge.end_node.geom.y)}
    box = geometry.bounds
    for other in TopologyEdge.objects.exclude(pk=edge.pk).filter(geom__bboverlaps=to_geos(shapely.box(*box))):
        touch = shapely.intersection(geometry, from_geos(other.geom))
        if touch.is_empty:
            continue
        points = {(float(x), float(y)) for x, y in shapely.get_coordinates(touch)}
        if touch.geom_type not in ("Point", "MultiPoint") or not points <= nodes:
            where = shapely.get_coordinates(touch)[0]
            raise TopologyRefused(f"the new course crosses edge {other.id}", (float(where[0]), float(where[1])))


def _self_crossing(geometry: shapely.LineString) -> tuple[float, float]:
    """Where a course crosses itself: a vertex of its noded pieces shared by more than two piece ends."""
    ends = Counter(
        (float(x), float(y))
        for piece in shapely.get_parts(shapely.node(geometry))
        for x, y in piece.coords[:: len(piece.coords) - 1]
    )
    crossing = next((xy for xy, count in ends.items() if count > 2), None)
    return crossing or tuple(map(float, shapely.get_coordinates(geometry)[0]))


def _snapshot(edge: TopologyEdge) -> dict:
    return {
        "start_node": edge.start_node_id,
        "end_node": edge.end_node_id,
        "left": edge.left.code if edge.left_id else None,
        "right": edge.right.code if edge.right_id else None,
        "line": edge.line.code if edge.line_id else None,
    }


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
        return source is not None and source.key.startswith(TOWNSHIP_SOURCE_PREFIX)
    return unit.tier <= Tier.COUNTY and TopologyEdge.objects.exists()


OUTLINE_BY_EDGES = (
    "its outline is kept by its boundary edges, shared with its neighbours: move an edge "
    "(PATCH /api/v1/topology/edges/{id}) and both neighbours follow; a township's outline comes from "
    "the bureau's township file: import the file again (POST /api/v1/units/{county}/townships/import) "
    "or propose the change (a division draft)"
)


def ensure_built() -> int:
    """Build the topology once the county polygons are loaded and no edge exists yet (base data step)."""
    if (
        TopologyEdge.objects.exists()
        or not AdminUnit.objects.current().filter(tier=Tier.COUNTY, geom__isnull=False).exists()
    ):
        return 0
    return build()
