"""Reading a printed sheet back, as the print-map tests do: word boxes from pdftotext, and the drawing
itself (painted paths with their colour, width, dash and position) from the PDF's content streams with
pypdf, including forms placed on the page (the map frame and the inset)."""

from __future__ import annotations

import html
import math
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.generic import ContentStream

# Noto Sans CJK's ascent and descent (its font descriptors say /Ascent 1160 /Descent -288), which
# pdftotext gives every word's box; an ideograph's own (em) box runs from 0.88 em above the baseline
# to 0.12 em below it.
ASCENT, DESCENT = 1.160, 0.288


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 3) for i in (1, 3, 5))


INK = rgb("#1a1a1a")


# ---- boxes and words ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rect:
    """A box in points from the page's top-left corner."""

    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def width(self) -> float:
        return self.x1 - self.x0

    @property
    def height(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2

    def contains(self, other: Rect, tolerance: float = 0.0) -> bool:
        return (
            self.x0 - tolerance <= other.x0
            and other.x1 <= self.x1 + tolerance
            and self.y0 - tolerance <= other.y0
            and other.y1 <= self.y1 + tolerance
        )

    def overlaps(self, other: Rect) -> bool:
        return min(self.x1, other.x1) > max(self.x0, other.x0) and min(self.y1, other.y1) > max(self.y0, other.y0)


@dataclass(frozen=True)
class Word:
    box: Rect
    text: str

    @property
    def em_box(self) -> Rect:
        """The box of the word's glyphs (the em box), not the font's whole line height."""
        size = self.box.height / (ASCENT + DESCENT)
        baseline = self.box.y0 + ASCENT * size
        return Rect(self.box.x0, baseline - 0.88 * size, self.box.x1, baseline + 0.12 * size)


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", *args, str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")


def words_of(path: Path) -> list[Word]:
    found = _WORD.findall(pdftotext(path, "-bbox"))
    return [Word(Rect(float(a), float(b), float(c), float(d)), html.unescape(text)) for a, b, c, d, text in found]


# ---- the drawing: a small reader of PDF content streams ----------------------------------------------


def _times(m: tuple, n: tuple) -> tuple:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


