"""The one rule for text cells of CSV exports that a spreadsheet would run as formulas.

Excel, LibreOffice and WPS read a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and, after a
tab or carriage return, the same) as a formula, so a place's text "=HYPERLINK(...)" exported to CSV
would run when an officer opens the file. Every CSV export (writers.write_csv, the census form,
open data) therefore writes such a *text* cell with a leading single quote, which spreadsheets show
as text and do not display. Numbers (an elevation of -12.5) are written as numbers, unescaped.

The project's own CSV import takes the quote off again, so an export reads back as it was:

- export: a text that starts with a trigger, or with quotes followed by a trigger, gets one more
  quote in front ("=1" -> "'=1", "'=1" -> "''=1");
- import (CSV only): a cell made of one or more quotes followed by a trigger loses one quote.

The two are exact inverses. A cell someone typed as "'=1" in a CSV of their own imports as "=1".
"""

from __future__ import annotations

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"


def _needs_quote(text: str) -> bool:
    return text.lstrip(QUOTE).startswith(TRIGGERS)


def escape(value):
    """A value for a CSV cell: a text escaped by the rule above; anything else as it is."""
    if isinstance(value, str) and _needs_quote(value):
        return QUOTE + value
    return value


def unescape(text: str) -> str:
    """A CSV cell as the export's text was before ``escape``."""
    if text.startswith(QUOTE) and _needs_quote(text):
        return text[1:]
    return text
