"""What both layers of the topology share (boundaries.services.topology for the counties,
boundaries.services.township_topology for each county's townships): the refusal that says where, the
faces on either side of an edge, the polygons edges enclose, the tiling findings, and the checks of an
edge's new course."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import shapely

from core.geometry import from_geos, to_geos
from core.metric import to_metric

# A point this far (degrees, about 0.1 m) to one side of an edge falls in the unit on that side.
SIDE_OFFSET_DEG = 1e-6
# What the validator counts: an area below this is noise of the arithmetic, not a gap or an overlap.
AREA_NOISE_M2 = 1.0
OVERLAP_NOISE_DEG2 = 1e-10  # about 1 m² at this latitude
# A part whose Polsby-Popper compactness (4πA/P²) is below this and whose area is under SLIVER_AREA_M2 is a sliver.
SLIVER_COMPACTNESS = 0.02
SLIVER_AREA_M2 = 1_000_000


class TopologyRefused(ValueError):
    """An edit that would break the tiling; ``where`` is (lon, lat) of the trouble."""

    def __init__(self, message: str, where: tuple[float, float] | None = None):
        super().__init__(message if where is None else f"{message} (at {where[0]:.6f}, {where[1]:.6f})")
        self.where = where


def lonlat_of(point: shapely.Point) -> tuple[float, float]:
    return round(point.x, 6), round(point.y, 6)


@dataclass(frozen=True)
class Finding:
    kind: str  # gap, overlap, sliver, dangling, stray, invalid, unclaimed
    message: str
    lon: float
    lat: float

    def as_dict(self) -> dict:
        return {"kind": self.kind, "message": self.message, "lon": self.lon, "lat": self.lat}


# ---- faces and edges ----------------------------------------------------------------------------------------


def edges_of(polygons: dict[int, shapely.Geometry]) -> list[tuple[shapely.LineString, int | None, int | None]]:
    """(edge, left unit id, right unit id) for every stretch between nodes of the polygons' boundaries."""
    noded = shapely.union_all([shapely.boundary(p) for p in polygons.values()])
    merged = shapely.line_merge(noded)
    ids = list(polygons)
    tree = shapely.STRtree([polygons[i] for i in ids])
    found = []
    for edge in shapely.get_parts(merged):
        left, right = (face_at(tree, ids, point) for point in side_points(edge))
        found.append((edge, left, right))
    return found


def side_points(edge: shapely.LineString) -> tuple[shapely.Point, shapely.Point]:
    """A point just left and one just right of the edge's middle segment."""
    coords = shapely.get_coordinates(edge)
    i = (len(coords) - 1) // 2
    (x0, y0), (x1, y1) = coords[i], coords[i + 1]
    mx, my, dx, dy = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    norm = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / norm * SIDE_OFFSET_DEG, dx / norm * SIDE_OFFSET_DEG
    return shapely.Point(mx + nx, my + ny), shapely.Point(mx - nx, my - ny)


def face_at(tree: shapely.STRtree, ids: list, point: shapely.Point):
    for index in tree.query(point, predicate="within"):
        return ids[index]
    return None


def rebuilt_polygon(edges: list[shapely.LineString]) -> shapely.Geometry:
    """The area the edges enclose (every edge bounding it once)."""
    return shapely.union_all(list(shapely.get_parts(shapely.polygonize(edges))))


# ---- the tiling -------------------------------------------------------------------------------------------------


