"""The course description (走向说明) of a boundary line, written from its geometry and the landmarks along
it: the pure core (no database). ``describe`` takes the line in the metric CRS and answers ``CourseText``;
boundaries.services.course_lines reads a line's records, calls it and keeps the text.

How the text is made (domain guide, boundaries.md §3):

- **Orientation.** The parts of the line are merged into chains where they join. A line runs west→east,
  or north→south when it spans more north–south than east–west (the markers' numbering direction): each
  chain starts at its western (northern) end, and the chains are taken in that order, "第一段", "第二段".
- **Stretches.** Each chain is simplified (Douglas–Peucker, ``simplify_m`` metres, keeping original
  vertices) and consecutive legs in the same 16-point direction are merged into one stretch. A stretch
  is said with its direction, its length along the line (km, one decimal) and "大体" (roughly) when it
  wanders: its length exceeds its chord by more than ``wander_ratio``.
- **Directions** are the 16 points of the compass **referenced to true north**, as the guide requires.
  Grid north of the metric CRS (core.srid METRIC_SRID: Gauss–Krüger, central meridian 129°E) differs
  from true north by the meridian convergence, up to about 1.7° across the city (γ ≈ Δλ·sin φ,
  128°–131.3°E at 43°–46°N): enough to move a bearing near a sector's edge into the next sector.
  So the bearing is not read off the grid: it is the geodesic azimuth of the stretch's chord on the
  CGCS2000 ellipsoid (GRS80) (``pyproj.Geod``), the mean of the forward azimuth at its start and the
  back azimuth (reversed) at its end.
- **Lengths** are metres in the metric CRS (core.srid METRIC_SRID), as ``BoundaryLine.length_km`` is:
  the stated total equals it.
- **Landmarks** (boundaries.services.landmarks) are named where the line passes them, in order along it:
  places near the line ("经…附近"), rivers crossed ("跨…") or followed ("沿…约…千米"), lakes ("经…"),
  markers ("至…号界桩"). An end is named by a junction (where three or more units meet), a marker
  standing there, or else as the line's western/eastern (northern/southern) end; its coordinates
  (d°m′s″ to 0.1″, CGCS2000) and the nearest named place within reach are given with it.
- **Nothing is invented.** The text names only what the geometry and the landmarks hold: no ridges,
  gullies, heights, saddles or river centre lines unless a landmark's own name says so.
- **Deterministic**: the same geometry and landmarks give the same text.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise

import numpy as np
import shapely
from pyproj import Geod, Transformer

from boundaries.services.landmarks import JUNCTION, LAKE, MARKER, PLACE, RIVER, Landmark
from core.srid import METRIC_SRID, STORAGE_SRID

# The 16 points, clockwise from north; point i covers the bearings [22.5·i − 11.25°, 22.5·i + 11.25°).
# A bearing on an edge (11°15′, 33°45′, …) belongs to the point clockwise of it (北偏东北 from 11°15′).
COMPASS = (
    "北",
    "北偏东北",
    "东北",
    "东偏东北",
    "东",
    "东偏东南",
    "东南",
    "南偏东南",
    "南",
    "南偏西南",
    "西南",
    "西偏西南",
    "西",
    "西偏西北",
    "西北",
    "北偏西北",
)
SECTOR_DEG = 22.5
SECTOR_EDGES = tuple(SECTOR_DEG / 2 + SECTOR_DEG * k for k in range(16))  # 11.25, 33.75, …, 348.75: exact

CN_DIGITS = "零一二三四五六七八九"

_GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (its flattening differs from GRS80's by 1e-11)


@dataclass(frozen=True)
class CourseSettings:
    simplify_m: float = 500.0  # Douglas–Peucker tolerance: a turn smaller than this is not a turn
    wander_ratio: float = 1.2  # a stretch whose length exceeds its chord by this ratio is "大体"
    landmark_buffer_m: float = 1000.0  # places within this distance are "经…附近"; an end's place too
    follow_m: float = 100.0  # a river within this distance of the line ...
    follow_min_m: float = 1000.0  # ... for at least this long is followed ("沿"), not crossed
    end_snap_m: float = 1.0  # a junction or marker this close to an end stands at it


def compass_point(bearing_deg: float) -> str:
    """The 16-point name of a bearing in degrees clockwise from (true) north."""
    return COMPASS[bisect_right(SECTOR_EDGES, bearing_deg % 360.0) % 16]


def compass_range(name: str) -> tuple[float, float]:
    """The bearings [from, to) the point ``name`` covers; 北's range wraps: (348.75, 11.25)."""
    i = COMPASS.index(name)
    return ((SECTOR_DEG * i - SECTOR_DEG / 2) % 360.0, SECTOR_DEG * i + SECTOR_DEG / 2)


