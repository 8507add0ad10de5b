"""The results table of a line's boundary markers (界桩成果表) as a PDF: the markers in order along the
line (distance_along_m), each with its number, kind, material, position (CGCS2000 longitude/latitude and
Gauss-Kruger X/Y in its 3-degree zone), elevation, reference objects (name, grid bearing d°m′, distance)
and position description. The exact columns of the standard's table were not found (domain/boundaries.md
§2); these are the ones the sources agree on. Synthetic demonstration markers are flagged on the sheet."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services.course import dms
from boundaries.services.marker_coords import degrees_minutes, gauss_kruger
from core.pdf import DocumentInfo, html_to_pdf


def line_markers(line: BoundaryLine):
    """The line's markers that stand (not abolished), in order along the line, reference objects loaded."""
    return (
        BoundaryMarker.objects.filter(line=line)
        .exclude(status=BoundaryMarker.Status.ABOLISHED)
        .prefetch_related("reference_objects")
        .order_by("distance_along_m", "sequence", "kind")
    )


def row(marker: BoundaryMarker) -> dict:
    """One marker's row of the results table: the texts the sheet prints and, for the spreadsheet
    (boundaries.services.marker_xlsx), the values they are made from (``*_value``)."""
    epsg, x_north, y_east = gauss_kruger(marker.geom)
    references = sorted(marker.reference_objects.all(), key=lambda r: r.order)
    return {
        "number": marker.number,
        "kind": marker.get_kind_display(),
        "material": marker.get_material_display(),
        "lon": dms(marker.geom.x),
        "lat": dms(marker.geom.y),
        "x": f"{x_north:,.3f}",
        "y": f"{y_east:,.3f}",
        "epsg": epsg,
        "elevation": "—" if marker.elevation_m is None else f"{marker.elevation_m:.1f}",
        "references": [f"{r.name} {degrees_minutes(r.bearing_deg)} {r.distance_m:.1f}m" for r in references],
        "position": marker.position_description,
        "status": marker.get_status_display(),
        "synthetic": marker.is_synthetic,
        "lon_value": marker.geom.x,
        "lat_value": marker.geom.y,
        "x_value": x_north,
        "y_value": y_east,
        "elevation_value": marker.elevation_m,
        "along_value": marker.distance_along_m,
    }


def rows(line: BoundaryLine) -> list[dict]:
    return [row(marker) for marker in line_markers(line)]


def results_table_pdf(line: BoundaryLine) -> bytes:
    table = rows(line)
    title = f"{line.name}界桩成果表"
    context = {
        "title": title,
        "line": line,
        "parties": "、".join(party["name"] for party in line.parties),
        "rows": table,
        "synthetic": any(row["synthetic"] for row in table),
        "zones": sorted({row["epsg"] for row in table}),
        "made_on": timezone.localdate(),
        "publisher": settings.GAZETTEER_PUBLISHER,
    }
    info = DocumentInfo(title=title, author=settings.GAZETTEER_PUBLISHER, subject=f"{line.code} {len(table)} markers")
    return html_to_pdf(render_to_string("boundaries/marker_table.html", context), info)
