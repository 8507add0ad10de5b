"""Where everything on a face goes, in mm from the face's top-left corner.

Bands follow GB 17733's proportions exactly (3/5 and 2/5 of the height for a road sign's Chinese and
romanization; 3/5 and 2/5 of the width for a plate's name and number); text is fitted inside its band,
within the border and padding. Type shrinks to fit. The romanization breaks only between words (at
the spaces the engine writes, so never inside a word nor at an apostrophe): it first shrinks down to a
floor, then breaks onto more lines, and a single word too long even then is condensed horizontally.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.conf import settings

from gazetteer.signfaces.faces import SYNTHETIC_MARK, Face
from gazetteer.signfaces.fonts import sign_font

EM_TOP, EM_BOTTOM = 0.88, 0.12  # an ideograph's em box around the baseline (Noto CJK)
LINE_PITCH = 1.2  # baseline to baseline, in em
CHINESE_FILL, ROMAN_FILL, NUMBER_FILL = 0.78, 0.62, 0.78  # em size over the band's inner height
ROMAN_FLOOR = 0.6  # the romanization shrinks to this share of its one-line size before it breaks
CHINESE_FLOOR = 0.5
NUMBER_FLOOR = 0.3
MIN_CONDENSE = 0.5  # horizontal scale below which a line is not squeezed further (it is made smaller instead)
QR_QUIET = 4  # modules of light margin on every side, as the QR standard asks
MARK_FILL = "#ffd400"
MARK_INK = "#000000"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    def inset(self, left=0.0, top=0.0, right=0.0, bottom=0.0) -> Box:
        return Box(self.x + left, self.y + top, max(self.w - left - right, 0.0), max(self.h - top - bottom, 0.0))


@dataclass(frozen=True)
class Rect:
    box: Box
    fill: str
    role: str
    stroke: str = ""
    stroke_width: float = 0.0
    radius: float = 0.0


@dataclass(frozen=True)
class Line:
    """One line of text: its left end and baseline (mm), em size (mm) and horizontal scale."""

    text: str
    x: float
    baseline: float
    size: float
    scale_x: float
    fill: str
    role: str

    @property
    def width(self) -> float:
        return sign_font().advance(self.text) * self.size * self.scale_x


@dataclass(frozen=True)
class QRCode:
    box: Box  # the light square, quiet zone included
    modules: tuple[tuple[bool, ...], ...]
    dark: str
    url: str

    @property
    def module(self) -> float:
        return self.box.w / (len(self.modules) + 2 * QR_QUIET)


@dataclass
class Layout:
    face: Face
    bands: dict[str, Box]
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    qr: QRCode | None = None
    warnings: list[str] = field(default_factory=list)


def lay_out(face: Face) -> Layout:
    W, H = face.width_mm, face.height_mm
    whole = Box(0, 0, W, H)
    pad = 0.04 * min(W, H)
    inset = face.border_mm + pad
    top_inset = inset + (_mark_height(face) if face.synthetic else 0.0)
    name_ink, number_ink = face.ink, face.number_ink
    if face.layout == "bands":
        bands = {"chinese": Box(0, 0, W, H * 3 / 5), "romanization": Box(0, H * 3 / 5, W, H * 2 / 5)}
    elif face.layout == "plate":
        name_w = W * 3 / 5
        bands = {
            "chinese": Box(0, 0, name_w, H * 3 / 5),
            "romanization": Box(0, H * 3 / 5, name_w, H * 2 / 5),
            "number": Box(name_w, 0, W - name_w, H),
        }
    else:  # stacked: GB 17733.1's small plate, name over number; without a name the number takes all
        bands = {"chinese": Box(0, 0, W, H * 2 / 5), "number": Box(0, H * 2 / 5, W, H * 3 / 5)}
        if not face.chinese:
            bands = {"number": whole}
    layout = Layout(face, bands)
    layout.rects.append(Rect(whole, face.ground, "ground"))
    if "number" in bands:
        layout.rects.append(Rect(bands["number"], face.number_ground, "band-number"))
    for name in ("chinese", "romanization"):
        if name in bands:
            layout.rects.append(Rect(bands[name], face.ground, f"band-{name}"))
    if face.border_mm:
        line = face.border_mm * 0.4
        frame = whole.inset(*(face.border_mm * 0.6 + line / 2,) * 4)
        layout.rects.append(Rect(frame, "none", "border", face.ink, line, radius=face.border_mm))
        if face.layout == "plate" and face.number_ground == face.ground:
            x = bands["number"].x
            divider = Box(x - line / 2, frame.y, line, frame.h)
            layout.rects.append(Rect(divider, face.ink, "divider"))

    def inner(box: Box) -> Box:
        """The part of a band inside the border and padding (only the sides that touch the face's edge)."""
        return box.inset(
            inset if box.x <= 0 else pad,
            top_inset if box.y <= 0 else 0.0,
            inset if box.x + box.w >= W - 1e-9 else pad,
            inset if box.y + box.h >= H - 1e-9 else 0.0,
        )

    number_box = inner(bands["number"]) if "number" in bands else None
    roman_box = inner(bands["romanization"]) if "romanization" in bands else None
    if face.qr_url:
        _place_qr(layout, face, roman_box, number_box, pad)
        if layout.qr and roman_box is not None and face.layout == "bands":
            roman_box = roman_box.inset(left=layout.qr.box.x + layout.qr.box.w + pad - roman_box.x)
        elif layout.qr and face.layout == "plate":
            number_box = number_box.inset(bottom=number_box.y + number_box.h - layout.qr.box.y + pad)
        elif layout.qr:
            number_box = number_box.inset(right=number_box.x + number_box.w - layout.qr.box.x + pad)
    if face.chinese and "chinese" in bands:
        box = inner(bands["chinese"])
        if face.layout != "stacked" and "romanization" in bands:
            box = box.inset(bottom=pad / 2)
        _fit_chinese(layout, face.chinese, box, name_ink)
    if face.romanization and roman_box is not None:
        _fit_romanization(layout, face.romanization, roman_box, name_ink)
    if face.number and number_box is not None:
        _fit_number(layout, face.number, number_box, number_ink if "number" in bands else name_ink)
    if face.synthetic:
        _mark(layout, face, inset)
    return layout


def _mark_height(face: Face) -> float:
    return max(0.07 * face.height_mm, 3.0)


def _one_line(layout: Layout, text: str, box: Box, size: float, role: str, ink: str, *, digits=False) -> None:
    font = sign_font()
    width = font.advance(text) * size
    scale = 1.0
    if width > box.w + 1e-6:
        scale = box.w / width
        if scale < MIN_CONDENSE:  # never off the face: condensed as far as allowed, then smaller
            layout.warnings.append(f"{role} {text!r} condensed to {MIN_CONDENSE:.0%} and set below its floor")
            scale = MIN_CONDENSE
            size = box.w / (width / size * scale)
            width = box.w / scale
        else:
            layout.warnings.append(f"{role} {text!r} condensed to {scale:.0%}")
    # Figures and capitals are centred between the baseline and the cap height, ideographs by their em box.
    rise = font.cap_height if digits else EM_TOP - EM_BOTTOM
    baseline = box.cy + rise * size / 2
    x = box.cx - width * scale / 2
    layout.lines.append(Line(text, x, baseline, size, scale, ink, role))


def _fit_chinese(layout: Layout, text: str, box: Box, ink: str) -> None:
    natural = CHINESE_FILL * box.h
    size = min(natural, box.w / sign_font().advance(text))
    _one_line(layout, text, box, max(size, CHINESE_FLOOR * natural), "chinese", ink)


def _fit_number(layout: Layout, text: str, box: Box, ink: str) -> None:
    font = sign_font()
    digits = text.isascii()
    natural = NUMBER_FILL * box.h / (font.cap_height if digits else 1.0)
    size = min(natural, box.w / font.advance(text))
    _one_line(layout, text, box, max(size, NUMBER_FLOOR * natural), "number", ink, digits=digits)


def _fit_romanization(layout: Layout, text: str, box: Box, ink: str) -> None:
    font = sign_font()
    words = text.split()
    natural = ROMAN_FILL * box.h
    floor = ROMAN_FLOOR * natural
    best: tuple[float, list[str]] | None = None
    for count in range(1, len(words) + 1):
        tallest = box.h / (1 + LINE_PITCH * (count - 1)) * (ROMAN_FILL if count == 1 else 0.95)
        if count > 1 and tallest < floor:
            break  # more lines would only be smaller than the floor
        lines = _balanced(words, count, font.advance)
        size = min(natural, tallest, box.w / max(font.advance(line) for line in lines))
        if best is None or size > best[0]:
            best = (size, lines)
        if size >= floor:
            break
    size, lines = best
    if size < floor:  # a word too long for the face even at the floor: keep the floor and condense
        size = min(floor, box.h / (1 + LINE_PITCH * (len(lines) - 1)))
    block = size * (1 + LINE_PITCH * (len(lines) - 1))
    top = box.cy - block / 2
    for index, line in enumerate(lines):
        y = top + index * LINE_PITCH * size
        _one_line(layout, line, Box(box.x, y, box.w, size), size, "romanization", ink)


def _balanced(words: list[str], count: int, advance) -> list[str]:
    """``words`` on ``count`` lines, broken only between words, the widest line as narrow as can be."""
    if count == 1:
        return [" ".join(words)]
    best = None
    for cuts in itertools.combinations(range(1, len(words)), count - 1):
        edges = (0, *cuts, len(words))
        lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(edges)]
        widest = max(advance(line) for line in lines)
        if best is None or widest < best[0]:
            best = (widest, lines)
    return best[1]


