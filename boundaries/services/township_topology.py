"""Each county's township layer: the boundaries between its townships stored once, as edges between
nodes (the same TopologyEdge and TopologyNode tables as the county layer, with ``within`` the county).
A township's polygon is rebuilt from the county's outline (kept by the county layer,
boundaries.services.topology) and the layer's edges, so moving one township edge changes both
townships at once, and moving a county edge carries the townships along it.

- The layer is built from the townships' polygons (``build``) when the bureau's township file was
  imported (boundaries.services.township_import) and they tile the county; building again (a new file,
  a division draft that moved villages) retires the layer before it, kept for its history.
- Only edges between two townships are stored: where a township meets the county's outline, its
  boundary is the county's, and a node of the layer stands on it.
- A township edge moves as the county edges do (a proposal both parties agree to,
  boundaries.services.proposals): its ends at its own nodes, crossing no other edge and not leaving the
  county; its townships still tile the county. The parties are the two townships, whose signed
  approvals an officer of the county records, and the county itself (boundaries.services.agreement).
- A county edge may move only along a course that keeps every point where a township edge meets it
  (``check_follow``): the townships then follow the county's new outline.

Faces are given to townships by the sides of the edges bounding them (a point just left and just right
of each edge's middle), so a township keeps its faces however far its edges move; a face no edge
bounds (a part of the county the outline alone encloses) goes to the township whose polygon holds it.
"""

from __future__ import annotations

import shapely
from django.db import transaction
from django.utils import timezone

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine, BoundaryProposal, TopologyEdge, TopologyEdgeVersion, TopologyNode
from boundaries.services import edge_geometry
from boundaries.services.edge_geometry import Finding, TopologyRefused, lonlat_of
from boundaries.services.line_records import record_version
from boundaries.services.units import update_unit
from core.geometry import from_geos, to_geos, to_geos_multipolygon
from core.models import Changeset
from core.records import bump

NODE_ON_EDGE_DEG = 1e-7  # a township node this close (about 1 cm) to the county's outline stands on it


def townships(county: AdminUnit) -> dict[int, AdminUnit]:
    found = AdminUnit.objects.current().filter(parent=county, tier=Tier.TOWNSHIP, geom__isnull=False)
    return {unit.pk: unit for unit in found.order_by("code")}


def has_layer(county_id: int | None) -> bool:
    return county_id is not None and TopologyEdge.objects.filter(within_id=county_id, retired_at__isnull=True).exists()


def counties_with_layers() -> list[AdminUnit]:
    ids = TopologyEdge.objects.filter(within__isnull=False, retired_at__isnull=True).values("within_id")
    return list(AdminUnit.objects.filter(pk__in=ids).order_by("code"))


# ---- building the layer from the townships' polygons ------------------------------------------------------


@transaction.atomic
def build(county: AdminUnit) -> int:
    """(Re)build the county's township layer from its townships' polygons as they stand; the layer
    before is retired. Returns the edge count (0: fewer than two townships have polygons). Refused while
    a proposal on the layer is pending, or when the townships do not tile the county."""
    pending = BoundaryProposal.objects.filter(
        edge__within=county, edge__retired_at__isnull=True, status=BoundaryProposal.Status.PENDING
    ).first()
    if pending is not None:
        raise TopologyRefused(
            f"proposal {pending.number} on a township line of {county.name} is pending: decide it first"
        )
    units = townships(county)
    polygons = {uid: from_geos(unit.geom) for uid, unit in units.items()}
    now = timezone.now()
    TopologyEdge.objects.townships_of(county).update(retired_at=now)
    TopologyNode.objects.townships_of(county).update(retired_at=now)
    if len(polygons) < 2:
        return 0
    refused = edge_geometry.first_refusal(findings(county, polygons))
    if refused is not None:
        raise TopologyRefused(f"{county.name}'s townships do not tile it: {refused}", refused.where)
    lines = _lines_by_parties(county)
    nodes: dict[tuple[float, float], TopologyNode] = {}

    def node(xy) -> TopologyNode:
        key = (float(xy[0]), float(xy[1]))
        if key not in nodes:
            nodes[key] = TopologyNode.objects.create(geom=to_geos(shapely.Point(key)), within=county)
        return nodes[key]

    count = 0
    for geometry, left, right in edge_geometry.edges_of(polygons):
        if left is None or right is None:
            continue  # on the county's outline: the county layer's
        coords = shapely.get_coordinates(geometry)
        TopologyEdge.objects.create(
            geom=to_geos(geometry),
            start_node=node(coords[0]),
            end_node=node(coords[-1]),
            left_id=left,
            right_id=right,
            within=county,
            line=lines.get(frozenset({left, right})),
        )
        count += 1
    return count


def _lines_by_parties(county: AdminUnit) -> dict[frozenset, BoundaryLine]:
    found = BoundaryLine.objects.filter(
        level=BoundaryLine.Level.TOWNSHIP, code__startswith=county.code, valid_to__isnull=True
    ).prefetch_related("party_rows")
    return {frozenset(row.unit_id for row in line.party_rows.all()): line for line in found}


