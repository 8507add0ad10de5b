"""The marker forms: the registration form (界桩登记表) as PDF read back (its items, the reference
objects, the 示例 label) with a location sketch whose geometry follows the register (each reference
object at its bearing and distance from the marker); the registration form and the results table
(界桩成果表) as XLSX read back with typed values; who may have which form."""

from __future__ import annotations

import io
import math
import re
import xml.etree.ElementTree as ET

import pytest
import shapely
from openpyxl import load_workbook
from pypdf import PdfReader

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import demo_markers, marker_forms
from boundaries.services import markers_registry as registry
from boundaries.services.course import dms
from boundaries.services.marker_coords import gauss_kruger
from boundaries.services.marker_sketch import SIZE_PX, Frame, Reference, Sketch, SketchMaker, frame_for
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from tests.gazetteer_helpers import HAILIN, NINGAN
from tests.pdf_reading import pdftotext

CODE = f"{HAILIN}-{NINGAN}"
SVG = "{http://www.w3.org/2000/svg}"
CENTRE = SIZE_PX / 2


# ---- the sketch's geometry (no database) ----------------------------------------------------------


def _sketch(references: list[Reference], course=None) -> Sketch:
    frame = frame_for(500_000.0, 4_900_000.0, [r.distance_m for r in references])
    course = course if course is not None else shapely.LineString([(499_900, 4_899_700), (500_100, 4_900_300)])
    return Sketch("231083-231084001Q", frame, course, references, synthetic=True, epsg=4552)


def _plotted(svg: str) -> dict[int, tuple[float, float]]:
    root = ET.fromstring(svg)
    return {
        int(c.get("data-order")): (float(c.get("cx")), float(c.get("cy")))
        for c in root.iter(f"{SVG}circle")
        if c.get("class") == "reference"
    }


def test_an_object_due_east_at_100_m_is_drawn_right_of_the_marker_at_the_scales_distance():
    sketch = _sketch([Reference(1, "电杆", 90.0, 100.0), Reference(2, "水井", 0.0, 50.0), Reference(3, "桥", 225, 80)])
    plotted = _plotted(sketch.svg())
    scale = sketch.frame.scale
    east_x, east_y = plotted[1]
    assert east_x == pytest.approx(CENTRE + 100 * scale, abs=0.1) and east_y == pytest.approx(CENTRE, abs=0.1)
    north_x, north_y = plotted[2]
    assert north_x == pytest.approx(CENTRE, abs=0.1) and north_y == pytest.approx(CENTRE - 50 * scale, abs=0.1)
    sw_x, sw_y = plotted[3]  # south-west: left of and below the marker, 80 m away
    assert sw_x < CENTRE and sw_y > CENTRE
    assert math.hypot(sw_x - CENTRE, sw_y - CENTRE) == pytest.approx(80 * scale, abs=0.15)


def test_the_sketch_has_the_marker_its_number_a_north_arrow_a_scale_bar_and_the_note():
    svg = _sketch([Reference(1, "电杆", 90.0, 100.0)]).svg()
    root = ET.fromstring(svg)
    marker = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "marker")
    assert float(marker.get("x")) + float(marker.get("width")) / 2 == pytest.approx(CENTRE)
    texts = " ".join(t.text or "" for t in root.iter(f"{SVG}text"))
    assert "231083-231084001Q" in texts and "北" in texts and "非实测" in texts and "示例" in texts
    bar = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "scale-bar")
    metres = int(bar.get("data-metres"))
    drawn = sum(float(r.get("width")) for r in bar.iter(f"{SVG}rect"))
    assert drawn == pytest.approx(metres * frame_for(0, 0, [100.0]).scale, abs=0.2)
    assert any(p.get("class") == "course" for p in root.iter(f"{SVG}path"))


@pytest.mark.parametrize(("farthest", "half_width"), [(30, 250), (100, 250), (190, 300), (600, 1000), (5000, 2000)])
def test_the_frame_covers_the_reference_objects_between_500_m_and_4_km(farthest, half_width):
    assert frame_for(0, 0, [farthest]).half_width_m == half_width


