"""Synthetic demonstration markers (示例界桩) along the county-level lines, for the register, the API
and the map to show something before the real registers are entered. Deterministic (each line's own
seeded generator), idempotent (a line that has synthetic markers already is left alone), and labelled
synthetic everywhere (``is_synthetic``: the API's ``synthetic``, the admin's list, the tiles' field).

One marker every 5-10 km along the line, the first 2.5-5 km from its start (a line shorter than that
gets one at its middle); each a single (Q) marker on the line with three reference objects at computed
positions 30-200 m away, named 示例方位物1..3, whose bearings and distances the registry computes.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import markers_registry as registry
from boundaries.services.marker_coords import offset
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset

SPACING_M = (5_000.0, 10_000.0)
FIRST_M = (2_500.0, 5_000.0)
REFERENCE_DISTANCE_M = (30.0, 200.0)
SET_ON = dt.date(2024, 1, 1)
DESCRIPTION = "示例界桩（合成数据，非实地界桩），位于{line}上，距界线起点约{km:.1f}千米。"
REASON = "synthetic demonstration markers (示例界桩, not real): one every 5-10 km along the county-level lines"


@dataclass
class DemoResult:
    lines: int = 0
    markers: int = 0
    skipped_lines: int = 0


def positions_m(length_m: float, rng: random.Random) -> list[float]:
    """Distances along a line of ``length_m`` metres where its demonstration markers stand."""
    found, along = [], rng.uniform(*FIRST_M)
    while along < length_m:
        found.append(along)
        along += rng.uniform(*SPACING_M)
    return found or [length_m / 2]


def place_demo_markers() -> DemoResult:
    result = DemoResult()
    lines = BoundaryLine.objects.filter(level=BoundaryLine.Level.COUNTY, valid_to__isnull=True, read_only=False)
    for line in lines.exclude(status=BoundaryLine.Status.ABOLISHED).order_by("code"):
        if BoundaryMarker.objects.filter(line=line, is_synthetic=True).exists():
            result.skipped_lines += 1
            continue
        result.markers += place_on(line)
        result.lines += 1
    return result


@transaction.atomic
def place_on(line: BoundaryLine) -> int:
    """Synthetic markers along one line, every 5-10 km (deterministic per line); how many."""
    rng = random.Random(f"demo-markers:{line.code}")  # noqa: S311 (demonstration data, not security)
    metric = to_metric(from_geos(line.geom))
    changeset = open_changeset(Changeset.Kind.IMPORT, REASON, label="place_demo_markers")
    materials = list(BoundaryMarker.Material.values[:2])  # granite, reinforced concrete
    placed = 0
    for along in positions_m(metric.length, rng):
        point = to_geos(to_lonlat(metric.interpolate(along)))
        references = [
            registry.ReferenceInput(
                name=f"示例方位物{n}",
                geom=offset(point, rng.uniform(0, 120) + 120 * (n - 1), rng.uniform(*REFERENCE_DISTANCE_M)),
            )
            for n in (1, 2, 3)
        ]
        registry.register_marker(
            changeset=changeset,
            line=line,
            kind=BoundaryMarker.Kind.Q,
            geom=point,
            material=rng.choice(materials),
            set_on=SET_ON,
            position_description=DESCRIPTION.format(line=line.name, km=along / 1000),
            reference_objects=references,
            is_synthetic=True,
        )
        placed += 1
    return placed
