"""Generalised geometry per zoom band: simplified once, stored, read by every tile of the band.

Per band, the county polygons and the neighbouring prefectures are simplified as one coverage with
shapely.coverage_simplify (GEOS 3.14), which simplifies each shared edge once, so neighbours keep a
common boundary and the coverage keeps no gap and no overlap. The city is the union of its simplified
counties. A boundary line is the simplified coverage's edge between its two parties (a county line:
the two counties; an outer line: the city's counties and the neighbouring prefecture, or the outside
for the national border), so lines and polygons agree exactly. The foreign country (another lineage,
not part of the coverage) and lines whose parties are not faces of it (township lines, when there are
any) are simplified on their own with the same tolerance, topology preserved."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import shapely

from tiles.models import GeneralisedGeometry
from tiles.vector.edges import EXTERIOR, CoverageEdges, merged, near
from tiles.vector.grid import MAX_ZOOM
from tiles.vector.sources import CONTEXT_MARGIN_M, Inputs, Source

logger = logging.getLogger(__name__)

Kind = GeneralisedGeometry.Kind
ALGORITHM = "coverage_simplify/1"
# An exterior edge counts as part of a line (the national border) within this many tolerances of it.
EXTERIOR_MATCH_TOLERANCES = 3.0
EXTERIOR_MATCH_MIN_M = 100.0
CONTEXT_LABEL_MARGIN_M = 40_000.0  # a context area is labelled within this distance of the territory


@dataclass(frozen=True)
class Band:
    index: int
    min_zoom: int
    max_zoom: int
    tolerance_m: float  # metres of the tile CRS; about half a 512-pixel tile's pixel at max_zoom


BANDS = (
    Band(0, 0, 5, 2400.0),
    Band(1, 6, 8, 300.0),
    Band(2, 9, 11, 40.0),
    Band(3, 12, MAX_ZOOM, 2.0),
)


def settings_text() -> str:
    """What, besides the inputs, decides the output: part of the build digest."""
    bands = ";".join(f"{b.index}:{b.min_zoom}-{b.max_zoom}:{b.tolerance_m}" for b in BANDS)
    return f"{ALGORITHM}|{bands}|margin={CONTEXT_MARGIN_M}|label={CONTEXT_LABEL_MARGIN_M}"


@dataclass(frozen=True)
class Row:
    kind: str
    source_id: int
    band: Band
    geom: shapely.Geometry
    label_point: shapely.Point | None = None

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.kind, self.source_id, self.band.index)


def generalise(inputs: Inputs) -> dict[tuple[str, int, int], Row]:
    """Every row of every band, keyed by (kind, source id, band index)."""
    if inputs.city is None:
        return {}
    faces = [s.geom for s in inputs.counties] + [s.geom for s in inputs.prefectures]
    whole = shapely.coverage_is_valid(faces)
    if not whole:
        logger.warning("counties and neighbouring prefectures do not form a clean coverage; simplifying apart")
    labels = {s.id: _label_point(s.geom, inputs.city.geom) for s in inputs.prefectures + inputs.foreign}
    rows: dict[tuple[str, int, int], Row] = {}
    for band in BANDS:
        for row in _band(inputs, band, whole, labels):
            rows[row.key] = row
    return rows


def _simplify_apart(geometries: list[shapely.Geometry], tolerance: float) -> list[shapely.Geometry]:
    return [shapely.simplify(g, tolerance, preserve_topology=True) for g in geometries]


def _simplified_faces(inputs: Inputs, band: Band, whole: bool) -> list[shapely.Geometry]:
    faces = [s.geom for s in inputs.counties] + [s.geom for s in inputs.prefectures]
    if whole:
        return list(shapely.coverage_simplify(faces, band.tolerance_m))
    counties = [s.geom for s in inputs.counties]
    if counties and shapely.coverage_is_valid(counties):
        counties = list(shapely.coverage_simplify(counties, band.tolerance_m))
    else:
        counties = _simplify_apart(counties, band.tolerance_m)
    return counties + _simplify_apart([s.geom for s in inputs.prefectures], band.tolerance_m)


def _band(inputs: Inputs, band: Band, whole: bool, labels: dict[int, shapely.Point]):
    simplified = _simplified_faces(inputs, band, whole)
    n = len(inputs.counties)
    counties, prefectures = simplified[:n], simplified[n:]
    for source, geom in zip(inputs.counties, counties, strict=True):
        yield Row(Kind.UNIT, source.id, band, _multi(geom))
    city = (
        shapely.coverage_union_all(counties) if counties else _simplify_apart([inputs.city.geom], band.tolerance_m)[0]
    )
    yield Row(Kind.UNIT, inputs.city.id, band, _multi(city))
    for source, geom in zip(inputs.prefectures, prefectures, strict=True):
        yield Row(Kind.CONTEXT, source.id, band, _multi(geom), labels[source.id])
    for source in inputs.foreign:
        geom = _valid(shapely.simplify(source.geom, band.tolerance_m, preserve_topology=True))
        yield Row(Kind.CONTEXT, source.id, band, _multi(geom), labels[source.id])
    edges = CoverageEdges(simplified)
    for line in inputs.lines:
        yield Row(Kind.LINE, line.id, band, _line(line, inputs, edges, band))


def _faces_of(code: str, inputs: Inputs) -> list[int] | None:
    """The coverage faces a party's code stands for; None when the party is outside the coverage."""
    if inputs.city is not None and code == inputs.city.code:
        return list(range(len(inputs.counties)))
    for index, source in enumerate(inputs.counties):
        if source.code == code:
            return [index]
    for index, source in enumerate(inputs.prefectures):
        if source.code == code:
            return [len(inputs.counties) + index]
    return None


