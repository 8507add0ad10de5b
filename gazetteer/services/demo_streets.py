"""Synthetic demonstration streets (示例道路) over the built-up core of the four urban districts, with
their house numbers, so that the road register, the numbering engine, the signs, the tiles and the
search have something to show before the bureau's road file is imported. Nothing here is real: every
place is ``synthetic`` (never standard, never in open data), every house number ``is_synthetic``, and the
changeset's reason says 示例数据.

There is no road data and the built-up area is unknown, so each district gets a disc of ``radius_m``
around its seat (驻地), clipped to its polygon (kept ``EDGE_M`` inside it, so no street touches the
neighbour's). Over it lies a grid, turned by a few degrees and bent by a smooth warp (one warp for the
whole district, so streets never cross their neighbours and still look surveyed rather than drawn with a
ruler): east-west roads (路), north-south streets (街), and lanes (巷) halfway between two roads for a block
or two. The 牡丹江 river is left as a gap of ``RIVER_GAP_M`` when a current river line named 牡丹江 is in
the places table (category 河流); the base data has none (no installable source has it at street scale),
so today the district polygons alone shape the network.

Names are in the local style and drawn from fixed lists shuffled by one seed, each district taking its
own share (so a district's names do not depend on which others were generated): in 东安区 and 西安区
the east-west roads from the south are numbered like the city's own (东三条路, 西四条路), the rest take
a two-character proper part + 路/街/巷. No name equals a place name already held (other than this
generator's own retired records) and none repeats within the city.

Entrances stand every 20-60 m on both sides, a few metres off the centre line (none nearer another
street than its own), and are numbered by the engine (gazetteer.services.house_numbers) by the city's
rule, status issued.

Deterministic (seeded by district) and idempotent: a district that has current demonstration streets is
left alone; ``retire_demo_streets`` ends them all (retired, not deleted), after which a run lays them again.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field

import shapely
from django.db import transaction
from django.db.models import Q

from boundaries.models import AdminUnit
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from gazetteer.models import Category, HouseNumber, Place, PlaceName, Road
from gazetteer.services import house_numbers, places

DISTRICTS = ("231002", "231003", "231004", "231005")  # 东安区, 阳明区, 爱民区, 西安区
NUMBERED = {"231002": "东", "231005": "西"}  # the districts whose east-west roads are numbered 东/西N条路
MAX_NUMBERED = 10
STREET_CATEGORY = "08100"  # 道路、街、巷
RIVER_CATEGORY_PREFIX = "021"  # 河流
RIVER_NAME = "牡丹江"
RIVER_GAP_M = 150.0
EDGE_M = 25.0
REF_PREFIX = "demo-streets:"
REASON = "示例数据 synthetic demonstration streets: a street grid and house numbers made up for the demonstration"
LABEL = "demo_streets"
DESCRIPTION = (
    "示例数据：合成的演示道路，并非真实街道，名称和门牌均为虚构。Synthetic demonstration street, not a real one."
)
BUILDING = "示例建筑"
SEED = "demo-streets"
MIN_DOORS = 4

# Proper parts of road and street names, and of lanes: fixed lists, shuffled by SEED.
ROAD_WORDS = (  # noqa: SIM905 (words easier to read and check as text)
    "兴华 光明 和平 文化 友谊 永安 太和 康宁 丰收 建设 民主 团结 胜利 前进 繁荣 富强 振华 江滨 临江 景福 "
    "安康 祥和 春晖 朝阳 红旗 东风 育才 迎春 金秋 松花 白桦 青松 翠柳 丁香 紫薇 玉兰 秀水 清泉 镜湖 长白 "
    "兴安 雪原 林海 曙光 东升 晨光 福民 惠民 安民 宁康 平安 吉祥 瑞祥 嘉禾 稻香 金穗 庆丰 宏图 博文 明德 "
    "崇文 尚德 怀德 知行 敬业 书香 工农 劳动 新风 新民 新建 兴业 兴盛 兴旺 昌盛 隆昌 永丰 永乐 永宁 永兴 "
    "长青 长乐 长顺 顺达 通达 宏达 利民 益民 便民 北辰 南湖 西园 东园 江畔 江源 河滨 林荫 绿荫 花园 果园 "
    "柳园 松园 枫林 丰泽 润泽 福泽 厚德 远航 启航 腾飞 奋进 拓新 创业 聚贤 群英 锦绣 锦华 丽华 华新 中兴"
).split()
LANE_WORDS = (  # noqa: SIM905
    "榆树 杏花 梨花 槐花 桃园 梅园 竹林 菊香 荷塘 柳荫 枣林 杨柳 樱桃 葡萄 石榴 苹果 核桃 山楂 芍药 蔷薇 "
    "月季 百合 茉莉 水仙 芙蓉 芦花 稻花 麦香 豆香 瓜园 莲花 桂花 兰花 茶花 槐荫 松涛 竹韵 梅香 杏林 桃源 "
    "李园 梨园 枫叶 银杏 青藤 紫藤 翠竹 桑园 丰乐 安乐 福寿 康乐 和顺 永和 德馨 仁和 义和 兴和 泰和 如意 "
    "吉庆 喜庆 同心 同乐 安居 乐居 宜居 静安 清平 文昌 书院 学府 集贤 荟英 怡园 悦园 颐园 逸园 雅园 馨园"
).split()
NUMERALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Layout:
    """How a district's grid is laid: the disc around the seat, block sizes, entrances, a cap."""

    radius_m: float = 1100.0
    block_m: tuple[float, float] = (240.0, 340.0)
    lane_share: float = 0.25  # of the blocks get a lane
    door_m: tuple[float, float] = (20.0, 60.0)  # between entrances along a side
    setback_m: tuple[float, float] = (4.0, 8.0)  # entrance from the centre line
    max_streets: int = 32
    min_road_m: float = 200.0
    min_lane_m: float = 80.0


