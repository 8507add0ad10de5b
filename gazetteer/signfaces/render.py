"""A face drawn at true size: SVG for the makers (text as outlines) and PDF (text with the font embedded).

Why outlines in the SVG: a sign maker's software (a cutting plotter's, a CAD or print RIP) rarely has
Noto Sans CJK, and SVG has no font embedding every such program honours; outlines of this very font
draw the same everywhere and are what a vinyl cutter cuts. Each text keeps its words in ``aria-label``
and the SVG's <title>, so the file still says what it shows. The PDF keeps the text as text (searchable,
read back by pdftotext): the same layout drawn by WeasyPrint (core.pdf, the project's one way to write
PDFs) with a subset of the font embedded; a page is the face's size (mm x 72/25.4 points).
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

from django.conf import settings

from core.pdf import DocumentInfo, html_to_pdf
from gazetteer.signfaces.faces import Face
from gazetteer.signfaces.fonts import sign_font
from gazetteer.signfaces.layout import QR_QUIET, Layout, Line, Rect, lay_out


def _n(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _rect(rect: Rect) -> str:
    b = rect.box
    attrs = f'class="{rect.role}" x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" height="{_n(b.h)}" fill="{rect.fill}"'
    if rect.radius:
        attrs += f' rx="{_n(rect.radius)}"'
    if rect.stroke:
        attrs += f' stroke="{rect.stroke}" stroke-width="{_n(rect.stroke_width)}"'
    return f"<rect {attrs}/>"


def _qr(layout: Layout) -> str:
    """The code as one path in module units (short to write and to parse), scaled onto its light square."""
    qr = layout.qr
    m = qr.module
    runs = []
    for row, values in enumerate(qr.modules):
        col = 0
        while col < len(values):
            if values[col]:
                start = col
                while col < len(values) and values[col]:
                    col += 1
                runs.append(f"M{start} {row}h{col - start}v1h-{col - start}z")
            else:
                col += 1
    b = qr.box
    light = f'<rect x="{_n(b.x)}" y="{_n(b.y)}" width="{_n(b.w)}" height="{_n(b.h)}" fill="#ffffff"/>'
    place = f"translate({_n(b.x + QR_QUIET * m)} {_n(b.y + QR_QUIET * m)}) scale({m:.6g})"
    dark = f'<path transform="{place}" d="{"".join(runs)}" fill="{qr.dark}"/>'
    return f'<g class="qr" data-url={quoteattr(qr.url)}>{light}{dark}</g>'


def _text_as_paths(line: Line) -> str:
    font = sign_font()
    k = line.size / font.upem
    x = line.x
    glyphs = []
    for ch in line.text:
        outline = font.outline(ch)
        if outline:
            glyphs.append(
                f'<path transform="matrix({_n(k * line.scale_x)} 0 0 {_n(-k)} {_n(x)} {_n(line.baseline)})" '
                f'd="{outline}"/>'
            )
        x += font.hmtx[font.glyph(ch)][0] * k * line.scale_x
    label = quoteattr(line.text)
    return f'<g class="text {line.role}" aria-label={label} fill="{line.fill}">{"".join(glyphs)}</g>'


def _text_as_text(line: Line) -> str:
    font = sign_font()
    weight = "bold" if font.bold else "normal"
    text = (
        f'<text class="text {line.role}" x="0" y="0" font-family="{font.family}" font-weight="{weight}" '
        f'font-size="{_n(line.size)}" fill="{line.fill}">{escape(line.text)}</text>'
    )
    scale = f" scale({_n(line.scale_x)} 1)" if abs(line.scale_x - 1) > 1e-6 else ""
    return f'<g transform="translate({_n(line.x)} {_n(line.baseline)}){scale}">{text}</g>'


def _svg(layout: Layout, *, outlines: bool, document: bool) -> str:
    face = layout.face
    W, H = _n(face.width_mm), _n(face.height_mm)
    parts = [_rect(rect) for rect in layout.rects]
    if layout.qr:
        parts.append(_qr(layout))
    parts += [(_text_as_paths if outlines else _text_as_text)(line) for line in layout.lines]
    title = escape(" ".join([face.kind_label, *face.texts]))
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if document else ""
    font = sign_font().full_name
    desc = f"{face.kind} {W} x {H} mm at true size; text as outlines of {font}" if outlines else ""
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" width="{W}mm" height="{H}mm" viewBox="0 0 {W} {H}" '
        f'data-kind="{face.kind}" data-synthetic="{"true" if face.synthetic else "false"}">'
        f"<title>{title}</title>" + (f"<desc>{escape(desc)}</desc>" if desc else "") + "".join(parts) + "</svg>\n"
    )


def face_svg(face: Face) -> str:
    """The face as a standalone SVG document at true size (mm), its text as the font's outlines."""
    return _svg(lay_out(face), outlines=True, document=True)


def _page_name(face: Face) -> str:
    return f"f{_n(face.width_mm).replace('.', '_')}x{_n(face.height_mm).replace('.', '_')}"


def faces_html(faces: list[Face]) -> str:
    sizes = {_page_name(face): face for face in faces}
    pages = "".join(
        f"@page {name} {{ size: {_n(face.width_mm)}mm {_n(face.height_mm)}mm; margin: 0 }}\n"
        f".{name} {{ page: {name} }}\n"
        for name, face in sizes.items()
    )
    body = "".join(
        f'<div class="face {_page_name(face)}">{_svg(lay_out(face), outlines=False, document=False)}</div>'
        for face in faces
    )
    style = f"{pages}html, body {{ margin: 0 }} svg {{ display: block }} .face + .face {{ break-before: page }}"
    head = f'<head><meta charset="utf-8"><style>{style}</style></head>'
    return f'<!DOCTYPE html><html lang="zh-Hans">{head}<body>{body}</body></html>'


def faces_pdf(faces: list[Face], *, title: str = "") -> bytes:
    """A production order's faces, one per page, each page the face's true size, the font embedded."""
    if not faces:
        raise ValueError("no faces to print")
    synthetic = any(face.synthetic for face in faces)
    title = title or f"地名标志版面 sign faces ({len(faces)})"
    if synthetic and "示例" not in title:
        title = f"示例 SYNTHETIC {title}"
    info = DocumentInfo(title=title, author=settings.GAZETTEER_PUBLISHER, subject="GB 17733 sign faces at true size")
    return html_to_pdf(faces_html(faces), info)


def face_pdf(face: Face) -> bytes:
    return faces_pdf([face], title=f"{face.kind_label} {face.chinese} {face.number}".strip())
