"""PNG and SVG of the finished sheet, converted from its PDF with poppler (pdftoppm, pdftocairo); each
format written to its destination atomically (core.pdf.atomic_path)."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

from pypdf import PdfReader

from core.pdf import atomic_path

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "svg": "image/svg+xml"}
FORMATS = tuple(CONTENT_TYPES)
PNG_DPI = 150
_SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def export(pdf: Path, output: Path, fmt: str, dpi: int = PNG_DPI) -> Path:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    with atomic_path(output) as part:
        if fmt == "pdf":
            shutil.copyfile(pdf, part)
        elif fmt == "png":
            with tempfile.TemporaryDirectory() as work:
                stem = Path(work) / "sheet"
                subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-singlefile", str(pdf), str(stem)], check=True)
                shutil.copyfile(f"{stem}.png", part)
        else:
            subprocess.run(["pdftocairo", "-svg", str(pdf), str(part)], check=True)
            metadata = PdfReader(str(pdf)).metadata
            add_svg_title(part, (metadata.title if metadata else None) or "")
    return output


def add_svg_title(svg: Path, title: str) -> None:
    """pdftocairo draws the sheet's text as glyph outlines: give the SVG the map's title as its
    ``<title>``, which viewers show and search and screen readers read."""
    if not title:
        return
    text = svg.read_text(encoding="utf-8")
    text = _SVG_ROOT.sub(lambda m: f"{m.group(0)}\n<title>{escape(title)}</title>", text, count=1)
    svg.write_text(text, encoding="utf-8")


def format_of(output: Path, fmt: str | None) -> str:
    """The format asked for, else the one the output's name ends with."""
    chosen = (fmt or output.suffix.lstrip(".")).lower()
    if chosen not in FORMATS:
        raise ValueError(f"cannot tell the format of {output.name}: use .pdf, .png or .svg, or --format")
    return chosen
