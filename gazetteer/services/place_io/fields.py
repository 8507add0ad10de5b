"""The columns of place files: which source column feeds which record field, and how values parse.

Import and export share one vocabulary. A file's column is matched (case-insensitively) by the
field's own name, by its shapefile name (≤ 10 characters, SHAPEFILE_NAMES) or by the header of the
census registration form; ``field_map`` ({field: column}) and ``name_field`` override the match.
Several names in one cell (aliases, former names) are separated by ";" or "；".
"""

from __future__ import annotations

import datetime as dt
import math
import re

from gazetteer import fields as record_fields
from gazetteer.models import Place
from gazetteer.services.place_io.cells import CENSUS_NOT_IN_CSV, NOT_IN_CSV

# Columns an import reads, with the other headers that mean the same (census form, common GIS use).
IMPORT_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("地名代码", "place_code"),
    "name": ("标准名称", "名称", "地名", "standard_name"),
    "category": ("category_code", "类别代码"),
    "category_name": ("类别名称",),
    "romanization": ("罗马字母拼写", "pinyin"),
    "romanization_tones": (),
    "alias": ("别名",),
    "short_name": ("简称",),
    "map_name": ("图上名称",),
    "former_name": ("曾用名", "旧名"),
    "unit": ("unit_code", "行政区代码"),
    "meaning": ("地名含义",),
    "origin": ("来历", "地名来历"),
    "history": ("历史沿革",),
    "description": ("地理实体描述",),
    "sources_text": ("资料来源及出处",),
    "status": (),
    "named_on": ("命名时间",),
    "valid_from": (),
    "valid_to": (),
    "survey_method": ("测量方法",),
    "elevation_m": ("高程", "elevation"),
    "is_public": (),
    "version": (),
    "wkt": ("geometry", "geom", "几何"),
    "lon": ("lng", "longitude", "x", "经度"),
    "lat": ("latitude", "y", "纬度"),
    # The decision that made the name standard: a row citing one in full registers a standard name
    # (gazetteer.services.standing); a row without one creates a candidate.
    "decision_authority": ("批准机关", "authority"),
    "decision_document": ("批准文号", "document_number"),
    "decision_date": ("批准日期", "decision_date"),
    # A road file's rows (place_io.roads): the road's class and its route number (G11, S206).
    "road_class": ("道路等级", "道路类别", "道路级别", "公路等级", "dldj"),
    "route_ref": ("路线编号", "路线代码", "线路编号", "lxbh", "lxbm", "ref"),
    # The road's own id in the bureau's file: a later import of the file finds the road by it.
    "bureau_id": ("道路编码", "道路代码", "道路标识码", "road_id", "roadid", "dlbm"),
    NOT_IN_CSV: (CENSUS_NOT_IN_CSV,),  # the columns a CSV left out as too long (cells.py)
}

# The flat record of an export, in column order (CSV, GeoJSON properties, shapefile, GeoPackage).
EXPORT_FIELDS = (
    "code",
    "name",
    "romanization",
    "romanization_tones",
    "category",
    "category_name",
    "unit",
    "unit_name",
    "county",
    "alias",
    "short_name",
    "map_name",
    "former_name",
    "meaning",
    "origin",
    "history",
    "description",
    "sources_text",
    "status",
    "named_on",
    "valid_from",
    "valid_to",
    "survey_method",
    "elevation_m",
    "is_public",
    "version",
    "licence",
    "attribution",
    "synthetic",
    "standing",
    "standard_basis",
    "decision_authority",
    "decision_document",
    "decision_date",
    # A road's record (empty for other places): its class, route number and the bureau's id.
    "road_class",
    "route_ref",
    "bureau_id",
)

# Shapefile (dBase) field names have at most 10 characters: the documented mapping of the export.
SHAPEFILE_NAMES = {
    "romanization": "roman",
    "romanization_tones": "roman_tone",
    "category_name": "cat_name",
    "former_name": "former",
    "description": "descriptn",
    "sources_text": "sources",
    "survey_method": "survey",
    "elevation_m": "elev_m",
    "attribution": "attributn",
    "standard_basis": "basis",
    "decision_authority": "dec_auth",
    "decision_document": "dec_doc",
    "decision_date": "dec_date",
}

# Export-only columns: read back without complaint, never written to a record.
READ_ONLY = {
    "unit_name",
    "county",
    "licence",
    "attribution",
    "synthetic",
    "standing",
    "standard_basis",
    "category_name",
    "geometry_type",
}
DECISION_FIELDS = ("decision_authority", "decision_document", "decision_date")

NAME_KINDS = {"alias": "alias", "short_name": "short", "map_name": "map", "former_name": "former"}
TEXT_FIELDS = record_fields.PROSE_FIELDS
DATE_FIELDS = record_fields.DATE_FIELDS
NAME_SEPARATORS = re.compile(r"[;；]")
PLACE_CODE = re.compile(r"^[0-9]{20}$")
STATUS_LABELS = {"拟用": Place.Status.PROPOSED, "现用": Place.Status.IN_USE, "历史": Place.Status.HISTORICAL}
SURVEY_LABELS = {"实测": "measured", "图解": "from_map", "派生": "derived"}
TRUE_WORDS = {"true", "t", "1", "yes", "y", "是"}
FALSE_WORDS = {"false", "f", "0", "no", "n", "否"}
MAX_TEXT = 20_000


