"""Roads on the print maps (tiles.printing.roads): the fixture road file (tests.test_road_import) imported
through the normal import, a 东安区 sheet rendered, and its PDF read back: the legend's entries by class,
the roads' names along them, the route numbers on their shields, the railway and its station. A synthetic
demo street says 示例 in the legend and the notice."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
import shapely
from django.db import transaction
from django.test import override_settings

from core.geometry import to_geos
from core.history import open_changeset
from core.metric import to_lonlat
from core.models import Changeset
from gazetteer.models import Category
from gazetteer.services import house_numbers
from gazetteer.services.places import create_place
from tests.test_printing import render
from tests.test_road_import import DONGAN, at, import_roads, middle_of
from tiles.printing import roads as road_data
from tiles.printing import style
from tiles.printing.labels import drawn_text

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def sheet(django_db_setup, django_db_blocker, tmp_path_factory):
    """An A3 landscape sheet of 东安区 (1:200 000: streets drawn, lanes not) with the fixture roads and a
    synthetic demo street, rendered once for the module; what it wrote is rolled back before any test runs."""
    folder = tmp_path_factory.mktemp("road-sheet")
    with django_db_blocker.unblock(), transaction.atomic():
        import_roads(folder / "file")
        changeset = open_changeset(Changeset.Kind.EDIT, "示例街道", label="tests")
        street = to_lonlat(shapely.LineString([at(middle_of(), -1.8, -1.6), at(middle_of(), 1.8, -1.5)]))
        place = create_place(
            changeset=changeset, name="示例大街", category=Category.objects.get(code="08100"), geom=to_geos(street),
            synthetic=True,
        )  # fmt: skip
        house_numbers.register_road(place, changeset=changeset, road_class="urban")
        with override_settings(MAP_APPROVAL_NUMBER=""):
            printed = render(folder / "map", unit=DONGAN, paper="A3", orientation="landscape")
        transaction.set_rollback(True)
    keep = os.environ.get("MDJ_KEEP_ROAD_SHEET")
    if keep and shutil.which("pdftoppm"):  # to look at: MDJ_KEEP_ROAD_SHEET=/tmp/roads pytest ...
        shutil.copy(printed.path, f"{keep}.pdf")
        subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(printed.path), keep], check=True)
    return printed


def test_the_sheet_draws_roads_by_class_with_their_legend_entries(sheet):
    denominator = sheet.report["scale"]["denominator"]
    assert denominator <= road_data.CLASS_MAX_DENOMINATOR["urban"] < road_data.CLASS_MAX_DENOMINATOR["lane"] * 10
    legend = {entry["key"]: entry["label"] for entry in sheet.report["legend"]}
    assert legend["road_expressway"] == "高速公路" and legend["road_national"] == "国道"
    assert legend["road_provincial"] == "省道" and legend["railway"] == "铁路" and legend["station"] == "火车站"
    assert legend["road_urban"] == "城市道路（含示例）"  # 太平路 and the synthetic 示例大街
    assert "road_lane" not in legend  # 光华巷: lanes only on sheets of 1:100 000 and larger
    assert sheet.report["layers"]["road_urban"] == 2 and "road_lane" not in sheet.report["layers"]
    for label in ("高速公路", "国道", "省道", "城市道路（含示例）", "铁路", "火车站"):
        assert sheet.shows(label), f"legend entry {label} not on the sheet"


def test_road_names_run_along_their_lines_and_route_numbers_stand_on_shields(sheet):
    roads = sheet.report["roads"]
    assert roads["drawn"] == 6  # five of the file's six (no lane) and the demo street
    assert roads["names_not_written"] == [] and roads["route_numbers_not_written"] == []
    # Names along a line are drawn glyph by glyph: read them in the order they are drawn.
    text = drawn_text(sheet.path)
    for name in ("鹤大高速公路", "绥满公路", "牡海公路", "太平路", "滨绥铁路", "示例大街"):
        assert name in text, f"{name} not written"
    assert "光华巷" not in text
    for ref in ("G11", "G301", "S206"):
        assert ref in text, f"shield {ref} not written"
    assert sheet.shows("牡丹江东站")  # the station's name beside its symbol


def test_a_synthetic_street_is_flagged_on_the_sheet(sheet):
    assert "road_urban" in sheet.report["synthetic_layers"]
    assert sheet.shows("注意：本图城市道路含本系统生成的示意（合成）数据", ["".join(sheet.lines)])


def test_the_railway_symbol_is_black_with_white_dashes():
    xml = style.layer_rules("railway", 1.0)
    black, white = style.RAILWAY, style.RAILWAY_DASHES
    assert f'stroke="{black.color}"' in xml and f'stroke="{white.color}"' in xml and "stroke-dasharray" in xml
    assert xml.index(black.color) < xml.index(white.color)  # the dashes are drawn over the black line
