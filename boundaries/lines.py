"""Boundary lines derived from the unit polygons: every shared edge of two county-level units, and
every stretch of the city's outer boundary by the area across it (a neighbouring prefecture, another
province, or a foreign country: the national border). Shared vertices coincide exactly (one lineage),
so the edges are exact intersections of the boundaries; nothing is snapped."""

from __future__ import annotations

import shapely
from django.conf import settings
from django.contrib.gis.db.models.functions import Distance
from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine, ContextArea, LineParty, TopologyEdge
from boundaries.services.line_records import record_version
from core.events import subscribe
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import bump

Level = BoundaryLine.Level

# The other area is first clipped to this box around the unit (a country outline has 150,000 vertices).
CLIP_MARGIN_DEG = 0.05


def _segments(geometry: shapely.Geometry):
    for line in shapely.get_parts(shapely.boundary(geometry)):
        coords = shapely.get_coordinates(line)
        yield from zip(map(tuple, coords[:-1]), map(tuple, coords[1:]), strict=True)


def shared_edge(a: shapely.Geometry, b: shapely.Geometry) -> shapely.MultiLineString | None:
    """The stretch of a's boundary that b's boundary runs along. The polygons share their vertices
    exactly (one lineage, one conversion), so the shared edges are the segments both boundaries have;
    matching segments is exact and fast where a polygon overlay of long boundaries takes seconds."""
    minx, miny, maxx, maxy = a.bounds
    b = shapely.clip_by_rect(
        b, minx - CLIP_MARGIN_DEG, miny - CLIP_MARGIN_DEG, maxx + CLIP_MARGIN_DEG, maxy + CLIP_MARGIN_DEG
    )
    theirs = set()
    for p, q in _segments(b):
        theirs.update(((p, q), (q, p)))
    shared = [shapely.LineString([p, q]) for p, q in _segments(a) if (p, q) in theirs]
    if not shared:
        return None
    merged = shapely.line_merge(shapely.MultiLineString(shared))
    return merged if merged.geom_type == "MultiLineString" else shapely.MultiLineString([merged])


def _edge(a, b) -> GEOSGeometry | None:
    edge = shared_edge(from_geos(a.geom), from_geos(b.geom))
    return None if edge is None else to_geos(edge)


def _outer_level(area: ContextArea, city: AdminUnit) -> str:
    if area.kind == ContextArea.Kind.FOREIGN:
        return BoundaryLine.Level.NATIONAL
    same_province = area.code[:2] == city.code[:2]
    return BoundaryLine.Level.PREFECTURE if same_province else BoundaryLine.Level.PROVINCE


def _save(run: Derivation, code: str, name: str, level: str, parties: list, geom, derived_from: str) -> bool:
    """Create or bring up to date one derived line; ``parties`` are units or outside areas, in order.
    A change is a new version of the line, in one changeset for the whole derivation."""
    fields = {"name": name, "level": level, "derived_from": derived_from, "read_only": level == Level.NATIONAL}
    line = BoundaryLine.objects.filter(code=code).prefetch_related("party_rows").first()
    if line is None:
        line = BoundaryLine.objects.create(code=code, geom=geom, **fields)
        _set_parties(line, parties)
        _record(run, line)
        return True
    same_parties = [(r.unit_id, r.outside_id) for r in line.party_rows.all()] == [_refs(p) for p in parties]
    if (
        line.geom.equals_exact(geom, tolerance=0)
        and same_parties
        and all(getattr(line, k) == v for k, v in fields.items())
    ):
        return False
    for key, value in fields.items():
        setattr(line, key, value)
    line.geom = geom
    bump(line)
    if not same_parties:
        line.party_rows.all().delete()
        _set_parties(line, parties)
    _record(run, line)
    return True


def _refs(party) -> tuple[int | None, int | None]:
    return (party.pk, None) if isinstance(party, AdminUnit) else (None, party.pk)


def _set_parties(line: BoundaryLine, parties: list) -> None:
    for order, party in enumerate(parties):
        unit_id, outside_id = _refs(party)
        LineParty.objects.create(line=line, order=order, unit_id=unit_id, outside_id=outside_id)


