"""Boundary markers (界桩) on the county and district sheets, never on the city's.

A print map is a public document, so it shows only what anyone may see
(boundaries.permissions.visible_markers for an anonymous reader): the synthetic demonstration markers
(``is_synthetic``, 示例), never a real one. A marker is drawn where it stands on the mapped unit's own
boundary (within ``ON_OUTLINE_M`` of its outline: the lines it is a party to, the city's outer lines
included), with its number as a label. Abolished markers are not drawn; on a map of a past day, a
marker set after the day is not drawn either, and one abolished after it is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryMarker
from boundaries.permissions import visible_markers
from tiles.printing.features import Window, metric

# A marker this close to the unit's outline stands on one of its lines (markers stand on their line
# or, with a reason, within a tolerance of it: boundaries.services.markers_registry).
ON_OUTLINE_M = 200.0


@dataclass(frozen=True)
class PrintedMarker:
    number: str
    point: shapely.Point
    synthetic: bool


def marked_sheet(unit: AdminUnit) -> bool:
    """Markers go on the sheets of county-level units (counties, county-level cities, districts)."""
    return unit.tier == Tier.COUNTY


def printable_markers(day: dt.date | None):
    """The markers a public sheet may show on the day: what an anonymous reader may see, standing."""
    markers = visible_markers(AnonymousUser(), BoundaryMarker.objects.all()).filter(line__valid_to__isnull=True)
    if day is None:
        return markers.exclude(status=BoundaryMarker.Status.ABOLISHED)
    standing = Q(abolished_on__isnull=True, status__in=_standing_statuses()) | Q(abolished_on__gt=day)
    return markers.filter(Q(set_on__isnull=True) | Q(set_on__lte=day)).filter(standing)


def _standing_statuses() -> list[str]:
    return [s for s in BoundaryMarker.Status.values if s != BoundaryMarker.Status.ABOLISHED]


def unit_markers(unit: AdminUnit, outline: shapely.Geometry, day: dt.date | None, window: Window):
    """The printable markers on the unit's boundary inside the frame, in number order."""
    if not marked_sheet(unit):
        return []
    rows = printable_markers(day).filter(geom__intersects=window.storage_box).order_by("number")
    edge = outline.boundary
    found = []
    for number, geom, synthetic in rows.values_list("number", "geom", "is_synthetic"):
        point = metric(geom)
        if window.contains(point) and edge.distance(point) <= ON_OUTLINE_M:
            found.append(PrintedMarker(number, point, synthetic))
    return found