def test_a_frame_maps_grid_north_up():
    frame = Frame(1000.0, 2000.0, 500.0)
    assert frame.to_px(1000.0, 2500.0) == (CENTRE, 0.0)
    assert frame.polar(180.0, 500.0) == pytest.approx((CENTRE, SIZE_PX))


# ---- with the register --------------------------------------------------------------------------------


def _demo(line_code: str = CODE) -> list[BoundaryMarker]:
    line = BoundaryLine.objects.get(code=line_code)
    demo_markers.place_on(line)
    return list(BoundaryMarker.objects.filter(line=line).order_by("distance_along_m"))


def _real(position_description: str = "位于林间道路东侧") -> BoundaryMarker:
    line = BoundaryLine.objects.get(code=CODE)
    metric = to_metric(from_geos(line.geom))
    point = to_geos(to_lonlat(metric.interpolate(metric.length * 0.43)))
    changeset = open_changeset(Changeset.Kind.EDIT, "界桩登记表测试", label="test_marker_forms")
    references = [
        registry.ReferenceInput(name=name, bearing_deg=bearing, distance_m=distance, measured_part=part)
        for name, bearing, distance, part in (
            ("电杆", 90.0, 100.0, "杆基"),
            ("水井", 10.5, 42.0, ""),
            ("桥", 200, 75, "北端"),
        )
    ]
    return registry.register_marker(
        changeset=changeset,
        line=line,
        kind="Q",
        geom=point,
        elevation_m=412.5,
        position_description=position_description,
        reference_objects=references,
    )


def _pdf_text(tmp_path, content: bytes) -> str:
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    return re.sub(r"\s+", "", pdftotext(path))


@pytest.mark.django_db
def test_a_synthetic_markers_form_is_anyones_and_reads_back(accounts, tmp_path):
    marker = _demo()[0]
    answer = accounts["public"].get(f"/api/v1/boundary-markers/{marker.number}/form.pdf")
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(answer.content)).pages) == 1
    text = _pdf_text(tmp_path, answer.content)
    epsg, x, y = gauss_kruger(marker.geom)
    for expected in (
        "界桩登记表",
        marker.number,
        "海林市—宁安市线",
        CODE,
        dms(marker.geom.x),
        dms(marker.geom.y),
        f"{x:.3f}",
        f"{y:.3f}",
        f"EPSG:{epsg}",
        "示例方位物1",
        "示例方位物2",
        "示例方位物3",
        "示例SYNTHETIC",
        "非实测",
        "单立界桩",
    ):
        assert expected in text, expected
    assert text.count("示例（合成）界桩") >= 1  # the sketch's own label


@pytest.mark.django_db
def test_the_sketch_of_a_registered_marker_plots_its_reference_objects_where_the_register_says():
    marker = _real()
    marker = marker_forms.related(BoundaryMarker.objects.filter(pk=marker.pk)).get()
    sketch = SketchMaker().sketch(marker)
    plotted = _plotted(sketch.svg())
    scale = sketch.frame.scale
    for reference in marker.reference_objects.all():
        x, y = plotted[reference.order]
        dx, dy = x - CENTRE, CENTRE - y  # east, north
        assert math.hypot(dx, dy) == pytest.approx(reference.distance_m * scale, abs=0.15)
        assert math.degrees(math.atan2(dx, dy)) % 360 == pytest.approx(reference.bearing_deg, abs=0.5)
    assert not sketch.course.is_empty  # the marker stands on its line: the course crosses the frame
    assert {area.text for area in sketch.areas} <= {"海林市", "宁安市"} and sketch.areas


@pytest.mark.django_db
def test_a_real_markers_forms_are_the_staffs_only(accounts, tmp_path):
    marker = _real()
    for suffix in ("form.pdf", "form.xlsx"):
        url = f"/api/v1/boundary-markers/{marker.number}/{suffix}"
        assert accounts["public"].get(url).status_code == 404
        assert accounts["officer_hailin"].get(url).status_code == 200
    answer = accounts["approver"].get(f"/api/v1/boundary-markers/{marker.number}/form.pdf")
    text = _pdf_text(tmp_path, answer.content)
    assert marker.number in text and "电杆" in text and "杆基" in text and "90°00′" in text and "100.0" in text
    assert "412.5" in text and "示例" not in text


