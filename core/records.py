"""The record kernel: what every kind of record the officers edit shares (units, places and naming
applications now; boundary lines, markers, inspections, roads, house numbers and signs next).

A record is versioned, dated and never deleted: it carries ``version`` (raised by each change), a
change is made inside a changeset (core.history) that says who, when and why, and each version's
attributes are kept in a version row. This module holds the pieces written once:

- ``VersionedRecord`` and ``RecordVersion``: the abstract models;
- ``DatedValue``: the abstract typed, dated name or code (UnitName, UnitCode, PlaceName);
- ``lock``: take the record's row lock and refuse a change based on an older version (VersionConflict);
- ``bump``: raise the version and save;
- ``same_value`` / ``changed_values``: the comparison that knows geometries;
- ``history_entries``: one JSON representation of a record's history (the API's and the pages').

The record kinds register themselves in ``KINDS`` (core.changesets uses it) from their AppConfig.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from django.contrib.gis.geos import GEOSGeometry
from django.db import models

from core.history import VersionConflict
from core.models import DataSource


class VersionedRecord(models.Model):
    # How the record is named in conflicts and events: "<record_kind> <value of record_key>".
    record_kind: ClassVar[str] = ""
    record_key: ClassVar[str] = "pk"

    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    @property
    def record_label(self) -> str:
        return f"{self.record_kind or self._meta.model_name} {getattr(self, self.record_key)}"


class RecordVersion(models.Model):
    """The state of a record after one change. A concrete version model adds the record it belongs
    to, the changeset (with its own related name) and the geometry of its kind."""

    version = models.PositiveIntegerField()
    data = models.JSONField(help_text="Attributes after the change (geometry in `geom`).")

    class Meta:
        abstract = True


class DatedValue(models.Model):
    """A typed name or code of a record with the half-open validity [valid_from, valid_to)."""

    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    source = models.ForeignKey(DataSource, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)

    class Meta:
        abstract = True


def lock(queryset: models.QuerySet, pk, expected_version: int | None = None):
    """The record, its row locked until the transaction ends. With ``expected_version``, a record that
    has moved on since is refused: the second of two concurrent edits gets a conflict, not a silent
    overwrite."""
    record = queryset.select_for_update(of=("self",)).get(pk=pk)
    if expected_version is not None and record.version != expected_version:
        raise VersionConflict(record.record_label, expected_version, record.version)
    return record


def bump(record: VersionedRecord, **save_kwargs) -> VersionedRecord:
    record.version += 1
    record.save(**save_kwargs)
    return record


def same_value(a, b) -> bool:
    """Equal as a record compares attributes: geometries by their exact coordinates."""
    if isinstance(a, GEOSGeometry) or isinstance(b, GEOSGeometry):
        return a is not None and b is not None and a.equals_exact(b, tolerance=0)
    return a == b


def changed_values(record, changes: dict) -> dict:
    return {name: value for name, value in changes.items() if not same_value(getattr(record, name), value)}


def history_entries(versions: Iterable[RecordVersion], geometry=None) -> list[dict]:
    """A record's versions, oldest first, as the API shows them: version, when, by whom, the changeset's
    kind and reason, the attributes after the change and (with ``geometry``, a function of a version
    row) its geometry. The caller orders the rows and selects their changesets."""
    entries = []
    for row in versions:
        changeset = row.changeset
        entry = {
            "version": row.version,
            "at": changeset.created_at.isoformat(),
            "by": changeset.author_label,
            "kind": changeset.kind,
            "reason": changeset.reason,
            "data": row.data,
        }
        if geometry is not None:
            entry["geometry"] = geometry(row)
        entries.append(entry)
    return entries


def changes_between(before: dict | None, after: dict, fields: Iterable[str]) -> list[tuple[str, object, object]]:
    """(field, old value, new value) for each of ``fields`` whose value differs between two versions'
    attributes (``before`` None: the first version, every field that has a value)."""
    before = before or {}
    return [
        (name, before.get(name), after.get(name))
        for name in fields
        if before.get(name) != after.get(name) and (before or after.get(name) not in (None, "", []))
    ]
