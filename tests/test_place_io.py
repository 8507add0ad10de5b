"""Import and export of place records: files made here, valid by construction, and every broken kind.

The real base data is loaded (tests/conftest.py): points near 129.47E 44.34N lie in 宁安市 (231084),
129.40E 44.90N in 海林市 (231083), and 127.0E 45.0N outside the city.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from pyproj import Geod, Transformer

from accounts.models import Role
from accounts.services import create_officer
from core import gcj02
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.models import Changeset, DataSource
from core.srid import API_SRID, METRIC_SRID, STORAGE_SRID
from gazetteer.models import Category, Place, PlaceName, PlaceVersion
from gazetteer.services import places as place_service
from gazetteer.services.place_io import Refusal, export_places, import_places
from gazetteer.services.place_io.cells import CELL_LIMIT, cell_length
from gazetteer.services.place_io.census_form import HEADERS, dms
from gazetteer.services.place_io.fields import EXPORT_FIELDS, SHAPEFILE_NAMES

pytestmark = pytest.mark.django_db

STORAGE = f"EPSG:{STORAGE_SRID}"
WGS84 = f"EPSG:{API_SRID}"
NINGAN = [(129.47, 44.34), (129.45, 44.33), (129.48, 44.35), (129.46, 44.32)]
HAILIN = (129.40, 44.90)
OUTSIDE = (127.0, 45.0)
NAMES = ["东湾屯", "西岗屯", "南沟屯", "北甸屯"]
BOW_TIE = shapely.Polygon([(129.44, 44.32), (129.48, 44.36), (129.48, 44.32), (129.44, 44.36), (129.44, 44.32)])
GEOD = Geod(ellps="GRS80")


# ---- accounts and records ----------------------------------------------------------------------------


@pytest.fixture
def admin():
    return create_officer("io_admin", role=Role.ADMINISTRATOR)[0]


@pytest.fixture
def officer():
    """A place-name officer of 宁安市 only."""
    return create_officer("io_officer_ningan", role=Role.OFFICER, counties=["231084"])[0]


def counts() -> tuple[int, int, int, int]:
    return Place.objects.count(), PlaceVersion.objects.count(), PlaceName.objects.count(), Changeset.objects.count()


def make_place(name, geometry, *, category="10300", public=True, synthetic=False, source=None, **fields) -> Place:
    changeset = open_changeset(Changeset.Kind.EDIT, "test record", label="tests")
    return place_service.create_place(
        changeset=changeset,
        name=name,
        category=Category.objects.get(code=category),
        geom=to_geos(geometry),
        is_public=public,
        synthetic=synthetic,
        source=source,
        **fields,
    )


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def stored_point(code: str) -> tuple[float, float]:
    geom = Place.objects.get(code=code).geom
    return geom.x, geom.y


def created_codes(report) -> list[str]:
    return [r["code"] for r in report.records if r["action"] == "create"]


# ---- file builders -------------------------------------------------------------------------------------


def write_layer(
    target: Path,
    features: list[dict],
    *,
    driver: str,
    crs: str | None,
    encoding: str | None = None,
    layer: str | None = None,
) -> Path:
    """Features are dicts of attributes with a shapely ``geometry``."""
    fields = [k for k in features[0] if k != "geometry"]
    wkb = np.array([shapely.to_wkb(f["geometry"]) for f in features], dtype=object)
    data = [np.array([f.get(k) for f in features], dtype=object) for k in fields]
    pyogrio.raw.write(
        target,
        wkb,
        data,
        fields,
        driver=driver,
        crs=crs,
        encoding=encoding,
        layer=layer,
        geometry_type=features[0]["geometry"].geom_type,
    )
    return target


def point_features(points=NINGAN, names=NAMES, category="07200") -> list[dict]:
    return [
        {"name": n, "category": category, "geometry": shapely.Point(p)} for n, p in zip(names, points, strict=False)
    ]


def write_csv(target: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    target.write_bytes(out.getvalue().encode(encoding))
    return target


def write_geojson(target: Path, features: list[dict], **extra) -> Path:
    document = {
        "type": "FeatureCollection",
        **extra,
        "features": [
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(f["geometry"]),
                "properties": {k: v for k, v in f.items() if k != "geometry"},
            }
            for f in features
        ],
    }
    target.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return target


def dry_run(path, user, **options):
    return import_places(path, user=user, reason="", dry_run=True, **options)


def csv_rows(content: bytes) -> list[dict]:
    csv.field_size_limit(max(csv.field_size_limit(), len(content)))  # exported county polygons are long
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def problems(report, field=None) -> list[tuple]:
    return [(p.row, p.field, p.message) for p in report.errors if field is None or p.field == field]


# ---- encodings -------------------------------------------------------------------------------------


def test_gbk_dbf_without_cpg_is_detected(tmp_path, admin):
    shp = write_layer(tmp_path / "villages.shp", point_features(), driver="ESRI Shapefile", crs=STORAGE, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    assert NAMES[0].encode("gbk") in shp.with_suffix(".dbf").read_bytes()  # really GBK, and nothing says so

    report = dry_run(shp, admin)

    assert report.ok, report.as_dict()
    assert report.encoding == "GBK"
    assert [r["name"] for r in report.records] == NAMES
    assert report.created == 4


@pytest.mark.parametrize(
    ("written", "cpg", "expected"),
    [("UTF-8", None, "UTF-8"), ("GBK", None, "GBK"), ("GBK", "936", "GBK"), ("UTF-8", "65001", "UTF-8")],
)
def test_dbf_with_cpg_uses_it(tmp_path, admin, written, cpg, expected):
    shp = write_layer(
        tmp_path / "villages.shp", point_features(), driver="ESRI Shapefile", crs=STORAGE, encoding=written
    )
    if cpg:
        shp.with_suffix(".cpg").write_text(cpg)

    report = dry_run(shp, admin, encoding="GB18030")

    assert report.ok, report.as_dict()
    assert report.encoding == expected
    assert [r["name"] for r in report.records] == NAMES
    assert any(".cpg says" in w.message for w in report.warnings)  # the .cpg beat the declared encoding


def test_gbk_csv_without_declared_encoding(tmp_path, admin):
    rows = [[n, "07200", lon, lat] for n, (lon, lat) in zip(NAMES, NINGAN, strict=True)]
    path = write_csv(tmp_path / "villages.csv", ["name", "category", "lon", "lat"], rows, encoding="gbk")

    report = dry_run(path, admin, crs=STORAGE)

    assert report.ok, report.as_dict()
    assert report.encoding == "GBK"
    assert [r["name"] for r in report.records] == NAMES


# ---- coordinate systems ------------------------------------------------------------------------------


def test_shapefile_without_prj_is_refused_unless_crs_given(tmp_path, admin):
    shp = write_layer(tmp_path / "villages.shp", point_features(), driver="ESRI Shapefile", crs=STORAGE)
    shp.with_suffix(".prj").unlink()

    refused = dry_run(shp, admin)
    assert refused.refused == Refusal.NO_CRS
    assert problems(refused)[0][:2] == (None, "crs") and ".prj" in problems(refused)[0][2]

    accepted = dry_run(shp, admin, crs=STORAGE)
    assert accepted.ok, accepted.as_dict()
    assert accepted.crs == STORAGE and accepted.created == 4


def test_csv_lon_lat_without_crs_asks_for_one(tmp_path, admin):
    path = write_csv(tmp_path / "villages.csv", ["name", "category", "lon", "lat"], [[NAMES[0], "07200", *NINGAN[0]]])

    report = dry_run(path, admin)

    assert report.refused == Refusal.NO_CRS
    assert "declare crs" in report.errors[0].message and "lon/lat" in report.errors[0].message


@pytest.mark.parametrize("epsg", [METRIC_SRID, 4549, 4552, 4553])
def test_projected_gauss_kruger_geopackage_lands_within_a_centimetre(tmp_path, admin, epsg):
    to_projected = Transformer.from_crs(STORAGE, f"EPSG:{epsg}", always_xy=True)
    features = [
        {"name": n, "category": "07200", "geometry": shapely.Point(to_projected.transform(*p))}
        for n, p in zip(NAMES, NINGAN, strict=True)
    ]
    assert features[0]["geometry"].x > 1000  # metres, not degrees
    gpkg = write_layer(tmp_path / "villages.gpkg", features, driver="GPKG", crs=f"EPSG:{epsg}", layer="villages")

    report = import_places(gpkg, user=admin, reason="GK import")

    assert report.committed, report.as_dict()
    assert report.crs == f"EPSG:{epsg}"
    for code, original in zip(created_codes(report), NINGAN, strict=True):
        assert metres(stored_point(code), original) < 0.01


def test_geojson_declared_gcj02_is_shifted_back(tmp_path, admin):
    true_points = NINGAN[:2]
    shipped = [tuple(float(c) for c in gcj02.wgs84_to_gcj02(*p)) for p in true_points]
    path = write_geojson(tmp_path / "amap.geojson", point_features(shipped, NAMES[:2]))

    report = import_places(path, user=admin, reason="from Amap", datum="GCJ-02")

    assert report.committed, report.as_dict()
    assert report.datum == "GCJ-02" and report.crs == WGS84
    for code, truth, as_shipped in zip(created_codes(report), true_points, shipped, strict=True):
        stored = stored_point(code)
        expected = tuple(float(c) for c in gcj02.gcj02_to_wgs84(*as_shipped))
        assert metres(stored, expected) < 0.01
        assert metres(stored, truth) < 0.01
        assert 300 < metres(stored, as_shipped) < 700


def test_geojson_without_datum_keeps_coordinates(tmp_path, admin):
    path = write_geojson(tmp_path / "osm.geojson", point_features(NINGAN[:1], NAMES[:1]))
    report = import_places(path, user=admin, reason="from OSM")
    assert report.committed, report.as_dict()
    assert metres(stored_point(created_codes(report)[0]), NINGAN[0]) < 0.01


def test_geopackage_first_layer_or_a_named_one(tmp_path, admin):
    gpkg = tmp_path / "two.gpkg"
    write_layer(gpkg, point_features(NINGAN[:1], NAMES[:1]), driver="GPKG", crs=STORAGE, layer="first")
    write_layer(gpkg, point_features(NINGAN[1:3], NAMES[1:3]), driver="GPKG", crs=STORAGE, layer="second")

    first = dry_run(gpkg, admin)
    assert first.layers == ["first"] and [r["name"] for r in first.records] == NAMES[:1]
    assert any("second" in w.message for w in first.warnings)
    named = dry_run(gpkg, admin, layer="second")
    assert [r["name"] for r in named.records] == NAMES[1:3]
    missing = dry_run(gpkg, admin, layer="third")
    assert missing.refused == Refusal.UNREADABLE and "first, second" in missing.errors[0].message


def test_romanization_column_overrides_only_when_it_differs(tmp_path, admin):
    settlement = Category.objects.get(code="07200")
    engine = place_service.computed_romanization(NAMES[0], settlement)[0]
    path = write_csv(
        tmp_path / "p.csv",
        ["name", "category", "lon", "lat", "romanization"],
        [[NAMES[0], "07200", *NINGAN[0], engine], [NAMES[1], "07200", *NINGAN[1], "Xigang Tun"]],
    )

    report = import_places(path, user=admin, reason="romanization", crs=STORAGE)

    assert report.committed, report.as_dict()
    first, second = (Place.objects.get(code=c) for c in created_codes(report))
    assert (first.romanization, first.romanization_overridden) == (engine, False)
    assert (second.romanization, second.romanization_overridden) == ("Xigang Tun", True)


# ---- rows refused --------------------------------------------------------------------------------------


def wkt_csv(tmp_path, rows: list[list]) -> Path:
    return write_csv(tmp_path / "places.csv", ["name", "category", "wkt"], rows)


def test_bow_tie_polygon_is_refused_with_its_row(tmp_path, admin):
    before = counts()
    path = wkt_csv(tmp_path, [[NAMES[0], "07200", shapely.Point(NINGAN[0]).wkt], ["蝴蝶地", "10200", BOW_TIE.wkt]])

    report = import_places(path, user=admin, reason="bow tie", crs=STORAGE)

    assert not report.ok and report.refused == Refusal.ROWS
    [(row, field, message)] = problems(report)
    assert (row, field) == (2, "geometry") and "Self-intersection" in message
    assert counts() == before


def test_unknown_category_is_refused_with_its_row(tmp_path, admin):
    path = wkt_csv(
        tmp_path,
        [
            [NAMES[0], "07200", shapely.Point(NINGAN[0]).wkt],
            [NAMES[1], "99999", shapely.Point(NINGAN[1]).wkt],
            [NAMES[2], "7200", shapely.Point(NINGAN[2]).wkt],
        ],
    )  # Excel dropped the 0: fine

    report = dry_run(path, admin, crs=STORAGE)

    assert problems(report) == [(2, "category", "unknown category '99999'; see /api/v1/categories")]


def test_unknown_file_wide_category_is_refused(tmp_path, admin):
    path = write_csv(tmp_path / "p.csv", ["name", "wkt"], [[NAMES[0], shapely.Point(NINGAN[0]).wkt]])
    report = dry_run(path, admin, crs=STORAGE, category="99999")
    assert report.refused == Refusal.BAD_OPTION and problems(report)[0][1] == "category"


def test_file_wide_category_applies_to_every_row(tmp_path, admin):
    path = write_csv(
        tmp_path / "p.csv", ["名称", "经度", "纬度"], [[n, *p] for n, p in zip(NAMES, NINGAN, strict=True)]
    )
    report = import_places(path, user=admin, reason="one category", crs=STORAGE, category="07200")
    assert report.committed, report.as_dict()
    assert set(Place.objects.filter(code__in=created_codes(report)).values_list("category__code", flat=True)) == {
        "07200"
    }


def test_every_problem_is_collected(tmp_path, admin):
    path = wkt_csv(
        tmp_path,
        [
            ["", "07200", shapely.Point(NINGAN[0]).wkt],
            [NAMES[1], "07200", shapely.Point(OUTSIDE).wkt],
            [NAMES[2], "07200", "POINT (129.4"],
            [NAMES[3], "", shapely.Point(NINGAN[3]).wkt],
        ],
    )

    report = dry_run(path, admin, crs=STORAGE)

    found = {(row, field) for row, field, _ in problems(report)}
    assert found == {(1, "name"), (2, "geometry"), (3, "geometry"), (4, "category")}
    assert "outside the territory (牡丹江市)" in problems(report, "geometry")[0][2]


def test_row_outside_the_territory_is_refused(tmp_path, admin):
    path = write_geojson(tmp_path / "p.geojson", point_features([NINGAN[0], OUTSIDE], NAMES[:2]))
    report = dry_run(path, admin)
    assert problems(report) == [(2, "geometry", "outside the territory (牡丹江市)")]


def test_officer_cannot_import_rows_outside_their_county(tmp_path, officer):
    before = counts()
    path = write_geojson(tmp_path / "p.geojson", point_features([NINGAN[0], HAILIN, NINGAN[1]], NAMES[:3]))

    report = import_places(path, user=officer, reason="officer import")

    [(row, field, message)] = problems(report)
    assert (row, field) == (2, "county") and "海林市" in message
    assert report.created == 2  # the rows of 宁安市 were fine, yet nothing is written
    assert counts() == before


def test_officer_imports_in_their_county(tmp_path, officer):
    path = write_geojson(tmp_path / "p.geojson", point_features(NINGAN[:2], NAMES[:2]))
    report = import_places(path, user=officer, reason="officer import")
    assert report.committed, report.as_dict()
    assert all(code.startswith("231084") for code in created_codes(report))


def test_too_large_file_is_refused_before_reading(tmp_path, admin, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = tmp_path / "huge.geojson"
    path.write_bytes(b"not even json " * 200)

    report = dry_run(path, admin)

    assert report.refused == Refusal.TOO_LARGE
    assert "more than the limit of 1,000 bytes" in report.errors[0].message


def test_zip_that_unpacks_too_large_is_refused(tmp_path, admin, settings):
    settings.IMPORT_MAX_BYTES = 5000
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("big.csv", "name\n" + "a\n" * 50_000)
    assert archive.stat().st_size < 5000
    assert dry_run(archive, admin).refused == Refusal.TOO_LARGE


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"type": "FeatureCollection", "features": [', "malformed GeoJSON: Expecting value at line 1"),
        ('{"type": "Polygon", "coordinates": []}', "expected a FeatureCollection, got 'Polygon'"),
        ('{"type": "FeatureCollection", "features": {}}', "'features' member is not a list"),
        ("[1, 2]", "expected a FeatureCollection, got 'list'"),
    ],
)
def test_malformed_geojson_is_refused_clearly(tmp_path, admin, content, expected):
    path = tmp_path / "broken.geojson"
    path.write_text(content)
    report = dry_run(path, admin)
    assert report.refused == Refusal.UNREADABLE
    assert expected in report.errors[0].message


def test_malformed_feature_geometry_is_a_row_error(tmp_path, admin):
    path = tmp_path / "p.geojson"
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": NAMES[0], "category": "07200"},
                        "geometry": {"type": "Point", "coordinates": list(NINGAN[0])},
                    },
                    {
                        "type": "Feature",
                        "properties": {"name": NAMES[1], "category": "07200"},
                        "geometry": {"type": "Polygon", "coordinates": [[1, 2]]},
                    },
                ],
            }
        )
    )
    report = dry_run(path, admin)
    assert [(row, field) for row, field, _ in problems(report)] == [(2, "geometry")]


def test_empty_zip_and_missing_shapefile_parts_are_refused(tmp_path, admin):
    empty = tmp_path / "empty.zip"
    zipfile.ZipFile(empty, "w").close()
    assert "empty" in dry_run(empty, admin).errors[0].message
    shp = write_layer(tmp_path / "v.shp", point_features(), driver="ESRI Shapefile", crs=STORAGE)
    shp.with_suffix(".dbf").unlink()
    report = dry_run(shp, admin)
    assert report.refused == Refusal.UNREADABLE and "lacks its .dbf" in report.errors[0].message


def test_reason_is_required_for_a_real_run(tmp_path, admin):
    path = write_geojson(tmp_path / "p.geojson", point_features(NINGAN[:1], NAMES[:1]))
    report = import_places(path, user=admin, reason=" ")
    assert report.refused == Refusal.BAD_OPTION and problems(report)[0][1] == "reason"


# ---- dry run, real run, re-import ----------------------------------------------------------------------


def test_dry_run_writes_nothing(tmp_path, admin):
    before = counts()
    path = write_geojson(tmp_path / "p.geojson", point_features())

    report = dry_run(path, admin)

    assert report.ok and not report.committed and report.changeset is None
    assert report.created == 4 and len(created_codes(report)) == 4
    assert all(code.startswith("23108400007200") for code in created_codes(report))
    assert counts() == before


def test_committed_run_writes_records_names_versions_and_one_changeset(tmp_path, admin):
    features = point_features()
    features[0]["alias"] = "湾子;东湾子"
    features[1]["meaning"] = "在西山岗下"
    path = write_geojson(tmp_path / "p.geojson", features)
    before = counts()

    report = import_places(path, user=admin, reason="2026 年村屯普查补录")

    assert report.committed, report.as_dict()
    assert report.created == 4 and report.rows_read == 4
    changeset = Changeset.objects.get(pk=report.changeset)
    assert (changeset.kind, changeset.reason, changeset.author) == ("bulk", "2026 年村屯普查补录", admin)
    places = Place.objects.filter(code__in=created_codes(report))
    assert sorted(places.values_list("name", flat=True)) == sorted(NAMES)
    assert PlaceVersion.objects.filter(place__in=places, changeset=changeset).count() == 4
    first = places.get(name=NAMES[0])
    assert set(first.names.filter(kind="alias").values_list("name", flat=True)) == {"湾子", "东湾子"}
    assert first.names.get(kind="standard").name == NAMES[0]
    assert places.get(name=NAMES[1]).meaning == "在西山岗下"
    assert all(p.registered_by == admin and p.unit.code == "231084" for p in places)
    assert counts()[3] == before[3] + 1  # exactly one changeset


def test_reimport_by_code_updates_without_creating(tmp_path, admin):
    place = make_place(NAMES[0], shapely.Point(NINGAN[0]), meaning="旧含义")
    other = make_place(NAMES[1], shapely.Point(NINGAN[1]))
    path = write_csv(
        tmp_path / "update.csv",
        ["code", "name", "meaning", "alias", "version"],
        [[place.code, NAMES[0], "新含义", "东湾子", "7"], [other.code, NAMES[1], "", "", ""]],
    )
    before = counts()

    report = import_places(path, user=admin, reason="corrections")

    assert report.committed, report.as_dict()
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    assert counts()[0] == before[0]
    place.refresh_from_db()
    assert place.meaning == "新含义" and place.names.filter(kind="alias", name="东湾子").exists()
    assert place.geom.equals(to_geos(shapely.Point(NINGAN[0])))  # fields absent from the file stay
    update = next(r for r in report.records if r["action"] == "update")
    assert (update["from_version"], update["to_version"]) == (1, place.version) and place.version > 1
    assert PlaceVersion.objects.filter(place=place, changeset_id=report.changeset).exists()
    assert any(w.field == "version" and "version 7" in w.message for w in report.warnings)
    assert other.versions.count() == 1


def test_reimport_cannot_rename(tmp_path, admin):
    place = make_place(NAMES[0], shapely.Point(NINGAN[0]))
    path = write_csv(tmp_path / "rename.csv", ["code", "name"], [[place.code, "新名屯"]])
    report = dry_run(path, admin)
    assert problems(report, "name") and "naming application" in problems(report, "name")[0][2]


def test_officer_cannot_update_a_record_of_another_county(tmp_path, officer):
    place = make_place(NAMES[0], shapely.Point(HAILIN))
    path = write_csv(tmp_path / "update.csv", ["code", "name", "meaning"], [[place.code, NAMES[0], "改"]])
    report = dry_run(path, officer)
    assert [(row, field) for row, field, _ in problems(report)] == [(1, "county")]


# ---- export ------------------------------------------------------------------------------------------


@pytest.fixture
def exported_places():
    """Points, a line and a polygon in 宁安市, with names of every kind."""
    line = shapely.LineString([(129.44, 44.31), (129.46, 44.33), (129.49, 44.34)])
    polygon = shapely.Polygon([(129.44, 44.36), (129.47, 44.36), (129.47, 44.38), (129.44, 44.38)])
    places = [
        make_place("镜泊胡同", shapely.Point(NINGAN[0]), category="08100", history="清代形成"),
        make_place(
            "老营盘",
            shapely.Point(NINGAN[1]),
            category="10300",
            elevation_m=312.5,
            survey_method="measured",
            valid_from=dt.date(1985, 5, 1),
        ),
        make_place("牡丹路", line, category="08100", meaning="以牡丹江得名"),
        make_place("渤海遗址区", polygon, category="10300"),
    ]
    place_service.add_name(places[0], "镜泊巷", "alias")
    place_service.add_name(places[1], "老营", "former")
    return Place.objects.filter(pk__in=[p.pk for p in places])


def exported_geometries(content: bytes, fmt: str, tmp_path: Path) -> dict[str, shapely.Geometry]:
    """code -> geometry in the storage CRS, read straight from an exported file."""
    if fmt == "geojson":
        return {f["properties"]["code"]: shapely.geometry.shape(f["geometry"]) for f in json.loads(content)["features"]}
    if fmt == "csv":
        return {r["code"]: shapely.from_wkt(r["wkt"]) for r in csv_rows(content)}
    folder = tmp_path / f"read-{fmt}"
    folder.mkdir()
    if fmt == "shp":
        zipfile.ZipFile(io.BytesIO(content)).extractall(folder)
        paths = sorted(folder.glob("*.shp"))
    else:
        (folder / "x.gpkg").write_bytes(content)
        paths = [folder / "x.gpkg"]
    found = {}
    for p in paths:
        for layer in pyogrio.list_layers(p)[:, 0]:
            meta, _, geometries, fields = pyogrio.raw.read(p, layer=layer)
            codes = fields[list(meta["fields"]).index("code")]
            found.update(zip(codes, shapely.from_wkb(geometries), strict=True))
    return found


@pytest.mark.parametrize(("fmt", "crs"), [("csv", WGS84), ("geojson", None), ("shp", None), ("gpkg", None)])
def test_export_round_trip(tmp_path, admin, exported_places, fmt, crs):
    content, _, filename = export_places(exported_places, fmt)
    path = tmp_path / filename
    path.write_bytes(content)

    report = dry_run(path, admin, crs=crs)

    assert report.ok, report.as_dict()["errors"]
    assert report.rows_read == 4
    assert {r["action"] for r in report.records} == {"unchanged"}
    by_code = {p.code: p for p in exported_places}
    assert {r["code"]: r["name"] for r in report.records} == {c: p.name for c, p in by_code.items()}
    for code, geometry in exported_geometries(content, fmt, tmp_path).items():
        stored = from_geos(by_code[code].geom)
        assert shapely.normalize(geometry).equals_exact(shapely.normalize(stored), 1e-9), (fmt, code)
    assert not [w for w in report.warnings if w.field == "file"]  # every exported column is understood


def test_export_round_trip_census(tmp_path, admin, exported_places):
    content, _, filename = export_places(exported_places, "census")
    report = dry_run(_saved(tmp_path, filename, content), admin)
    assert report.ok, report.as_dict()
    assert {r["action"] for r in report.records} == {"unchanged"}
    assert sorted(r["name"] for r in report.records) == sorted(exported_places.values_list("name", flat=True))


def _saved(folder: Path, name: str, content: bytes) -> Path:
    (folder / name).write_bytes(content)
    return folder / name


def test_census_headers_and_values(exported_places):
    content, content_type, _ = export_places(exported_places, "census")
    assert content.startswith(b"\xef\xbb\xbf") and content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == HEADERS
    for header in (
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
        "历史沿革",
        "地理实体描述",
        "资料来源及出处",
        "登记时间",
        "登记人",
        "登记单位",
    ):
        assert header in rows[0]
    place = exported_places.get(name="老营盘")
    row = dict(zip(rows[0], next(r for r in rows[1:] if r[1] == "老营盘"), strict=True))
    assert row["地名代码"] == place.code
    assert row["罗马字母拼写"] == place.romanization and row["曾用名"] == "老营"
    assert row["类别名称"] == "文物古迹"
    assert row["所在(跨)行政区"] == "牡丹江市宁安市"
    assert row["东经范围"] == dms(NINGAN[1][0]) == "129°27′00.00″"
    assert row["北纬范围"] == dms(NINGAN[1][1]) == "44°19′48.00″"
    assert row["坐标系"] == "2000国家大地坐标系" and row["测量方法"] == "实测" and row["高程"] == "312.5"
    assert row["使用时间"] == "现今地名" and row["设立年份"] == "1985" and row["废止年份"] == ""
    assert row["合成数据"] == "false" and row["数据许可"]
    polygon = dict(zip(rows[0], next(r for r in rows[1:] if r[1] == "渤海遗址区"), strict=True))
    assert polygon["东经范围"] == f"{dms(129.44)}至{dms(129.47)}"


def test_shapefile_export_layout(exported_places):
    content, content_type, filename = export_places(exported_places, "shp")
    assert content_type == "application/zip" and filename.endswith(".zip")
    zipped = zipfile.ZipFile(io.BytesIO(content))
    names = set(zipped.namelist())
    for layer in ("places_points", "places_lines", "places_polygons"):
        assert {f"{layer}.{ext}" for ext in ("shp", "shx", "dbf", "prj", "cpg")} <= names
        assert zipped.read(f"{layer}.cpg").decode().strip() == "UTF-8"
        assert "China_Geodetic_Coordinate_System_2000" in zipped.read(f"{layer}.prj").decode()
    assert "FIELDS.txt" in names and "roman = romanization" in zipped.read("FIELDS.txt").decode()
    assert all(len(short) <= 10 for short in SHAPEFILE_NAMES.values())
    assert all(len(SHAPEFILE_NAMES.get(f, f)) <= 10 for f in EXPORT_FIELDS)


def test_geopackage_export_is_cgcs2000(tmp_path, exported_places):
    content, _, filename = export_places(exported_places, "gpkg")
    path = _saved(tmp_path, filename, content)
    infos = [pyogrio.read_info(path, layer=layer) for layer in pyogrio.list_layers(path)[:, 0]]
    assert {info["crs"] for info in infos} == {STORAGE} and sum(info["features"] for info in infos) == 4


# ---- exports: long cells, typed GeoPackage fields, geometry types per layer ----------------------------


def gpkg_layers(path: Path) -> dict[str, str | None]:
    return dict(pyogrio.list_layers(path).tolist())


def test_geopackage_declares_a_geometry_type_per_layer_and_types_its_fields(tmp_path, exported_places):
    import fiona

    fiona_types = {"version": "int32", "elevation_m": "float", "is_public": "bool", "synthetic": "bool"}
    fiona_types |= dict.fromkeys(("named_on", "valid_from", "valid_to"), "date")
    elsewhere = make_place("无界屯", shapely.Point(NINGAN[2]))
    Place.objects.filter(pk=elsewhere.pk).update(geom=None)  # a record without geometry
    places = Place.objects.filter(pk__in=[*exported_places.values_list("pk", flat=True), elsewhere.pk])
    content, _, filename = export_places(places, "gpkg")
    path = _saved(tmp_path, filename, content)

    assert gpkg_layers(path) == {
        "places_points": "Point",
        "places_lines": "LineString",
        "places_polygons": "Polygon",
        "places_no_geometry": None,
    }
    by_code = {}
    for layer in gpkg_layers(path):
        with fiona.open(path, layer=layer) as collection:
            schema = collection.schema["properties"]
            assert {name: schema[name] for name in fiona_types} == fiona_types, layer
            assert {schema[name] for name in ("code", "name", "category", "unit", "status")} == {"str"}
            by_code |= {f.properties["code"]: (layer, dict(f.properties)) for f in collection}
    old = by_code[places.get(name="老营盘").code][1]
    assert (old["elevation_m"], old["valid_from"], old["valid_to"], old["named_on"]) == (
        312.5,
        "1985-05-01",
        None,
        None,
    )
    assert old["is_public"] is True and old["synthetic"] is False and old["version"] == 1
    assert old["code"] == places.get(name="老营盘").code  # 20 digits kept as text, not a number
    assert by_code[places.get(name="牡丹路").code][1]["elevation_m"] is None
    assert by_code[elsewhere.code][0] == "places_no_geometry"
    assert {layer for layer, _ in by_code.values()} == set(gpkg_layers(path))


def test_geopackage_mixed_single_and_multi_points_declare_multipoint(tmp_path):
    single = make_place("单点屯", shapely.Point(NINGAN[0]))
    multi = make_place("多点屯", shapely.MultiPoint([NINGAN[1], NINGAN[2]]))
    content, _, filename = export_places(Place.objects.filter(pk__in=[single.pk, multi.pk]), "gpkg")
    path = _saved(tmp_path, filename, content)
    assert gpkg_layers(path) == {"places_points": "MultiPoint"}
    _, _, geometries, _ = pyogrio.raw.read(path, layer="places_points")
    assert {g.geom_type for g in shapely.from_wkb(geometries)} == {"MultiPoint"}  # the single one promoted


def county_record() -> Place:
    """The record of 宁安市 from the base data: its polygon is the county's outline."""
    return Place.objects.get(admin_unit__code="231084")


