"""The boundary-marker forms as files: a marker's registration form (界桩登记表) as PDF and XLSX, and a
line's results table (界桩成果表) as XLSX (its PDF is boundaries.api_lines' markers.pdf). Thin views
over boundaries.services.marker_forms and marker_xlsx, declared on ``router`` (config.api mounts it
under /api/v1/).

Who sees what is the marker API's rule (boundaries.permissions.visible_markers): a real marker's form
answers 404 to anyone but the bureau's staff, a synthetic demonstration marker's (labelled 示例 on the
sheet) is anyone's; the results table of a line lists real markers and is the staff's. Drawing a sheet
takes one of the server's few slots for heavy work (core.ratelimit): none free, a 503 with Retry-After.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponse
from ninja import Router

from accounts.roles import is_staff_reader
from boundaries.api_lines import LineCode
from boundaries.api_markers import MarkerNumber
from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.permissions import visible_markers
from boundaries.services import marker_forms, marker_xlsx
from core.api import ApiError
from core.ratelimit import busy, heavy_slots
from core.restapi import OFFICERS, Answer, endpoint

router = Router()

MARKERS = "markers"
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BINARY = {"type": "string", "format": "binary"}


def _marker(request, number: str) -> BoundaryMarker:
    found = visible_markers(request.user, marker_forms.related(BoundaryMarker.objects.filter(number=number))).first()
    if found is None:
        raise ApiError(404, f"no boundary marker has the number {number!r}", number=number)
    return found


def _line(code: str) -> BoundaryLine:
    line = BoundaryLine.objects.filter(code=code).prefetch_related("party_rows__unit", "party_rows__outside").first()
    if line is None:
        raise ApiError(404, f"no boundary line has the code {code!r}", code=code)
    return line


def _file(make: Callable[[], bytes], content_type: str, filename: str) -> HttpResponse:
    slots = heavy_slots()
    if not slots.acquire(blocking=False):
        return busy()
    try:
        content = make()
    finally:
        slots.release()
    response = HttpResponse(content, content_type=content_type)
    disposition = "inline" if content_type == PDF else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def _ascii(number: str) -> str:
    """A file name for the header: the number's ASCII letters, digits and dashes."""
    return "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_") else "_" for ch in number)


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/form.pdf",
    operation_id="getBoundaryMarkerFormPdf",
    summary="A marker's registration form (界桩登记表), PDF: one A4 page with its location sketch",
    tag=MARKERS,
    answers=Answer("The registration form", media={PDF: BINARY}),
    errors=("400", "404", "503"),
    public=True,
    description="A real marker answers 404 to anyone but the bureau's staff; a synthetic demonstration "
    "marker's form is anyone's and says 示例 (synthetic) on the sheet and in its sketch.",
    url_name="marker-form-pdf",
)
def form_pdf(request, number: MarkerNumber):
    marker = _marker(request, number)
    return _file(lambda: marker_forms.registration_forms_pdf([marker]), PDF, f"marker-form-{_ascii(number)}.pdf")


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/form.xlsx",
    operation_id="getBoundaryMarkerFormXlsx",
    summary="A marker's registration form (界桩登记表), XLSX: the form's items and reference objects as values",
    tag=MARKERS,
    answers=Answer("The registration form", media={XLSX: BINARY}),
    errors=("400", "404", "503"),
    public=True,
    description="A real marker answers 404 to anyone but the bureau's staff; a synthetic demonstration "
    "marker's form is anyone's and says 示例 (synthetic) under its title.",
    url_name="marker-form-xlsx",
)
def form_xlsx(request, number: MarkerNumber):
    marker = _marker(request, number)
    return _file(lambda: marker_xlsx.registration_form_xlsx([marker]), XLSX, f"marker-form-{_ascii(number)}.xlsx")


@endpoint(
    router,
    "GET",
    "/boundary-lines/{code}/markers.xlsx",
    operation_id="getBoundaryMarkerTableXlsx",
    summary="The line's markers as its results table (界桩成果表), XLSX (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The results table", media={XLSX: BINARY}),
    errors=("400", "401", "403", "404", "503"),
    url_name="boundary-line-marker-table-xlsx",
)
def table_xlsx(request, code: LineCode):
    if not is_staff_reader(request.user):
        raise ApiError(403, "the marker tables are the bureau's working files: staff only")
    line = _line(code)
    return _file(lambda: marker_xlsx.results_table_xlsx(line), XLSX, f"markers-{line.code}.xlsx")
