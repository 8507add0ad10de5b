"""What the generalisation reads: the territory's city and county polygons, the context areas around it
and the boundary lines, all in the tile CRS, and a digest of them that says whether anything changed.

Context areas are clipped to a box around the territory (CONTEXT_MARGIN_M): the tiles show the
neighbourhood, not the whole of Russia (whose outline alone has 300,000 vertices)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import shapely
from django.conf import settings
from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import GeoFunc, Transform
from django.contrib.gis.geos import Polygon

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine, ContextArea
from core.geometry import from_geos
from core.srid import STORAGE_SRID, TILE_SRID

CONTEXT_MARGIN_M = 150_000.0  # metres of the tile CRS around the territory's bounding box
CONTEXT_KINDS = (ContextArea.Kind.PREFECTURE, ContextArea.Kind.FOREIGN)


class ClipByBox2D(GeoFunc):
    """ST_ClipByBox2D(geom, box): a fast rectangular clip, to cut a country outline down before it is
    transformed and read (used here only; the result is intersected exactly afterwards)."""

    function = "ST_ClipByBox2D"
    geom_param_pos = (0, 1)
    output_field = GeometryField()


@dataclass(frozen=True)
class Source:
    id: int
    code: str
    geom: shapely.Geometry
    kind: str = ""  # context kind, or the level of a line
    parties: tuple[str, ...] = ()  # codes of a line's parties


@dataclass
class Inputs:
    city: Source | None
    counties: list[Source] = field(default_factory=list)
    prefectures: list[Source] = field(default_factory=list)
    foreign: list[Source] = field(default_factory=list)
    lines: list[Source] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None

    def digest(self, settings_text: str) -> str:
        """sha256 of the settings and every input (ids, codes, kinds, parties, exact geometry)."""
        digest = hashlib.sha256(settings_text.encode())
        groups = (("city", [self.city] if self.city else []), ("county", self.counties))
        groups += (("prefecture", self.prefectures), ("foreign", self.foreign), ("line", self.lines))
        for name, sources in groups:
            for source in sources:
                head = f"|{name}:{source.id}:{source.code}:{source.kind}:{','.join(source.parties)}:"
                digest.update(head.encode())
                digest.update(shapely.to_wkb(source.geom))
        return digest.hexdigest()


def _in_tile_crs(queryset, expression="geom"):
    return queryset.annotate(tile_geom=Transform(expression, TILE_SRID))


def _context_box(city: shapely.Geometry) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = city.bounds
    m = CONTEXT_MARGIN_M
    return (minx - m, miny - m, maxx + m, maxy + m)


def _storage_box(box: tuple[float, float, float, float]) -> Polygon:
    """The tile-CRS box in the storage CRS, a little larger so that the exact clip happens afterwards."""
    polygon = Polygon.from_bbox(box)
    polygon.srid = TILE_SRID
    polygon = polygon.transform(STORAGE_SRID, clone=True)
    minx, miny, maxx, maxy = polygon.extent
    larger = Polygon.from_bbox((minx - 0.1, miny - 0.1, maxx + 0.1, maxy + 0.1))
    larger.srid = STORAGE_SRID
    return larger


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    if not shapely.is_valid(geometry):
        geometry = shapely.make_valid(geometry)
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if len(parts) > 1 else (parts[0] if parts else shapely.Polygon())


def _context(box) -> tuple[list[Source], list[Source]]:
    clip = _storage_box(box)
    areas = _in_tile_crs(
        ContextArea.objects.filter(kind__in=CONTEXT_KINDS, geom__bboverlaps=clip), ClipByBox2D("geom", clip)
    )
    prefectures, foreign = [], []
    rectangle = shapely.box(*box)
    for area in areas.order_by("code"):
        geom = _polygonal(shapely.intersection(from_geos(area.tile_geom), rectangle))
        if geom.is_empty:
            continue
        source = Source(area.id, area.code, geom, kind=area.kind)
        (foreign if area.kind == ContextArea.Kind.FOREIGN else prefectures).append(source)
    return prefectures, foreign


def load_inputs() -> Inputs:
    city_row = _in_tile_crs(
        AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE, geom__isnull=False)
    ).first()
    if city_row is None:
        return Inputs(city=None)
    city = Source(city_row.id, city_row.code, from_geos(city_row.tile_geom), kind=city_row.level)
    counties = _in_tile_crs(
        AdminUnit.objects.current().filter(parent=city_row, tier=Tier.COUNTY, geom__isnull=False).order_by("code")
    )
    lines = _in_tile_crs(
        BoundaryLine.objects.filter(valid_to__isnull=True)
        .prefetch_related("party_rows__unit", "party_rows__outside")
        .order_by("code")
    )
    box = _context_box(city.geom)
    prefectures, foreign = _context(box)
    return Inputs(
        city=city,
        counties=[Source(u.id, u.code, from_geos(u.tile_geom), kind=u.level) for u in counties],
        prefectures=prefectures,
        foreign=foreign,
        lines=[
            Source(line.id, line.code, from_geos(line.tile_geom), kind=line.level, parties=_party_codes(line))
            for line in lines
        ],
        box=box,
    )


def _party_codes(line: BoundaryLine) -> tuple[str, ...]:
    return tuple(str(party.get("code", "")) for party in line.parties or [])