def test_csv_cells_fit_a_spreadsheet_and_a_county_polygon_is_left_to_the_other_formats(tmp_path):
    county = county_record()
    village = make_place("镜泊屯", shapely.Point(NINGAN[0]))
    places = Place.objects.filter(pk__in=[county.pk, village.pk])
    stored = from_geos(county.geom)
    assert stored.geom_type == "MultiPolygon" and len(shapely.to_wkt(stored)) > CELL_LIMIT  # the rule's case

    content, _, _ = export_places(places, "csv")
    header, *lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header[-5:] == ["lon", "lat", "geometry_type", "wkt", "not_in_csv"]
    assert max(cell_length(cell) for line in lines for cell in line) <= CELL_LIMIT == 32_767
    rows = {r["code"]: r for r in csv_rows(content)}
    row = rows[county.code]
    assert (row["wkt"], row["not_in_csv"], row["geometry_type"]) == ("", "wkt", "MultiPolygon")
    inside = shapely.Point(float(row["lon"]), float(row["lat"]))
    features = {f["properties"]["code"]: f for f in json.loads(export_places(places, "geojson")[0])["features"]}
    full = shapely.geometry.shape(features[county.code]["geometry"])
    assert full.geom_type == "MultiPolygon" and full.contains(inside)  # found by code, whole, in the GeoJSON
    assert rows[village.code]["wkt"].startswith("POINT") and rows[village.code]["not_in_csv"] == ""
    gpkg = _saved(tmp_path, "places.gpkg", export_places(places, "gpkg")[0])
    assert exported_geometries(gpkg.read_bytes(), "gpkg", tmp_path)[county.code].equals(stored)


