"""The location sketch (位置略图) of a boundary marker's registration form, drawn from the register.

An inline SVG in the marker's 3-degree Gauss-Kruger plane (boundaries.services.marker_coords: grid
north up, the plane its reference objects' grid bearings are taken in): the line's course around the
marker, the marker's symbol and number, each reference object (方位物) plotted by its recorded bearing
and distance with its order number, the other markers of the line in the frame, the parties' names on
their sides, a north arrow (grid north), a scale bar and a note that the sketch is drawn from the
register, not surveyed. The frame is square, centred on the marker; its half-width is 1.5 times the
farthest reference object, rounded up to a round figure and kept between 250 m and 2 km (so the sketch
covers 500 m to 4 km).

A synthetic marker's sketch shows the line's synthetic markers only (it may be public; real markers
never are); a real marker's (staff only) shows every marker standing on the line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

import shapely
from django.contrib.gis.db.models.functions import Intersection

from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker
from boundaries.services.marker_coords import gauss_kruger
from core.geometry import from_geos, to_geos
from core.metric import transform
from core.srid import STORAGE_SRID

SIZE_PX = 400.0  # the map square, in SVG units; the strip under it holds the scale bar and the note
STRIP_PX = 46.0
MIN_HALF_WIDTH_M, MAX_HALF_WIDTH_M = 250.0, 2000.0
ROUND_FIGURES = (250, 300, 400, 500, 600, 800, 1000, 1200, 1500, 2000)
SCALE_BARS_M = (50, 100, 200, 250, 500, 1000)
NOTE = "本图依据界桩登记数据绘制，为示意略图，非实测图；北向为坐标北。"
SYNTHETIC_NOTE = "示例（合成）界桩，非实地界桩"
LABEL_CHARS = 10


@dataclass(frozen=True)
class Frame:
    """The square of the plane the sketch shows: centred on (east, north), ``half_width_m`` each way,
    drawn ``SIZE_PX`` wide with grid north up."""

    east: float
    north: float
    half_width_m: float

    @property
    def scale(self) -> float:
        """SVG units per metre."""
        return SIZE_PX / (2 * self.half_width_m)

    def to_px(self, east: float, north: float) -> tuple[float, float]:
        return (
            SIZE_PX / 2 + (east - self.east) * self.scale,
            SIZE_PX / 2 - (north - self.north) * self.scale,
        )

    def polar(self, bearing_deg: float, distance_m: float) -> tuple[float, float]:
        """Where a point at a grid bearing and distance from the centre (the marker) is drawn."""
        angle = math.radians(bearing_deg)
        return self.to_px(self.east + distance_m * math.sin(angle), self.north + distance_m * math.cos(angle))

    def box(self) -> shapely.Polygon:
        w = self.half_width_m
        return shapely.box(self.east - w, self.north - w, self.east + w, self.north + w)


def frame_for(east: float, north: float, distances_m: list[float]) -> Frame:
    wanted = min(max(1.5 * max(distances_m, default=0.0), MIN_HALF_WIDTH_M), MAX_HALF_WIDTH_M)
    return Frame(east, north, float(next(r for r in ROUND_FIGURES if r >= wanted)))


@dataclass(frozen=True)
class Reference:
    order: int
    name: str
    bearing_deg: float
    distance_m: float


@dataclass(frozen=True)
class Label:
    """A named point of the plane (another marker, a party's name)."""

    text: str
    east: float
    north: float


@dataclass
class Sketch:
    """What the sketch draws, all in the marker's Gauss-Kruger plane (metres)."""

    number: str
    frame: Frame
    course: shapely.Geometry  # the line's course, already clipped to the frame
    references: list[Reference]
    markers: list[Label] = field(default_factory=list)
    areas: list[Label] = field(default_factory=list)
    synthetic: bool = False
    epsg: int = 0

    def svg(self) -> str:
        parts = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="sketch" viewBox="0 0 {SIZE_PX:g} {SIZE_PX + STRIP_PX:g}" '
            f'width="100%" font-family="Noto Sans CJK SC, sans-serif">',
            f'<rect x="0.5" y="0.5" width="{SIZE_PX - 1:g}" height="{SIZE_PX - 1:g}" fill="#fff" stroke="#000"/>',
            *self._areas(),
            *self._course(),
            *self._references(),
            *self._markers(),
            *self._marker(),
            *_north_arrow(),
            *self._scale_bar(),
            *self._notes(),
            "</svg>",
        ]
        return "\n".join(parts)

    def _areas(self) -> list[str]:
        return [
            _text(*self.frame.to_px(a.east, a.north), a.text, size=15, fill="#888", anchor="middle", css="area")
            for a in self.areas
        ]

    def _course(self) -> list[str]:
        paths = []
        for part in shapely.get_parts(shapely.line_merge(self.course) if not self.course.is_empty else self.course):
            coords = shapely.get_coordinates(part)
            if len(coords) < 2:
                continue
            d = " ".join(f"{'M' if n == 0 else 'L'}{x:.1f},{y:.1f}" for n, (x, y) in enumerate(self._px(coords)))
            paths.append(
                f'<path class="course" d="{d}" fill="none" stroke="#000" stroke-width="2.2" '
                f'stroke-dasharray="12 3 2 3 2 3"/>'
            )
        return paths

    def _px(self, coords) -> list[tuple[float, float]]:
        return [self.frame.to_px(e, n) for e, n in coords]

    def _references(self) -> list[str]:
        drawn = []
        for ref in self.references:
            x, y = self.frame.polar(ref.bearing_deg, ref.distance_m)
            east = math.sin(math.radians(ref.bearing_deg)) >= 0
            label = f"{ref.order} {ref.name[:LABEL_CHARS]}"
            drawn += [
                f'<line x1="{SIZE_PX / 2:g}" y1="{SIZE_PX / 2:g}" x2="{x:.1f}" y2="{y:.1f}" stroke="#555" '
                f'stroke-width="0.8" stroke-dasharray="3 2"/>',
                f'<circle class="reference" data-order="{ref.order}" cx="{x:.1f}" cy="{y:.1f}" r="4.5" '
                f'fill="#fff" stroke="#000" stroke-width="1.2"/>',
                _text(
                    x + (7 if east else -7), y + 4, label, size=11, anchor="start" if east else "end", css="ref-label"
                ),
            ]
        return drawn

    def _markers(self) -> list[str]:
        drawn = []
        for other in self.markers:
            x, y = self.frame.to_px(other.east, other.north)
            drawn += [
                f'<rect class="other-marker" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" fill="#000"/>',
                _text(x + 6, y - 5, other.text, size=9, fill="#333"),
            ]
        return drawn

    def _marker(self) -> list[str]:
        c = SIZE_PX / 2
        dx, dy = self._number_corner()
        x, y = c + 9 * dx, c + (9 if dy > 0 else -4) * dy + (8 if dy > 0 else 0)
        return [
            f'<rect class="marker" x="{c - 6:g}" y="{c - 6:g}" width="12" height="12" fill="#fff" stroke="#000" '
            f'stroke-width="2"/>',
            f'<rect x="{c - 2.5:g}" y="{c - 2.5:g}" width="5" height="5" fill="#c00"/>',
            _text(x, y, self.number, size=12, weight="bold", anchor="start" if dx > 0 else "end", css="marker-number"),
        ]

    def _number_corner(self) -> tuple[int, int]:
        """The diagonal (dx, dy in SVG directions) whose label spot is farthest from the reference
        objects and the line's course, so the marker's number is not drawn over them."""
        c = SIZE_PX / 2
        taken = [shapely.Point(self.frame.polar(r.bearing_deg, r.distance_m)) for r in self.references]
        course = [
            shapely.LineString(self._px(shapely.get_coordinates(part)))
            for part in shapely.get_parts(self.course)
            if len(shapely.get_coordinates(part)) > 1
        ]

        def room(corner: tuple[int, int]) -> float:
            spot = shapely.Point(c + 45 * corner[0], c + 12 * corner[1])
            return min((spot.distance(thing) for thing in [*taken, *course]), default=SIZE_PX)

        return max(((1, -1), (-1, -1), (1, 1), (-1, 1)), key=room)

    def _scale_bar(self) -> list[str]:
        metres = max((m for m in SCALE_BARS_M if m * self.frame.scale <= SIZE_PX / 4), default=SCALE_BARS_M[0])
        width = metres * self.frame.scale
        x, y = 10.0, SIZE_PX + 14
        return [
            f'<g class="scale-bar" data-metres="{metres}">',
            f'<rect x="{x:g}" y="{y:g}" width="{width / 2:.1f}" height="4" fill="#000" stroke="#000" '
            f'stroke-width="0.8"/>',
            f'<rect x="{x + width / 2:.1f}" y="{y:g}" width="{width / 2:.1f}" height="4" fill="#fff" stroke="#000" '
            f'stroke-width="0.8"/>',
            _text(x, y - 3, "0", size=9),
            _text(x + width, y - 3, f"{metres} m", size=9),
            "</g>",
        ]

    def _notes(self) -> list[str]:
        texts = [_text(SIZE_PX - 8, SIZE_PX + 20, f"坐标北 · 高斯-克吕格 3°带 EPSG:{self.epsg}", size=9, anchor="end")]
        texts.append(_text(8, SIZE_PX + 38, NOTE, size=10, css="note"))
        if self.synthetic:
            texts += [
                f'<rect x="{SIZE_PX / 2 - 100:g}" y="6" width="200" height="22" fill="#fff" fill-opacity="0.85" '
                f'stroke="#b00"/>',
                _text(
                    SIZE_PX / 2, 22, SYNTHETIC_NOTE, size=14, fill="#b00", anchor="middle", weight="bold", css="stamp"
                ),
            ]
        return texts


