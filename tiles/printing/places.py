"""Rivers, lakes and reservoirs, roads and railways from the place-name records, where there are any.

Only public records in use on the day, with a line (rivers, roads, railways) or polygon (lakes,
reservoirs) geometry in the frame. The data has none today: then nothing is drawn and nothing of
them appears in the legend.
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
    "railway": (("08200",), ("LineString", "MultiLineString")),
    "road": (("08100",), ("LineString", "MultiLineString")),
}


@dataclass
class MappedPlace:
    layer: str
    name: str
    geometry: shapely.Geometry
    place: Place


def _in_use(day: dt.date | None):
    places = Place.objects.filter(is_public=True, geom__isnull=False).exclude(status=Place.Status.PROPOSED)
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
        places = list(_in_use(day).filter(by_class, geom__intersects=box).select_related("source").order_by("code"))
        names = place_names_at(places, day)
        for place in places:
            geometry = window.clip(metric(place.geom))
            if geometry.geom_type in kinds and not geometry.is_empty:
                found.append(MappedPlace(layer, names[place.id], geometry, place))
    return found