def test_a_csv_with_a_polygon_left_out_reimports_without_touching_the_polygon(tmp_path, admin):
    county = county_record()
    content, _, filename = export_places(Place.objects.filter(pk=county.pk), "csv")
    report = dry_run(_saved(tmp_path, filename, content), admin, crs=WGS84)
    assert report.ok, report.as_dict()["errors"]
    assert [r["action"] for r in report.records] == ["unchanged"]  # not replaced by the lon/lat point
    assert any(w.field == "geometry" and "not_in_csv" in w.message for w in report.warnings)


def test_a_text_too_long_for_a_cell_is_left_out_whole_and_named(tmp_path, admin):
    place = make_place("长文屯", shapely.Point(NINGAN[0]))
    history = "𠀀" * 20_000  # 20,000 characters, 40,000 as a spreadsheet counts them
    Place.objects.filter(pk=place.pk).update(history=history, meaning="以泉得名")
    places = Place.objects.filter(pk=place.pk)

    row = csv_rows(export_places(places, "csv")[0])[0]
    assert (row["history"], row["not_in_csv"], row["meaning"]) == ("", "history", "以泉得名")
    assert row["wkt"].startswith("POINT")
    assert json.loads(export_places(places, "geojson")[0])["features"][0]["properties"]["history"] == history
    census = next(csv.DictReader(io.StringIO(export_places(places, "census")[0].decode("utf-8-sig"))))
    assert (census["历史沿革"], census["未收录（超长）"], census["地名含义"]) == ("", "历史沿革", "以泉得名")

    content, _, filename = export_places(places, "csv")
    report = dry_run(_saved(tmp_path, filename, content), admin, crs=WGS84)
    assert report.ok and [r["action"] for r in report.records] == ["unchanged"]
    assert any(w.field == "history" and "too long" in w.message for w in report.warnings)


