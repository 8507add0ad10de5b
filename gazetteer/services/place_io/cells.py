"""The one rule for long cells in the CSV files the system writes (the export's CSV, the census form,
open data's places.csv): no cell holds more than CELL_LIMIT characters, the most a spreadsheet cell
holds (Excel, WPS and LibreOffice: 32,767; counted as Excel counts, in UTF-16 code units, so a
character outside the Basic Multilingual Plane counts twice).

Nothing is cut. A value that does not fit is left out of the CSV whole: its cell stays empty and the
row's last column (``not_in_csv``; 未收录（超长） in the census form) names the columns left out,
separated by ";". The value is complete in the GeoJSON and GeoPackage of the same export (the same
filters, or open data's places.geojson / places.gpkg), found there by the record's ``code``.

In practice this is the ``wkt`` of a long line or a large polygon (a county's outline runs to hundreds
of thousands of characters): the CSV keeps ``lon``/``lat`` of a point on the geometry (inside a
polygon) and its ``geometry_type``, and leaves the outline to the other formats. The API and imports
hold texts to 20,000 characters, so they fit; one that does not (typed into the admin, say) is left
out the same way. The CSV import understands ``not_in_csv``: a value left out leaves the record's value
as it is (a geometry left out is never replaced by the lon/lat point).
"""

from __future__ import annotations

CELL_LIMIT = 32_767
NOT_IN_CSV = "not_in_csv"
CENSUS_NOT_IN_CSV = "未收录（超长）"
SEPARATOR = ";"


def cell_length(text: str) -> int:
    """The length of a text as a spreadsheet counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def fits(value) -> bool:
    return not isinstance(value, str) or cell_length(value) <= CELL_LIMIT


def fit_row(columns: list[str] | tuple[str, ...], cells: list) -> tuple[list, list[str]]:
    """(the cells with every one that does not fit emptied, the columns emptied)."""
    left_out = [column for column, value in zip(columns, cells, strict=True) if not fits(value)]
    kept = [value if fits(value) else "" for value in cells]
    return kept, left_out


def left_out(value) -> list[str]:
    """The column names a ``not_in_csv`` cell lists."""
    if value is None:
        return []
    return [name.strip() for name in str(value).replace("；", SEPARATOR).split(SEPARATOR) if name.strip()]
