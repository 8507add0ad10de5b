"""Rivers, lakes and reservoirs from the place-name records, where there are any (roads, railways and
stations: tiles.printing.roads).

Only public standard (or flagged synthetic) records in use on the day, with a line (rivers) or polygon
(lakes, reservoirs) geometry in the frame. Where there are none, nothing is drawn and nothing of them
appears in the legend.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.db.models import Q

from gazetteer.models import Place
from tiles.printing.features import Window, metric
from tiles.printing.names import place_names_at

# layer -> (category code prefixes, geometry kinds kept)
FEATURE_CLASSES = {
    "water_area": (("02200", "02300"), ("Polygon", "MultiPolygon")),
    "river": (("02100",), ("LineString", "MultiLineString")),
}  # roads, railways and stations: tiles.printing.roads


@dataclass
class MappedPlace:
    layer: str
    name: str
    geometry: shapely.Geometry
    place: Place


def printable(day: dt.date | None):
    """The records a print map may draw: public, located, existing on the day, and standard names or
    synthetic ones (which the sheet flags); candidates wait for the procedure (gazetteer.services.standing)."""
    places = (
        Place.objects.filter(is_public=True, geom__isnull=False)
        .exclude(status=Place.Status.PROPOSED)
        .exclude(standing=Place.Standing.CANDIDATE)
    )
    if day is None:
        return places.filter(valid_to__isnull=True).exclude(status=Place.Status.HISTORICAL)
    return places.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def mapped_places(day: dt.date | None, window: Window) -> list[MappedPlace]:
    found = []
    box = window.storage_box
    for layer, (prefixes, kinds) in FEATURE_CLASSES.items():
        by_class = Q()
        for prefix in prefixes:
            by_class |= Q(category__code__startswith=prefix)
        places = list(printable(day).filter(by_class, geom__intersects=box).select_related("source").order_by("code"))
        names = place_names_at(places, day)
        for place in places:
            geometry = window.clip(metric(place.geom))
            if geometry.geom_type in kinds and not geometry.is_empty:
                found.append(MappedPlace(layer, names[place.id], geometry, place))
    return found
