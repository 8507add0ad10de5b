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


_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def pdf_words(path: Path) -> list[tuple[float, float, float, float, str]]:
    """Every word of the first page with its box (xMin, yMin, xMax, yMax in points from the top-left)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    return [(float(a), float(b), float(c), float(d), unified(text)) for a, b, c, d, text in _WORD.findall(html)]
