"""Building the generalised geometry table: compute every band, write only the rows that differ, and
drop the cached tiles under the rows that changed. Over unchanged inputs it does nothing (the digest of
the inputs is compared with the last build's), so the set-up can run it every time. The digest also
carries the tile statement's: a changed drawing rule drops every cached tile once."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

import shapely
from django.db import transaction

from core.geometry import from_geos, to_geos
from core.srid import TILE_SRID
from tiles.models import GeneralisationBuild, GeneralisedGeometry
from tiles.vector.cache import Box, clear, drop_tiles
from tiles.vector.generalise import Row, generalise, settings_text
from tiles.vector.sources import load_inputs
from tiles.vector.sql import render_and_store_statement

# The build digest (64 hex digits) ends with these digits of the tile statement's own digest: a changed
# statement (a drawing rule, such as boundaries.services.markers) drops every cached tile once.
STATEMENT_DIGITS = 12


def _digest(inputs_digest: str) -> str:
    statement = hashlib.sha256(render_and_store_statement().encode()).hexdigest()
    return inputs_digest[: 64 - STATEMENT_DIGITS] + statement[:STATEMENT_DIGITS]


@dataclass(frozen=True)
class BuildResult:
    rows_changed: int
    tiles_dropped: int
    seconds: float
    skipped: bool = False


def _same(stored: GeneralisedGeometry, row: Row) -> bool:
    if not shapely.equals_exact(from_geos(stored.geom), row.geom, tolerance=0):
        return False
    if (stored.label_point is None) != (row.label_point is None):
        return False
    return stored.label_point is None or shapely.equals_exact(from_geos(stored.label_point), row.label_point, 0)


def _fill(target: GeneralisedGeometry, row: Row) -> GeneralisedGeometry:
    target.min_zoom, target.max_zoom, target.tolerance_m = row.band.min_zoom, row.band.max_zoom, row.band.tolerance_m
    target.geom = to_geos(row.geom, TILE_SRID)
    target.label_point = to_geos(row.label_point, TILE_SRID) if row.label_point is not None else None
    target.vertices = int(shapely.get_num_coordinates(row.geom))
    return target


def _store(rows: dict[tuple[str, int, int], Row]) -> tuple[int, list[Box]]:
    """Write the rows that differ; returns how many changed and the boxes (old and new) of those."""
    stored = {(g.kind, g.source_id, g.band): g for g in GeneralisedGeometry.objects.all()}
    boxes: list[Box] = []
    created, updated = [], []
    for key, row in rows.items():
        old = stored.pop(key, None)
        if old is None:
            created.append(_fill(GeneralisedGeometry(kind=row.kind, source_id=row.source_id, band=row.band.index), row))
        elif not _same(old, row):
            boxes.append(old.geom.extent)
            updated.append(_fill(old, row))
        else:
            continue
        boxes.append(row.geom.bounds)
    GeneralisedGeometry.objects.bulk_create(created)
    fields = ["min_zoom", "max_zoom", "tolerance_m", "geom", "label_point", "vertices"]
    GeneralisedGeometry.objects.bulk_update(updated, fields, batch_size=50)
    boxes += [gone.geom.extent for gone in stored.values()]
    GeneralisedGeometry.objects.filter(pk__in=[gone.pk for gone in stored.values()]).delete()
    return len(created) + len(updated) + len(stored), boxes


@transaction.atomic
def rebuild(*, force: bool = False) -> BuildResult:
    """Bring the generalised geometry up to date with the records."""
    started = time.perf_counter()
    inputs = load_inputs()
    if inputs.city is None:  # no territory polygon (yet): nothing to generalise
        return BuildResult(0, 0, time.perf_counter() - started, skipped=True)
    digest = _digest(inputs.digest(settings_text()))
    last = GeneralisationBuild.objects.order_by("-built_at", "-id").first()
    if not force and last is not None and last.digest == digest and GeneralisedGeometry.objects.exists():
        return BuildResult(0, 0, time.perf_counter() - started, skipped=True)
    changed, boxes = _store(generalise(inputs))
    if last is not None and last.digest[-STATEMENT_DIGITS:] != digest[-STATEMENT_DIGITS:]:
        dropped = clear()  # the tile statement changed (a drawing rule, such as where units are labelled)
    else:
        dropped = drop_tiles(boxes)
    seconds = time.perf_counter() - started
    GeneralisationBuild.objects.create(digest=digest, rows_changed=changed, tiles_dropped=dropped, seconds=seconds)
    return BuildResult(changed, dropped, seconds)


def ensure_built() -> int:
    """core.base_data DERIVATIONS: the number of generalised rows created or changed (0 when up to date)."""
    return rebuild().rows_changed
