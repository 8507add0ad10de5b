"""Sign faces read back: the PDF's pages and text, the SVG's geometry, the QR code, the romanization's
line breaks, the embedded font and the synthetic mark. No database."""

from __future__ import annotations

import html
import re
import subprocess
import xml.etree.ElementTree as ET
from io import BytesIO
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from gazetteer.romanization.engine import romanize
from gazetteer.signfaces import (
    KINDS,
    SYNTHETIC_MARK,
    FaceError,
    face_for,
    face_for_record,
    face_pdf,
    face_svg,
    faces_pdf,
    lay_out,
)
from tests.pdf_reading import Rect, Word, embedded, fonts, pdftotext

PT = 72 / 25.4  # points per mm
SVG = "{http://www.w3.org/2000/svg}"
URL = "http://127.0.0.1:8000/places/231002000000000001"


def words_on(path, page: int) -> list[Word]:
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
        pdftotext(path, "-bbox", "-f", str(page), "-l", str(page)),
    )
    return [Word(Rect(*(float(v) / PT for v in box)), html.unescape(text)) for *box, text in found]  # in mm


def write(tmp_path, data: bytes, name="faces.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rects(svg: str) -> dict[str, ET.Element]:
    root = ET.fromstring(svg.encode())
    return {el.get("class"): el for el in root.iter(f"{SVG}rect") if el.get("class")}


def within(inner: Rect, box, tolerance=0.5) -> bool:
    x, y, w, h = box
    return Rect(x, y, x + w, y + h).contains(inner, tolerance)


def band(el) -> tuple[float, float, float, float]:
    return tuple(float(el.get(k)) for k in ("x", "y", "width", "height"))


def test_the_romanization_comes_from_the_engine_sign_style():
    face = face_for("road_name", "太平路")
    assert face.romanization == romanize("太平路").romanization == "Taiping Lu"
    assert face_for("street", "西安街").romanization == "Xi'an Jie"
    assert (
        face_for("place", "三岔河", natural_settlement=True).romanization
        == romanize("三岔河", natural_settlement=True).romanization
    )
    assert face_for("house_plate", "太平路", number="12", variant="small").romanization == ""  # no pinyin there


def test_every_kind_prints_at_its_configured_size_one_face_per_page(tmp_path, settings):
    faces = [face_for(kind, "太平路" if kind not in ("unit", "household") else "", number="12") for kind in KINDS]
    faces.append(face_for("house_plate", "太平路", number="12", variant="small"))
    path = write(tmp_path, faces_pdf(faces))
    reader = PdfReader(path)
    assert len(reader.pages) == len(faces)
    for face, page in zip(faces, reader.pages, strict=True):
        config = settings.SIGN_FACES["kinds"][face.kind] | (
            settings.SIGN_FACES["kinds"][face.kind].get("variants", {}).get(face.variant, {})
        )
        assert abs(float(page.mediabox.width) / PT - config["width_mm"]) < 0.5
        assert abs(float(page.mediabox.height) / PT - config["height_mm"]) < 0.5
    assert abs(float(reader.pages[0].mediabox.width) - 1200 * PT) < 0.5 * PT  # 路名牌 1200 x 400 mm


def test_sizes_and_colours_are_configuration(settings):
    kinds = {**settings.SIGN_FACES["kinds"], "lane": {"width_mm": 700, "height_mm": 250, "layout": "bands"}}
    settings.SIGN_FACES = {**settings.SIGN_FACES, "kinds": kinds, "ground": "#006633"}
    face = face_for("lane", "光华巷")
    assert (face.width_mm, face.height_mm, face.ground, face.ink) == (700, 250, "#006633", "#ffffff")
    assert rects(face_svg(face))["ground"].get("fill") == "#006633"
    assert face_for("building", "北山新村", number="3").number_ink == kinds["building"]["number_ink"]


def test_road_sign_bands_are_three_fifths_chinese_over_two_fifths_romanization(tmp_path):
    face = face_for("road_name", "太平路", qr_url=URL)
    svg = face_svg(face)
    root = ET.fromstring(svg.encode())
    assert (root.get("width"), root.get("height"), root.get("viewBox")) == ("1200mm", "400mm", "0 0 1200 400")
    found = rects(svg)
    chinese, roman = band(found["band-chinese"]), band(found["band-romanization"])
    assert abs(chinese[3] - 240) < 0.5 and abs(roman[3] - 160) < 0.5 and abs(roman[1] - 240) < 0.5
    # In the PDF, the Chinese sits in its band and the romanization in its band.
    path = write(tmp_path, face_pdf(face))
    words = words_on(path, 1)
    assert [w.text for w in words] == ["太平路", "Taiping", "Lu"]
    assert within(words[0].em_box, chinese)
    assert all(within(w.em_box, roman) for w in words[1:])
    assert not any(words[0].em_box.overlaps(w.em_box) for w in words[1:])


def test_plates_have_the_name_on_the_left_three_fifths_and_the_number_on_the_right(tmp_path):
    face = face_for("house_plate", "太平路", number="12-1")
    found = rects(face_svg(face))
    name_chinese, name_roman, number = (band(found[k]) for k in ("band-chinese", "band-romanization", "band-number"))
    assert abs(name_chinese[2] - 360) < 0.5 and abs(number[0] - 360) < 0.5 and abs(number[2] - 240) < 0.5
    assert abs(name_chinese[3] - 430 * 3 / 5) < 0.5 and abs(name_roman[3] - 430 * 2 / 5) < 0.5
    words = {w.text: w for w in words_on(write(tmp_path, face_pdf(face)), 1)}
    assert within(words["太平路"].em_box, name_chinese)
    assert within(words["Taiping"].em_box, name_roman) and within(words["Lu"].em_box, name_roman)
    assert within(words["12-1"].box, number)
    # 楼牌 (GB 17733-2008 B.16): the number band white with red figures.
    building = rects(face_svg(face_for("building", "北山新村", number="3")))
    assert building["band-number"].get("fill") == "#ffffff"


def decoded(path, page: int, dpi: int = 40) -> list[str]:
    import zxingcpp
    from PIL import Image

    png = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-png", str(path)],
        capture_output=True,
        check=True,
    ).stdout
    return [code.text for code in zxingcpp.read_barcodes(Image.open(BytesIO(png)))]