def _line(line: Source, inputs: Inputs, edges: CoverageEdges, band: Band) -> shapely.MultiLineString:
    sides = [_faces_of(code, inputs) for code in line.parties[:2]]
    inside = [faces for faces in sides if faces is not None]
    result = None
    if len(sides) == 2 and len(inside) == 2:
        result = merged(edges.between(inside[0], inside[1]))
    elif len(sides) == 2 and len(inside) == 1:
        distance = max(EXTERIOR_MATCH_TOLERANCES * band.tolerance_m, EXTERIOR_MATCH_MIN_M)
        result = merged(near(edges.between(inside[0], [EXTERIOR]), line.geom, distance))
    if result is None:  # not an edge of the coverage: simplified on its own
        result = _multi_line(shapely.simplify(line.geom, band.tolerance_m, preserve_topology=True))
    return result


def _label_point(area: shapely.Geometry, city: shapely.Geometry) -> shapely.Point:
    minx, miny, maxx, maxy = city.bounds
    m = CONTEXT_LABEL_MARGIN_M
    near_part = _valid(shapely.intersection(area, shapely.box(minx - m, miny - m, maxx + m, maxy + m)))
    pieces = [p for p in shapely.get_parts(near_part) if p.geom_type == "Polygon"]
    target = max(pieces, key=lambda p: p.area) if pieces else area
    return shapely.point_on_surface(target)


def _valid(geometry: shapely.Geometry) -> shapely.Geometry:
    return geometry if shapely.is_valid(geometry) else shapely.make_valid(geometry)


def _multi(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    parts = [p for p in shapely.get_parts(_valid(geometry)) if p.geom_type == "Polygon" and not p.is_empty]
    nested = [q for p in shapely.get_parts(_valid(geometry)) if p.geom_type == "MultiPolygon" for q in p.geoms]
    return shapely.MultiPolygon(parts + nested)


def _multi_line(geometry: shapely.Geometry) -> shapely.MultiLineString:
    parts = [p for p in shapely.get_parts(geometry) if p.geom_type == "LineString" and not p.is_empty]
    return shapely.MultiLineString(parts)