def _place_qr(layout: Layout, face: Face, roman_box: Box | None, number_box: Box | None, pad: float) -> None:
    """The QR code where the layout has room: left of the romanization on a road sign, under the number
    on a plate, right of it on a small plate. Left out (with a warning) where it would be too small."""
    import segno

    code = segno.make(face.qr_url, error="m", micro=False)
    modules = tuple(tuple(bool(v) for v in row) for row in code.matrix)
    if face.layout == "bands":
        side = roman_box.h
        box = Box(roman_box.x, roman_box.y, side, side)
    elif face.layout == "plate":
        side = min(number_box.w, number_box.h * 0.45)
        box = Box(number_box.cx - side / 2, number_box.y + number_box.h - side, side, side)
    else:
        side = min(number_box.h, number_box.w * 0.45)
        box = Box(number_box.x + number_box.w - side, number_box.cy - side / 2, side, side)
    module = side / (len(modules) + 2 * QR_QUIET)
    if module < settings.SIGN_FACES.get("qr_min_module_mm", 0.4):
        layout.warnings.append(f"no room for the QR code on this face ({module:.2f} mm modules)")
        return
    layout.qr = QRCode(box, modules, settings.SIGN_FACES.get("qr_dark", "#000000"), face.qr_url)


def _mark(layout: Layout, face: Face, inset: float) -> None:
    """示例 SYNTHETIC on a yellow tag at the top left, in the strip kept free for it."""
    height = _mark_height(face)
    size = height * 0.8
    width = sign_font().advance(SYNTHETIC_MARK) * size + size
    width = min(width, face.width_mm - 2 * face.border_mm)
    box = Box(inset, face.border_mm + (inset - face.border_mm) / 2, width, height)
    layout.rects.append(Rect(box, MARK_FILL, "synthetic-mark"))
    _one_line(layout, SYNTHETIC_MARK, box.inset(size / 2, 0, size / 2, 0), size, "synthetic", MARK_INK)
