"""Boundary markers on the print maps: on the county and district sheets (not the city's), a marker
symbol with the number beside it and the symbol in the legend as 界桩（示例）. A print map is public, so it
shows the synthetic demonstration markers only: a real marker never appears on a sheet, an abolished one
is not drawn, and the compilation note says the markers are synthetic.

The markers are set once for the module (in a transaction rolled back at its end) on 林口县—海林市线, and
each sheet is rendered once (A4, the small case the print tests use)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest
import shapely
from django.contrib.gis.geos import Point
from django.db import transaction
from django.test import override_settings

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import markers_registry
from core.geometry import from_geos
from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID
from tests.pdf_reading import pdftotext
from tiles.printing import style
from tiles.printing.notes import MARKER_NOTICE
from tiles.printing.service import MapRequest, render_map

pytestmark = pytest.mark.django_db

CITY, LINKOU = "231000", "231025"
LINE = f"{LINKOU}-231083"  # 林口县—海林市线


def _on_line(line: BoundaryLine, fraction: float) -> Point:
    point = shapely.line_interpolate_point(shapely.line_merge(from_geos(line.geom)), fraction, normalized=True)
    return Point(point.x, point.y, srid=STORAGE_SRID)


@dataclass
class Sheet:
    report: dict
    text: str  # without spaces (labels are letter-spaced)

    def shows(self, wanted: str) -> bool:
        return "".join(wanted.split()) in self.text


@dataclass
class Marked:
    synthetic: list[BoundaryMarker]
    real: BoundaryMarker
    abolished: BoundaryMarker
    county: Sheet
    city: Sheet


def _render(folder: Path, unit: str) -> Sheet:
    request = MapRequest.from_params({"unit": unit, "paper": "A4", "orientation": "landscape"})
    output = folder / request.file_name()
    report = render_map(request, output)
    return Sheet(report, "".join(pdftotext(output, "-raw").split()))


@pytest.fixture(scope="module")
def marked(django_db_setup, django_db_blocker, tmp_path_factory) -> Marked:
    folder = tmp_path_factory.mktemp("marker-maps")
    with django_db_blocker.unblock(), override_settings(MAP_APPROVAL_NUMBER=""), transaction.atomic():
        line = BoundaryLine.objects.get(code=LINE)
        changeset = open_changeset(Changeset.Kind.EDIT, "print test: markers on 林口县—海林市线", label="tests")

        def register(fraction: float, synthetic: bool) -> BoundaryMarker:
            return markers_registry.register_marker(
                changeset=changeset, line=line, kind="Q", geom=_on_line(line, fraction), is_synthetic=synthetic
            )

        synthetic = [register(fraction, True) for fraction in (0.15, 0.5, 0.85)]
        real = register(0.32, False)
        abolished = markers_registry.abolish_marker(
            register(0.68, True), changeset=changeset, abolished_on=dt.date(2025, 6, 1)
        )
        yield Marked(synthetic, real, abolished, _render(folder, LINKOU), _render(folder, CITY))
        transaction.set_rollback(True)


def test_the_county_sheet_draws_the_synthetic_markers_with_their_numbers(marked):
    county = marked.county
    numbers = [m.number for m in marked.synthetic]
    assert all(number.startswith(LINE) for number in numbers)
    assert county.report["layers"]["marker"] == 3 == county.report["markers"]["drawn"]
    assert county.report["markers"]["numbers_not_written"] == []
    assert [n for n in numbers if not county.shows(n)] == []


def test_the_legend_names_the_marker_symbol_as_synthetic(marked):
    entry = next(e for e in marked.county.report["legend"] if e["key"] == "marker")
    assert entry["label"] == style.MARKER_LEGEND_LABEL == "界桩（示例）"
    assert marked.county.shows("界桩（示例）")


def test_the_compilation_note_says_the_markers_are_synthetic(marked):
    assert marked.county.report["synthetic_layers"] == ["marker"]
    assert "示例界桩" in MARKER_NOTICE and "并非实地" in MARKER_NOTICE
    assert marked.county.shows(MARKER_NOTICE)


def test_a_real_or_abolished_marker_never_appears_on_a_sheet(marked):
    for sheet in (marked.county, marked.city):
        assert not sheet.shows(marked.real.number)
        assert not sheet.shows(marked.abolished.number)
    assert marked.real.number.startswith(LINE) and not marked.real.is_synthetic
    assert marked.abolished.status == BoundaryMarker.Status.ABOLISHED


def test_the_city_sheet_has_no_markers(marked):
    city = marked.city
    assert "marker" not in city.report["layers"] and city.report["markers"]["drawn"] == 0
    assert "marker" not in {e["key"] for e in city.report["legend"]}
    assert not city.shows("界桩")
    assert not any(city.shows(m.number) for m in marked.synthetic)


def test_the_boundary_lines_are_drawn_by_level(marked):
    """Lines by level (pending proposals are not lines: they are never printed)."""
    county_levels = {e["key"] for e in marked.county.report["legend"] if e["key"].startswith("boundary_")}
    assert "boundary_county" in county_levels
    assert {"boundary_national", "boundary_county"} <= {
        e["key"] for e in marked.city.report["legend"] if e["key"].startswith("boundary_")
    }
