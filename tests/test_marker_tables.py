"""A line's markers as its results table (界桩成果表): a PDF that reads back with every marker in order
along the line, its position in both coordinate forms and its reference objects; synthetic markers are
flagged on the sheet; the table is staff's."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import demo_markers
from tests.gazetteer_helpers import HAILIN, NINGAN
from tests.pdf_reading import pdftotext

pytestmark = pytest.mark.django_db
CODE = f"{HAILIN}-{NINGAN}"


def test_the_results_table_lists_the_markers_in_order_and_says_they_are_synthetic(accounts, tmp_path):
    line = BoundaryLine.objects.get(code=CODE)
    placed = demo_markers.place_on(line)
    assert placed >= 12  # 120 km, one every 5-10 km
    url = f"/api/v1/boundary-lines/{CODE}/markers.pdf"
    assert Client().get(url).status_code == 401
    answer = accounts["officer_hailin"].get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    path = tmp_path / "markers.pdf"
    path.write_bytes(answer.content)
    text = pdftotext(path)
    squeezed = re.sub(r"\s+", "", text)
    assert "海林市—宁安市线界桩成果表" in squeezed and "示例数据" in squeezed
    numbers = list(
        BoundaryMarker.objects.filter(line=line).order_by("distance_along_m").values_list("number", flat=True)
    )
    positions = [squeezed.find(number) for number in numbers]
    assert all(p >= 0 for p in positions) and positions == sorted(positions)  # in order along the line
    assert "示例方位物1" in squeezed and "EPSG:4552" in squeezed and "°" in text