def _north_arrow() -> list[str]:
    x, y = SIZE_PX - 26, 16
    return [
        f'<g class="north-arrow"><path d="M{x:g},{y:g} L{x + 8:g},{y + 30:g} L{x:g},{y + 24:g} Z" fill="#000"/>',
        f'<path d="M{x:g},{y:g} L{x - 8:g},{y + 30:g} L{x:g},{y + 24:g} Z" fill="#fff" stroke="#000"/>',
        _text(x, y + 44, "北", size=12, anchor="middle", weight="bold"),
        "</g>",
    ]


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    fill: str = "#000",
    anchor: str = "start",
    weight: str = "normal",
    css: str = "",
) -> str:
    klass = f' class="{css}"' if css else ""
    return (
        f'<text{klass} x="{x:.1f}" y="{y:.1f}" font-size="{size:g}" fill="{fill}" text-anchor="{anchor}" '
        f'font-weight="{weight}">{escape(text)}</text>'
    )


# ---- from the register ---------------------------------------------------------------------------------


class SketchMaker:
    """Builds the sketches of many markers, keeping each line's course in each zone it is asked for."""

    def __init__(self):
        self._courses: dict[tuple[int, int], shapely.Geometry] = {}

    def course(self, line: BoundaryLine, srid: int) -> shapely.Geometry:
        key = (line.pk, srid)
        if key not in self._courses:
            self._courses[key] = transform(from_geos(line.geom), STORAGE_SRID, srid)
        return self._courses[key]

    def sketch(self, marker: BoundaryMarker) -> Sketch:
        srid, north, east = gauss_kruger(marker.geom)
        references = [
            Reference(r.order, r.name, r.bearing_deg, r.distance_m)
            for r in sorted(marker.reference_objects.all(), key=lambda r: r.order)
        ]
        frame = frame_for(east, north, [r.distance_m for r in references])
        box = frame.box()
        box_lonlat = to_geos(transform(box, srid, STORAGE_SRID))
        return Sketch(
            number=marker.number,
            frame=frame,
            course=shapely.clip_by_rect(self.course(marker.line, srid), *box.bounds),
            references=references,
            markers=_other_markers(marker, box_lonlat, srid),
            areas=_party_areas(marker.line, frame, box_lonlat, srid),
            synthetic=marker.is_synthetic,
            epsg=srid,
        )