SMALL = Layout(radius_m=420.0, door_m=(40.0, 60.0), max_streets=7)


@dataclass(frozen=True)
class Street:
    """A street laid by ``lay_out`` (metres, metric CRS); ``kind`` road 路 (east-west), street 街
    (north-south) or lane 巷; ``order`` its place among its kind (roads from the south, streets from
    the west)."""

    key: str
    kind: str
    order: float
    line: shapely.LineString
    name: str = ""


@dataclass
class DemoResult:
    districts: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    streets: int = 0
    house_numbers: int = 0


# ---- the grid (pure: metres, no database) ----------------------------------------------------------------


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals: 三, 十, 十二, 二十一."""
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else NUMERALS[tens - 1]) + "十" if tens else "") + (NUMERALS[ones - 1] if ones else "")


def _positions(extent: float, rng: random.Random, block: tuple[float, float]) -> list[float]:
    """Grid lines from -extent to extent, one block apart, the first a random part of a block off centre."""
    here, found = -rng.uniform(0, block[1]), []
    while here > -extent:
        here -= rng.uniform(*block)
    while here < extent:
        found.append(here)
        here += rng.uniform(*block)
    return found


class _Frame:
    """Grid coordinates (u east-ish, v north-ish) to metres: a smooth warp, a turn, the seat's offset."""

    def __init__(self, centre: shapely.Point, rng: random.Random):
        self.cx, self.cy = centre.x, centre.y
        self.angle = math.radians(rng.uniform(-12.0, 12.0))
        # Amplitudes over wavelengths stay well below 1/(2π): the warp never folds a street onto another.
        self.waves = [(rng.uniform(30, 70), rng.uniform(1800, 3200), rng.uniform(0, 2 * math.pi)) for _ in range(2)]

    def point(self, u: float, v: float) -> tuple[float, float]:
        (ax, lx, px), (ay, ly, py) = self.waves
        u, v = u + ax * math.sin(2 * math.pi * v / lx + px), v + ay * math.sin(2 * math.pi * u / ly + py)
        cos, sin = math.cos(self.angle), math.sin(self.angle)
        return self.cx + u * cos - v * sin, self.cy + u * sin + v * cos

    def line(self, fixed: float, start: float, end: float, *, along_u: bool, step: float = 25.0) -> shapely.LineString:
        count = max(2, math.ceil((end - start) / step) + 1)
        steps = [start + (end - start) * i / (count - 1) for i in range(count)]
        return shapely.LineString([self.point(s, fixed) if along_u else self.point(fixed, s) for s in steps])


def _clipped(line: shapely.LineString, area: shapely.Geometry, minimum: float) -> shapely.LineString | None:
    """The longest piece of the line inside the area, if it is long enough to be a street."""
    inside = line.intersection(area)
    pieces = [g for g in getattr(inside, "geoms", [inside]) if g.geom_type == "LineString" and not g.is_empty]
    if not pieces:
        return None
    merged = shapely.line_merge(shapely.MultiLineString(pieces)) if len(pieces) > 1 else pieces[0]
    pieces = list(getattr(merged, "geoms", [merged]))
    longest = max(pieces, key=lambda g: g.length)
    return longest if longest.length >= minimum else None


def lay_out(code: str, area: shapely.Geometry, centre: shapely.Point, layout: Layout = Layout()) -> list[Street]:
    """The district's streets (unnamed): a bent, turned grid over ``area`` (metres) around ``centre``."""
    rng = random.Random(f"{SEED}:{code}")  # noqa: S311 (demonstration data, not security)
    frame = _Frame(centre, rng)
    extent = layout.radius_m + 200.0
    vs, us = _positions(extent, rng, layout.block_m), _positions(extent, rng, layout.block_m)
    found: list[Street] = []
    for i, v in enumerate(vs):
        line = _clipped(frame.line(v, -extent, extent, along_u=True), area, layout.min_road_m)
        if line is not None:
            found.append(Street(f"{code}:road{i:02d}", "road", v, line))
    for i, u in enumerate(us):
        line = _clipped(frame.line(u, -extent, extent, along_u=False), area, layout.min_road_m)
        if line is not None:
            found.append(Street(f"{code}:street{i:02d}", "street", u, line))
    for i, (south, north) in enumerate(itertools.pairwise(vs)):
        for j, (west, east) in enumerate(itertools.pairwise(us)):
            if rng.random() >= layout.lane_share:
                continue
            span = east if rng.random() < 0.7 else us[min(j + 2, len(us) - 1)]  # a block, sometimes two
            line = _clipped(frame.line((south + north) / 2, west, span, along_u=True), area, layout.min_lane_m)
            if line is not None:
                found.append(Street(f"{code}:lane{i:02d}{j:02d}", "lane", (south + north) / 2, line))
    near = sorted(found, key=lambda s: (s.line.distance(centre), s.key))[: layout.max_streets]
    return sorted(near, key=lambda s: ({"road": 0, "street": 1, "lane": 2}[s.kind], s.order, s.key))


def name_streets(code: str, streets: list[Street], taken: set[str]) -> list[Street]:
    """Names in the local style, none in ``taken`` (which grows); a street left without a name is dropped."""
    share = DISTRICTS.index(code) if code in DISTRICTS else 0
    roads, lanes = _shuffled(ROAD_WORDS, share), _shuffled(LANE_WORDS, share)
    named, numbered = [], 0
    for street in streets:
        name = None
        if street.kind == "road" and code in NUMBERED and numbered < MAX_NUMBERED:
            numbered += 1
            candidate = f"{NUMBERED[code]}{chinese_number(numbered)}条路"
            name = candidate if candidate not in taken else None
        if name is None:
            words, suffix = (lanes, "巷") if street.kind == "lane" else (roads, "路" if street.kind == "road" else "街")
            name = next((w + suffix for w in words if w + suffix not in taken and w + "路" not in taken), None)
            if name is not None:
                words.remove(name[:-1])
        if name is None:
            continue
        taken.add(name)
        named.append(Street(street.key, street.kind, street.order, street.line, name))
    return named


def _shuffled(words: tuple | list, share: int) -> list[str]:
    pool = list(words)
    random.Random(SEED).shuffle(pool)  # noqa: S311 (demonstration data)
    return pool[share :: len(DISTRICTS)]


def entrances(street: Street, others: shapely.Geometry | None, layout: Layout = Layout()) -> list[shapely.Point]:
    """Entrance points (metres) on both sides of the street, every 20-60 m, a few metres off its line;
    none nearer another street than its own, none past the street's ends."""
    rng = random.Random(f"{SEED}:{street.key}:doors")  # noqa: S311
    line, found = street.line, []
    for sign in (1, -1):
        along = rng.uniform(8.0, 25.0)
        while along < line.length - 8.0:
            (x0, y0), (x1, y1) = line.interpolate(along - 1.0).coords[0], line.interpolate(along + 1.0).coords[0]
            length = math.hypot(x1 - x0, y1 - y0)
            setback = rng.uniform(*layout.setback_m)
            foot = line.interpolate(along)
            door = shapely.Point(
                foot.x - sign * (y1 - y0) / length * setback, foot.y + sign * (x1 - x0) / length * setback
            )
            if others is None or door.distance(others) > door.distance(line) + 2.0:
                found.append(door)
            along += rng.uniform(*layout.door_m)
    return found


# ---- the records ----------------------------------------------------------------------------------------


def demo_places():
    return Place.objects.filter(standing=Place.Standing.SYNTHETIC, source_ref__startswith=REF_PREFIX)


def current_demo_places():
    return demo_places().filter(valid_to__isnull=True).exclude(status=Place.Status.HISTORICAL)


def taken_names() -> set[str]:
    """Every place name held, but this generator's own (so a run after ``retire_demo_streets`` repeats)."""
    own = demo_places().values("pk")
    held = set(Place.objects.exclude(pk__in=own).values_list("name", flat=True))
    return held | set(PlaceName.objects.exclude(place__in=own).values_list("name", flat=True))