def test_the_qr_code_decodes_to_the_public_record(tmp_path):
    place = SimpleNamespace(name="太平路", code="231002000000000001", romanization="", is_synthetic=False)
    faces = [face_for_record(place, "road_name"), face_for_record(place, "house_plate", number="12")]
    assert faces[0].qr_url == URL  # settings.GAZETTEER_URL + the record's page
    path = write(tmp_path, faces_pdf(faces))
    assert decoded(path, 1) == [URL]
    assert decoded(path, 2) == [URL]
    layout = lay_out(faces[0])
    qr, roman = layout.qr, layout.bands["romanization"]
    assert roman.y <= qr.box.y and qr.box.y + qr.box.h <= roman.y + roman.h  # in the romanization band
    assert all(line.x >= qr.box.x + qr.box.w for line in layout.lines if line.role == "romanization")
    assert face_svg(faces[0]).count(f'data-url="{URL}"') == 1


def romanization_lines(path, page: int, face) -> list[str]:
    """The page's text lines other than the Chinese name, the number and the synthetic mark."""
    text = pdftotext(path, "-f", str(page), "-l", str(page))
    others = {face.chinese, face.number, SYNTHETIC_MARK}
    return [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in others]


@pytest.mark.parametrize(
    ("kind", "chinese", "stored", "overrides"),
    [
        ("road_name", "牡丹江市西安区太平路", None, {}),
        ("lane", "牡丹江市西安区太平路", None, {"width_mm": 500}),
        ("street", "牡丹江市西安区太平路", "Mudanjiang Shi Xi'an Qu Taiping Lu", {"width_mm": 600}),
        ("road_name", "牡丹峰国家森林公园北山新村东四十二条街", None, {}),
        (
            "place",
            "镜泊湖渤海国上京龙泉府遗址公园北门外东西大街",
            "Jingbohu Bohaiguo Shangjing Longquanfu Yizhi Gongyuan Beimen Wai Dongxi Dajie",
            {"width_mm": 700},
        ),
    ],
)
def test_the_romanization_breaks_only_between_words(tmp_path, kind, chinese, stored, overrides):
    place = SimpleNamespace(name=chinese, code="231002000000000009", romanization=stored or "", is_synthetic=False)
    face = face_for_record(place, kind, qr=False, **overrides)
    words = face.romanization.split()
    lines = [line for line in lay_out(face).lines if line.role == "romanization"]
    assert " ".join(line.text for line in lines) == face.romanization  # nothing lost or reordered
    for line in lines:  # each line whole words: never inside a word, never at an apostrophe
        assert line.text.split() == words[: len(line.text.split())]
        words = words[len(line.text.split()) :]
    path = write(tmp_path, face_pdf(face))
    printed = romanization_lines(path, 1, face)
    assert printed == [line.text for line in lines]
    assert all(not line.startswith("'") and not line.endswith("'") for line in printed)
    # Everything stays inside the face's border.
    for word in words_on(path, 1):
        assert within(word.box, (face.border_mm, 0, face.width_mm - 2 * face.border_mm, face.height_mm), 0.5)