class ValueProblem(ValueError):
    """A cell that cannot be read as its field's value."""


def shapefile_name(field: str) -> str:
    return SHAPEFILE_NAMES.get(field, field)


def field_named(column: str) -> str | None:
    """The field a column name means (its own name, shapefile name or another header), if any."""
    wanted = column.strip().lower()
    for field, aliases in IMPORT_ALIASES.items():
        if wanted in {c.lower() for c in (field, shapefile_name(field), *aliases)}:
            return field
    return None


def match_columns(
    columns: list[str], *, name_field: str | None = None, field_map: dict[str, str] | None = None
) -> tuple[dict[str, str], list[str]]:
    """{field: column} for the columns of a file, and the columns nothing reads."""
    by_lower = {c.strip().lower(): c for c in columns}
    found: dict[str, str] = {}
    for field, aliases in IMPORT_ALIASES.items():
        for candidate in (field, shapefile_name(field), *aliases):
            if candidate.lower() in by_lower:
                found[field] = by_lower[candidate.lower()]
                break
    for field, column in {**(field_map or {}), **({"name": name_field} if name_field else {})}.items():
        if field not in IMPORT_ALIASES:
            raise ValueProblem(f"field_map names an unknown field {field!r}; known: {', '.join(IMPORT_ALIASES)}")
        if column not in columns:
            raise ValueProblem(f"the file has no column {column!r} (columns: {', '.join(columns)})")
        found[field] = column
    used = set(found.values())
    return found, [c for c in columns if c not in used]


def is_blank(value) -> bool:
    return (
        value is None
        or (isinstance(value, float) and math.isnan(value))
        or (isinstance(value, str) and not value.strip())
    )


def text(value, limit: int = MAX_TEXT) -> str:
    result = str(value).strip()
    if len(result) > limit:
        raise ValueProblem(f"longer than {limit} characters")
    return result


def place_code(value) -> str:
    if not isinstance(value, str):
        raise ValueProblem(f"{value!r} is a number; keep the 20-digit code as text (a spreadsheet rounds it)")
    code = value.strip()
    if not PLACE_CODE.match(code):
        raise ValueProblem(f"{code!r} is not a 20-digit place code")
    return code


def category_code(value) -> str:
    """Category codes have 5 digits; a spreadsheet that read them as numbers dropped the leading 0."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    code = str(value).strip()
    return code.zfill(5) if code.isdigit() and len(code) < 5 else code


def date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    try:
        return dt.date.fromisoformat(raw[:10].replace("/", "-")) if len(raw) >= 10 else _short_date(raw)
    except ValueError:
        raise ValueProblem(f"{raw!r} is not a date YYYY-MM-DD") from None


def _short_date(raw: str) -> dt.date:
    year, month, day = [*re.split(r"[-/]", raw), "", ""][:3]
    if not (year.isdigit() and month.isdigit() and day.isdigit()):
        raise ValueError(raw)
    return dt.date(int(year), int(month), int(day))


def number(value) -> float:
    try:
        result = float(str(value).strip())
    except ValueError:
        raise ValueProblem(f"{value!r} is not a number") from None
    if not math.isfinite(result):
        raise ValueProblem(f"{value!r} is not a finite number")
    return result


def whole_number(value) -> int:
    result = number(value)
    if not result.is_integer():
        raise ValueProblem(f"{value!r} is not a whole number")
    return int(result)


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueProblem(f"{value!r} is not true or false")


def status(value) -> str:
    raw = str(value).strip()
    result = raw if raw in Place.Status.values else STATUS_LABELS.get(raw)
    if result is None:
        raise ValueProblem(f"{raw!r} is not a status ({', '.join(Place.Status.values)})")
    return result


def survey_method(value) -> str:
    raw = str(value).strip()
    result = raw if raw in Place.SurveyMethod.values else SURVEY_LABELS.get(raw)
    if result is None:
        raise ValueProblem(f"{raw!r} is not a survey method ({', '.join(v for v in Place.SurveyMethod.values if v)})")
    return result


def names(value) -> list[str]:
    return [n.strip() for n in NAME_SEPARATORS.split(str(value)) if n.strip()]


# Record fields an import may set, with their parsers (names, geometry and category apart).
ATTRIBUTE_PARSERS = {
    **dict.fromkeys(TEXT_FIELDS, text),
    **dict.fromkeys(DATE_FIELDS, date),
    "romanization": lambda v: text(v, 300),
    "romanization_tones": lambda v: text(v, 300),
    "status": status,
    "survey_method": survey_method,
    "elevation_m": number,
    "is_public": boolean,
}