@pytest.mark.django_db
def test_the_registration_form_as_xlsx_holds_typed_values(accounts):
    marker = _real(position_description='=HYPERLINK("http://x")')
    answer = accounts["officer_ningan"].get(f"/api/v1/boundary-markers/{marker.number}/form.xlsx")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(answer.content)).active
    cells = {str(c.value): c for row in sheet.iter_rows() for c in row if c.value is not None}
    values = {sheet.cell(c.row, c.column + 1).value for c in cells.values() if isinstance(c.value, str)}
    assert sheet["A1"].value == "界桩登记表" and marker.number in values
    epsg, x, _ = gauss_kruger(marker.geom)

    def beside(label: str):
        return sheet.cell(cells[label].row, cells[label].column + 1).value

    assert beside("X（纵坐标，m）") == pytest.approx(x) and isinstance(beside("X（纵坐标，m）"), float)
    assert beside("坐标系 EPSG") == epsg and beside("高程（m）") == 412.5
    assert beside("经度（度）") == pytest.approx(marker.geom.x)
    assert beside("位置说明") == '=HYPERLINK("http://x")'  # text, not a formula
    assert cells['=HYPERLINK("http://x")'].data_type == "s"
    header = cells["坐标方位角（度）"]
    references = [[sheet.cell(header.row + n, header.column + k).value for k in (-2, 0, 2)] for n in (1, 2, 3)]
    assert references[0][0] == "电杆" and references[0][1] == pytest.approx(90.0) and references[0][2] == 100.0
    assert "示例" not in str(sheet["A2"].value or "")


@pytest.mark.django_db
def test_the_results_table_as_xlsx_lists_the_markers_in_order_with_numbers_as_numbers(accounts):
    markers = _demo()
    url = f"/api/v1/boundary-lines/{CODE}/markers.xlsx"
    assert accounts["public"].get(url).status_code == 401
    answer = accounts["officer_hailin"].get(url)
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert sheet["A1"].value == "海林市—宁安市线界桩成果表"
    assert sheet["A2"].value.startswith("示例 SYNTHETIC")
    header = next(r for r in range(1, 8) if sheet.cell(r, 2).value == "界桩号")
    headings = [c.value for c in sheet[header]]
    rows = [[c.value for c in sheet[header + n]] for n in range(1, len(markers) + 1)]
    assert [row[1] for row in rows] == [m.number for m in markers]  # in order along the line
    first, row = markers[0], dict(zip(headings, rows[0], strict=True))
    epsg, x, y = gauss_kruger(first.geom)
    assert row["序号"] == 1 and row["坐标系 EPSG"] == epsg
    assert isinstance(row["X（纵坐标，m）"], float) and row["X（纵坐标，m）"] == pytest.approx(x)
    assert row["Y（横坐标，m）"] == pytest.approx(y) and row["经度"] == dms(first.geom.x)
    assert row["距界线起点（km）"] == pytest.approx(first.distance_along_m / 1000)
    assert "示例方位物1" in row["方位物（名称 坐标方位角 距离）"] and row["状态"].endswith("（示例）")
    assert sheet.cell(header + len(markers) + 1, 2).value is None  # nothing after the last marker's row


@pytest.mark.django_db
def test_unknown_numbers_and_lines_are_404(accounts):
    staff = accounts["administrator"]
    assert staff.get("/api/v1/boundary-markers/no-such001Q/form.pdf").status_code == 404
    assert staff.get("/api/v1/boundary-markers/no-such001Q/form.xlsx").status_code == 404
    assert staff.get("/api/v1/boundary-lines/no-such-line/markers.xlsx").status_code == 404


@pytest.mark.django_db
def test_the_admin_change_page_links_to_the_forms(admin_client):
    marker = _real()
    page = admin_client.get(f"/admin/boundaries/boundarymarker/{marker.pk}/change/")
    assert page.status_code == 200
    assert f"/api/v1/boundary-markers/{marker.number}/form.pdf".encode() in page.content
    assert f"/api/v1/boundary-markers/{marker.number}/form.xlsx".encode() in page.content