def tiling_findings(
    polygons: dict[int, shapely.Geometry], names: dict[int, str], outline: shapely.Geometry, *, tiles: str = "county"
) -> list[Finding]:
    """Invalid polygons, overlaps, slivers, and gaps of ``outline`` that no ``tiles`` covers."""
    findings: list[Finding] = []
    for unit_id, polygon in polygons.items():
        name = names.get(unit_id, str(unit_id))
        if not polygon.is_valid or polygon.is_empty:
            where = shapely.point_on_surface(polygon) if not polygon.is_empty else shapely.Point(0, 0)
            findings.append(Finding("invalid", f"{name}: {shapely.is_valid_reason(polygon)}", *lonlat_of(where)))
    valid = {uid: p for uid, p in polygons.items() if p.is_valid and not p.is_empty}
    union = shapely.union_all(list(valid.values()))
    # The pairs are intersected only when the areas do not add up (cheap): that is where an overlap is.
    if sum(p.area for p in valid.values()) - union.area > OVERLAP_NOISE_DEG2:
        findings += _overlaps(valid, names)
    findings += _slivers(valid, names)
    for part in shapely.get_parts(shapely.difference(outline, union)):
        area = to_metric(part).area
        if area > AREA_NOISE_M2:
            message = f"a gap of {area:,.0f} m² no {tiles} covers"
            findings.append(Finding("gap", message, *lonlat_of(part.point_on_surface())))
    return findings


def _overlaps(polygons, names) -> list[Finding]:
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
                message = f"{names[a]} and {names[b]} overlap by {to_metric(part).area:,.0f} m²"
                found.append(Finding("overlap", message, *lonlat_of(part.point_on_surface())))
    return found


def _slivers(polygons, names) -> list[Finding]:
    found = []
    for unit_id, polygon in polygons.items():
        for part in shapely.get_parts(polygon):
            shape = to_metric(part)
            compactness = 4 * math.pi * shape.area / (shape.length**2) if shape.length else 1.0
            if shape.area < SLIVER_AREA_M2 and compactness < SLIVER_COMPACTNESS:
                message = f"{names[unit_id]}: a sliver of {shape.area:,.0f} m² (compactness {compactness:.3f})"
                found.append(Finding("sliver", message, *lonlat_of(part.point_on_surface())))
    return found


def first_refusal(findings: list[Finding]) -> TopologyRefused | None:
    if not findings:
        return None
    first = findings[0]
    return TopologyRefused(f"the edit would break the tiling: {first.message}", (first.lon, first.lat))


# ---- an edge's new course ------------------------------------------------------------------------------------


def check_course(edge, geometry: shapely.LineString, others) -> None:
    """The new course is one simple LineString between the edge's own nodes, crossing none of
    ``others`` (a queryset of the edges of the same layer) except at those nodes."""
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
        raise TopologyRefused("the new course crosses itself", _self_crossing(geometry))
    nodes = {(edge.start_node.geom.x, edge.start_node.geom.y), (edge.end_node.geom.x, edge.end_node.geom.y)}
    box = to_geos(shapely.box(*geometry.bounds))
    for other in others.exclude(pk=edge.pk).filter(geom__bboverlaps=box):
        crossing = touches_outside(geometry, from_geos(other.geom), nodes)
        if crossing is not None:
            raise TopologyRefused(f"the new course crosses edge {other.id}", crossing)


def touches_outside(course: shapely.Geometry, other: shapely.Geometry, allowed: set) -> tuple[float, float] | None:
    """Where ``course`` meets ``other`` other than at the ``allowed`` points (None: nowhere)."""
    touch = shapely.intersection(course, other)
    if touch.is_empty:
        return None
    points = {(float(x), float(y)) for x, y in shapely.get_coordinates(touch)}
    if touch.geom_type in ("Point", "MultiPoint") and points <= allowed:
        return None
    where = shapely.get_coordinates(touch)[0]
    return float(where[0]), float(where[1])


def _self_crossing(geometry: shapely.LineString) -> tuple[float, float]:
    """Where a course crosses itself: a vertex of its noded pieces shared by more than two piece ends."""
    ends = Counter(
        (float(x), float(y))
        for piece in shapely.get_parts(shapely.node(geometry))
        for x, y in piece.coords[:: len(piece.coords) - 1]
    )
    crossing = next((xy for xy, count in ends.items() if count > 2), None)
    return crossing or tuple(map(float, shapely.get_coordinates(geometry)[0]))