def dms(degrees: float) -> str:
    """129.20958 -> 129°12′34.5″ (to a tenth of a second, rounded once so that 59.95″ carries)."""
    tenths = round(abs(degrees) * 36000)
    whole, rest = divmod(tenths, 36000)
    minutes, seconds = divmod(rest, 600)
    return f"{whole}°{minutes:02d}′{seconds // 10:02d}.{seconds % 10}″"


def km(metres: float) -> str:
    """Length phrase: 约12.3千米 (one decimal), 不足0.1千米 below 50 m."""
    return "不足0.1千米" if metres < 50 else f"约{metres / 1000:.1f}千米"


def cn_number(n: int) -> str:
    """1..99 in Chinese numerals (第一段, 第十二段)."""
    tens, ones = divmod(n, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    return f"{'' if tens == 1 else CN_DIGITS[tens]}十{CN_DIGITS[ones] if ones else ''}"


@lru_cache(maxsize=1)
def _to_lonlat() -> Transformer:
    return Transformer.from_crs(METRIC_SRID, STORAGE_SRID, always_xy=True)


def lonlat(xy: np.ndarray) -> np.ndarray:
    """Metric (the metric CRS (core.srid METRIC_SRID)) coordinates, shape (n, 2), as longitude/latitude (CGCS2000)."""
    lon, lat = _to_lonlat().transform(xy[:, 0], xy[:, 1])
    return np.column_stack([lon, lat])


def coordinates(point_lonlat: np.ndarray) -> str:
    return f"东经{dms(point_lonlat[0])}，北纬{dms(point_lonlat[1])}"


def true_bearing(a_lonlat: np.ndarray, b_lonlat: np.ndarray) -> float:
    """Bearing of the chord a→b from true north in degrees: the mean of the geodesic's azimuth at a and
    its reversed azimuth at b (they differ by the meridians' convergence over the chord)."""
    forward, back, _ = _GEOD.inv(a_lonlat[0], a_lonlat[1], b_lonlat[0], b_lonlat[1])
    f, b = math.radians(forward), math.radians(back + 180.0)
    return math.degrees(math.atan2(math.sin(f) + math.sin(b), math.cos(f) + math.cos(b))) % 360.0


# ---- the line: chains, orientation, stretches --------------------------------------------------------


def chains(geom: shapely.Geometry) -> list[np.ndarray]:
    """The line's parts merged where they join, each as metric coordinates without repeated points."""
    merged = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
    found = []
    for part in shapely.get_parts(merged):
        coords = shapely.get_coordinates(part)
        if len(coords) < 2:
            continue
        moves = np.any(np.diff(coords, axis=0) != 0, axis=1)
        coords = coords[np.concatenate([[True], moves])]
        if len(coords) >= 2:
            found.append(coords)
    return found


def _start_key(geom_coords: np.ndarray, start_hint):
    """Sort key of a candidate start point: west first (then north), or north first (then west) when
    the line spans more north–south; nearest first when a start is hinted."""
    width, height = np.ptp(geom_coords, axis=0)
    if start_hint is not None:
        hx, hy = start_hint
        return lambda p: (round(math.hypot(p[0] - hx, p[1] - hy), 3), float(p[0]), -float(p[1]))
    if width >= height:
        return lambda p: (float(p[0]), -float(p[1]))
    return lambda p: (-float(p[1]), float(p[0]))


def orient(parts: list[np.ndarray], start_hint=None) -> tuple[list[np.ndarray], bool]:
    """Each chain from its start end, the chains in order; and whether the line runs east–west."""
    everything = np.vstack(parts)
    key = _start_key(everything, start_hint)
    oriented = []
    for coords in parts:
        if len(coords) > 3 and np.array_equal(coords[0], coords[-1]):  # a ring: from its first vertex by the key
            i = min(range(len(coords) - 1), key=lambda k: key(coords[k]))
            coords = np.vstack([coords[i:-1], coords[: i + 1]])
        elif key(coords[-1]) < key(coords[0]):
            coords = coords[::-1]
        oriented.append(coords)
    width, height = np.ptp(everything, axis=0)
    return sorted(oriented, key=lambda c: key(c[0])), bool(width >= height)


def douglas_peucker(coords: np.ndarray, tolerance: float) -> list[int]:
    """Indices of the vertices Douglas–Peucker keeps (distance to the chord's segment, in metres)."""
    keep = {0, len(coords) - 1}
    stack = [(0, len(coords) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b, inner = coords[i], coords[j], coords[i + 1 : j]
        ab = b - a
        span = float(ab @ ab)
        t = np.zeros(len(inner)) if span == 0 else np.clip((inner - a) @ ab / span, 0.0, 1.0)
        distance = np.hypot(*(inner - (a + t[:, None] * ab)).T)
        k = int(np.argmax(distance))
        if distance[k] > tolerance:
            keep.add(i + 1 + k)
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return sorted(keep)


@dataclass(frozen=True)
class Stretch:
    direction: str  # one of COMPASS
    bearing: float  # degrees from true north
    start_m: float  # where it begins, metres along its chain
    end_m: float
    chord_m: float
    wanders: bool

    @property
    def length_m(self) -> float:
        return self.end_m - self.start_m


def stretches(coords: np.ndarray, settings: CourseSettings) -> list[Stretch]:
    """The chain cut at its turns (Douglas–Peucker), consecutive legs of one direction merged."""
    along = np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(coords, axis=0).T))])
    geographic = lonlat(coords)
    cuts = douglas_peucker(coords, settings.simplify_m)
    while True:  # merging two legs can bring their neighbours into one direction: until nothing merges
        bearings = [true_bearing(geographic[a], geographic[b]) for a, b in pairwise(cuts)]
        names = [compass_point(b) for b in bearings]
        merged = [cuts[0], *(cuts[k] for k in range(1, len(cuts) - 1) if names[k - 1] != names[k]), cuts[-1]]
        if merged == cuts:
            break
        cuts = merged
    found = []
    for (a, b), bearing, name in zip(pairwise(cuts), bearings, names, strict=True):
        chord = float(np.hypot(*(coords[b] - coords[a])))
        path = float(along[b] - along[a])
        wanders = path > chord * settings.wander_ratio
        found.append(Stretch(name, bearing, float(along[a]), float(along[b]), chord, wanders))
    return found