def test_licence_attribution_and_synthetic_columns(admin, settings):
    source = DataSource.objects.create(
        key="io-test-osm", title="OSM test", licence="ODbL", attribution="© OpenStreetMap contributors", vintage="2024"
    )
    own = make_place("自采屯", shapely.Point(NINGAN[0]), synthetic=True)
    osm = make_place("外来屯", shapely.Point(NINGAN[1]), source=source)
    content, _, _ = export_places(Place.objects.filter(pk__in=[own.pk, osm.pk]), "csv")
    rows = {r["code"]: r for r in csv_rows(content)}
    assert (rows[osm.code]["licence"], rows[osm.code]["attribution"]) == ("ODbL", "© OpenStreetMap contributors")
    assert rows[own.code]["licence"] and rows[own.code]["attribution"] == settings.GAZETTEER_PUBLISHER
    assert (rows[own.code]["synthetic"], rows[osm.code]["synthetic"]) == ("true", "false")
    features = json.loads(export_places(Place.objects.filter(pk=own.pk), "geojson")[0])["features"]
    assert features[0]["properties"]["synthetic"] is True


def test_unlicensed_geometry_is_withheld_when_asked():
    closed = DataSource.objects.create(
        key="io-test-amap", title="Amap", licence="none", open_licence=False, vintage="?"
    )
    place = make_place("封闭屯", shapely.Point(NINGAN[0]), source=closed)
    features = json.loads(
        export_places(Place.objects.filter(pk=place.pk), "geojson", include_unlicensed_geometry=False)[0]
    )["features"]
    assert features[0]["geometry"] is None and features[0]["properties"]["name"] == "封闭屯"


