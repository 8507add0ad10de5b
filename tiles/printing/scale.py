"""The map scale: a representative fraction that fits the unit in the map frame, the ground extent
of the frame at that scale, and a scale bar of a round length.

At 1:D one PDF point of the sheet is D × 0.3528 mm on the ground (``metres_per_point``). The frame
is drawn so that this holds exactly: the ground extent is the frame's size in points times that.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tiles.printing.papers import METRES_PER_PT

# Room kept between the unit and the neatline, as a share of the frame on each side.
FIT_MARGIN = 0.035
# Round bar lengths (metres) and how many parts a bar of that length is divided into.
BAR_LENGTHS_M = [
    (500, 5), (1000, 5), (2000, 4), (2500, 5), (5000, 5), (10000, 5), (20000, 4), (25000, 5),
    (50000, 5), (100000, 5), (200000, 4), (250000, 5), (500000, 5),
]  # fmt: skip


def nice_denominator(minimum: float) -> int:
    """The smallest round denominator not below ``minimum``: two significant digits, as printed
    atlases choose fitted scales (1:1 100 000, 1:260 000), so the map is never more than ~10 %
    smaller than its frame allows."""
    if minimum <= 0:
        raise ValueError("the scale denominator must be positive")
    step = 10 ** (math.floor(math.log10(minimum)) - 1)
    return int(math.ceil(minimum / step - 1e-9) * step)


def metres_per_point(denominator: int) -> float:
    return denominator * METRES_PER_PT


def fit_denominator(extent_m: tuple[float, float, float, float], frame_pt: tuple[float, float]) -> int:
    """The scale at which the extent (minx, miny, maxx, maxy in metres) fits the frame (points)
    with ``FIT_MARGIN`` to spare on every side."""
    minx, miny, maxx, maxy = extent_m
    usable_w, usable_h = (side * (1 - 2 * FIT_MARGIN) * METRES_PER_PT for side in frame_pt)
    return nice_denominator(max((maxx - minx) / usable_w, (maxy - miny) / usable_h))


@dataclass(frozen=True)
class MapScale:
    denominator: int
    center: tuple[float, float]
    frame_pt: tuple[int, int]

    @property
    def metres_per_point(self) -> float:
        return metres_per_point(self.denominator)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """The ground extent of the frame in the metric CRS: minx, miny, maxx, maxy."""
        half_w = self.frame_pt[0] * self.metres_per_point / 2
        half_h = self.frame_pt[1] * self.metres_per_point / 2
        cx, cy = self.center
        return cx - half_w, cy - half_h, cx + half_w, cy + half_h

    def to_frame(self, x: float, y: float) -> tuple[float, float]:
        """Metric coordinates to points from the frame's top-left corner."""
        minx, _, _, maxy = self.bbox
        return (x - minx) / self.metres_per_point, (maxy - y) / self.metres_per_point

    @property
    def fraction_text(self) -> str:
        """1:1 250 000, digits grouped by thin spaces as Chinese maps print them."""
        return "1:" + f"{self.denominator:,}".replace(",", " ")


def fit_scale(extent_m: tuple[float, float, float, float], frame_pt: tuple[int, int]) -> MapScale:
    minx, miny, maxx, maxy = extent_m
    return MapScale(fit_denominator(extent_m, frame_pt), ((minx + maxx) / 2, (miny + maxy) / 2), frame_pt)


@dataclass(frozen=True)
class ScaleBar:
    ground_m: int
    parts: int
    length_pt: float

    @property
    def part_pt(self) -> float:
        return self.length_pt / self.parts

    @property
    def unit(self) -> str:
        return "公里" if self.ground_m >= 1000 else "米"

    def tick_labels(self) -> list[str]:
        step = self.ground_m / self.parts
        divisor = 1000 if self.ground_m >= 1000 else 1
        return [f"{i * step / divisor:g}" for i in range(self.parts + 1)]


def scale_bar(scale: MapScale, max_length_pt: float) -> ScaleBar:
    """The longest round bar that fits ``max_length_pt``."""
    fitting = [(m, p) for m, p in BAR_LENGTHS_M if m / scale.metres_per_point <= max_length_pt]
    ground_m, parts = fitting[-1] if fitting else BAR_LENGTHS_M[0]
    return ScaleBar(ground_m, parts, ground_m / scale.metres_per_point)
