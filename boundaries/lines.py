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
from boundaries.models import AdminUnit, BoundaryLine, ContextArea
from core.events import subscribe
from core.geometry import from_geos, to_geos

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


def _save(code: str, name: str, level: str, parties: list[dict], geom, derived_from: str) -> bool:
    fields = {"name": name, "level": level, "parties": parties, "derived_from": derived_from}
    line = BoundaryLine.objects.filter(code=code).first()
    if line is None:
        BoundaryLine.objects.create(code=code, geom=geom, **fields)
        return True
    if line.geom.equals_exact(geom, tolerance=0) and all(getattr(line, k) == v for k, v in fields.items()):
        return False
    for key, value in fields.items():
        setattr(line, key, value)
    line.geom = geom
    line.save()
    return True


@transaction.atomic
def sync_boundary_lines() -> int:
    """Create or update the derived lines; returns how many changed."""
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
                parties = [{"code": a.code, "name": a.name}, {"code": b.code, "name": b.name}]
                changed += _save(
                    f"{a.code}-{b.code}",
                    f"{a.name}—{b.name}线",
                    BoundaryLine.Level.COUNTY,
                    parties,
                    edge,
                    "shared edge of the two units' polygons",
                )
    for area in ContextArea.objects.filter(kind=ContextArea.Kind.PREFECTURE):
        edge = _edge(city, area)
        if edge is not None:
            changed += _save_outer(city, area, edge, "the city's polygon where it meets the neighbouring prefecture")
    changed += _sync_national_border(city)
    return changed


def _save_outer(city: AdminUnit, area: ContextArea, edge, derived_from: str) -> bool:
    parties = [{"code": city.code, "name": city.name}, {"code": area.code, "name": area.name}]
    return _save(
        f"{city.code}-{area.code}", f"{city.name}—{area.name}线", _outer_level(area, city), parties, edge, derived_from
    )


def _sync_national_border(city: AdminUnit) -> int:
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
    return int(_save_outer(city, foreign, edge, "the city's polygon where it is the country's outline"))


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
