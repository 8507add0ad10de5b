"""The edges of a polygon coverage: which faces each boundary segment belongs to.

In a valid coverage (and in the output of shapely.coverage_simplify) neighbouring polygons share their
boundary vertices exactly, so a segment belongs to two faces (a shared edge) or to one (the edge of the
coverage). The simplified boundary lines are read off the simplified polygons this way, so that a line
and the polygons on either side of it can never disagree at any zoom."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import shapely

Segment = tuple[tuple[float, float], tuple[float, float]]
EXTERIOR = -1


class CoverageEdges:
    def __init__(self, faces: list[shapely.Geometry]):
        owners: dict[Segment, set[int]] = defaultdict(set)
        for index, face in enumerate(faces):
            for ring in shapely.get_parts(shapely.boundary(face)):
                coords = shapely.get_coordinates(ring)
                for p, q in zip(map(tuple, coords[:-1]), map(tuple, coords[1:]), strict=True):
                    if p != q:
                        owners[(p, q) if p <= q else (q, p)].add(index)
        self.by_pair: dict[tuple[int, int], list[Segment]] = defaultdict(list)
        for segment, faces_of in owners.items():
            pair = sorted(faces_of) if len(faces_of) == 2 else [next(iter(faces_of)), EXTERIOR]
            if len(faces_of) <= 2:
                self.by_pair[(pair[0], pair[1])].append(segment)
                self.by_pair[(pair[1], pair[0])].append(segment)

    def between(self, these: Iterable[int], those: Iterable[int]) -> list[Segment]:
        """Segments with one face in ``these`` and the other in ``those`` (EXTERIOR for the outside)."""
        those = set(those)
        return [segment for a in set(these) for b in those for segment in self.by_pair.get((a, b), [])]


def merged(segments: list[Segment]) -> shapely.MultiLineString | None:
    if not segments:
        return None
    lines = shapely.line_merge(shapely.MultiLineString([list(segment) for segment in segments]))
    return lines if lines.geom_type == "MultiLineString" else shapely.MultiLineString([lines])


def near(segments: list[Segment], line: shapely.Geometry, distance: float) -> list[Segment]:
    """The segments whose midpoint lies within ``distance`` of ``line``."""
    if not segments:
        return []
    midpoints = shapely.points([((p[0] + q[0]) / 2, (p[1] + q[1]) / 2) for p, q in segments])
    keep = shapely.dwithin(midpoints, line, distance)
    return [segment for segment, kept in zip(segments, keep, strict=True) if kept]