# ---- API ---------------------------------------------------------------------------------------------


def token_client(username, role, counties=()) -> Client:
    _, key = create_officer(username, role=role, counties=list(counties), with_token=True)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def upload(client, path: Path, **fields):
    with path.open("rb") as handle:
        return client.post("/api/v1/places/import", {"file": handle, **fields})


def test_api_import_dry_run_then_commit(tmp_path):
    client = token_client("io_api_admin", Role.ADMINISTRATOR)
    path = write_geojson(tmp_path / "p.geojson", point_features(NINGAN[:2], NAMES[:2]))
    before = counts()

    dry = upload(client, path)
    assert dry.status_code == 200, dry.content
    assert dry.json()["dry_run"] is True and dry.json()["counts"]["created"] == 2
    assert counts() == before

    committed = upload(client, path, dry_run="false", reason="API import")
    assert committed.status_code == 201, committed.content
    body = committed.json()
    assert body["committed"] is True and Changeset.objects.get(pk=body["changeset"]).reason == "API import"


def test_api_import_refusals(tmp_path, settings):
    path = write_geojson(tmp_path / "p.geojson", point_features([NINGAN[0], OUTSIDE], NAMES[:2]))
    assert upload(Client(), path).status_code == 401
    assert upload(token_client("io_api_approver", Role.APPROVER), path).status_code == 403
    client = token_client("io_api_officer", Role.OFFICER, ["231084"])
    refused = upload(client, path)
    assert refused.status_code == 400
    report = refused.json()["error"]["report"]
    assert report["errors"] == [{"row": 2, "field": "geometry", "message": "outside the territory (牡丹江市)"}]
    no_reason = upload(client, path, dry_run="false")
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    assert client.post("/api/v1/places/import", {}).status_code == 400
    settings.IMPORT_MAX_BYTES = 10
    assert upload(client, path).status_code == 413


def test_api_import_shapefile_parts_together(tmp_path):
    shp = write_layer(tmp_path / "villages.shp", point_features(), driver="ESRI Shapefile", crs=STORAGE, encoding="GBK")
    shp.with_suffix(".cpg").unlink()
    client = token_client("io_api_admin2", Role.ADMINISTRATOR)
    handles = [shp.with_suffix(ext).open("rb") for ext in (".shp", ".shx", ".dbf", ".prj")]
    try:
        response = client.post("/api/v1/places/import", {"file": handles})
    finally:
        for handle in handles:
            handle.close()
    assert response.status_code == 200, response.content
    assert response.json()["encoding"] == "GBK" and response.json()["counts"]["created"] == 4


def test_anonymous_export_has_no_non_public_records(client):
    public = make_place("公开屯", shapely.Point(NINGAN[0]))
    hidden = make_place("内部屯", shapely.Point(NINGAN[1]), public=False)
    anonymous = client.get("/api/v1/places/export", {"format": "csv"})
    assert anonymous.status_code == 200 and "attachment" in anonymous["Content-Disposition"]
    codes = {r["code"] for r in csv_rows(anonymous.content)}
    assert public.code in codes and hidden.code not in codes
    assert not Place.objects.filter(code__in=codes, is_public=False).exists()
    staff = token_client("io_api_reader", Role.APPROVER)
    geojson = staff.get("/api/v1/places/export", {"format": "geojson", "category": "10300", "unit": "231084"})
    staff_codes = {f["properties"]["code"] for f in geojson.json()["features"]}
    assert {public.code, hidden.code} <= staff_codes
    assert client.get("/api/v1/places/export", {"format": "xls"}).status_code == 400


# ---- management command --------------------------------------------------------------------------------


def test_command_dry_run_and_commit(tmp_path, admin):
    path = write_geojson(tmp_path / "p.geojson", point_features(NINGAN[:2], NAMES[:2]))
    before = counts()
    out = io.StringIO()
    call_command("import_places", str(path), "--user", admin.username, stdout=out)
    assert "dry run" in out.getvalue() and "created: 2" in out.getvalue() and "would create: row 1" in out.getvalue()
    assert counts() == before
    out = io.StringIO()
    call_command("import_places", str(path), "--user", admin.username, "--reason", "命令导入", "--commit", stdout=out)
    assert "committed" in out.getvalue()
    assert Place.objects.filter(name__in=NAMES[:2]).count() == 2


def test_command_refusal_is_an_error(tmp_path, admin):
    path = write_csv(tmp_path / "p.csv", ["name", "lon", "lat"], [[NAMES[0], *NINGAN[0]]])
    with pytest.raises(CommandError):
        call_command("import_places", str(path), "--user", admin.username, stdout=io.StringIO())