# ---- landmarks along the line ------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Event:
    """Something named at a position along a chain: "经" a place's 附近, "跨" a river, "沿" a river for a
    length, "至" a marker."""

    at_m: float
    verb: str
    text: str


@dataclass(frozen=True)
class End:
    what: str  # 海林市、宁安市与东安区三县（市、区）交界处 / 001号界桩 / 西端
    lonlat: tuple[float, float]
    place: str = ""  # 位于兴隆镇驻地东北约0.8千米处

    def phrase(self, verb: str) -> str:
        """自…起（东经…，北纬…）, 至…止（东经…，北纬…，位于…处）."""
        where = coordinates(np.array(self.lonlat))
        return f"{self.what}{verb}（{where}{'，' + self.place if self.place else ''}）"


def _points(geom: shapely.Geometry) -> list[shapely.Point]:
    found = []
    for part in shapely.get_parts(geom):
        if part.is_empty:
            continue
        found.append(part if part.geom_type == "Point" else shapely.Point(shapely.get_coordinates(part)[0]))
    return found


def _river_events(chain: shapely.LineString, landmark: Landmark, settings: CourseSettings) -> list[Event]:
    """Where the chain runs beside the river for long enough it follows it (沿); elsewhere each place it
    meets the river is a crossing (跨)."""
    events, followed = [], []
    beside = chain.intersection(landmark.geom.buffer(settings.follow_m, cap_style="flat"))
    for piece in shapely.get_parts(beside):
        if piece.geom_type == "LineString" and piece.length >= settings.follow_min_m:
            ends = sorted(chain.project(shapely.Point(xy)) for xy in (piece.coords[0], piece.coords[-1]))
            followed.append(ends)
            events.append(Event(ends[0], "沿", f"{landmark.name}{km(ends[1] - ends[0])}"))
    crossed: list[float] = []
    for point in _points(chain.intersection(landmark.geom)):
        at = chain.project(point)
        near = any(a - settings.follow_m <= at <= b + settings.follow_m for a, b in followed)
        if not near and all(abs(at - c) > settings.follow_m for c in crossed):
            crossed.append(at)
            events.append(Event(at, "跨", landmark.name))
    return events