@dataclass
class _State:
    ctm: tuple = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stroke: tuple = (0.0, 0.0, 0.0)
    fill: tuple = (0.0, 0.0, 0.0)
    width: float = 1.0
    dash: tuple = ()

    def copy(self) -> _State:
        return _State(self.ctm, self.stroke, self.fill, self.width, self.dash)

    def point(self, x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = self.ctm
        return x * a + y * c + e, x * b + y * d + f

    @property
    def scale(self) -> float:
        a, b, c, d, _, _ = self.ctm
        return math.sqrt(abs(a * d - b * c))


@dataclass
class Paint:
    """One painted path: its subpaths in points from the page's top-left corner, in which Form
    XObject it was drawn ("" for the sheet itself), and how (stroke width and dash in points)."""

    kind: str  # stroke | fill
    colour: tuple
    subpaths: list[list[tuple[float, float]]]
    form: str = ""
    width: float = 0.0
    dash: tuple = ()
    even_odd: bool = False

    def rects(self) -> list[Rect]:
        """The bounding boxes of the subpaths that draw something (not a lone move)."""
        return [
            Rect(min(x for x, _ in s), min(y for _, y in s), max(x for x, _ in s), max(y for _, y in s))
            for s in self.subpaths
            if len(s) > 1
        ]

    @property
    def bbox(self) -> Rect:
        rects = self.rects()
        return Rect(
            min(r.x0 for r in rects), min(r.y0 for r in rects), max(r.x1 for r in rects), max(r.y1 for r in rects)
        )

    def is_rectangle(self) -> bool:
        """Filled as one axis-aligned rectangle (a CSS box's background)."""
        if len(self.subpaths) != 1 or len(self.subpaths[0]) != 5:
            return False
        xs = {round(x, 3) for x, _ in self.subpaths[0]}
        ys = {round(y, 3) for _, y in self.subpaths[0]}
        return len(xs) == 2 and len(ys) == 2

    def ring(self) -> tuple[Rect, Rect] | None:
        """(outer, inner) edges of a frame line drawn as two rectangles filled even-odd (a CSS border)."""
        if self.kind != "fill" or not self.even_odd or len(self.subpaths) != 2:
            return None
        outer, inner = sorted(self.rects(), key=lambda r: -r.width * r.height)
        return (outer, inner) if outer.contains(inner) else None


STROKING = {b"S", b"s", b"B", b"B*", b"b", b"b*"}
FILLING = {b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
COLOURS = {b"RG": "stroke", b"G": "stroke", b"rg": "fill", b"g": "fill"}


def _paint(op: bytes, state: _State, path: list, form: str, height: float) -> list[Paint]:
    subpaths = [[(x, height - y) for x, y in sub] for sub in path]
    found = []
    if op in STROKING:
        dash = tuple(d * state.scale for d in state.dash)
        found.append(Paint("stroke", state.stroke, subpaths, form, state.width * state.scale, dash))
    if op in FILLING:
        found.append(Paint("fill", state.fill, subpaths, form, even_odd=op.endswith(b"*")))
    return found


def _set(state: _State, op: bytes, args: list) -> bool:
    """Apply a graphics state operator (other than q and Q); False if ``op`` is not one."""
    if op == b"cm":
        state.ctm = _times(tuple(float(v) for v in args), state.ctm)
    elif op in COLOURS:
        values = tuple(round(float(v), 3) for v in args)
        setattr(state, COLOURS[op], values * 3 if len(values) == 1 else values)
    elif op == b"w":
        state.width = float(args[0])
    elif op == b"d":
        state.dash = tuple(float(v) for v in args[0])
    else:
        return False
    return True


def _build(path: list, state: _State, op: bytes, args: list) -> bool:
    """Add to the current path (in page coordinates); False if ``op`` is not a path operator."""
    if op == b"m":
        path.append([state.point(float(args[0]), float(args[1]))])
    elif op in (b"l", b"c", b"v", b"y"):
        path[-1].append(state.point(float(args[-2]), float(args[-1])))
    elif op == b"re":
        x, y, w, h = (float(v) for v in args)
        path.append([state.point(*p) for p in ((x, y), (x + w, y), (x + w, y + h), (x, y + h), (x, y))])
    else:
        return False
    return True


def _interpret(reader, content, resources, state: _State, form: str, height: float, paints: list) -> None:
    stack, path = [], []
    for args, op in ContentStream(content, reader).operations:
        if op == b"q":
            stack.append(state.copy())
        elif op == b"Q":
            state = stack.pop()
        elif _set(state, op, args) or _build(path, state, op, args):
            continue
        elif op in STROKING | FILLING | {b"n"}:
            paints += _paint(op, state, path, form, height)
            path = []
        elif op == b"Do" and (xobject := resources["/XObject"][args[0]].get_object()).get("/Subtype") == "/Form":
            inner = state.copy()
            inner.ctm = _times(tuple(float(v) for v in xobject.get("/Matrix", (1, 0, 0, 1, 0, 0))), state.ctm)
            _interpret(reader, xobject, xobject.get("/Resources", {}), inner, form + str(args[0]), height, paints)


def drawing(path: Path) -> list[Paint]:
    """Every path painted on the first page, with the maps placed on it (Form XObjects) included."""
    reader = PdfReader(path)
    page = reader.pages[0]
    paints: list[Paint] = []
    _interpret(reader, page.get_contents(), page["/Resources"], _State(), "", float(page.mediabox.height), paints)
    return paints


def fonts(reader: PdfReader):
    """(where, font dictionary) for every font of the document: the page's, its Form XObjects' and
    those of Type 3 glyph procedures."""
    seen: set[int] = set()

    def walk(resources, where: str):
        resources = resources.get_object() if resources is not None else {}
        for name, ref in (resources.get("/Font") or {}).items():
            font = ref.get_object()
            yield where, name, font
            if font.get("/Subtype") == "/Type3":
                yield from walk(font.get("/Resources"), f"{where}{name}")
        for name, ref in (resources.get("/XObject") or {}).items():
            xobject = ref.get_object()
            if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
                seen.add(id(xobject))
                yield from walk(xobject.get("/Resources"), f"{where}{name}")

    for page in reader.pages:
        yield from walk(page.get("/Resources"), "")


def embedded(font) -> bool:
    """The font program is in the file: Type 3 glyphs are; others need FontFile, FontFile2 or FontFile3."""
    subtype = font.get("/Subtype")
    if subtype == "/Type3":
        return True
    if subtype == "/Type0":
        return all(embedded(d.get_object()) for d in font["/DescendantFonts"])
    descriptor = font.get("/FontDescriptor")
    return descriptor is not None and any(
        k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )
