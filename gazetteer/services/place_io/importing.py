"""Importing place records from a bureau's file (CSV, GeoJSON, shapefile, GeoPackage).

The whole file is read and every row checked before anything counts: all problems are collected with
their row numbers, and if any row has an error nothing is written. The rows are applied in one
transaction with one changeset (kind "bulk"), through place_service.create_place / update_place, so
every record gets its PlaceVersion. A dry run takes exactly the same path (codes are allocated, the
database checks run) and then rolls the transaction back.

A row whose ``code`` is an existing record's updates it: only the fields the file carries, without
the record's version check (the versions before and after are in the report); empty cells leave a
value as it is, and names are added, never removed. Other rows create records. A file-wide
``category`` is the category of new records; it does not reclassify existing ones.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.db import transaction

from core.history import open_changeset
from core.models import Changeset
from gazetteer.models import Category
from gazetteer.services.place_io import fields as f
from gazetteer.services.place_io.census_form import HEADERS as CENSUS_HEADERS
from gazetteer.services.place_io.coordinates import CRS_EXAMPLES, Reprojector, label, parse_crs, parse_datum, same_crs
from gazetteer.services.place_io.inputs import gather
from gazetteer.services.place_io.readers import Dataset, read_dataset
from gazetteer.services.place_io.report import FileRefused, ImportReport, Refusal
from gazetteer.services.place_io.rows import RowPlanner
from gazetteer.services.place_io.writing import RowWriter

DRY_RUN_REASON = "dry run of an import (rolled back)"
GEOMETRY_COLUMNS = ("wkt", "lon", "lat")


class _RollBack(Exception):
    pass


def import_places(
    path_or_files,
    *,
    user,
    reason: str | None,
    format: str | None = None,
    crs: str | None = None,
    datum: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    category: str | None = None,
    name_field: str | None = None,
    field_map: dict[str, str] | None = None,
    layer: str | None = None,
) -> ImportReport:
    """Check a file of place records and, unless ``dry_run``, write them. ``path_or_files``: a path,
    several paths (a shapefile's parts), or uploaded files; a .zip is unpacked. ``field_map`` maps
    record fields to the file's columns ({"name": "MC", ...}). Never raises for bad input: the report
    says what was refused and why."""
    report = ImportReport(dry_run=dry_run)
    try:
        if not dry_run and not (reason or "").strip():
            raise FileRefused(
                "a reason is required (it is recorded with the change)", kind=Refusal.BAD_OPTION, field="reason"
            )
        default_category = _category_option(category)
        declared_datum = parse_datum(datum)
        declared_crs = parse_crs(crs) if crs else None
        with tempfile.TemporaryDirectory(prefix="place-import-") as folder:
            dataset = read_dataset(
                gather(path_or_files, Path(folder), format),
                encoding=encoding,
                layer=layer,
                geometry_column=(field_map or {}).get("wkt"),
                wanted=_wanted(name_field, field_map),
            )
        _describe(report, dataset)
        columns = _columns(report, dataset, name_field, field_map)
        reproject = _reprojector(report, dataset, columns, declared_crs, declared_datum)
    except FileRefused as exc:
        report.refused = exc.kind
        report.error(None, exc.field, exc.message)
        return report
    _apply(report, dataset, columns, reproject, default_category, user=user, reason=reason)
    return report


def _category_option(code: str | None) -> Category | None:
    if not code:
        return None
    found = Category.objects.filter(code=f.category_code(code)).first()
    if found is None:
        raise FileRefused(
            f"unknown category {code!r}; see /api/v1/categories", kind=Refusal.BAD_OPTION, field="category"
        )
    return found


def _describe(report: ImportReport, dataset: Dataset) -> None:
    report.format, report.encoding, report.layers = dataset.format, dataset.encoding, dataset.layers
    report.rows_read = len(dataset.rows)
    if not dataset.rows:
        report.warn(None, "file", "the file holds no records")
    for note in dataset.notes:
        report.warn(None, "file", note)


def _wanted(name_field, field_map):
    """The columns an import reads, for the reader to keep only those (a wide file's other cells are
    dropped as they are read)."""

    def wanted(columns: list[str]) -> set[str]:
        try:
            return set(f.match_columns(columns, name_field=name_field, field_map=field_map)[0].values())
        except f.ValueProblem:
            return set(columns)  # _columns refuses the option once the file is read

    return wanted


def _columns(report: ImportReport, dataset: Dataset, name_field, field_map) -> dict[str, str]:
    try:
        columns, unused = f.match_columns(dataset.columns, name_field=name_field, field_map=field_map)
    except f.ValueProblem as exc:
        raise FileRefused(str(exc), kind=Refusal.BAD_OPTION, field="field_map") from None
    if "name" not in columns:
        raise FileRefused(
            f"no column holds the standard name (columns: {_listed(dataset.columns)}); name it "
            "`name` or 标准名称, or say which with name_field",
            kind=Refusal.BAD_OPTION,
            field="name",
        )
    ignored = [
        c
        for c in unused
        if c.lower() not in f.READ_ONLY
        and c not in CENSUS_HEADERS
        and c.lower() not in {f.shapefile_name(n) for n in f.READ_ONLY}
    ]
    if ignored:
        report.warn(None, "file", f"columns not imported: {_listed(ignored)}")
    return columns


def _listed(columns: list[str], most: int = 40, width: int = 40) -> str:
    """Column names for a message: a file's header is the sender's own text, but need not be short."""
    shown = [c if len(c) <= width else c[:width] + "…" for c in map(str, columns[:most])]
    return ", ".join(shown) + (f" and {len(columns) - most} more" if len(columns) > most else "")


def _reprojector(report: ImportReport, dataset: Dataset, columns: dict[str, str], declared, datum: str):
    has_geometry = dataset.native_geometry or any(c in columns for c in GEOMETRY_COLUMNS)
    if not has_geometry:
        return None
    source = declared or dataset.crs
    if source is None:
        raise FileRefused(_no_crs_message(dataset, columns), kind=Refusal.NO_CRS, field="crs")
    if declared is not None and dataset.crs is not None and not same_crs(declared, dataset.crs):
        report.warn(None, "crs", f"the file says {label(dataset.crs)}; used {label(declared)} as you declared")
    reproject = Reprojector(source, datum)
    report.crs, report.datum = label(source), reproject.describe_datum()
    return reproject


def _no_crs_message(dataset: Dataset, columns: dict[str, str]) -> str:
    if dataset.format == "csv" and "lon" in columns:
        return (
            "a CSV carries no CRS: the lon/lat columns could be CGCS2000, WGS84 or a projection; declare "
            f"crs ({CRS_EXAMPLES}), and datum GCJ-02 if they come from Amap or Tencent"
        )
    if dataset.format == "csv":
        return f"a CSV carries no CRS: declare the CRS of its WKT column ({CRS_EXAMPLES})"
    return f"the file declares no CRS (a shapefile without .prj?): declare crs ({CRS_EXAMPLES})"


def _apply(report: ImportReport, dataset: Dataset, columns, reproject, default_category, *, user, reason) -> None:
    try:
        with transaction.atomic():
            changeset = open_changeset(Changeset.Kind.BULK, reason or DRY_RUN_REASON, author=user)
            planner = RowPlanner(columns, reproject=reproject, default_category=default_category)
            writer = RowWriter(user=user, changeset=changeset, report=report)
            for raw in dataset.rows:
                writer.apply(planner.plan(raw))
            if report.errors or report.dry_run:
                raise _RollBack
            report.changeset = changeset.pk
    except _RollBack:
        if report.errors:
            report.refused = Refusal.ROWS
