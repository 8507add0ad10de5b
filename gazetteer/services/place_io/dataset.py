"""What the readers make of a file (rows of values, a geometry where the format has one, the CRS and
encoding it declares), and how much of a file they read: the limits are checked while reading, so
that a hostile file is refused before it fills memory or reaches the romanizer.

- at most MAX_ROWS records and MAX_COLUMNS columns;
- a cell holds at most MAX_CELL_CHARS characters (the longest text field, fields.MAX_TEXT), except
  a geometry column (WKT: a county's outline runs to about a megabyte), which may hold
  MAX_GEOMETRY_CHARS. A cell over its limit is a row error and its value is dropped; in a CSV, a cell
  over MAX_GEOMETRY_CHARS refuses the file (the parser stops there). Names are held to
  names.MAX_NAME_CHARS later, by rows.py, before anything romanizes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import shapely
from pyproj import CRS

from gazetteer.services.place_io.fields import IMPORT_ALIASES, MAX_TEXT
from gazetteer.services.place_io.report import FileRefused, Refusal

MAX_ROWS = 100_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = MAX_TEXT
MAX_GEOMETRY_CHARS = 10_000_000
GEOMETRY_COLUMN_NAMES = frozenset(n.lower() for n in ("wkt", *IMPORT_ALIASES["wkt"]))


@dataclass
class RawRow:
    number: int
    values: dict
    geometry: shapely.Geometry | None = None
    problems: list[tuple[str, str]] = field(default_factory=list)  # (field, message)
    layer: str | None = None


@dataclass
class Dataset:
    format: str
    columns: list[str]
    rows: list[RawRow]
    crs: CRS | None  # as the file declares it
    encoding: str
    native_geometry: bool  # GeoJSON, shapefile, GeoPackage; a CSV carries WKT or lon/lat columns
    layers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # file-level warnings


def geometry_columns(columns, named: str | None = None) -> set[str]:
    """The columns that may hold a long (WKT) cell: those named like a geometry, and ``named``."""
    found = {c for c in columns if str(c).strip().lower() in GEOMETRY_COLUMN_NAMES}
    return found | ({named} if named else set())


def check_columns(columns: list, name: str) -> None:
    if len(columns) > MAX_COLUMNS:
        raise FileRefused(f"{name} has {len(columns):,} columns, more than the limit of {MAX_COLUMNS:,}")


def check_row_count(count: int, name: str) -> None:
    """Called before a row is kept: the file is refused as soon as it has one row too many."""
    if count > MAX_ROWS:
        raise FileRefused(
            f"{name} holds more than {MAX_ROWS:,} records, the limit of one import; split the file",
            kind=Refusal.TOO_LARGE,
        )


def _field(column) -> str:
    """A column name as a report's field: sendable as UTF-8, and short."""
    text = str(column).encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= 100 else text[:100] + "…"


def bound_cells(row: RawRow, long_columns: set[str]) -> RawRow:
    """Drops the text cells over their limit, each with a row problem named after its column."""
    for column, value in row.values.items():
        if not isinstance(value, str) or len(value) <= MAX_CELL_CHARS:
            continue
        limit = MAX_GEOMETRY_CHARS if column in long_columns else MAX_CELL_CHARS
        if len(value) > limit:
            row.values[column] = None
            row.problems.append((_field(column), f"the cell holds {len(value):,} characters, more than {limit:,}"))
    return row