class Derivation:
    """One run of the derivation: its changeset, opened at its first change."""

    def __init__(self):
        self._changeset = None

    @property
    def changeset(self) -> Changeset:
        if self._changeset is None:
            self._changeset = open_changeset(
                Changeset.Kind.IMPORT, "boundary lines derived from the unit polygons", label="derive boundary lines"
            )
        return self._changeset


def _record(run: Derivation, line: BoundaryLine) -> None:
    record_version(line, run.changeset)


@transaction.atomic
def sync_boundary_lines() -> int:
    """Create or update the derived lines; returns how many changed. Once the topology exists
    (boundaries.services.topology) a line is the chain of its edges; before, the shared edges of
    the polygons."""
    run = Derivation()
    if TopologyEdge.objects.county_layer().exists():
        return _sync_from_edges(run)
    city = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE, geom__isnull=False).first()
    if city is None:
        return 0
    counties = list(
        AdminUnit.objects.current().filter(parent=city, tier=Tier.COUNTY, geom__isnull=False).order_by("code")
    )
    changed = 0
    for i, a in enumerate(counties):
        for b in counties[i + 1 :]:
            edge = _edge(a, b)
            if edge is not None:
                changed += _save(
                    run,
                    f"{a.code}-{b.code}",
                    f"{a.name}—{b.name}线",
                    BoundaryLine.Level.COUNTY,
                    [a, b],
                    edge,
                    "shared edge of the two units' polygons",
                )
    for area in ContextArea.objects.filter(kind=ContextArea.Kind.PREFECTURE):
        edge = _edge(city, area)
        if edge is not None:
            changed += _save_outer(
                run, city, area, edge, "the city's polygon where it meets the neighbouring prefecture"
            )
    changed += _sync_national_border(run, city)
    return changed


def _sync_from_edges(run: Derivation) -> int:
    changed = 0
    # A county-level line's course is its edges'; a township line's follows its own layer's moves
    # (boundaries.services.township_topology).
    lines = BoundaryLine.objects.filter(edges__within__isnull=True).distinct().prefetch_related("edges", "party_rows")
    for line in lines:
        merged = shapely.line_merge(shapely.union_all([from_geos(edge.geom) for edge in line.edges.all()]))
        geom = to_geos(merged if merged.geom_type == "MultiLineString" else shapely.MultiLineString([merged]))
        if line.geom.equals_exact(geom, tolerance=0):
            continue
        line.geom = geom
        bump(line)
        _record(run, line)
        changed += 1
    return changed


def _save_outer(run: Derivation, city: AdminUnit, area: ContextArea, edge, derived_from: str) -> bool:
    return _save(
        run,
        f"{city.code}-{area.code}",
        f"{city.name}—{area.name}线",
        _outer_level(area, city),
        [city, area],
        edge,
        derived_from,
    )


def _sync_national_border(run: Derivation, city: AdminUnit) -> int:
    """Where the city's boundary is the country's outline (same lineage: exact), with the foreign country
    across it. The foreign country's own outline (another lineage) only says which country that is."""
    country = ContextArea.objects.filter(kind=ContextArea.Kind.COUNTRY).first()
    edge = _edge(city, country) if country else None
    if edge is None:
        return 0
    foreign = (
        ContextArea.objects.filter(kind=ContextArea.Kind.FOREIGN)
        .annotate(distance=Distance("geom", edge.point_on_surface))
        .order_by("distance")
        .first()
    )
    if foreign is None:
        return 0
    return int(_save_outer(run, city, foreign, edge, "the city's polygon where it is the country's outline"))


# ---- kept derived: the lines follow the polygons ------------------------------------------------------

# What a line takes from its parties: where they meet, who they are, and whether they are current.
LINE_INPUTS = ("geom", "code", "name", "parent", "tier", "valid_from", "valid_to")


def _shapes_lines(event) -> bool:
    return event.record.tier <= Tier.COUNTY and event.touches(*LINE_INPUTS)


def _rederive(event) -> None:
    sync_boundary_lines()


def lines_follow_units() -> None:
    """Within the edit's transaction: a county's new polygon and the lines on both sides of it commit
    together (and the tiles drawn from them are dropped by the same edit)."""
    subscribe("unit", _rederive, when=_shapes_lines)