# ---- the townships rebuilt from the layer -----------------------------------------------------------------


def polygons(
    county: AdminUnit,
    *,
    replaced: dict[int, shapely.LineString] | None = None,
    outline: shapely.Geometry | None = None,
) -> tuple[dict[int, shapely.Geometry], list[Finding]]:
    """Each township's polygon from the county's ``outline`` (else its stored polygon) and the layer's
    edges (``replaced``: edge id -> a proposed course), with what could not be given to one township."""
    replaced = replaced or {}
    outline = outline if outline is not None else from_geos(county.geom)
    edges = [
        (edge, replaced.get(edge.pk) or from_geos(edge.geom)) for edge in TopologyEdge.objects.townships_of(county)
    ]
    linework = shapely.union_all([_outline_through_nodes(county, outline), *(course for _, course in edges)])
    faces = list(shapely.get_parts(shapely.polygonize(list(shapely.get_parts(linework)))))
    tree, face_ids = shapely.STRtree(faces), list(range(len(faces)))
    owner: dict[int, int] = {}
    problems: list[Finding] = []
    for edge, course in edges:
        for point, unit_id in zip(edge_geometry.side_points(course), (edge.left_id, edge.right_id), strict=True):
            face = edge_geometry.face_at(tree, face_ids, point)
            if face is None:
                problems.append(Finding("outside", f"edge {edge.pk} runs outside {county.name}", *lonlat_of(point)))
            elif owner.setdefault(face, unit_id) != unit_id:
                message = f"a face is claimed by two townships (edge {edge.pk} no longer divides them)"
                problems.append(Finding("unclaimed", message, *lonlat_of(point)))
    units = townships(county)
    for index, face in enumerate(faces):
        if index not in owner:
            holder = _holder(units, face)
            if holder is None:
                problems.append(
                    Finding("gap", "a part of the county no township holds", *lonlat_of(face.point_on_surface()))
                )
            else:
                owner[index] = holder
    by_unit: dict[int, list] = {}
    for index, unit_id in owner.items():
        by_unit.setdefault(unit_id, []).append(faces[index])
    for unit_id, unit in units.items():
        if unit_id not in by_unit:
            where = lonlat_of(from_geos(unit.geom).point_on_surface())
            problems.append(Finding("lost", f"{unit.name} would keep no area of its own", *where))
    return {unit_id: shapely.union_all(parts) for unit_id, parts in by_unit.items()}, problems


def _outline_through_nodes(county: AdminUnit, outline: shapely.Geometry) -> shapely.Geometry:
    """The county's outline with the layer's nodes on it as vertices: a township edge ends on a
    segment of the outline, at a point the arithmetic put a hair off it, so the two are noded there."""
    points = [from_geos(node.geom) for node in TopologyNode.objects.townships_of(county)]
    boundary = shapely.boundary(outline)
    return shapely.snap(boundary, shapely.MultiPoint(points), NODE_ON_EDGE_DEG) if points else boundary


def _holder(units: dict[int, AdminUnit], face: shapely.Geometry) -> int | None:
    point = face.point_on_surface()
    return next((uid for uid, unit in units.items() if from_geos(unit.geom).contains(point)), None)


def findings(
    county: AdminUnit, rebuilt: dict[int, shapely.Geometry], *, outline: shapely.Geometry | None = None
) -> list[Finding]:
    """What breaks the tiling of the county by ``rebuilt`` township polygons."""
    names = {uid: unit.name for uid, unit in townships(county).items()}
    outline = outline if outline is not None else from_geos(county.geom)
    return edge_geometry.tiling_findings(rebuilt, names, outline, tiles="township")


def validate() -> list[Finding]:
    """The validator's report on every township layer: the townships rebuilt from the edges tile their
    county, and every township edge's ends meet another edge or the county's outline."""
    found = []
    for county in counties_with_layers():
        rebuilt, problems = polygons(county)
        found += [_named(county, f) for f in problems + findings(county, rebuilt) + _dangling(county)]
    return found


def _named(county: AdminUnit, finding: Finding) -> Finding:
    return Finding(finding.kind, f"{county.name}: {finding.message}", finding.lon, finding.lat)


def _dangling(county: AdminUnit) -> list[Finding]:
    outline = shapely.boundary(from_geos(county.geom))
    ends: dict[int, int] = {}
    where: dict[int, shapely.Point] = {}
    for edge in TopologyEdge.objects.townships_of(county).select_related("start_node", "end_node"):
        for node in (edge.start_node, edge.end_node):
            ends[node.pk] = ends.get(node.pk, 0) + 1
            where[node.pk] = from_geos(node.geom)
    return [
        Finding("dangling", f"node {pk}: a township edge ends here and none goes on", *lonlat_of(where[pk]))
        for pk, count in sorted(ends.items())
        if count == 1 and outline.distance(where[pk]) > NODE_ON_EDGE_DEG
    ]


# ---- a township edge moves ----------------------------------------------------------------------------