def _events(chain: shapely.LineString, landmarks: list[Landmark], settings: CourseSettings) -> list[Event]:
    events = []
    for landmark in landmarks:
        geom = landmark.geom
        if landmark.kind == PLACE:
            events.append(Event(chain.project(geom), "经", f"{landmark.name}附近"))
        elif landmark.kind == MARKER:
            events.append(Event(chain.project(geom), "至", landmark.name))
        elif landmark.kind == RIVER:
            events += _river_events(chain, landmark, settings)
        elif landmark.kind == LAKE:
            inside = chain.intersection(geom)
            if inside.is_empty:
                nearest = shapely.Point(shapely.get_coordinates(shapely.shortest_line(chain, geom))[0])
                events.append(Event(chain.project(nearest), "经", f"{landmark.name}附近"))
            else:
                events.append(Event(chain.project(_points(inside)[0]), "经", landmark.name))
    return sorted(events)


def _event_phrases(events: list[Event]) -> list[str]:
    """In order; consecutive places (or crossings) share their verb: 经A附近、B附近."""
    phrases: list[str] = []
    previous = None
    for event in events:
        if event.verb == previous and event.verb in ("经", "跨"):
            phrases[-1] += f"、{event.text}"
        else:
            phrases.append(f"{event.verb}{event.text}")
        previous = event.verb
    return phrases


def _clause(first: bool, stretch: Stretch, events: list[Event]) -> str:
    roughly = "大体" if stretch.wanders else ""
    if first:
        head = f"{roughly}向{stretch.direction}延伸{km(stretch.length_m)}"
    elif stretch.wanders:
        head = f"转而大体向{stretch.direction}延伸{km(stretch.length_m)}"
    else:
        head = f"转{stretch.direction}{km(stretch.length_m)}"
    return "，".join([head, *_event_phrases(events)])


# ---- the ends ----------------------------------------------------------------------------------------


def _at(landmarks: list[Landmark], kind: str, point: shapely.Point, within: float) -> Landmark | None:
    near = [lm for lm in landmarks if lm.kind == kind and lm.geom.distance(point) <= within]
    return min(near, key=lambda lm: (lm.geom.distance(point), lm.code, lm.name), default=None)


def _end(point_xy, fallback: str, landmarks: list[Landmark], settings: CourseSettings) -> tuple[End, set]:
    """An end of a chain: what stands there, its coordinates, the nearest named place; and the
    landmarks it used (not named again along the way)."""
    point = shapely.Point(point_xy)
    used = set()
    what = fallback
    for kind in (JUNCTION, MARKER):
        found = _at(landmarks, kind, point, settings.end_snap_m)
        if found is not None:
            what = found.name
            used.add(found)
            break
    place_note = ""
    place = _at(landmarks, PLACE, point, settings.landmark_buffer_m)
    if place is not None:
        used.add(place)
        distance = place.geom.distance(point)
        if distance < 100:
            place_note = f"位于{place.name}附近"
        else:
            bearing = true_bearing(*lonlat(np.array([place.geom.coords[0], point_xy])))
            place_note = f"位于{place.name}{compass_point(bearing)}{km(distance)}处"
    return End(what, tuple(lonlat(np.array([point_xy]))[0]), place_note), used


