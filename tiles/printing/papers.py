"""Paper sizes and the units of the sheet: PDF points (1/72 inch) and millimetres."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MM_PER_PT = 25.4 / 72
PT_PER_MM = 72 / 25.4
METRES_PER_PT = MM_PER_PT / 1000

# ISO 216 A series, portrait (width, height) in millimetres.
PAPER_SIZES_MM = {
    "A0": (841, 1189),
    "A1": (594, 841),
    "A2": (420, 594),
    "A3": (297, 420),
    "A4": (210, 297),
}
REFERENCE_PAPER = "A3"


class Orientation(StrEnum):
    PORTRAIT = "portrait"
    LANDSCAPE = "landscape"


@dataclass(frozen=True)
class Paper:
    name: str
    orientation: Orientation

    def __post_init__(self):
        if self.name not in PAPER_SIZES_MM:
            raise ValueError(f"unknown paper {self.name!r}; one of {', '.join(PAPER_SIZES_MM)}")

    @property
    def size_mm(self) -> tuple[float, float]:
        short, long = PAPER_SIZES_MM[self.name]
        return (long, short) if self.orientation == Orientation.LANDSCAPE else (short, long)

    @property
    def size_pt(self) -> tuple[float, float]:
        width, height = self.size_mm
        return width * PT_PER_MM, height * PT_PER_MM

    @property
    def factor(self) -> float:
        """Linear size relative to A3: margins and panels grow with the paper."""
        return PAPER_SIZES_MM[self.name][0] / PAPER_SIZES_MM[REFERENCE_PAPER][0]

    @property
    def type_scale(self) -> float:
        """How much larger type and symbols are than on A3: a wall map is read from further away,
        but not in proportion to its size (A4 0.84, A2 1.19, A1 1.41, A0 1.68)."""
        return round(self.factor**0.5, 2)

    @property
    def label(self) -> str:
        return f"{self.name} {'横版' if self.orientation == Orientation.LANDSCAPE else '竖版'}"


def mm(value: float) -> float:
    """Millimetres in points."""
    return value * PT_PER_MM
