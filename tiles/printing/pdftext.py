"""Make the text of Mapnik's PDF searchable as it was written.

Cairo writes each font's ToUnicode map from the font's own character map, and where a glyph serves
two code points it takes the lower one: Noto CJK draws 口 and the Kangxi radical ⼝ (U+2F1D) with one
glyph, and 民 and the radical ⺠ (U+2EA0), so 林口县 is extracted (and found by a reader's search) as
林⼝县. ``fix_to_unicode`` maps such radicals back to the unified ideograph that shares their glyph
in the font (read from the font's character map), and compatibility ideographs by Unicode NFKC.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from pypdf import PdfWriter
from pypdf.generic import NameObject

FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
)
FACE = "Noto Sans CJK SC"
_UNIFIED = ((0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x3134F))

# Kangxi and supplementary radicals, CJK compatibility ideographs (and their supplement).
_LOOKALIKES = ((0x2E80, 0x2FDF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F))
_BFCHAR = re.compile(rb"(\d+)\s+beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"(\d+)\s+beginbfrange(.*?)endbfrange", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _decode(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be", errors="replace")


def _encode(text: str) -> bytes:
    return b"<" + text.encode("utf-16-be").hex().upper().encode() + b">"


def _in(ranges, code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


@functools.cache
def glyph_twins() -> dict[str, str]:
    """Radical -> the unified ideograph drawn with the same glyph in the map's CJK fonts."""
    from fontTools.ttLib import TTCollection

    twins: dict[str, str] = {}
    for path in FONT_FILES:
        if not Path(path).exists():
            continue
        faces = [f for f in TTCollection(path, lazy=True).fonts if f["name"].getDebugName(4).startswith(FACE)]
        for face in faces[:1]:
            cmap = face.getBestCmap()
            unified_by_glyph: dict[str, int] = {}
            for code, glyph in sorted(cmap.items()):
                if _in(_UNIFIED, code):
                    unified_by_glyph.setdefault(glyph, code)
            for code, glyph in cmap.items():
                if _in(_LOOKALIKES, code) and glyph in unified_by_glyph:
                    twins.setdefault(chr(code), chr(unified_by_glyph[glyph]))
    return twins


def unified(text: str) -> str:
    """``text`` with radicals and compatibility ideographs written as the unified ideographs."""
    twins = glyph_twins()
    return "".join(
        twins.get(ch) or unicodedata.normalize("NFKC", ch) if _in(_LOOKALIKES, ord(ch)) else ch for ch in text
    )


def _fixed_cmap(cmap: bytes) -> bytes:
    pairs: list[tuple[bytes, str]] = []
    for match in _BFCHAR.finditer(cmap):
        codes = _HEX.findall(match.group(2))
        pairs += [(codes[i], _decode(codes[i + 1])) for i in range(0, len(codes) - 1, 2)]
    for match in _BFRANGE.finditer(cmap):
        for line in match.group(2).strip().splitlines():
            codes = _HEX.findall(line)
            if len(codes) == 3:
                lo, hi = int(codes[0], 16), int(codes[1], 16)
                width = len(codes[0])
                first = _decode(codes[2])
                pairs += [
                    (f"{code:0{width}X}".encode(), first[:-1] + chr(ord(first[-1]) + code - lo))
                    for code in range(lo, hi + 1)
                ]
    if not any(unified(text) != text for _, text in pairs):
        return cmap
    body = b"\n".join(b"<" + code + b"> " + _encode(unified(text)) for code, text in pairs)
    head = _BFRANGE.sub(b"", _BFCHAR.sub(b"", cmap)).split(b"endcmap")
    return head[0] + b"%d beginbfchar\n" % len(pairs) + body + b"\nendbfchar\nendcmap" + b"endcmap".join(head[1:])


def fix_to_unicode(path: Path) -> int:
    """Rewrite the ToUnicode maps of every font of the PDF at ``path``; returns how many changed."""
    writer = PdfWriter(clone_from=str(path))
    changed = 0
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            if NameObject("/ToUnicode") not in font:
                continue
            stream = font["/ToUnicode"].get_object()
            data = stream.get_data()
            fixed = _fixed_cmap(data)
            if fixed != data:
                stream.set_data(fixed)
                changed += 1
    if changed:
        with open(path, "wb") as handle:
            writer.write(handle)
    return changed
