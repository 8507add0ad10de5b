"""Seats of government by level and settlements, and where each name is written.

- the city seat (double circle) when the mapped unit is the city or holds the seat;
- county-level seats (circle with a dot) of the mapped unit and its county-level parts, named at
  the seat; a seat too close on paper to a seat already drawn for its name to fit beside it (the
  urban districts on a city map, whose seats lie within a few kilometres of the city's) is left out,
  and its unit is named as an area instead;
- township-level seats (small circle) of the mapped unit's townships; a township-level unit without
  a seat location cannot be drawn and is named in the report instead;
- settlements: public place records of the settlement classes (07xxx), points inside the unit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely

from boundaries.levels import TOWNSHIP_LEVELS, Tier
from boundaries.models import AdminUnit
from gazetteer.models import Place
from tiles.printing.areas import Area
from tiles.printing.features import Window, metric
from tiles.printing.names import place_names_at, unit_names_at
from tiles.printing.papers import PT_PER_MM
from tiles.printing.places import printable
from tiles.printing.scale import MapScale
from tiles.printing.style import TEXTS

CROWDED_MM = 6.0
SETTLEMENT_CLASS = "07"


@dataclass
class Seat:
    level: str  # city | county | town
    name: str
    point: shapely.Point
    unit: AdminUnit


@dataclass
class Settlement:
    name: str
    point: shapely.Point
    place: Place


def _valid(queryset, day: dt.date | None):
    return queryset.current() if day is None else queryset.valid_at(day)


def _room_pt(name: str, type_scale: float) -> float:
    """How far (in points) a county-level seat must be from any other seat drawn for its name to
    have a place beside it: the name's length in the seat label's type, and never under CROWDED_MM."""
    return max(CROWDED_MM * PT_PER_MM, len(name) * TEXTS["label_county"].size) * type_scale


def seats(unit: AdminUnit, parts: list[Area], day: dt.date | None, window: Window, scale: MapScale, type_scale: float):
    """(seats drawn, parts named as areas because their seat is crowded out)."""
    part_units = [area.unit for area in parts]
    counties = [u for u in part_units if u.tier == Tier.COUNTY]
    towns = list(
        _valid(AdminUnit.objects.filter(tier=Tier.TOWNSHIP, parent__in=counties, seat__isnull=False), day)
        .select_related("seat_source", "source")
        .order_by("code")
    )
    city = unit if unit.tier == Tier.CITY else unit.parent
    names = unit_names_at([*counties, *towns, city], day)
    drawn: list[Seat] = []
    city_point = metric(city.seat) if city and city.seat else None
    if city_point is not None and (unit.tier == Tier.CITY or metric(unit.geom).contains(city_point)):
        drawn.append(Seat("city", names[city.id], city_point, city))
    crowded = []
    for county in counties:
        point = metric(county.seat) if county.seat else None
        if point is None or not window.contains(point):
            continue
        room = _room_pt(names[county.id], type_scale)
        crowded_out = any(
            s.level in ("city", "county") and s.point.distance(point) / scale.metres_per_point < room for s in drawn
        )
        if crowded_out and county.id != unit.id:
            crowded.append(county)
        else:
            drawn.append(Seat("county", names[county.id], point, county))
    for town in towns:
        point = metric(town.seat)
        if window.contains(point):
            drawn.append(Seat("town", names[town.id], point, town))
    return drawn, crowded


def seatless_towns(parts: list[Area], day: dt.date | None) -> list[AdminUnit]:
    """Towns, townships and subdistricts of the mapped county-level units that have no seat location:
    nothing of them can be drawn, so the report names them (statistical units are not divisions)."""
    counties = [area.unit for area in parts if area.unit.tier == Tier.COUNTY]
    units = AdminUnit.objects.filter(
        tier=Tier.TOWNSHIP, level__in=TOWNSHIP_LEVELS, parent__in=counties, seat__isnull=True
    )
    return list(_valid(units, day).order_by("code"))


def settlements(unit: AdminUnit, day: dt.date | None, window: Window) -> list[Settlement]:
    places = printable(day).filter(
        category__code__startswith=SETTLEMENT_CLASS, geom__intersects=unit.geom, admin_unit__isnull=True
    )
    places = list(places.select_related("source").order_by("code"))
    names = place_names_at(places, day)
    found = []
    for place in places:
        point = metric(place.geom)
        if point.geom_type == "Point" and window.contains(point):
            found.append(Settlement(names[place.id], point, place))
    return found
