"""The one way the project writes PDFs (core.pdf), and its two users: the naming notice and the print
map carry the same document information, draw with the same font files, and reach their destination
whole or not at all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from pypdf import PdfReader, PdfWriter

from core import pdf
from gazetteer.models import NamingApplication
from gazetteer.services.notices import notice_pdf
from tests.pdf_reading import embedded, fonts
from tests.test_naming import submit_rename, through_notice, township_record
from tiles.printing.service import MapRequest, render_map

pytestmark = pytest.mark.django_db

PDF_DATE = re.compile(r"^D:\d{14}\+08'00'$")  # the bureau's time zone (Asia/Shanghai)
HTML = (
    '<html lang="zh-Hans"><head><title>别的标题</title></head>'
    "<body style=\"font-family: 'Noto Serif CJK SC'\">牡丹江</body></html>"
)


def info_of(path: Path) -> dict:
    reader = PdfReader(path)
    return {**dict(reader.metadata), "/Lang": reader.trailer["/Root"].get("/Lang")}


def font_names(path: Path) -> set[str]:
    found = list(fonts(PdfReader(path)))
    assert all(embedded(font) for _, _, font in found)
    return {str(font.get("/BaseFont")).split("+")[-1] for _, _, font in found if "CJK" in str(font.get("/BaseFont"))}


def test_html_to_pdf_writes_the_document_information_and_embeds_the_shared_fonts(tmp_path):
    info = pdf.DocumentInfo(title="测试标题", author="牡丹江市人民政府", subject="主题")
    path = tmp_path / "a.pdf"
    path.write_bytes(pdf.html_to_pdf(HTML, info))
    written = info_of(path)
    assert (written["/Title"], written["/Author"], written["/Subject"]) == ("测试标题", "牡丹江市人民政府", "主题")
    assert written["/Creator"] == settings.GAZETTEER_PUBLISHER
    assert re.fullmatch(r"WeasyPrint [\d.]+", written["/Producer"])
    assert PDF_DATE.match(written["/CreationDate"])
    assert written["/Lang"] == "zh-Hans"
    assert font_names(path) == {"Noto-Serif-CJK-SC"}


def test_fonts_come_from_one_folder_and_their_absence_is_one_clear_error(monkeypatch, tmp_path):
    assert {p.name for p in pdf.font_dir().iterdir()} >= set(pdf.FONT_FILES)
    monkeypatch.setattr(pdf, "FONT_DIR", tmp_path)
    with pytest.raises(pdf.FontsMissing, match="install Debian's fonts-noto-cjk"):
        pdf.font_dir()


def test_a_pypdf_writer_is_written_with_the_same_information_atomically(tmp_path):
    info = pdf.DocumentInfo(title="图", author="牡丹江市民政局")
    source = tmp_path / "sheet.pdf"
    source.write_bytes(pdf.html_to_pdf(HTML, pdf.DocumentInfo(title="旧", author="旧")))
    destination = tmp_path / "out" / "map.pdf"
    pdf.write_pdf(PdfWriter(clone_from=str(source)), destination, info)
    written = info_of(destination)
    assert (written["/Title"], written["/Author"]) == ("图", "牡丹江市民政局")
    assert re.fullmatch(r"WeasyPrint [\d.]+, pypdf [\d.]+", written["/Producer"])
    assert written["/Lang"] == "zh-Hans"
    assert sorted(p.name for p in destination.parent.iterdir()) == ["map.pdf"]


def test_an_atomic_write_replaces_the_file_whole_or_leaves_it_alone(tmp_path):
    destination = tmp_path / "map.pdf"
    destination.write_bytes(b"old")
    with pdf.atomic_path(destination) as part:
        part.write_bytes(b"half")
        assert destination.read_bytes() == b"old"  # a reader meanwhile sees the old file
    assert destination.read_bytes() == b"half"
    with pytest.raises(RuntimeError), pdf.atomic_path(destination) as part:
        part.write_bytes(b"broken")
        raise RuntimeError("the renderer crashed")
    assert destination.read_bytes() == b"half"
    assert [p.name for p in tmp_path.iterdir()] == ["map.pdf"]


def test_the_notice_and_the_print_map_say_who_published_them_and_share_fonts(accounts, settings, tmp_path):
    officer = accounts["officer_ningan"]
    number = submit_rename(officer, township_record("海浪镇"), new_name="海浪河镇").json()["number"]
    through_notice(officer, number)
    notice = tmp_path / "notice.pdf"
    notice.write_bytes(notice_pdf(NamingApplication.objects.get(number=number)))
    written = info_of(notice)
    assert written["/Title"].endswith("关于海浪河镇更名的公告")
    assert written["/Author"] == settings.NAMING_AUTHORITY
    assert written["/Subject"] == f"地名更名公告 {number}"
    assert PDF_DATE.match(written["/CreationDate"]) and written["/Creator"] == settings.GAZETTEER_PUBLISHER

    output = tmp_path / "maps" / "231004_A4.pdf"
    report = render_map(MapRequest.from_params({"unit": "231004", "paper": "A4", "orientation": "portrait"}), output)
    printed = info_of(output)
    assert printed["/Title"] == f"{report['unit']['name']}行政区划图"
    assert printed["/Author"] == settings.MAP_PUBLISHER
    assert printed["/Subject"] == f"比例尺 {report['scale']['fraction']}"
    assert "pypdf" in printed["/Producer"] and PDF_DATE.match(printed["/CreationDate"])
    assert sorted(p.name for p in output.parent.iterdir()) == [output.name]  # no part file left
    # the notice's serif, the sheet's sans (WeasyPrint) and the map frame's (Mapnik): the same CJK files
    assert "Noto-Serif-CJK-SC" in font_names(notice)
    assert {"Noto-Sans-CJK-SC", "NotoSansCJKsc-Regular"} <= font_names(output)
