"""The marker forms as spreadsheets (openpyxl): a line's results table (界桩成果表), the rows of
boundaries.services.marker_tables, and one marker's registration form (界桩登记表), the items of
boundaries.services.marker_forms laid out as the form (no sketch). Each sheet has a title row; numbers
are stored as numbers (coordinates, elevation, bearings, distances), texts as texts, never as formulas
(a text that starts with "=" stays text). A sheet with synthetic demonstration markers says so in its
second row, and each such marker's row says 示例.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from boundaries.models import BoundaryLine, BoundaryMarker
from boundaries.services import marker_forms, marker_tables

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD = PatternFill("solid", fgColor="EEEEEE")
RED = Font(color="BB0000", bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
COORDINATES = "0.000"
DEGREES = "0.0000000"

# (heading, row key, number format or None for text, column width)
RESULT_COLUMNS = (
    ("序号", None, "0", 6),
    ("界桩号", "number", None, 22),
    ("类型", "kind", None, 14),
    ("材质", "material", None, 12),
    ("经度", "lon", None, 15),
    ("纬度", "lat", None, 15),
    ("经度（度）", "lon_value", DEGREES, 13),
    ("纬度（度）", "lat_value", DEGREES, 13),
    ("X（纵坐标，m）", "x_value", COORDINATES, 15),
    ("Y（横坐标，m）", "y_value", COORDINATES, 14),
    ("坐标系 EPSG", "epsg", "0", 11),
    ("高程（m）", "elevation_value", "0.0", 10),
    ("距界线起点（km）", "along_km", "0.000", 12),
    ("方位物（名称 坐标方位角 距离）", "references_text", None, 34),
    ("位置说明", "position", None, 40),
    ("状态", "status_text", None, 12),
)


def put(sheet: Worksheet, row: int, column: int, value, number_format: str | None = None):
    """Write a value as a value: a text stays text whatever it starts with, a number a number."""
    cell = sheet.cell(row=row, column=column)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # openpyxl would take "=..." for a formula
    elif number_format and isinstance(value, int | float):
        cell.number_format = number_format
    return cell


def _title(sheet: Worksheet, title: str, width: int, synthetic: bool) -> int:
    """The title row (and the synthetic label under it); the next free row."""
    put(sheet, 1, 1, title).font = Font(size=16, bold=True)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
    if not synthetic:
        return 2
    put(sheet, 2, 1, f"示例 SYNTHETIC：{marker_forms.SYNTHETIC_STAMP}").font = RED
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    return 3


def _workbook_bytes(book: Workbook, title: str) -> bytes:
    book.properties.title = title
    book.properties.creator = settings.GAZETTEER_PUBLISHER
    book.properties.created = timezone.now()
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---- the results table ------------------------------------------------------------------------------


def results_table_xlsx(line: BoundaryLine) -> bytes:
    rows = marker_tables.rows(line)
    title = f"{line.name}界桩成果表"
    book = Workbook()
    sheet = book.active
    sheet.title = "界桩成果表"
    synthetic = any(r["synthetic"] for r in rows)
    at = _title(sheet, title, len(RESULT_COLUMNS), synthetic)
    parties = "、".join(party["name"] for party in line.parties)
    put(sheet, at, 1, f"界线：{line.name}（{line.code}） 双方：{parties} 界桩 {len(rows)} 颗")
    put(sheet, at, 8, f"制表：{settings.GAZETTEER_PUBLISHER} {timezone.localdate():%Y-%m-%d}")
    header = at + 1
    for column, (heading, _, _, width) in enumerate(RESULT_COLUMNS, start=1):
        cell = put(sheet, header, column, heading)
        cell.font, cell.fill, cell.border, cell.alignment = Font(bold=True), HEAD, BOX, WRAP
        sheet.column_dimensions[get_column_letter(column)].width = width
    for n, row in enumerate(rows, start=1):
        values = {
            **row,
            "along_km": row["along_value"] / 1000,
            "references_text": "\n".join(row["references"]),
            "status_text": f"{row['status']}（示例）" if row["synthetic"] else row["status"],
        }
        for column, (_, key, number_format, _) in enumerate(RESULT_COLUMNS, start=1):
            cell = put(sheet, header + n, column, n if key is None else values[key], number_format)
            cell.border, cell.alignment = BOX, WRAP
    sheet.freeze_panes = sheet.cell(row=header + 1, column=3)
    put(sheet, header + len(rows) + 2, 1, "坐标系：CGCS2000；X/Y 为高斯-克吕格投影 3°带坐标（不加带号），单位米。")
    return _workbook_bytes(book, title)


# ---- the registration form --------------------------------------------------------------------------

FORM_ITEMS = (
    (("界桩编号", "number", None), ("界桩类型", "kind_text", None)),
    (("界线名称", "line_name", None), ("界线编号", "line_code", None)),
    (("界线双方", "parties", None), ("协议书编号", "agreement", None)),
    (("界桩级别", "grade", None), ("界桩形状", "shape", None)),
    (("界桩材质", "material", None), ("现状", "status", None)),
    (("所在县级单位", "county", None), ("所在乡级单位", "township", None)),
    (("经度", "lon", None), ("纬度", "lat", None)),
    (("经度（度）", "lon_value", DEGREES), ("纬度（度）", "lat_value", DEGREES)),
    (("X（纵坐标，m）", "x_value", COORDINATES), ("Y（横坐标，m）", "y_value", COORDINATES)),
    (("坐标系 EPSG", "epsg", "0"), ("中央子午线", "central_meridian", None)),
    (("高程（m）", "elevation_value", "0.0"), ("距界线起点（km）", "along_value", "0.000")),
    (("埋设日期", "set_on", "yyyy-mm-dd"), ("版本", "version", "0")),
)
REFERENCE_COLUMNS = (
    ("序号", "order", "0"),
    ("名称", "name", None),
    ("量测部位", "measured_part", None),
    ("坐标方位角（度）", "bearing_value", "0.0000"),
    ("坐标方位角", "bearing", None),
    ("距离（m）", "distance_value", "0.0"),
)


def registration_form_xlsx(markers: Iterable[BoundaryMarker]) -> bytes:
    """One sheet per marker (with marker_forms.related), laid out as the registration form."""
    book = Workbook()
    book.remove(book.active)
    title = ""
    for marker in markers:
        item = marker_forms.form(marker)
        title = title or f"{item['number']}界桩登记表"
        _form_sheet(book.create_sheet(_sheet_name(item["number"], book)), item)
    if not book.sheetnames:
        raise ValueError("no marker to make a registration form of")
    return _workbook_bytes(book, title)


def _sheet_name(number: str, book: Workbook) -> str:
    """A sheet name Excel accepts: 31 characters, none of []:*?/\\, unique in the book."""
    name = "".join("_" if ch in "[]:*?/\\" else ch for ch in number)[-31:]
    base, n = name, 2
    while name in book.sheetnames:
        name = f"{base[: 31 - len(str(n)) - 1]}~{n}"
        n += 1
    return name


def _form_sheet(sheet: Worksheet, item: dict) -> None:
    at = _title(sheet, "界桩登记表", 6, item["synthetic"])
    item = {**item, "kind_text": f"{item['kind']}（{item['kind_meaning']}）", "agreement": item["agreement"] or "—"}
    for width, letter in zip((16, 24, 16, 24, 14, 12), "ABCDEF", strict=True):
        sheet.column_dimensions[letter].width = width
    for pair in FORM_ITEMS:
        for offset, (label, key, number_format) in zip((1, 3), pair, strict=True):
            head = put(sheet, at, offset, label)
            head.font, head.fill, head.border = Font(bold=True), HEAD, BOX
            put(sheet, at, offset + 1, item[key], number_format).border = BOX
        at += 1
    at = _merged_row(sheet, at, "位置说明", item["position"])
    if item["off_line_reason"]:
        at = _merged_row(sheet, at, "偏离界线说明", item["off_line_reason"])
    at += 1
    put(sheet, at, 1, "方位物").font = Font(bold=True)
    at += 1
    for column, (heading, _, _) in enumerate(REFERENCE_COLUMNS, start=1):
        cell = put(sheet, at, column, heading)
        cell.font, cell.fill, cell.border = Font(bold=True), HEAD, BOX
    for reference in item["references"]:
        at += 1
        for column, (_, key, number_format) in enumerate(REFERENCE_COLUMNS, start=1):
            put(sheet, at, column, reference[key], number_format).border = BOX
    put(sheet, at + 2, 1, "坐标方位角自坐标北顺时针量取；距离为同一 3°带内的平面距离。位置略图见 PDF 登记表。")


def _merged_row(sheet: Worksheet, at: int, label: str, text: str) -> int:
    head = put(sheet, at, 1, label)
    head.font, head.fill, head.border = Font(bold=True), HEAD, BOX
    cell = put(sheet, at, 2, text)
    cell.alignment, cell.border = WRAP, BOX
    sheet.merge_cells(start_row=at, start_column=2, end_row=at, end_column=6)
    sheet.row_dimensions[at].height = 15 * max(1, len(text) // 45 + 1)
    return at + 1
