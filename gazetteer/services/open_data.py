"""Open data: what is published, as files (CSV, GeoJSON, GeoPackage) and a manifest that says so.

What is published: the public standard names (``is_public``, standing standard), never proposed
names, candidates (OpenStreetMap, GeoNames, records awaiting the procedure) or synthetic demonstration
records, whoever asks. Each
record carries its licence and attribution; where its geometry comes from another source than the
record (see geometry_provenance: the polygons and seats of the unit records), that source's licence
and attribution are added after "几何 geometry:". Geometry whose source grants no open licence (the
Amap-lineage polygons of cnmaps-units) is left out, the record itself kept, unless
settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY is true.

The files are made on request from the records. ``freshness`` gives the ETag and Last-Modified of
that content without making it, so that a client that has it gets a 304.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Max, QuerySet
from django.utils import timezone

from boundaries.models import AdminUnit
from core.models import DataSource
from core.srid import API_SRID, STORAGE_CRS_LABEL
from gazetteer.models import Category, Place, PlaceName
from gazetteer.permissions import visible_places
from gazetteer.services.geometry_provenance import geometry_goes_out, geometry_sources
from gazetteer.services.place_io.fields import EXPORT_FIELDS
from gazetteer.services.place_io.records import ExportRow, export_row, for_export, publisher
from gazetteer.services.place_io.writers import CONTENT_TYPES, EXTENSIONS, write_csv, write_geojson, write_geopackage

OPEN_DATA_FORMATS = ("csv", "geojson", "gpkg")
WRITERS = {"csv": write_csv, "geojson": write_geojson, "gpkg": write_geopackage}
API_CRS_LABEL = f"WGS84 (EPSG:{API_SRID})"
FILE_NOTES = {
    "csv": (
        API_CRS_LABEL,
        "UTF-8（带 BOM），每条记录一行；lon/lat 为几何上的一点（面状地物取面内一点），geometry_type 为几何类型，"
        "wkt 为完整几何。每个单元格不超过电子表格上限 32,767 个字符：放不下的值（主要是县级政区等大面或长线的 wkt）"
        "不截断而整格留空，并在 not_in_csv 列注明，完整值见同一数据的 GeoJSON 或 GeoPackage（按 code 对应）；"
        "以 = + - @ 开头的文本前加单引号（防公式）",
        "UTF-8 with BOM; no cell over a spreadsheet's 32,767 characters: a value that does not fit (the WKT of a "
        "large polygon or long line) is left out whole, named in not_in_csv and found in the GeoJSON or "
        "GeoPackage by code; lon/lat (a point on the geometry) and geometry_type are always there; a text cell "
        "starting with = + - @ has a leading ' so that spreadsheets do not run it",
    ),
    "geojson": (API_CRS_LABEL, "GeoJSON FeatureCollection (RFC 7946)，属性同 CSV 各列，几何完整", "RFC 7946"),
    "gpkg": (
        STORAGE_CRS_LABEL,
        "GeoPackage，按几何类型分图层：places_points（点）、places_lines（线）、places_polygons（面），"
        "各图层声明其几何类型；无几何（或几何未发布）的记录在属性表 places_no_geometry。"
        "字段有类型：version 为整数，elevation_m 为实数，named_on/valid_from/valid_to 为日期，"
        "is_public/synthetic 为布尔值，decision_date 为日期，代码与文本为文本",
        "one layer per geometry type, each declaring it; typed fields (integer, real, date, boolean)",
    ),
}
GEOMETRY_LABEL = "几何 geometry"
SETTING = "OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY"
NOT_PUBLISHED = (
    "只发布标准地名：拟用地名、候选地名（尚未经命名程序）、演示数据和非公开记录不在开放数据中。"
    "Standard names only: proposed names, candidates (not yet through the naming procedure), demonstration "
    "data and non-public records are never published."
)
# Bump when the files change shape without any record changing, so that caches see new ETags.
FILE_LAYOUT = 3


class UnknownFormat(ValueError):
    pass


def published_places() -> QuerySet[Place]:
    """The records open data publishes: the standard names anyone may see, proposed names left out."""
    return (
        visible_places(AnonymousUser(), Place.objects.all())
        .filter(standing=Place.Standing.STANDARD)
        .exclude(status=Place.Status.PROPOSED)
    )


def include_unlicensed_geometry() -> bool:
    return settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY


# ---- licences: per record, and the geometry's where it differs ----------------------------------------


@dataclass(frozen=True)
class Credit:
    licence: str
    attribution: str
    open: bool
    source: str | None  # DataSource.key; None for the bureau's own records
    title: str


def credit_of(source: DataSource | None) -> Credit:
    if source is None:
        return Credit(settings.GAZETTEER_LICENCE, publisher(), True, None, publisher())
    return Credit(source.licence, source.attribution or source.title, source.open_licence, source.key, source.title)


@dataclass(frozen=True)
class Decision:
    """What open data does with one record: its credits and whether its geometry goes out."""

    place: Place
    record: Credit
    geometry: Credit | None  # the geometry's source when the record has geometry
    geometry_included: bool

    @property
    def geometry_withheld(self) -> bool:
        return self.geometry is not None and not self.geometry_included


def decide(places: list[Place], *, include_unlicensed: bool) -> list[Decision]:
    sources = geometry_sources(places)
    decisions = []
    for place in places:
        decisions.append(
            Decision(
                place,
                credit_of(place.source),
                credit_of(sources[place.id]) if place.id in sources else None,
                geometry_goes_out(sources, place.id, include_unlicensed=include_unlicensed),
            )
        )
    return decisions


def _row(decision: Decision) -> ExportRow:
    row = export_row(decision.place, with_geometry=decision.geometry_included)
    record, geometry = decision.record, decision.geometry
    if decision.geometry_included and geometry is not None and geometry.source != record.source:
        row.values["licence"] = f"{record.licence}; {GEOMETRY_LABEL}: {geometry.licence}"
        row.values["attribution"] = f"{record.attribution}; {GEOMETRY_LABEL}: {geometry.attribution}"
    return row


# ---- the files ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenDataFile:
    content: bytes
    content_type: str
    filename: str


def open_data_rows(*, include_unlicensed: bool | None = None) -> list[ExportRow]:
    include = include_unlicensed_geometry() if include_unlicensed is None else include_unlicensed
    places = list(for_export(published_places()))
    return [_row(d) for d in decide(places, include_unlicensed=include)]


def build_file(fmt: str, *, include_unlicensed: bool | None = None) -> OpenDataFile:
    if fmt not in OPEN_DATA_FORMATS:
        raise UnknownFormat(f"open data comes as {', '.join(OPEN_DATA_FORMATS)}, not {fmt!r}")
    content = WRITERS[fmt](open_data_rows(include_unlicensed=include_unlicensed))
    return OpenDataFile(content, CONTENT_TYPES[fmt], download_name(fmt))


def download_name(fmt: str) -> str:
    return f"places-{settings.TERRITORY_CODE}-{timezone.localdate():%Y%m%d}.{EXTENSIONS[fmt]}"


# ---- freshness: ETag and Last-Modified without making the file ----------------------------------------


@dataclass(frozen=True)
class Freshness:
    etag: str
    last_modified: dt.datetime | None


def _midnight(day: dt.date | None) -> dt.datetime | None:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min)) if day else None


def last_change() -> dt.datetime | None:
    """The latest change that shows in the files: a record saved (published or not, so that a record
    withdrawn from publication counts), a unit renamed, or a dated name taking or ending effect."""
    today = timezone.localdate()
    moments = [
        Place.objects.aggregate(at=Max("updated_at"))["at"],
        AdminUnit.objects.aggregate(at=Max("updated_at"))["at"],
        _midnight(PlaceName.objects.filter(valid_from__lte=today).aggregate(d=Max("valid_from"))["d"]),
        _midnight(PlaceName.objects.filter(valid_to__lte=today).aggregate(d=Max("valid_to"))["d"]),
    ]
    return max((m for m in moments if m is not None), default=None)


def freshness(fmt: str, *, include_unlicensed: bool | None = None) -> Freshness:
    include = include_unlicensed_geometry() if include_unlicensed is None else include_unlicensed
    changed = last_change()
    sources = list(
        DataSource.objects.order_by("key").values_list("key", "title", "licence", "attribution", "open_licence")
    )
    signature = [
        FILE_LAYOUT,
        fmt,
        include,
        list(EXPORT_FIELDS),
        changed.isoformat() if changed else None,
        published_places().count(),
        sources,
        list(Category.objects.order_by("code").values_list("code", "name_zh")),
        settings.GAZETTEER_LICENCE,
        publisher(),
    ]
    digest = hashlib.sha256(json.dumps(signature, ensure_ascii=False, default=str).encode()).hexdigest()
    return Freshness(f'"{digest[:32]}"', changed)


# ---- the manifest ---------------------------------------------------------------------------------------


def _licences(decisions: list[Decision]) -> list[dict]:
    groups: dict[tuple[str, str], dict] = {}
    for decision in decisions:
        used = [("records", decision.record)]
        if decision.geometry_included:
            used.append(("geometries", decision.geometry))
        for what, credit in used:
            group = groups.setdefault(
                (credit.licence, credit.attribution),
                {
                    "licence": credit.licence,
                    "attribution": credit.attribution,
                    "open": credit.open,
                    "sources": [],
                    "records": 0,
                    "geometries": 0,
                },
            )
            group[what] += 1
            source = {"key": credit.source, "title": credit.title}
            if source not in group["sources"]:
                group["sources"].append(source)
    return sorted(groups.values(), key=lambda g: (-g["records"] - g["geometries"], g["licence"]))


def _withheld(decisions: list[Decision], include: bool) -> dict:
    withheld = [d for d in decisions if d.geometry_withheld]
    closed = {d.geometry.source: d.geometry for d in decisions if d.geometry is not None and not d.geometry.open}
    titles = "、".join(c.title for c in closed.values()) or "—"
    if include:
        note_zh = f"按设置 {SETTING}，开放数据包含未获开放许可的几何（来源：{titles}）。"
        note_en = f"{SETTING} is set: geometry without an open licence ({titles}) is included."
    else:
        note_zh = (
            f"{len(withheld)} 条记录的几何来自未获开放许可的来源（{titles}），开放数据中这些记录的几何留空；"
            "记录的名称、代码、罗马字母拼写等属性照常发布。"
        )
        note_en = (
            f"The geometry of {len(withheld)} records comes from a source whose owner never licensed it "
            "openly; open data leaves that geometry empty and publishes the rest of those records."
        )
    return {
        "geometry_included": include,
        "setting": SETTING,
        "records": len(withheld),
        "codes": [d.place.code for d in withheld],
        "sources": [{"key": c.source, "title": c.title, "licence": c.licence} for c in closed.values()],
        "note": note_zh,
        "note_en": note_en,
        "not_published": NOT_PUBLISHED,
    }


def _files(changed: dt.datetime | None) -> list[dict]:
    return [
        {
            "format": fmt,
            "media_type": CONTENT_TYPES[fmt],
            "crs": FILE_NOTES[fmt][0],
            "description": FILE_NOTES[fmt][1],
            "note": FILE_NOTES[fmt][2],
            "last_modified": changed.isoformat() if changed else None,
        }
        for fmt in OPEN_DATA_FORMATS
    ]


def manifest(*, include_unlicensed: bool | None = None) -> dict:
    """What open data holds now: counts, files, licences with their attributions, what is withheld."""
    include = include_unlicensed_geometry() if include_unlicensed is None else include_unlicensed
    places = list(
        published_places()
        .select_related("source")
        .only("id", "code", "status", "geom", "admin_unit", "source")
        .order_by("code")
    )
    decisions = decide(places, include_unlicensed=include)
    changed = last_change()
    return {
        "title": "牡丹江市标准地名开放数据 Open data of the standard place names",
        "publisher": publisher(),
        "territory": settings.TERRITORY_CODE,
        "generated_at": timezone.now().isoformat(),
        "last_modified": changed.isoformat() if changed else None,
        "records": {
            "total": len(decisions),
            "by_status": dict(Counter(d.place.status for d in decisions)),
            "with_geometry": sum(d.geometry_included for d in decisions),
            "geometry_withheld": sum(d.geometry_withheld for d in decisions),
            "without_geometry": sum(d.geometry is None for d in decisions),
        },
        "files": _files(changed),
        "licences": _licences(decisions),
        "withheld": _withheld(decisions, include),
    }
