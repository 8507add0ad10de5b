"""What one map frame shows, as layers of GeoJSON in the metric CRS: built from the database as
of a day, for a unit, at the scale that fits the frame. The renderer draws the layers; the legend,
the compilation note and the label check read what is here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import shapely

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.models import DataSource
from tiles.printing import areas as area_data
from tiles.printing import boundary_markers as marker_data
from tiles.printing import lines as line_data
from tiles.printing import places as place_data
from tiles.printing import points as point_data
from tiles.printing import roads as road_data
from tiles.printing.features import Layer, Window, label_point, metric
from tiles.printing.grid import Grid, kilometre_grid
from tiles.printing.names import (
    chinese_date,
    history_sources,
    unit_names_at,
    units_abolished_after,
    units_established_after,
)
from tiles.printing.papers import mm
from tiles.printing.scale import MapScale, fit_scale
from tiles.printing.style import BAND_MM

# An area whose part in the frame has less room than this (radius on paper) is not named.
MIN_LABEL_ROOM_MM = 3.5


class UnitNotMappable(ValueError):
    pass


@dataclass(frozen=True)
class ExpectedLabel:
    name: str
    layer: str


@dataclass
class MapContent:
    unit: AdminUnit
    unit_name: str
    day: dt.date | None
    scale: MapScale
    type_scale: float
    window: Window
    grid: Grid
    layers: dict[str, Layer] = field(default_factory=dict)
    labels: list[ExpectedLabel] = field(default_factory=list)
    unlabelled: list[str] = field(default_factory=list)
    sources: dict[int, DataSource] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    marker_numbers: list[str] = field(default_factory=list)  # the boundary markers drawn (their labels)
    road_names: list[str] = field(default_factory=list)  # the roads' and railways' names drawn along them
    route_refs: list[str] = field(default_factory=list)  # the route numbers on shields (G11)
    roads_drawn: int = 0  # roads and railways (their records) in the frame

    def layer(self, key: str) -> Layer:
        return self.layers.setdefault(key, Layer(key))

    def add(self, layer: str, geometry: shapely.Geometry, synthetic: bool = False, **properties) -> bool:
        """Add a feature to a layer if any of it is inside the frame: a layer counts as drawn (for
        the legend) only when something of it can be seen."""
        if geometry is None or geometry.is_empty or not geometry.intersects(shapely.box(*self.scale.bbox)):
            return False
        self.layer(layer).add(geometry, synthetic=synthetic, **properties)
        return True

    def add_label(self, layer: str, name: str, point: shapely.Point) -> None:
        if self.add(layer, point, name=name):
            self.labels.append(ExpectedLabel(name, layer))

    def use(self, *sources: DataSource | None) -> None:
        for source in sources:
            if source is not None:
                self.sources[source.id] = source

    def prioritise(self, names: set[str]) -> int:
        """Give these names the first places after the seats' own names (``priority_<layer>``
        layers, drawn before every other label of lower rank); returns how many labels moved."""
        moved = 0
        # The names of the seats (city, county-level) are drawn before all others already.
        for key in [k for k in self.layers if k.startswith("label_") and k not in FIRST_LABELS]:
            layer = self.layers[key].split(names, f"priority_{key}")
            if len(layer):
                existing = self.layers.get(layer.key)
                if existing is not None:
                    layer.features += existing.features
                    layer.names += existing.names
                self.layers[layer.key] = layer
                moved += len(layer) - (len(existing) if existing is not None else 0)
        return moved

    def counts(self) -> dict[str, int]:
        return {key: len(layer) for key, layer in self.layers.items() if len(layer)}

    def synthetic_layers(self) -> list[str]:
        return [key for key, layer in self.layers.items() if layer.synthetic]


FIRST_LABELS = {"label_city", "label_county"}


def mappable_unit(code: str, day: dt.date | None) -> AdminUnit:
    """The city or a county-level unit with a polygon, valid on the day, by its code. A unit the
    division history records as established after the day is not mapped as of that day, even where
    its validity has no start (its parts are drawn with a warning instead, see ``build_content``)."""
    units = AdminUnit.objects.filter(code=code, tier__lte=Tier.COUNTY).exclude(geom__isnull=True)
    units = units.current() if day is None else units.valid_at(day)
    unit = units.select_related("parent", "geometry_source", "source", "seat_source").first()
    if unit is None:
        when = f" on {day.isoformat()}" if day else ""
        raise UnitNotMappable(f"no city or county-level unit {code} with a boundary polygon{when}")
    later = units_established_after([unit], day) if day is not None else []
    if later:
        raise UnitNotMappable(
            f"{code} {unit.name} did not exist on {day.isoformat()}: the division history records it "
            f"as established later ({'; '.join(later)})"
        )
    return unit


def build_content(unit: AdminUnit, day: dt.date | None, frame_pt: tuple[int, int], type_scale: float) -> MapContent:
    outline = metric(unit.geom)
    scale = fit_scale(outline.bounds, frame_pt)
    window = Window(scale.bbox)
    content = MapContent(
        unit=unit,
        unit_name=unit_names_at([unit], day)[unit.id],
        day=day,
        scale=scale,
        type_scale=type_scale,
        window=window,
        grid=kilometre_grid(scale, type_scale),
    )
    parts, neighbours = area_data.unit_areas(unit, day, window)
    context = area_data.context_areas(window)
    _add_areas(content, unit, outline, parts, neighbours, context)
    _add_lines(content, context)
    _add_places(content)
    _add_roads(content)
    _add_points(content, parts)
    _add_markers(content, outline)
    content.add("grid", content.grid.lines(scale))
    if day is not None:
        content.use(*history_sources([unit, *(a.unit for a in parts)]))
        content.warnings += [
            f"{name}：区划沿革记其设立晚于所示日期，但该单位未记有效起始日，仍按现行数据绘出"
            for name in units_established_after([a.unit for a in parts], day)
        ]
        # Only names have a history here: the boundaries drawn are today's.
        content.warnings.append(
            f"图中行政区域界线为现行界线，系统未收录{chinese_date(day)}时的界线；政区名称为当日名称"
        )
        content.warnings += [
            f"{name}当日存在，但系统无其界线，未绘出"
            for name in units_abolished_after(unit, {a.unit.code for a in parts} | {unit.code}, day)
        ]
    return content


def _room_ok(content: MapContent, found) -> bool:
    return found is not None and found[1] / content.scale.metres_per_point >= mm(MIN_LABEL_ROOM_MM)


def _name_area(content: MapContent, layer: str, name: str, geometry, always: bool = False) -> None:
    """Name an area at its label point; a surrounding area with too little room in the frame is
    not named (and the report says so), a unit of the map always is."""
    found = label_point(geometry, content.window)
    if found is not None and (always or _room_ok(content, found)):
        content.add_label(layer, name, found[0])
    else:
        content.unlabelled.append(f"{name}（图内面积过小，不注记）")


def _add_areas(content, unit, outline, parts, neighbours, context) -> None:
    territory = shapely.union_all([outline, *(a.geometry for a in neighbours)])
    names = unit_names_at([a.unit for a in parts + neighbours], content.day)
    for area in context:
        if content.add(area.kind, area.geometry):
            content.use(area.context.source)
    for area in neighbours:
        if content.add("neighbour", area.geometry):
            content.use(area.unit.geometry_source)
    for area in parts:
        content.add("part", area.geometry, tint=area.tint)
        content.use(area.unit.geometry_source, area.unit.source)
    band_m = mm(BAND_MM * content.type_scale) * content.scale.metres_per_point
    content.add("unit_band", outline.difference(outline.buffer(-band_m)))
    for area in neighbours:
        _name_area(content, "label_neighbour", names[area.unit.id], area.geometry)
    prefectures = [a.geometry for a in context if a.kind == "context"]
    for area in context:
        if area.kind == "context":
            _name_area(content, "label_context", area.name, area.geometry.difference(territory))
        elif area.kind == "foreign":
            _name_area(content, "label_foreign", area.name, area.geometry.difference(territory))
        elif area.kind == "province" and area.context.code[:2] != unit.code[:2]:
            rest = area.geometry.difference(territory)
            beyond = rest.difference(shapely.union_all(prefectures)) if prefectures else rest
            found = label_point(beyond, content.window)
            _name_area(content, "label_province", area.name, beyond if _room_ok(content, found) else rest)


def _add_lines(content: MapContent, context) -> None:
    for level, geometry in line_data.boundary_levels(content.day, content.window, context).items():
        content.add(f"boundary_{level}", geometry, level=level)


def _add_markers(content: MapContent, outline: shapely.Geometry) -> None:
    """The unit's boundary markers (synthetic only: the sheet is public), each with its number. The
    numbers are not expected labels: a number that has no room is left out, never a place's name."""
    for marker in marker_data.unit_markers(content.unit, outline, content.day, content.window):
        if content.add("marker", marker.point, synthetic=marker.synthetic, name=marker.number):
            content.add("label_marker", marker.point, name=marker.number)
            content.marker_numbers.append(marker.number)


def _add_places(content: MapContent) -> None:
    for mapped in place_data.mapped_places(content.day, content.window):
        if content.add(mapped.layer, mapped.geometry, synthetic=mapped.place.is_synthetic, name=mapped.name):
            content.use(mapped.place.source)
            if mapped.name:
                content.labels.append(ExpectedLabel(mapped.name, mapped.layer))


def _add_roads(content: MapContent) -> None:
    """Roads by class with their names along them and their route numbers on shields, railways, stations.
    Road names and route numbers are not expected labels: one that has no room along its line is left out
    (the report lists it), never a place's name."""
    for road in road_data.mapped_roads(content.day, content.window, content.scale.denominator):
        synthetic = road.place.is_synthetic
        if not content.add(road.layer, road.geometry, synthetic=synthetic, name=road.name or ""):
            continue
        content.roads_drawn += 1
        content.use(road.place.source)
        if road.name and road.layer != "railway":
            content.add("road_name", road.geometry, name=road.name)
        if road.name:
            content.road_names.append(road.name)
        if road.shield:
            content.add("road_shield", road.geometry, ref=road.ref, shield=road.shield)
            content.route_refs.append(road.ref)
    for station in road_data.stations(content.day, content.window):
        content.add("station", station.point, synthetic=station.place.is_synthetic)
        content.add_label("label_station", station.name, station.point)
        content.use(station.place.source)


def _add_points(content: MapContent, parts) -> None:
    unit, day = content.unit, content.day
    seats, crowded = point_data.seats(unit, parts, day, content.window, content.scale, content.type_scale)
    for seat in seats:
        content.add(f"seat_{seat.level}", seat.point)
        content.add_label(f"label_{seat.level}", seat.name, seat.point)
        content.use(seat.unit.seat_source, seat.unit.source)
    names = unit_names_at(crowded, day)
    for county in crowded:
        area = next(a for a in parts if a.unit.id == county.id)
        _name_area(content, "label_part", names[county.id], area.geometry, always=True)
    seatless = point_data.seatless_towns(parts, day)
    names = unit_names_at(seatless, day)
    content.unlabelled += [f"{names[town.id]}（无驻地位置，不注记）" for town in seatless]
    for settlement in point_data.settlements(unit, day, content.window):
        content.add("settlement", settlement.point, synthetic=settlement.place.is_synthetic)
        content.add_label("label_settlement", settlement.name, settlement.point)
        content.use(settlement.place.source)
