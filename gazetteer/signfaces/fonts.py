"""The sign face's one font: its advance widths (to fit the text) and its glyph outlines (the SVG's paths).

The face is set in the CJK font the project already prints with (Debian's fonts-noto-cjk, core.pdf): by
default Noto Sans CJK SC Bold, a 黑体 as Beijing's plates use. The layout measures with this file's own
metrics, the SVG draws this file's outlines and the PDF embeds this file, so the three agree.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from django.conf import settings

from core.pdf import FontsMissing


class SignFont:
    def __init__(self, path: str, full_name: str):
        from fontTools.ttLib import TTCollection, TTFont

        if not Path(path).is_file():
            raise FontsMissing(f"{path} is missing: install Debian's fonts-noto-cjk")
        faces = TTCollection(path, lazy=True).fonts if path.endswith(".ttc") else [TTFont(path, lazy=True)]
        chosen = [f for f in faces if f["name"].getDebugName(4) == full_name]
        if not chosen:
            raise FontsMissing(f"no face named {full_name!r} in {path}")
        self.font = chosen[0]
        self.path, self.full_name = path, full_name
        self.family = self.font["name"].getDebugName(16) or self.font["name"].getDebugName(1)
        self.bold = bool(self.font["OS/2"].fsSelection & 0x20) or "Bold" in full_name
        self.upem = self.font["head"].unitsPerEm
        self.cmap = self.font.getBestCmap()
        self.hmtx = self.font["hmtx"]
        self.cap_height = self.font["OS/2"].sCapHeight / self.upem
        self._glyphs = self.font.getGlyphSet()
        self._paths: dict[str, str] = {}
        self._lock = threading.Lock()

    def glyph(self, ch: str) -> str:
        return self.cmap.get(ord(ch), ".notdef")

    def missing(self, text: str) -> list[str]:
        """The characters of ``text`` this font cannot draw."""
        return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in self.cmap})

    def advance(self, text: str) -> float:
        """The width of ``text`` in em (no kerning: the PDF's text is drawn without it too)."""
        return sum(self.hmtx[self.glyph(ch)][0] for ch in text) / self.upem

    def outline(self, ch: str) -> str:
        """The glyph's outline as SVG path data in font units (y up)."""
        from fontTools.pens.svgPathPen import SVGPathPen

        name = self.glyph(ch)
        with self._lock:
            if name not in self._paths:
                pen = SVGPathPen(self._glyphs, ntos=lambda v: f"{v:g}")
                self._glyphs[name].draw(pen)
                self._paths[name] = pen.getCommands()
            return self._paths[name]


@functools.cache
def sign_font() -> SignFont:
    font = settings.SIGN_FACES["font"]
    return SignFont(font["file"], font["family"])
