"""The bureau's road file through the normal place import (gazetteer.services.place_io, roads.py): a GBK
shapefile of roads (class, route number) and one of stations, zipped together, laid out inside 东安区
(231002); each case changes one thing. The helpers here also feed the tile and print tests."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import AdminUnit
from core.geometry import from_geos
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Place, Road
from gazetteer.services.place_io import Refusal, import_places
from gazetteer.services.place_io.roads import class_of_route, road_class, route_ref
from tests.test_place_io import token_client, upload

pytestmark = pytest.mark.django_db

DONGAN = "231002"
REASON = "交通局道路数据入库"
DECISION = ("牡丹江市人民政府", "牡政发〔2020〕12号", "2020-05-01")
# name, class cell (as the bureau writes it, or None), route number, (dx, dy) of its ends in km from the
# middle of 东安区; the class each must end with.
ROADS = [
    ("鹤大高速公路", "高速公路", "G11", ((-3.0, -2.6), (3.0, -2.2)), "expressway"),
    ("绥满公路", None, "G301", ((-3.0, 2.4), (3.0, 2.8)), "national"),
    ("牡海公路", "省道", "S206", ((-2.6, -3.0), (-2.2, 3.0)), "provincial"),
    ("太平路", "城市道路", None, ((-1.8, -0.9), (1.8, -0.8)), "urban"),
    ("光华巷", "巷", None, ((0.4, -1.2), (0.5, 1.2)), "lane"),
    ("滨绥铁路", "铁路", None, ((-3.0, -1.0), (3.0, 1.4)), "railway"),
]
STATIONS = [("牡丹江东站", (1.2, 1.15))]


def middle_of(code: str = DONGAN) -> shapely.Point:
    """The centre of the largest circle inside the unit, in metres (it has room for the 6 km test roads)."""
    polygon = to_metric(from_geos(AdminUnit.objects.current().get(code=code).geom))
    largest = max(shapely.get_parts(polygon), key=lambda part: part.area)
    circle = shapely.maximum_inscribed_circle(largest, 50)
    assert circle.length > 4500, "the unit has no room for the test roads"
    return shapely.get_point(circle, 0)


def at(middle: shapely.Point, dx_km: float, dy_km: float) -> tuple[float, float]:
    return middle.x + dx_km * 1000, middle.y + dy_km * 1000


def road_lines(middle: shapely.Point | None = None) -> dict[str, shapely.LineString]:
    """The test roads in lon/lat."""
    middle = middle or middle_of()
    return {name: to_lonlat(shapely.LineString([at(middle, *a), at(middle, *b)])) for name, _, _, (a, b), _ in ROADS}


def _write(shp: Path, geometries, fields: dict[str, list], kind: str, cpg: bool) -> None:
    wkb = np.array([shapely.to_wkb(g) for g in geometries], dtype=object)
    arrays = [np.array(values, dtype=object) for values in fields.values()]
    pyogrio.raw.write(
        shp, wkb, arrays, list(fields), driver="ESRI Shapefile", crs=f"EPSG:{STORAGE_SRID}", encoding="GBK",
        geometry_type=kind,
    )  # fmt: skip
    if not cpg:
        shp.with_suffix(".cpg").unlink()


def write_road_zip(folder: Path, roads=ROADS, stations=STATIONS, *, cpg: bool = True, decision=DECISION) -> Path:
    """道路.shp (名称, DLDJ 道路等级, LXBH 路线编号, the decision that made each name standard) and 车站.shp
    (名称, category 08400), GBK with a .cpg saying so (or none), zipped."""
    folder.mkdir(parents=True, exist_ok=True)
    middle = middle_of()
    authority, document, day = decision or (None, None, None)
    road_geometries = [to_lonlat(shapely.LineString([at(middle, *a), at(middle, *b)])) for *_, (a, b), _ in roads]
    _write(
        folder / "道路.shp",
        road_geometries,
        {
            "名称": [r[0] for r in roads],
            "DLDJ": [r[1] for r in roads],
            "LXBH": [r[2] for r in roads],
            "dec_auth": [authority] * len(roads),
            "dec_doc": [document] * len(roads),
            "dec_date": [day] * len(roads),
        },
        "LineString",
        cpg,
    )
    if stations:
        _write(
            folder / "车站.shp",
            [to_lonlat(shapely.Point(at(middle, *xy))) for _, xy in stations],
            {
                "名称": [s[0] for s in stations],
                "category": ["08400"] * len(stations),
                "dec_auth": [authority] * len(stations),
                "dec_doc": [document] * len(stations),
                "dec_date": [day] * len(stations),
            },
            "Point",
            cpg,
        )
    archive = folder / "roads.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(folder.glob("*.*")):
            if part.suffix != ".zip":
                out.write(part, part.name)
    return archive


def dongan_officer():
    return create_officer("roads_officer_dongan", role=Role.OFFICER, counties=[DONGAN])[0]


def import_roads(folder: Path, user=None, **options):
    """The fixture roads and station, committed; returns the report."""
    report = import_places(write_road_zip(folder), user=user or dongan_officer(), reason=REASON, **options)
    assert report.ok, [p.as_dict() for p in report.errors]
    return report


def _roads_by_name() -> dict[str, Road]:
    return {r.place.name: r for r in Road.objects.select_related("place__category").filter(place__name__in=_names())}


def _names() -> list[str]:
    return [r[0] for r in ROADS]


# ---- the values a road file writes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("高速公路", "expressway"), ("国道", "national"), (" 省道 ", "provincial"), ("县道", "county"),
     ("城市主干路", "urban"), ("支路", "urban"), ("胡同", "lane"), ("铁路", "railway"),
     ("Expressway", "expressway"), ("national", "national")],
)  # fmt: skip
def test_road_classes_as_a_bureau_writes_them(cell, expected):
    assert road_class(cell) == expected


def test_route_numbers_and_the_class_their_numbering_gives():
    assert route_ref(" g 11 ") == "G11"
    assert [class_of_route(r) for r in ("G11", "G1011", "G201", "S206", "S12", "X025", "Y101")] == [
        "expressway", "expressway", "national", "provincial", "expressway", "county", "county",
    ]  # fmt: skip
    for bad in ("高速1", "G-11", "11", "G123456"):
        with pytest.raises(ValueError):
            route_ref(bad)
    with pytest.raises(ValueError, match="not a road class"):
        road_class("土路")


# ---- a dry run, then the import -------------------------------------------------------------------------


def test_a_dry_run_reports_each_road_with_its_class_and_writes_nothing(tmp_path):
    before = (Place.objects.count(), Road.objects.count(), Changeset.objects.count())
    report = import_places(write_road_zip(tmp_path), user=dongan_officer(), reason=None, dry_run=True)
    assert report.ok and report.dry_run and not report.committed, [p.as_dict() for p in report.errors]
    assert (report.format, report.encoding, report.rows_read, report.created) == ("shp", "GBK", 7, 7)
    by_name = {r["name"]: r for r in report.records}
    for name, _, ref, _, cls in ROADS:
        assert by_name[name]["road_class"] == cls and by_name[name]["road"] == "created"
        assert by_name[name]["route_ref"] == (ref or "") and by_name[name]["standing"] == "standard"
    assert "road_class" not in by_name["牡丹江东站"]  # a station is a place, not a road
    inferred = [w for w in report.warnings if w.field == "road_class"]
    assert len(inferred) == 1 and "G301" in inferred[0].message and "国道" in inferred[0].message
    assert (Place.objects.count(), Road.objects.count(), Changeset.objects.count()) == before


def test_the_import_writes_roads_railways_and_stations_in_one_changeset(tmp_path):
    report = import_roads(tmp_path)
    assert report.committed and report.created == 7
    roads = _roads_by_name()
    assert {name: road.road_class for name, road in roads.items()} == {r[0]: r[4] for r in ROADS}
    assert roads["鹤大高速公路"].route_ref == "G11" and roads["绥满公路"].route_ref == "G301"
    assert roads["太平路"].route_ref == ""
    # No house numbers along an expressway or a railway; the others take the city's rule.
    assert {n for n, r in roads.items() if not r.numbered} == {"鹤大高速公路", "滨绥铁路"}
    assert roads["滨绥铁路"].place.category.code == "08200"
    assert {r.place.category.code for n, r in roads.items() if n != "滨绥铁路"} == {"08100"}
    station = Place.objects.get(name="牡丹江东站")
    assert station.category.code == "08400" and not Road.objects.filter(place=station).exists()
    assert station.geom.geom_type == "Point" and station.standing == "standard"
    # A class or route number the city's defaults do not give is a version in the import's changeset (the
    # house-number service gives a new road place its road record with the defaults at once).
    for road in roads.values():
        latest = road.versions.order_by("-version").first()
        assert latest.version == road.version and latest.data["road_class"] == road.road_class
        if road.road_class not in ("urban", "railway") or road.route_ref:
            assert latest.changeset_id == report.changeset
    assert roads["鹤大高速公路"].versions.order_by("-version").first().data["route_ref"] == "G11"
    # The geometry is the file's, in the storage CRS.
    line = from_geos(roads["太平路"].place.geom)
    assert line.geom_type == "LineString" and shapely.equals_exact(line, road_lines()["太平路"], 1e-7)


def test_a_shapefile_without_cpg_is_read_as_gbk(tmp_path):
    report = import_places(write_road_zip(tmp_path, cpg=False), user=dongan_officer(), reason=None, dry_run=True)
    assert report.ok and report.encoding == "GBK"
    assert {r["name"] for r in report.records} == {*_names(), "牡丹江东站"}


def test_a_second_file_changes_a_class_and_keeps_the_rest(tmp_path):
    first = import_roads(tmp_path / "first")
    codes = {r["name"]: r["code"] for r in first.records}
    lane = _roads_by_name()["光华巷"]
    csv = tmp_path / "second.csv"
    csv.write_text(
        f"code,name,road_class,route_ref\n{codes['光华巷']},光华巷,城市道路,\n{codes['牡海公路']},牡海公路,省道,S206\n",
        encoding="utf-8",
    )
    report = import_places(csv, user=dongan_officer(), reason="道路等级调整")
    assert report.committed, [p.as_dict() for p in report.errors]
    by_name = {r["name"]: r for r in report.records}
    assert by_name["光华巷"]["action"] == "update" and by_name["光华巷"]["road"] == "updated"
    assert by_name["牡海公路"]["action"] == "unchanged" and by_name["牡海公路"]["road"] == "unchanged"
    before = lane.version
    lane.refresh_from_db()
    assert lane.road_class == "urban" and lane.version == before + 1
    assert list(lane.versions.order_by("version").values_list("data__road_class", flat=True))[-2:] == ["lane", "urban"]


def test_rows_a_road_file_cannot_hold_are_refused_with_their_row_and_nothing_is_written(tmp_path):
    bad = [
        ("土路一", "土路", None, ((-1, 0), (1, 0)), None),  # no such class
        ("高速二", "高速公路", "高速1", ((-1, 0.5), (1, 0.5)), None),  # not a route number
        ("好路", "城市道路", None, ((-1, 1), (1, 1)), None),
    ]
    before = (Place.objects.count(), Road.objects.count())
    folder = tmp_path / "bad"
    archive = write_road_zip(folder, bad, stations=[])
    report = import_places(archive, user=dongan_officer(), reason=REASON, dry_run=False)
    assert report.refused == Refusal.ROWS and not report.committed
    problems = {(p.row, p.field) for p in report.errors}
    assert problems == {(1, "road_class"), (2, "route_ref")}
    assert "土路" in report.errors[0].message
    assert (Place.objects.count(), Road.objects.count()) == before


def test_a_station_or_a_point_cannot_carry_a_road_class(tmp_path):
    geojson = tmp_path / "stations.geojson"
    middle = middle_of()
    point = to_lonlat(shapely.Point(at(middle, 0, 0)))
    geojson.write_text(
        '{"type":"FeatureCollection","features":['
        f'{{"type":"Feature","geometry":{shapely.to_geojson(point)},'
        '"properties":{"name":"站一","category":"08400","road_class":"铁路"}},'
        f'{{"type":"Feature","geometry":{shapely.to_geojson(point)},'
        '"properties":{"name":"路二","road_class":"城市道路"}}]}',
        encoding="utf-8",
    )
    report = import_places(geojson, user=dongan_officer(), reason=None, dry_run=True)
    assert {(p.row, p.field) for p in report.errors} == {(1, "road_class"), (2, "geometry")}


def test_an_officer_imports_roads_only_in_their_county(tmp_path):
    other = create_officer("roads_officer_ningan", role=Role.OFFICER, counties=["231084"])[0]
    report = import_places(write_road_zip(tmp_path), user=other, reason=REASON)
    assert not report.ok and {p.field for p in report.errors} == {"county"}
    assert not Road.objects.filter(place__name__in=_names()).exists()


def test_the_api_imports_a_road_file(tmp_path):
    client = token_client("roads_api_admin", Role.ADMINISTRATOR)
    archive = write_road_zip(tmp_path)
    dry = upload(client, archive)
    assert dry.status_code == 200, dry.content
    assert {r["name"]: r.get("road_class") for r in dry.json()["records"]}["滨绥铁路"] == "railway"
    committed = upload(client, archive, dry_run="false", reason=REASON)
    assert committed.status_code == 201, committed.content
    assert _roads_by_name()["鹤大高速公路"].route_ref == "G11"
