"""Do the child units tile their parent? Gaps and overlaps, with their size and place."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import shapely

from core.metric import to_lonlat, to_metric

TOLERANCE_M2 = 1.0


@dataclass(frozen=True)
class Piece:
    kind: str  # "gap" or "overlap"
    area_m2: float
    lon: float
    lat: float
    between: tuple[str, ...] = ()

    def describe(self) -> str:
        where = f"at {self.lon:.5f}E {self.lat:.5f}N"
        parties = f" between {' and '.join(self.between)}" if self.between else ""
        return f"{self.kind} of {self.area_m2:,.1f} m2{parties} {where}"


@dataclass
class TilingResult:
    parent_area_m2: float
    children_area_m2: float
    pieces: list[Piece] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.pieces


def _pieces(kind: str, geometry: shapely.Geometry, between: tuple[str, ...] = ()) -> list[Piece]:
    found = []
    for part in shapely.get_parts(geometry):
        if part.geom_type != "Polygon" or part.area <= TOLERANCE_M2:
            continue
        point = to_lonlat(part.representative_point())
        found.append(Piece(kind, part.area, point.x, point.y, between))
    return found


def check_tiling(parent: shapely.Geometry, children: dict[str, shapely.Geometry]) -> TilingResult:
    """Compare in metres (core.srid.METRIC_SRID): every gap or overlap larger than 1 m2 is reported."""
    parent_m = to_metric(parent)
    children_m = {code: to_metric(geom) for code, geom in children.items()}
    union = shapely.union_all(list(children_m.values()))
    result = TilingResult(parent_m.area, sum(g.area for g in children_m.values()))
    result.pieces += _pieces("gap", parent_m.difference(union))
    result.pieces += _pieces("outside parent", union.difference(parent_m))
    for (code_a, geom_a), (code_b, geom_b) in itertools.combinations(children_m.items(), 2):
        if geom_a.intersects(geom_b):
            result.pieces += _pieces("overlap", geom_a.intersection(geom_b), (code_a, code_b))
    return result