# ---- the whole -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartCourse:
    start: End
    end: End
    stretches: tuple[Stretch, ...]
    events: tuple[Event, ...]
    length_m: float
    text: str  # 自…起（…），…，至…止（…）


@dataclass(frozen=True)
class CourseText:
    text: str
    parts: tuple[PartCourse, ...]
    length_m: float


def _nearest_part(landmark: Landmark, lines: list[shapely.LineString]) -> int:
    return min(range(len(lines)), key=lambda i: (round(lines[i].distance(landmark.geom), 3), i))


def _end_names(coords: np.ndarray, east_west: bool) -> tuple[str, str]:
    """西端/东端 (北端/南端) by where the chain's ends lie, whichever it starts from."""
    if east_west:
        return ("西端", "东端") if coords[0][0] <= coords[-1][0] else ("东端", "西端")
    return ("北端", "南端") if coords[0][1] >= coords[-1][1] else ("南端", "北端")


def _part(coords: np.ndarray, east_west: bool, landmarks: list[Landmark], settings: CourseSettings) -> PartCourse:
    chain = shapely.LineString(coords)
    ends = _end_names(coords, east_west)
    start, used_start = _end(coords[0], ends[0], landmarks, settings)
    end, used_end = _end(coords[-1], ends[1], landmarks, settings)
    used = used_start | used_end
    passing = [lm for lm in landmarks if lm not in used and lm.kind != JUNCTION]
    events = _events(chain, passing, settings)
    found = stretches(coords, settings)
    clauses, within = [], []
    for k, stretch in enumerate(found):
        last = k == len(found) - 1
        within = [e for e in events if stretch.start_m <= e.at_m < stretch.end_m or (last and e.at_m >= stretch.end_m)]
        clauses.append(_clause(k == 0, stretch, within))
    again = "再" if within and within[-1].verb == "至" else ""  # …，至002号界桩，再至东端止
    text = f"自{start.phrase('起')}，{'；'.join(clauses)}，{again}至{end.phrase('止')}"
    return PartCourse(start, end, tuple(found), tuple(events), float(chain.length), text)


def describe(
    line_geom_metric: shapely.Geometry,
    *,
    parties: list,
    landmarks: list[Landmark] = (),
    start_hint=None,
    name: str = "",
    settings: CourseSettings | None = None,
) -> CourseText:
    """The course description of a line given in the metric CRS (core.srid METRIC_SRID) (LineString or MultiLineString).

    ``parties``: the units on either side, in the line's order (dicts with ``name``, or names); the line
    is called ``name`` or, without it, "A—B线". ``landmarks``: geometry in the metric CRS (core.srid METRIC_SRID) (see
    boundaries.services.landmarks). ``start_hint``: an (x, y) to start from instead of the western
    (northern) end, e.g. the first marker."""
    settings = settings or CourseSettings()
    names = [p["name"] if isinstance(p, dict) else str(p) for p in parties]
    title = name or f"{'—'.join(names)}线"
    parts = chains(line_geom_metric)
    if not parts:
        raise ValueError(f"{title}: the line has no geometry to describe")
    parts, east_west = orient(parts, start_hint)
    lines = [shapely.LineString(c) for c in parts]
    mine: list[list[Landmark]] = [[] for _ in parts]
    for landmark in landmarks:
        mine[_nearest_part(landmark, lines)].append(landmark)
    described = tuple(_part(c, east_west, mine[i], settings) for i, c in enumerate(parts))
    total = sum(p.length_m for p in described)
    if len(described) == 1:
        body = described[0].text
    else:
        body = f"分{cn_number(len(described))}段。" + "；".join(
            f"第{cn_number(i + 1)}段{p.text}，长{km(p.length_m)}" for i, p in enumerate(described)
        )
    return CourseText(f"{title}{body}。全长{km(total)}。", described, total)