def district_area(unit: AdminUnit, layout: Layout) -> tuple[shapely.Geometry, shapely.Point]:
    """The disc around the district's seat inside its polygon (metres), less the river's gap."""
    polygon = to_metric(from_geos(unit.geom))
    centre = to_metric(from_geos(unit.seat if unit.seat is not None else unit.label_point))
    area = polygon.buffer(-EDGE_M).intersection(centre.buffer(layout.radius_m, quad_segs=32))
    river = river_line()
    return (area.difference(river.buffer(RIVER_GAP_M)) if river is not None else area), centre


def river_line() -> shapely.Geometry | None:
    """The 牡丹江's line (metres) when the places table holds it; None in the base data (no source has it)."""
    rivers = Place.objects.filter(
        Q(name=RIVER_NAME) | Q(names__name=RIVER_NAME),
        category__code__startswith=RIVER_CATEGORY_PREFIX,
        valid_to__isnull=True,
        geom__isnull=False,
    ).distinct()
    lines = [from_geos(p.geom) for p in rivers if p.geom.geom_type in ("LineString", "MultiLineString")]
    return to_metric(shapely.union_all(lines)) if lines else None


def lay_demo_streets(codes: tuple[str, ...] = DISTRICTS, layout: Layout = Layout()) -> DemoResult:
    """Lay the streets of every district that has none yet (in code order); what was done."""
    result = DemoResult()
    taken = taken_names()
    for unit in AdminUnit.objects.current().filter(code__in=codes).order_by("code"):
        if current_demo_places().filter(source_ref__startswith=f"{REF_PREFIX}{unit.code}:").exists():
            result.skipped.append(unit.code)
            continue
        streets, numbers = lay_district(unit, layout, taken)
        result.districts.append(unit.code)
        result.streets += streets
        result.house_numbers += numbers
    return result


@transaction.atomic
def lay_district(unit: AdminUnit, layout: Layout, taken: set[str]) -> tuple[int, int]:
    """One district's streets, roads and numbers in one changeset; (streets, house numbers)."""
    area, centre = district_area(unit, layout)
    streets = name_streets(unit.code, lay_out(unit.code, area, centre, layout), taken)
    streets = _with_doors(streets, layout)
    if not streets:
        return 0, 0
    changeset = open_changeset(Changeset.Kind.IMPORT, REASON, label=LABEL)
    category = Category.objects.get(code=STREET_CATEGORY)
    numbers = 0
    for street, doors in streets:
        place = places.create_place(
            changeset=changeset,
            name=street.name,
            category=category,
            geom=to_geos(to_lonlat(street.line)),
            synthetic=True,
            source_ref=f"{REF_PREFIX}{street.key}",
            description=DESCRIPTION,
        )
        # The road record usually exists already (house_numbers.road_follows_place, the city's rule): a lane
        # is then made a lane in this changeset.
        road_class = Road.RoadClass.LANE if street.kind == "lane" else Road.RoadClass.URBAN
        road = house_numbers.register_road(place, changeset=changeset, road_class=road_class)
        if road.road_class != road_class:
            road = house_numbers.set_rule(
                road, changes={"road_class": road_class}, changeset=changeset, expected_version=None
            )
        made = house_numbers.number_entrances(
            road,
            [house_numbers.Entrance(to_lonlat(door), building_name=BUILDING) for door in doors],
            changeset=changeset,
            status=HouseNumber.Status.ISSUED,
            synthetic=True,
        )
        numbers += len(made)
    return len(streets), numbers


def _with_doors(streets: list[Street], layout: Layout) -> list[tuple[Street, list[shapely.Point]]]:
    """Each street with its entrances; a street with fewer than MIN_DOORS (a stub between crossings) is left out."""
    found = []
    for street in streets:
        others = shapely.union_all([s.line for s in streets if s is not street and s.line.distance(street.line) < 50])
        doors = entrances(street, None if others.is_empty else others, layout)
        if len(doors) >= MIN_DOORS:
            found.append((street, doors))
    return found


@transaction.atomic
def retire_demo_streets() -> tuple[int, int]:
    """End every current demonstration street and its current numbers (retired, kept); (streets, numbers)."""
    demo = list(current_demo_places().select_related("road"))
    if not demo:
        return 0, 0
    changeset = open_changeset(Changeset.Kind.IMPORT, f"{REASON} (retired)", label=LABEL)
    today, numbers = places.today(), 0
    for place in demo:
        road = getattr(place, "road", None)
        if road is not None:
            for house in road.house_numbers.exclude(status=HouseNumber.Status.RETIRED):
                house_numbers.retire(
                    house, reason="示例数据 retired with the demonstration streets", changeset=changeset,
                    expected_version=None,
                )  # fmt: skip
                numbers += 1
        places.retire_place(place, changeset=changeset, valid_to=today)
    return len(demo), numbers
