"""The house-numbering engine (门牌编号): pure arithmetic on a road's line and its entrance points, in
metres (core.metric), with no database. gazetteer.services.house_numbers gives it the road's rule and
what the register already holds, and writes what it answers.

The rule (``Rule``, from the city's settings.HOUSE_NUMBERING and the road's overrides):

- numbers run along the road from its numbering start (``numbering_line`` turns the line so);
- each side takes one parity: the ``odd_side`` (left or right, facing the way numbers increase) odd
  numbers, the other even ones;
- by frontage: an entrance ``d`` metres along takes slot ``floor(d / interval)``, number ``2·slot+1`` on
  the odd side and ``2·slot+2`` on the even side, so open land keeps its spare numbers (预留备用号)
  without anyone counting them; numbers still increase strictly along each side (two doors in one
  slot take consecutive numbers);
- reserved ranges are never issued, nor a number the road has used before (a retired number is
  not reused without a reason: the service's explicit issue, not the engine);
- a building inserted later (``allocate``) takes a free number between its neighbours when one
  fits, else a sub-number (附号) of the number before it: 12-1, 12-2 (the neighbours keep theirs).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import shapely

LEFT, RIGHT = "left", "right"


@dataclass(frozen=True)
class Rule:
    interval_m: float
    odd_side: str = LEFT
    reserved: tuple[tuple[int, int], ...] = ()  # inclusive ranges of numbers never issued

    def parity(self, side: str) -> int:
        """1 for the side of odd numbers, 0 for the even side."""
        return 1 if side == self.odd_side else 0

    def is_reserved(self, number: int) -> bool:
        return any(low <= number <= high for low, high in self.reserved)


@dataclass(frozen=True)
class Placement:
    """Where an entrance stands on its road: metres along from the numbering start, and the side."""

    distance_m: float
    side: str
    offset_m: float  # from the road's line


@dataclass(frozen=True)
class Issued:
    """A number the road holds (or held: ``retired``), at its entrance's placement."""

    number: int
    suffix: int
    distance_m: float
    side: str
    retired: bool = False


@dataclass(frozen=True)
class Allocation:
    number: int
    suffix: int = 0

    @property
    def label(self) -> str:
        return f"{self.number}-{self.suffix}" if self.suffix else str(self.number)


class NumberingRefused(ValueError):
    """The engine cannot number this (a road of several disjoint lines, a point on the line)."""


# ---- the road's line and where an entrance stands on it ---------------------------------------------


def numbering_line(line: shapely.Geometry, *, from_end: bool) -> shapely.LineString:
    """The road as one line running the way its numbers increase (metres)."""
    merged = shapely.line_merge(line) if line.geom_type == "MultiLineString" else line
    if merged.geom_type != "LineString":
        raise NumberingRefused("the road is several separate lines: number each as a road of its own, or join them")
    return shapely.reverse(merged) if from_end else merged


def starts_from_end(line: shapely.LineString, *, east_west_from: str, north_south_from: str) -> bool:
    """The city's rule by the road's direction: an east-west road numbered from ``east_west_from``
    (west or east), a north-south one from ``north_south_from`` (south or north)."""
    (x0, y0), (x1, y1) = line.coords[0], line.coords[-1]
    if abs(x1 - x0) >= abs(y1 - y0):
        return (x0 > x1) if east_west_from == "west" else (x0 < x1)
    return (y0 > y1) if north_south_from == "south" else (y0 < y1)


def place(line: shapely.LineString, point: shapely.Point) -> Placement:
    """The entrance's distance along ``line`` and its side, facing the line's direction."""
    distance = line.project(point)
    foot = line.interpolate(distance)
    offset = point.distance(foot)
    if offset == 0:
        raise NumberingRefused("an entrance stands beside the road, not on its centre line")
    ahead = line.interpolate(min(distance + 0.5, line.length))
    behind = line.interpolate(max(distance - 0.5, 0.0))
    dx, dy = ahead.x - behind.x, ahead.y - behind.y
    cross = dx * (point.y - foot.y) - dy * (point.x - foot.x)
    return Placement(distance, LEFT if cross > 0 else RIGHT, offset)


# ---- numbering ------------------------------------------------------------------------------------------


def slot_number(distance_m: float, side: str, rule: Rule) -> int:
    slot = max(0, math.floor(distance_m / rule.interval_m))
    return 2 * slot + (1 if rule.parity(side) else 2)


def _next_free(number: int, rule: Rule, used: set[int]) -> int:
    while rule.is_reserved(number) or number in used:
        number += 2
    return number


def number_all(placements: dict, rule: Rule, *, used: Iterable[int] = ()) -> dict:
    """A number for every entrance (``placements``: key -> Placement), as if the road were numbered
    afresh: by frontage, increasing strictly along each side, never a reserved or ``used`` number."""
    taken = set(used)
    found = {}
    for side in (LEFT, RIGHT):
        last = 0
        here = sorted(((p.distance_m, str(key), key) for key, p in placements.items() if p.side == side))
        for distance, _, key in here:
            number = max(slot_number(distance, side, rule), last + 2 if last else 0)
            number = _next_free(number, rule, taken)
            found[key] = Allocation(number)
            taken.add(number)
            last = number
    return found


def allocate(placement: Placement, rule: Rule, issued: Iterable[Issued]) -> Allocation:
    """The number for one entrance added to a road that has numbers (``issued``, retired ones
    included: never reused): the free number between its neighbours on its side nearest to its own
    frontage slot, else a sub-number of the number before it (of the first number, when it stands
    before every number on its side)."""
    issued = list(issued)
    current = sorted(
        (i for i in issued if i.side == placement.side and not i.retired),
        key=lambda i: (i.distance_m, i.number, i.suffix),
    )
    used = {i.number for i in issued}
    before = [i for i in current if i.distance_m <= placement.distance_m]
    after = [i for i in current if i.distance_m > placement.distance_m]
    target = slot_number(placement.distance_m, placement.side, rule)
    low = max((i.number for i in before), default=0)
    start = low + 2 if low else (1 if rule.parity(placement.side) else 2)
    if not after:
        return Allocation(_next_free(max(target, start), rule, used))
    free = [n for n in range(start, min(i.number for i in after), 2) if n not in used and not rule.is_reserved(n)]
    if free:
        return Allocation(min(free, key=lambda n: (abs(n - target), n)))
    anchor = before[-1].number if before else after[0].number
    return Allocation(anchor, max((i.suffix for i in issued if i.number == anchor), default=0) + 1)
