"""The field layout of the second national place-name census registration form (第二次全国地名普查
登记表), as a UTF-8 CSV with Chinese headers: one row a record.

Location is given as the form gives it: longitude and latitude ranges in degrees, minutes and seconds
(a single value for a point), in CGCS2000. The form has no geometry column, so a census file re-imports
names and texts by 地名代码 but not shapes. 地名来历 stands beside 地名含义 as on the printed form. Every
row also carries the record's licence, attribution, whether it is synthetic (demonstration) data, and
its standing (standard, candidate) with the decision of a standard name where one is cited.
Text cells that a spreadsheet would run as formulas are escaped as formulas.py says. No cell holds more
than a spreadsheet cell does (32,767 characters): a text that does not fit is left out whole and its
header named in the last column, 未收录（超长）, as cells.py says.
"""

from __future__ import annotations

import csv
import io

import shapely
from django.utils import timezone

from boundaries.models import AdminUnit
from gazetteer.models import Place
from gazetteer.services import places as place_service
from gazetteer.services.place_io.cells import CENSUS_NOT_IN_CSV, SEPARATOR, fit_row
from gazetteer.services.place_io.formulas import escape
from gazetteer.services.place_io.records import ExportRow, publisher

HEADERS = (
    "地名代码",
    "标准名称",
    "罗马字母拼写",
    "别名",
    "简称",
    "图上名称",
    "曾用名",
    "类别名称",
    "所在(跨)行政区",
    "东经范围",
    "北纬范围",
    "坐标系",
    "测量方法",
    "高程",
    "使用时间",
    "命名时间",
    "设立年份",
    "废止年份",
    "地名含义",
    "地名来历",
    "历史沿革",
    "地理实体描述",
    "资料来源及出处",
    "登记时间",
    "登记人",
    "登记单位",
    "数据许可",
    "数据署名",
    "合成数据",
    "名称性质",
    "批准机关",
    "批准文号",
    "批准日期",
    CENSUS_NOT_IN_CSV,
)
STANDING_LABELS = {"standard": "标准地名", "candidate": "候选地名（非标准地名）", "synthetic": "演示数据"}
COORDINATE_SYSTEM = "2000国家大地坐标系"
SURVEY_LABELS = {"measured": "实测", "from_map": "图解", "derived": "派生"}
CURRENT, HISTORICAL = "现今地名", "历史地名"


def dms(degrees: float) -> str:
    """129.47 -> 129°28′12.00″ (seconds to 0.01″, about 30 cm)."""
    hundredths = round(abs(degrees) * 360_000)
    d, rest = divmod(hundredths, 360_000)
    m, s = divmod(rest, 6_000)
    return f"{'-' if degrees < 0 else ''}{d}°{m:02d}′{s // 100:02d}.{s % 100:02d}″"


def dms_range(low: float, high: float) -> str:
    return dms(low) if dms(low) == dms(high) else f"{dms(low)}至{dms(high)}"


def location(geometry: shapely.Geometry | None) -> tuple[str, str]:
    if geometry is None:
        return "", ""
    minx, miny, maxx, maxy = geometry.bounds
    return dms_range(minx, maxx), dms_range(miny, maxy)


def administrative_area(row: ExportRow) -> str:
    """The containing units from the city down; a line or area crossing counties names each county."""
    place = row.place
    if row.geometry is not None and row.geometry.geom_type not in {"Point", "MultiPoint"}:
        counties = place_service.place_counties(place)
        if len(counties) > 1:
            units = AdminUnit.objects.filter(id__in=counties).select_related("parent").order_by("code")
            city = units[0].parent.name if units[0].parent else ""
            return city + "、".join(u.name for u in units)
    path, unit = [], place.unit
    while unit is not None:
        path.append(unit.name)
        unit = unit.parent
    return "".join(reversed(path))


def census_values(row: ExportRow) -> list:
    place, v = row.place, row.values
    longitude, latitude = location(row.geometry)
    ended = place.status == Place.Status.HISTORICAL or (place.valid_to and place.valid_to <= timezone.localdate())
    registrar = place.registered_by
    return [
        place.code,
        place.name,
        place.romanization,
        v["alias"],
        v["short_name"],
        v["map_name"],
        v["former_name"],
        place.category.name_zh,
        administrative_area(row),
        longitude,
        latitude,
        COORDINATE_SYSTEM if row.geometry is not None else "",
        SURVEY_LABELS.get(place.survey_method, ""),
        "" if place.elevation_m is None else place.elevation_m,
        HISTORICAL if ended else CURRENT,
        v["named_on"] or "",
        place.valid_from.year if place.valid_from else "",
        place.valid_to.year if place.valid_to else "",
        place.meaning,
        place.origin,
        place.history,
        place.description,
        place.sources_text,
        timezone.localtime(place.registered_at).date().isoformat(),
        (registrar.get_full_name() or registrar.get_username()) if registrar else "",
        place.registered_for.name if place.registered_for_id else publisher(),
        v["licence"],
        v["attribution"],
        "true" if place.is_synthetic else "false",
        STANDING_LABELS[place.standing],
        place.decision_authority,
        place.decision_document,
        place.decision_date.isoformat() if place.decision_date else "",
    ]


def census_csv(rows: list[ExportRow]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    for row in rows:
        cells = [escape(value) for value in census_values(row)]  # texts only; see formulas.py
        cells, left_out = fit_row(HEADERS[:-1], cells)
        writer.writerow([*cells, SEPARATOR.join(left_out)])
    return out.getvalue().encode("utf-8-sig")
