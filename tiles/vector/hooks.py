"""What the tiles do when a record changes. The services call these after recording each change:
gazetteer.services.places.record_version -> place_changed, boundaries.services.units._record_version
-> unit_changed.

Only the cached tiles whose envelope meets the old or the new bounding box of the changed record are
dropped, inside the edit's transaction (the old geometry is the previous version's). A place has no
generalised geometry (the tiles draw its label point from the search index, which the service has just
refreshed). A city or county-level unit is part of the generalised coverage, which is rebuilt once the
edit has committed; that rebuild drops the tiles under every generalised row it changes (a county's
neighbours share the edited edges)."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from boundaries.levels import Tier
from boundaries.models import AdminUnit, AdminUnitVersion
from gazetteer.models import Place, PlaceVersion
from tiles.vector.cache import drop_tiles_under

logger = logging.getLogger(__name__)


def place_changed(place: Place) -> int:
    """Drop the cached tiles under the place's old and new geometry; returns how many."""
    previous = (
        PlaceVersion.objects.filter(place_id=place.pk, version__lt=place.version)
        .order_by("-version")
        .values_list("geom", flat=True)
        .first()
    )
    return drop_tiles_under([previous, place.geom])


def unit_changed(unit: AdminUnit) -> int:
    """Drop the cached tiles under the unit's old and new polygon; rebuild the generalised geometry of
    the city and county-level units after the transaction commits. Returns the tiles dropped now."""
    previous = (
        AdminUnitVersion.objects.filter(unit_id=unit.pk, version__lt=unit.version)
        .order_by("-version")
        .values_list("geom", flat=True)
        .first()
    )
    if unit.tier <= Tier.COUNTY:
        _rebuild_after_commit()
    return drop_tiles_under([previous, unit.geom])


def _rebuild_after_commit() -> None:
    """Once per transaction, however many units it changes (an import changes many)."""
    pending = connection.run_on_commit if connection.in_atomic_block else []
    if not any(callback is rebuild_generalised for _, callback, _ in pending):
        transaction.on_commit(rebuild_generalised, robust=True)


def rebuild_generalised() -> None:
    from tiles.vector.build import rebuild

    result = rebuild()
    if not result.skipped:
        logger.info(
            "generalised geometry rebuilt: %s rows changed, %s cached tiles dropped, %.2f s",
            result.rows_changed,
            result.tiles_dropped,
            result.seconds,
        )