def test_type_shrinks_to_a_floor_before_the_romanization_breaks():
    short, long = face_for("road_name", "太平路"), face_for("road_name", "牡丹江市西安区太平路")
    one = [line for line in lay_out(long).lines if line.role == "romanization"]
    assert len(one) == 1 and one[0].scale_x == 1  # shrunk, still one line
    assert one[0].size < next(x for x in lay_out(short).lines if x.role == "romanization").size
    chinese = next(line for line in lay_out(long).lines if line.role == "chinese")
    assert chinese.x >= long.border_mm and chinese.x + chinese.width <= long.width_mm - long.border_mm
    narrow = face_for("lane", "牡丹江市西安区太平路", width_mm=500)
    two = [line.text for line in lay_out(narrow).lines if line.role == "romanization"]
    assert two == ["Mudanjiangshixi'anqutaiping", "Lu"]


def test_the_font_is_embedded_and_the_svg_draws_outlines(tmp_path):
    path = write(tmp_path, face_pdf(face_for("road_name", "太平路")))
    found = list(fonts(PdfReader(path)))
    assert found and all(embedded(font) for _, _, font in found)
    assert all("Noto" in str(font["/BaseFont"]) and "+" in str(font["/BaseFont"]) for _, _, font in found)  # subset
    svg = face_svg(face_for("road_name", "太平路"))
    root = ET.fromstring(svg.encode())
    assert not list(root.iter(f"{SVG}text"))  # no font needed on the maker's machine
    labels = [g.get("aria-label") for g in root.iter(f"{SVG}g") if g.get("aria-label")]
    assert labels == ["太平路", "Taiping Lu"]
    assert len([p for g in root.iter(f"{SVG}g") if g.get("aria-label") == "太平路" for p in g]) == 3


def test_a_synthetic_face_is_marked(tmp_path):
    plain = face_for("road_name", "太平路")
    marked = face_for("road_name", "太平路", synthetic=True)
    place = SimpleNamespace(name="太平路", code="1", romanization="Taiping Lu", is_synthetic=True)
    assert face_for_record(place, "street").synthetic
    path = write(tmp_path, faces_pdf([plain, marked]))
    assert "示例" not in pdftotext(path, "-f", "1", "-l", "1")
    second = pdftotext(path, "-f", "2", "-l", "2")
    assert "示例" in second and "SYNTHETIC" in second
    assert "示例" in PdfReader(path).metadata.title
    svg = face_svg(marked)
    assert 'data-synthetic="true"' in svg and 'aria-label="示例 SYNTHETIC"' in svg and "synthetic-mark" in svg
    # The mark keeps clear of the sign's text.
    layout = lay_out(marked)
    mark = next(r.box for r in layout.rects if r.role == "synthetic-mark")
    chinese = next(line for line in layout.lines if line.role == "chinese")
    assert mark.y + mark.h <= chinese.baseline - 0.88 * chinese.size


def test_faces_that_cannot_be_made_are_refused():
    with pytest.raises(FaceError):
        face_for("billboard", "太平路")
    with pytest.raises(FaceError):
        face_for("house_plate", "太平路", number="1", variant="huge")
    with pytest.raises(FaceError):
        face_for("house_plate", "", number="12")  # a plate names its road
    with pytest.raises(FaceError):
        face_for("road_name", "太平路", colour="red")
    with pytest.raises(FaceError):
        face_for("unit", "", number="")
