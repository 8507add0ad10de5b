"""The areas around the territory (country, provinces, neighbouring prefectures, Russia) for maps and
for the parties of the outer boundary lines. Checked and converted like the unit polygons."""

from __future__ import annotations

import json
from pathlib import Path

from boundaries.importers.cnmaps import CONVERSIONS, read_index_names, shipped_geometry
from boundaries.models import ContextArea
from core.geometry import (
    GeometryError,
    as_polygonal,
    check_valid,
    to_geos_multipolygon,
)
from core.imports import ImportContext, ImportRefused

COUNTRY_CODE = "100000"


def _kind(code: str) -> str:
    if not code.isdigit():
        return ContextArea.Kind.FOREIGN
    if code == COUNTRY_CODE:
        return ContextArea.Kind.COUNTRY
    return ContextArea.Kind.PROVINCE if code.endswith("0000") else ContextArea.Kind.PREFECTURE


def import_context_areas(ctx: ImportContext) -> None:
    definition = ctx.definition
    names = read_index_names(definition)
    unconverted = set(definition.extra.get("wgs84_files", []))
    if definition.conversion not in CONVERSIONS:
        raise ImportRefused(f"unknown datum conversion {definition.conversion!r}")
    convert = CONVERSIONS[definition.conversion]
    for name in definition.files:
        try:
            geometry, where, raw = shipped_geometry(definition, name)
            if name not in unconverted and convert is not None:
                geometry = convert(geometry)
            geometry = geometry if geometry.is_valid else geometry.buffer(0)  # country outlines carry slivers
            check_valid(geometry, where)
            polygon = as_polygonal(geometry, where)
        except GeometryError as exc:
            raise ImportRefused(str(exc)) from exc
        code = Path(name).stem
        label = names.get(code) or _foreign_name(raw) or code
        _, created = ContextArea.objects.update_or_create(
            code=code,
            defaults={"name": label, "kind": _kind(code), "geom": to_geos_multipolygon(polygon), "source": ctx.source},
        )
        ctx.report.count("created context areas" if created else "unchanged context areas")


def _foreign_name(raw: bytes) -> str | None:
    properties = json.loads(raw).get("properties") or {}
    return properties.get("name")
