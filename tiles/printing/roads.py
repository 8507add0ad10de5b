"""Roads, railways and stations of a print map, from the place records and their Road records.

A road is drawn by its class (gazetteer.models_addresses.Road: expressway ... lane, railway; a road place
without a Road record as an urban road, a railway place as a railway) where the map's scale shows that
class (``CLASS_MAX_DENOMINATOR``: the main roads on every sheet, streets and lanes on the large-scale
district sheets only). What is drawn follows the print rule of tiles.printing.places: public records,
existing on the day, not proposed. A candidate name (not yet standard) is not written: its line is drawn
without a name, and its route number (a number, not a place name) still is. A synthetic road (the demo
streets) is drawn, named, and flagged: the sheet's notice and the legend say 示例.

Stations are place records of category 08400 with a point: a station symbol and the station's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.db.models import Q

from gazetteer.models import Place, Road
from tiles.printing.features import Window, metric
from tiles.printing.names import place_names_at
from tiles.printing.places import printable

ROAD_CATEGORY, RAILWAY_CATEGORY, STATION_CATEGORY = "081", "082", "084"
LINE_TYPES = ("LineString", "MultiLineString")
# The smallest scale (largest denominator) at which a class is drawn; None: at every scale. The city's sheets
# run 1:1 100 000-1 800 000, the counties' 1:590 000-1 000 000, the urban districts' 1:120 000-420 000 (A4-A3;
# A1 about 1:60 000): main roads everywhere, county roads from the county sheets, streets on the district
# sheets, lanes only on the large district sheets.
CLASS_MAX_DENOMINATOR = {
    "expressway": None,
    "national": None,
    "railway": None,
    "provincial": None,
    "county": 1_000_000,
    "urban": 450_000,
    "lane": 100_000,
}
# Drawing order, lowest first: an expressway crosses over a lane, not under it.
CLASS_ORDER = ["lane", "urban", "county", "provincial", "national", "expressway"]
SHIELD_CLASSES = ("expressway", "national", "provincial", "county")
SHORT_REF = 3  # route numbers of up to this many characters take the short shield


@dataclass
class MappedRoad:
    road_class: str
    name: str | None  # None: a candidate name, not written on a print map
    ref: str
    geometry: shapely.Geometry
    place: Place

    @property
    def layer(self) -> str:
        return "railway" if self.road_class == "railway" else f"road_{self.road_class}"

    @property
    def shield(self) -> str | None:
        """The shield the route number is written on: ``<class>_short`` or ``<class>_long``."""
        if not self.ref or self.road_class not in SHIELD_CLASSES:
            return None
        return f"{self.road_class}_{'short' if len(self.ref) <= SHORT_REF else 'long'}"


@dataclass
class Station:
    name: str
    point: shapely.Point
    place: Place


def drawn_classes(denominator: int) -> set[str]:
    return {cls for cls, most in CLASS_MAX_DENOMINATOR.items() if most is None or denominator <= most}


def _drawable(day: dt.date | None):
    """Public, located, existing on the day, not proposed: candidates too (their names are withheld)."""
    places = Place.objects.filter(is_public=True, geom__isnull=False).exclude(status=Place.Status.PROPOSED)
    if day is None:
        return places.filter(valid_to__isnull=True).exclude(status=Place.Status.HISTORICAL)
    return places.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def mapped_roads(day: dt.date | None, window: Window, denominator: int) -> list[MappedRoad]:
    classes = drawn_classes(denominator)
    places = list(
        _drawable(day)
        .filter(Q(category__code__startswith=ROAD_CATEGORY) | Q(category__code__startswith=RAILWAY_CATEGORY))
        .filter(geom__intersects=window.storage_box)
        .select_related("category", "source")
        .order_by("code")
    )
    roads = {r.place_id: r for r in Road.objects.filter(place__in=places)}
    names = place_names_at(places, day)
    found = []
    for place in places:
        road = roads.get(place.id)
        railway = place.category.code.startswith(RAILWAY_CATEGORY)
        cls = road.road_class if road is not None else ("railway" if railway else "urban")
        if cls not in classes:
            continue
        geometry = window.clip(metric(place.geom))
        if geometry.is_empty or geometry.geom_type not in LINE_TYPES:
            continue
        name = None if place.standing == Place.Standing.CANDIDATE else names[place.id]
        found.append(MappedRoad(cls, name, road.route_ref if road is not None else "", geometry, place))
    found.sort(key=lambda r: (r.road_class != "railway", CLASS_ORDER.index(r.road_class) if r.road_class in
                              CLASS_ORDER else 0, r.place.code))  # fmt: skip
    return found


def stations(day: dt.date | None, window: Window) -> list[Station]:
    """Stations (08400 points) in the frame with a printable (standard or synthetic) name."""
    places = list(
        printable(day)
        .filter(category__code__startswith=STATION_CATEGORY, geom__intersects=window.storage_box)
        .select_related("source")
        .order_by("code")
    )
    names = place_names_at(places, day)
    found = []
    for place in places:
        point = metric(place.geom)
        if point.geom_type == "Point" and window.contains(point):
            found.append(Station(names[place.id], point, place))
    return found
