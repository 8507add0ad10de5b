"""Boundary lines of the frame by level, each stretch drawn once at its highest level.

The territory's own lines (BoundaryLine: county, prefecture, province, national) come first; the
outlines of the surrounding areas (neighbouring prefectures, provinces, the country) add the
boundaries beyond the territory. A stretch that is part of a higher boundary, or that the
territory's own line of the same level already draws, is removed, so that two dash patterns never
run over each other. Township lines are drawn only where township polygons exist, and BoundaryLine
has none today. Only the lines in force are printed: a pending proposal to change a line is not a line
(boundaries.services.proposals) and is never drawn on a print map.

Stretches are compared segment by segment: a segment whose midpoint lies within ``SAME_LINE_M`` of
a segment already drawn is the same stretch (an STRtree query, fast where buffering long boundaries
takes seconds).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import shapely
from django.db.models import Q

from boundaries.models import BoundaryLine
from tiles.printing.areas import Area
from tiles.printing.features import Window, metric

# Highest first: a stretch belongs to the first level that has it.
LEVELS = ["national", "province", "prefecture", "county", "township"]
OUTLINE_LEVEL = {"country": "national", "province": "province", "context": "prefecture"}
SAME_LINE_M = 30.0


def territory_lines(day: dt.date | None, window: Window) -> dict[str, list[shapely.Geometry]]:
    lines = BoundaryLine.objects.filter(geom__intersects=window.storage_box)
    if day is None:
        lines = lines.filter(valid_to__isnull=True).exclude(status=BoundaryLine.Status.ABOLISHED)
    else:
        lines = lines.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=day)
        )
    found: dict[str, list[shapely.Geometry]] = {level: [] for level in LEVELS}
    for line in lines:
        found[line.level].append(window.clip(metric(line.geom)))
    return found


def outline_lines(areas: list[Area]) -> dict[str, list[shapely.Geometry]]:
    found: dict[str, list[shapely.Geometry]] = {level: [] for level in LEVELS}
    for area in areas:
        level = OUTLINE_LEVEL.get(area.kind)
        if level:
            found[level].append(area.geometry.boundary)
    return found


def segments(geometries: list[shapely.Geometry]) -> np.ndarray:
    """Every segment of the line parts of ``geometries``, as an (n, 2, 2) array."""
    found = []
    for geometry in geometries:
        for part in shapely.get_parts(geometry):
            if part.geom_type == "LineString" and not part.is_empty:
                coords = shapely.get_coordinates(part)
                found.append(np.stack([coords[:-1], coords[1:]], axis=1))
            elif part.geom_type in ("MultiLineString", "GeometryCollection"):
                found.append(segments(list(shapely.get_parts(part))))
    return np.concatenate(found) if found else np.empty((0, 2, 2))


def without_drawn(candidates: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """The candidate segments that do not run along a segment already drawn."""
    if not len(candidates) or not len(drawn):
        return candidates
    tree = shapely.STRtree(shapely.linestrings(drawn))
    midpoints = shapely.points(candidates.mean(axis=1))
    near = tree.query(midpoints, predicate="dwithin", distance=SAME_LINE_M)[0]
    keep = np.ones(len(candidates), dtype=bool)
    keep[np.unique(near)] = False
    return candidates[keep]


def merged(segs: np.ndarray) -> shapely.Geometry:
    if not len(segs):
        return shapely.MultiLineString()
    # Vectorised: building the MultiLineString segment by segment took ~1 s for the city's 60,000 segments.
    return shapely.line_merge(shapely.multilinestrings(shapely.linestrings(segs)))


def boundary_levels(day: dt.date | None, window: Window, context: list[Area]) -> dict[str, shapely.Geometry]:
    """level -> the lines drawn at that level, without any stretch of a higher level."""
    own, outlines = territory_lines(day, window), outline_lines(context)
    drawn: dict[str, shapely.Geometry] = {}
    higher = np.empty((0, 2, 2))
    for level in LEVELS:
        mine = without_drawn(segments(own[level]), higher)
        theirs = without_drawn(segments(outlines[level]), np.concatenate([higher, mine]))
        level_segments = np.concatenate([mine, theirs])
        if len(level_segments):
            drawn[level] = merged(level_segments)
        higher = np.concatenate([higher, level_segments])
    return drawn
