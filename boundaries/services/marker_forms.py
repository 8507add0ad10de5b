"""The registration form of a boundary marker (界桩登记表) as a PDF: one marker per A4 page, laid out as
the printed form (a bordered table): number, line, parties, grade, type and its meaning, shape,
material, where it stands (county and township, boundaries.services.geography), longitude/latitude in
degrees-minutes-seconds, Gauss-Kruger X/Y in its 3-degree zone (boundaries.services.marker_coords),
elevation, distance along the line, the reference objects (方位物), the position description, the
dates and status, and the location sketch (位置略图, boundaries.services.marker_sketch) drawn from the
register. The standard's exact form was not found (domain/boundaries.md §2): these are the items the
sources agree on. A synthetic demonstration marker's sheet says so at its head and in its sketch.

``form`` gives one marker's items as values and texts; the spreadsheet (boundaries.services.
marker_xlsx) lays out the same items.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from boundaries.models import BoundaryMarker
from boundaries.services.course import cn_number, dms
from boundaries.services.geography import county_of, township_of, unit_at
from boundaries.services.marker_coords import degrees_minutes, gauss_kruger
from boundaries.services.marker_sketch import SketchMaker
from core.pdf import DocumentInfo, html_to_pdf
from core.srid import GK3_FIRST_CM, GK3_FIRST_SRID

KIND_MEANINGS = {
    "Q": "单立界桩",
    "A": "同号双立界桩（代码较小一方）",
    "B": "同号双立界桩（另一方）",
    "C": "同号三立界桩（三方交会处）",
    "D": "同号三立界桩（三方交会处）",
    "E": "同号三立界桩（三方交会处）",
}
SYNTHETIC_STAMP = "示例数据：本表界桩为本系统生成的示意（合成）数据，并非实地埋设或实测的界桩，不得作为正式成果使用。"
NO_TOWNSHIP = "—（无乡级区划界线数据）"


def chinese(label: str) -> str:
    """The Chinese part of a bilingual choice label ("完好 intact" -> "完好")."""
    return label.split(" ", 1)[0]


def related(markers):
    """A queryset of markers with what a form reads."""
    return markers.select_related("line").prefetch_related("reference_objects", "line__party_rows__unit")


def form(marker: BoundaryMarker) -> dict:
    """One marker's items: the texts the sheet prints and the values (``*_value``) they come from."""
    epsg, x_north, y_east = gauss_kruger(marker.geom)
    line = marker.line
    unit = unit_at(marker.geom)
    county, township = county_of(unit), township_of(unit)
    references = sorted(marker.reference_objects.all(), key=lambda r: r.order)
    return {
        "number": marker.number,
        "line_name": line.name,
        "line_code": line.code,
        "agreement": line.agreement_number,
        "parties": "、".join(party["name"] for party in line.parties),
        "grade": chinese(marker.get_grade_display()),
        "kind": marker.kind,
        "kind_meaning": KIND_MEANINGS[marker.kind],
        "shape": chinese(marker.get_shape_display()),
        "material": chinese(marker.get_material_display()),
        "county": county.name if county else "—",
        "township": township.name if township else NO_TOWNSHIP,
        "lon": dms(marker.geom.x),
        "lat": dms(marker.geom.y),
        "lon_value": marker.geom.x,
        "lat_value": marker.geom.y,
        "x": f"{x_north:.3f}",
        "y": f"{y_east:.3f}",
        "x_value": x_north,
        "y_value": y_east,
        "epsg": epsg,
        "central_meridian": _central_meridian(epsg),
        "elevation": "—" if marker.elevation_m is None else f"{marker.elevation_m:.1f}",
        "elevation_value": marker.elevation_m,
        "along": f"{marker.distance_along_m / 1000:.3f}",
        "along_value": marker.distance_along_m / 1000,
        "references": [
            {
                "order": r.order,
                "order_name": f"{cn_number(r.order)}号",
                "name": r.name,
                "measured_part": r.measured_part or "—",
                "bearing": degrees_minutes(r.bearing_deg),
                "bearing_value": r.bearing_deg,
                "distance": f"{r.distance_m:.1f}",
                "distance_value": r.distance_m,
            }
            for r in references
        ],
        "position": marker.position_description or "—",
        "off_line_reason": marker.off_line_reason,
        "set_on": marker.set_on,
        "abolished_on": marker.abolished_on,
        "status": chinese(marker.get_status_display()),
        "version": marker.version,
        "synthetic": marker.is_synthetic,
    }


def _central_meridian(epsg: int) -> str:
    return f"{GK3_FIRST_CM + 3 * (epsg - GK3_FIRST_SRID)}°E"


def registration_forms_pdf(markers: Iterable[BoundaryMarker]) -> bytes:
    """The registration forms of ``markers`` (with ``related``), one A4 page each, in the order given."""
    maker = SketchMaker()
    sheets = [{**form(marker), "sketch": maker.sketch(marker).svg()} for marker in markers]
    if not sheets:
        raise ValueError("no marker to make a registration form of")
    title = f"{sheets[0]['number']}界桩登记表" if len(sheets) == 1 else f"{sheets[0]['line_name']}界桩登记表"
    context = {
        "title": title,
        "sheets": sheets,
        "stamp": SYNTHETIC_STAMP,
        "made_on": timezone.localdate(),
        "publisher": settings.GAZETTEER_PUBLISHER,
    }
    synthetic = " (synthetic 示例)" if any(sheet["synthetic"] for sheet in sheets) else ""
    info = DocumentInfo(title=title, author=settings.GAZETTEER_PUBLISHER, subject=f"{len(sheets)} marker(s){synthetic}")
    return html_to_pdf(render_to_string("boundaries/marker_form.html", context), info)
