"""What the tiles do when a record changes: subscribed to the record services' announcements
(core.events) by tiles.apps; no service calls them.

Only the cached tiles whose envelope meets the old or the new bounding box of the changed record are
dropped, inside the edit's transaction (the old geometry is the previous version's). A place has no
generalised geometry (the tiles draw its label point from the search index, which the service has just
refreshed). A city or county-level unit is part of the generalised coverage, which is rebuilt once the
edit has committed; that rebuild drops the tiles under every generalised row it changes (a county's
neighbours share the edited edges)."""

from __future__ import annotations

import logging

from django.contrib.gis.geos import GEOSGeometry

from boundaries.levels import Tier
from boundaries.models import AdminUnit, AdminUnitVersion, BoundaryMarker, BoundaryMarkerVersion
from core.events import Moment, RecordChanged, subscribe
from core.srid import STORAGE_SRID
from gazetteer.models import HouseNumber, HouseNumberVersion, Place, PlaceVersion, Road
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


def road_changed(road: Road) -> int:
    """A road's class or route number decides how it is drawn: drop the cached tiles under its line."""
    return drop_tiles_under([Place.objects.filter(pk=road.place_id).values_list("geom", flat=True).first()])


def house_number_changed(house: HouseNumber) -> int:
    """Drop the cached tiles under a house number's old and new entrance (its status or number may have
    changed what is drawn there too)."""
    previous = (
        HouseNumberVersion.objects.filter(house_number_id=house.pk, version__lt=house.version)
        .order_by("-version")
        .values_list("geom", flat=True)
        .first()
    )
    return drop_tiles_under([previous, house.geom])


def unit_changed(unit: AdminUnit) -> int:
    """Drop the cached tiles under the unit's old and new polygon and seat (its name stands at its seat:
    boundaries.services.markers). Returns how many."""
    previous_geom, previous_data = (
        AdminUnitVersion.objects.filter(unit_id=unit.pk, version__lt=unit.version)
        .order_by("-version")
        .values_list("geom", "data")
        .first()
    ) or (None, None)
    previous_seat = (previous_data or {}).get("seat")
    old_seat = GEOSGeometry(previous_seat, srid=STORAGE_SRID) if previous_seat else None
    return drop_tiles_under([previous_geom, unit.geom, old_seat, unit.seat])


def marker_changed(marker: BoundaryMarker) -> int:
    """Drop the cached tiles under a drawn (synthetic) marker's old and new position; returns how many."""
    previous = (
        BoundaryMarkerVersion.objects.filter(marker_id=marker.pk, version__lt=marker.version)
        .order_by("-version")
        .values_list("geom", flat=True)
        .first()
    )
    return drop_tiles_under([previous, marker.geom])


def in_generalised_coverage(event: RecordChanged) -> bool:
    """The city and its county-level units make up the generalised coverage."""
    return event.record.tier <= Tier.COUNTY


def rebuild_generalised(event: RecordChanged | None = None) -> None:
    """Rebuild the generalised geometry (subscribed after the commit, once per transaction)."""
    from tiles.vector.build import rebuild

    result = rebuild()
    if not result.skipped:
        logger.info(
            "generalised geometry rebuilt: %s rows changed, %s cached tiles dropped, %.2f s",
            result.rows_changed,
            result.tiles_dropped,
            result.seconds,
        )


def _place_event(event: RecordChanged) -> None:
    place_changed(event.record)


def _unit_event(event: RecordChanged) -> None:
    unit_changed(event.record)


def is_drawn_marker(event: RecordChanged) -> bool:
    """The tiles draw the synthetic markers only (no real marker is public)."""
    return event.record.is_synthetic


def _marker_event(event: RecordChanged) -> None:
    marker_changed(event.record)


def _road_event(event: RecordChanged) -> None:
    road_changed(event.record)


def _house_number_event(event: RecordChanged) -> None:
    house_number_changed(event.record)


def subscribe_to_records() -> None:
    subscribe("place", _place_event)
    subscribe(Road.record_kind, _road_event)
    subscribe(HouseNumber.record_kind, _house_number_event)
    subscribe("marker", _marker_event, when=is_drawn_marker)
    subscribe("unit", _unit_event)
    subscribe(
        "unit",
        rebuild_generalised,
        moment=Moment.AFTER_COMMIT,
        once_key="tiles.generalised",
        when=in_generalised_coverage,
    )