def check_move(edge: TopologyEdge, geometry: shapely.LineString) -> dict[int, shapely.Geometry]:
    """Refused (TopologyRefused, saying where) unless the township edge may take this course: between
    its own nodes, crossing no other edge of the layer, inside the county, the townships still tiling
    it. Writes nothing; returns the rebuilt township polygons."""
    county = edge.within
    edge_geometry.check_course(edge, geometry, TopologyEdge.objects.townships_of(county))
    leaves = _meets_outline(geometry, county, ends=(from_geos(edge.start_node.geom), from_geos(edge.end_node.geom)))
    if leaves is not None:
        raise TopologyRefused(f"the new course leaves {county.name}: a township line stays inside its county", leaves)
    rebuilt, problems = polygons(county, replaced={edge.pk: geometry})
    refused = edge_geometry.first_refusal(problems + findings(county, rebuilt))
    if refused is not None:
        raise refused
    return rebuilt


def _meets_outline(course: shapely.LineString, county: AdminUnit, *, ends) -> tuple[float, float] | None:
    """Where the course meets the county's outline other than at its own two nodes (None: nowhere)."""
    touch = shapely.intersection(course, shapely.boundary(from_geos(county.geom)))
    for part in shapely.get_parts(touch):
        if part.geom_type != "Point" or all(part.distance(end) > NODE_ON_EDGE_DEG for end in ends):
            return lonlat_of(part.point_on_surface())
    return None


def move(edge: TopologyEdge, geometry: shapely.LineString, *, changeset: Changeset) -> TopologyEdge:
    """The locked township edge takes its new course; its two townships get their rebuilt polygons and
    its line its new course, in ``changeset``."""
    rebuilt = check_move(edge, geometry)
    edge.geom = to_geos(geometry)
    bump(edge)
    edge.refresh_from_db()
    TopologyEdgeVersion.objects.create(
        edge=edge, version=edge.version, changeset=changeset, data=snapshot(edge), geom=edge.geom
    )
    _write(rebuilt, [edge.left_id, edge.right_id], changeset)
    if edge.line_id:
        _follow_line(edge.line, changeset)
    return edge


def snapshot(edge: TopologyEdge) -> dict:
    return {
        "start_node": edge.start_node_id,
        "end_node": edge.end_node_id,
        "left": edge.left.code if edge.left_id else None,
        "right": edge.right.code if edge.right_id else None,
        "line": edge.line.code if edge.line_id else None,
        "within": edge.within.code if edge.within_id else None,
    }


def _write(rebuilt: dict[int, shapely.Geometry], unit_ids, changeset: Changeset) -> None:
    for unit_id in unit_ids:
        unit = AdminUnit.objects.get(pk=unit_id)
        if not shapely.equals(from_geos(unit.geom), rebuilt[unit_id]):
            update_unit(unit, changeset=changeset, changes={"geom": to_geos_multipolygon(rebuilt[unit_id])})


def _follow_line(line: BoundaryLine, changeset: Changeset) -> None:
    """A township line's course is its edges'."""
    courses = [from_geos(edge.geom) for edge in line.edges.filter(retired_at__isnull=True)]
    merged = shapely.line_merge(shapely.union_all(courses))
    geom = to_geos(merged if merged.geom_type == "MultiLineString" else shapely.MultiLineString([merged]))
    if line.geom.equals_exact(geom, tolerance=0):
        return
    line.geom = geom
    bump(line)
    line.refresh_from_db()
    record_version(line, changeset, frozenset({"geom"}))


# ---- a county edge moves: the townships along it follow --------------------------------------------------


def check_follow(edge: TopologyEdge, geometry: shapely.LineString, counties: dict[int, shapely.Geometry]):
    """For a county edge's new course (``counties``: the rebuilt county polygons): refused unless the
    course keeps every point where a township edge meets the old one and the townships still tile each
    county; returns {county id: rebuilt township polygons} of the counties that have a layer."""
    old = from_geos(edge.geom)
    found = {}
    for county_id in (edge.left_id, edge.right_id):
        if not has_layer(county_id):
            continue
        county = AdminUnit.objects.get(pk=county_id)
        for node in TopologyNode.objects.townships_of(county):
            point = from_geos(node.geom)
            if old.distance(point) <= NODE_ON_EDGE_DEG and geometry.distance(point) > NODE_ON_EDGE_DEG:
                raise TopologyRefused(
                    f"a township line of {county.name} meets this boundary here: the new course keeps this point "
                    "(or move the township line first)",
                    lonlat_of(point),
                )
        rebuilt, problems = polygons(county, outline=counties[county_id])
        refused = edge_geometry.first_refusal(problems + findings(county, rebuilt, outline=counties[county_id]))
        if refused is not None:
            raise TopologyRefused(f"{county.name}'s townships: {refused}", refused.where)
        found[county_id] = rebuilt
    return found


def follow(rebuilt_by_county: dict[int, dict[int, shapely.Geometry]], changeset: Changeset) -> None:
    """The townships of the counties a county edge bounds take the polygons ``check_follow`` rebuilt."""
    for rebuilt in rebuilt_by_county.values():
        _write(rebuilt, list(rebuilt), changeset)
