"""Small, valid-by-construction fixture sources, and the ways they can be broken.

The made-up territory 990000 (测试市) lies where Mudanjiang is, so the GCJ-02 offset is realistic:
a square split by a meridian into 甲县 (990001, west) and 乙区 (990002, east).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import shapely
from shapely.geometry import box, mapping

from core import gcj02
from core.sources import SourceDefinition, definition

WEST, EAST, SOUTH, NORTH, SPLIT = 129.50, 129.70, 44.50, 44.70, 129.60
DENSIFY_DEG = 0.005


def territory_wgs84() -> dict[str, shapely.Geometry]:
    """code -> WGS84 polygon: the city and its two counties, edges densified."""
    city = box(WEST, SOUTH, EAST, NORTH)
    west = box(WEST, SOUTH, SPLIT, NORTH)
    east = box(SPLIT, SOUTH, EAST, NORTH)
    return {
        code: shapely.segmentize(geom, DENSIFY_DEG)
        for code, geom in {"990000": city, "990001": west, "990002": east}.items()
    }


def territory_gcj02() -> dict[str, shapely.Geometry]:
    return {code: gcj02.wgs84_to_gcj02_geometry(geom) for code, geom in territory_wgs84().items()}


def geojson_bytes(geometry: shapely.Geometry) -> bytes:
    return json.dumps(mapping(geometry)).encode()


def reference_outline_file(outline: shapely.Geometry) -> bytes:
    feature = {"type": "Feature", "properties": {"name": "测试市", "gb": "156990000"}, "geometry": mapping(outline)}
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


MCA_DIVISIONS = [
    [2, "990000", "", "测试市"],
    [3, "990001", "990000", "甲县"],
    [3, "990002", "990000", "乙区"],
    [4, "990001100", "990001", "一镇"],
    [4, "990001200", "990001", "二乡"],
    [4, "990002001", "990002", "三街道"],
]


def mca_file(divisions=None, as_of="2025-12-31") -> bytes:
    return json.dumps(
        {"metadata": {"data_as_of": as_of}, "divisions": divisions or MCA_DIVISIONS}, ensure_ascii=False
    ).encode()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class SourceFolder:
    """Writes fixture files and a definition (registry ``file``) for each fixture source."""

    def __init__(self, root: Path):
        self.root = root
        self.definitions = root / "sources"
        self.definitions.mkdir()

    def add(
        self,
        key: str,
        files: dict[str, bytes],
        *,
        datum: str = "",
        conversion: str = "",
        vintage_date: dt.date | None = None,
        checks: dict | None = None,
        open_licence: bool = True,
        extra: dict | None = None,
    ) -> SourceDefinition:
        folder = self.root / "data" / key
        folder.mkdir(parents=True, exist_ok=True)
        for name, content in files.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(content)
        package = {
            "registry": "file",
            "name": str(folder),
            "version": "test",
            "prefix": "",
            "files": sorted(files),
            **(extra or {}),
        }
        lines = [f"key = {_toml_value(key)}", f"title = {_toml_value('fixture ' + key)}", "[package]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in package.items()]
        lines += [
            "[licence]",
            'name = "test fixture"',
            f"open = {_toml_value(open_licence)}",
            "[vintage]",
            'text = "fixture"',
        ]
        if vintage_date:
            lines.append(f"date = {_toml_value(vintage_date)}")
        lines += ["[datum]", f"shipped = {_toml_value(datum)}", f"convert = {_toml_value(conversion)}"]
        if checks:
            lines += ["[checks]"] + [f"{k} = {_toml_value(v)}" for k, v in checks.items()]
        (self.definitions / f"{key}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        return definition(key)

    def add_mca(self, key: str = "fixture-mca", divisions=None, vintage_date=dt.date(2025, 12, 31)):
        return self.add(key, {"divisions.json": mca_file(divisions)}, vintage_date=vintage_date)

    def add_reference(self, key: str = "fixture-reference", outline: shapely.Geometry | None = None):
        outline = outline if outline is not None else territory_wgs84()["990000"]
        return self.add(key, {"city.geojson": reference_outline_file(outline)}, datum="WGS84")

    def add_polygons(
        self,
        key: str = "fixture-polygons",
        polygons: dict[str, bytes] | None = None,
        *,
        datum: str = "GCJ-02",
        conversion: str = "gcj02_to_wgs84",
        reference: str = "fixture-reference",
    ) -> SourceDefinition:
        if polygons is None:
            polygons = {f"{code}.geojson": geojson_bytes(geom) for code, geom in territory_gcj02().items()}
        return self.add(key, polygons, datum=datum, conversion=conversion, checks={"datum_reference": reference})


# ---- hostile upload files (tests/test_upload_safety.py) ----------------------------------------------

SECRET_MARKER = "MDJ-SECRET-c0ffee"


def secret_file(folder: Path) -> Path:
    """A CSV outside any upload that an attack tries to read; its marker must never come back."""
    path = folder / "secret.csv"
    path.write_text(f"name,other\n{SECRET_MARKER},{SECRET_MARKER}-2\n", encoding="utf-8")
    return path


def vrt_text(source: str, *, sql: str | None = None, layer: str = "places") -> bytes:
    """A GDAL VRT (XML text) whose layer reads ``source``: what a hostile upload renames places.gpkg."""
    select = f'<SrcSQL dialect="SQLITE">{sql}</SrcSQL>' if sql else ""
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="{layer}"><SrcDataSource>{source}</SrcDataSource>{select}'
        "</OGRVRTLayer></OGRVRTDataSource>\n"
    ).encode()


def geopackage_with_virtual_ogr(target: Path, secret: Path) -> Path:
    """A real GeoPackage (one point layer ``base``) that also lists a VirtualOGR table ``vt`` over
    ``secret`` and a view ``leak`` of it as attribute layers, written by hand into the SQLite schema."""
    import sqlite3

    import numpy as np
    import pyogrio.raw

    point = np.array([shapely.to_wkb(shapely.Point(129.47, 44.34))], dtype=object)
    pyogrio.raw.write(
        target, point, [np.array(["东湾屯"], dtype=object)], ["name"], layer="base", driver="GPKG",
        geometry_type="Point", crs="EPSG:4490",
    )  # fmt: skip
    with sqlite3.connect(target) as db:
        db.execute("PRAGMA writable_schema=ON")
        db.execute(
            "INSERT INTO sqlite_master(type, name, tbl_name, rootpage, sql) VALUES ('table', 'vt', 'vt', 0, ?)",
            (f"CREATE VIRTUAL TABLE vt USING VirtualOGR('{secret}')",),
        )
    with sqlite3.connect(target) as db:
        db.execute("CREATE VIEW leak AS SELECT * FROM vt")
        for name in ("leak", "vt"):
            db.execute(
                "INSERT INTO gpkg_contents(table_name, data_type, identifier) VALUES (?, 'attributes', ?)", (name, name)
            )
    return target