def _other_markers(marker: BoundaryMarker, box_lonlat, srid: int) -> list[Label]:
    others = (
        BoundaryMarker.objects.filter(line_id=marker.line_id, geom__intersects=box_lonlat)
        .exclude(pk=marker.pk)
        .exclude(status=BoundaryMarker.Status.ABOLISHED)
    )
    if marker.is_synthetic:  # a sheet that may be public shows no real marker
        others = others.filter(is_synthetic=True)
    found = []
    for other in others.only("number", "geom"):
        point = transform(from_geos(other.geom), STORAGE_SRID, srid)
        found.append(Label(other.number, point.x, point.y))
    return found


def _party_areas(line: BoundaryLine, frame: Frame, box_lonlat, srid: int) -> list[Label]:
    """Each party of the line with a polygon in the frame, named at a point of its part of the frame."""
    units = [row.unit_id for row in line.party_rows.all() if row.unit_id]
    parts = (
        AdminUnit.objects.filter(pk__in=units, geom__intersects=box_lonlat)
        .annotate(part=Intersection("geom", box_lonlat))
        .only("name")
    )
    found = []
    for unit in parts:
        if unit.part is None or unit.part.empty or unit.part.area == 0:
            continue
        part = transform(from_geos(unit.part), STORAGE_SRID, srid)
        # away from the marker and its labels where the party's side of the frame allows
        away = part.difference(shapely.Point(frame.east, frame.north).buffer(0.55 * frame.half_width_m))
        point = (away if not away.is_empty else part).point_on_surface()
        found.append(Label(unit.name, point.x, point.y))
    return found
