"""No name is silently dropped: read the text of the drawn frame back (pdftotext) and list every
expected name that is not there. Mapnik leaves out a label it cannot place without a collision;
this is where that becomes visible, in the job's report."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from tiles.printing.pdftext import unified


def pdf_text_lines(path: Path) -> list[str]:
    """The PDF's text, one string per line, without spaces (labels are letter-spaced)."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    return ["".join(unified(line).split()) for line in text.decode("utf-8").splitlines()]


def missing_labels(path: Path, names: Iterable[str]) -> list[str]:
    """The names (in their order, once each) that no line of the PDF's text contains."""
    lines = pdf_text_lines(path)
    missing = []
    for name in dict.fromkeys(names):
        wanted = "".join(name.split())
        if wanted and not any(wanted in line for line in lines):
            missing.append(name)
    return missing


def drawn_text(path: Path) -> str:
    """The text of the PDF's first page in the order it is drawn, without spaces or line breaks. A name
    along a line is drawn glyph by glyph, each rotated and placed on its own: pdftotext's reading order
    breaks it up, the drawing order keeps it whole."""
    from pypdf import PdfReader

    parts: list[str] = []
    PdfReader(str(path)).pages[0].extract_text(visitor_text=lambda text, *_: parts.append(text))
    return "".join(unified("".join(parts)).split())


def missing_along_lines(path: Path, names: Iterable[str]) -> list[str]:
    """The names (in their order, once each) of lines (roads, route numbers) that the PDF does not draw."""
    text = drawn_text(path)
    return [name for name in dict.fromkeys(names) if "".join(name.split()) not in text]


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_words(path: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word of the first page with its box (xMin, yMin, xMax, yMax in points from the top-left)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [(float(a), float(b), float(c), float(d), unified(text)) for a, b, c, d, text in _WORD.findall(html)]
