"""GeoNames points: parsed from both dumps, matched to the units they stand for, settlements otherwise."""

import json
import lzma

import pytest

from boundaries.importers.cnmaps import import_cnmaps_units
from boundaries.importers.mca import import_mca_townships
from boundaries.models import AdminUnit, AdminUnitVersion, ImportConflict
from core.imports import ImportRefused, run_import
from core.models import ImportRun
from gazetteer.importers.geonames import (
    GeoNamesPoint,
    import_geonames,
    is_simplified,
    parse_cities500,
    parse_cities1000,
    proper_part,
    settlement_name,
)
from gazetteer.models import Place
from tests.builders import MCA_DIVISIONS

pytestmark = pytest.mark.django_db

# 甲县 is the west half (129.50-129.60E), 乙区 the east half (129.60-129.70E), 44.50-44.70N, WGS84.
IN_JIA = (129.55, 44.65)
IN_YI = (129.65, 44.60)
OUTSIDE = (130.20, 44.60)


def point(*names: str, feature_code: str = "", gid: str = "1") -> GeoNamesPoint:
    return GeoNamesPoint(gid, "X", 129.5, 44.5, feature_code, names)


def cities1000_row(gid, name, lonlat, alternates=(), feature_code="PPL", country="CN") -> str:
    lon, lat = lonlat
    cols = [
        str(gid),
        name,
        name,
        ",".join(alternates),
        f"{lat}",
        f"{lon}",
        "P",
        feature_code,
        country,
        "",
        "08",
        "",
        "",
        "",
        "1500",
        "",
        "250",
        "Asia/Harbin",
        "2023-01-01",
    ]
    assert len(cols) == 19
    return "\t".join(cols)


def cities1000_file(rows: list[str]) -> bytes:
    return lzma.compress(("\n".join(rows) + "\n").encode("utf-8"))


def cities500_file(records: list[dict]) -> bytes:
    return json.dumps({str(r["geonameid"]): r for r in records}, ensure_ascii=False).encode()


def cities500_record(gid, name, lonlat, alternates=(), country="CN") -> dict:
    lon, lat = lonlat
    return {
        "geonameid": gid,
        "name": name,
        "latitude": lat,
        "longitude": lon,
        "countrycode": country,
        "population": 800,
        "timezone": "Asia/Harbin",
        "admin1code": "08",
        "alternatenames": list(alternates),
    }


# ---- names


@pytest.mark.parametrize(
    ("name", "proper"),
    [
        ("宁安市", "宁安"),
        ("石河乡", "石河"),
        ("阳明区", "阳明"),
        ("林口县", "林口"),
        ("福禄朝鲜族满族乡", "福禄"),
        ("海南朝鲜族乡", "海南"),
        ("新安朝鲜族镇", "新安"),
        ("东京城林业局", "东京城"),
        ("新安街道办事处", "新安"),
        ("桦林橡胶厂街道", "桦林橡胶厂"),
        ("一镇", "一镇"),  # a one-character proper part is too short to stand alone
        ("渤海", "渤海"),
    ],
)
def test_proper_part_strips_one_administrative_generic(name, proper):
    assert proper_part(name) == proper


@pytest.mark.parametrize(("name", "simplified"), [("绥芬河", True), ("綏芬河", False), ("寧安", False), ("宁安", True)])
def test_is_simplified(name, simplified):
    assert is_simplified(name) is simplified


@pytest.mark.parametrize(
    ("names", "chosen"),
    [
        (("石河乡", "石河"), "石河"),
        (("綏芬河", "绥芬河市", "绥芬河"), "绥芬河"),
        (("綏芬河", "绥芬河市"), "绥芬河市"),  # simplified beats plain
        (("綏芬河",), "綏芬河"),  # nothing simplified: the traditional form rather than nothing
        (("石河乡",), "石河乡"),
        ((), None),
    ],
)
def test_settlement_name_prefers_simplified_names_without_a_generic(names, chosen):
    assert settlement_name(point(*names)) == chosen


# ---- parsers


def test_parse_cities1000_reads_chinese_points_and_their_chinese_names():
    raw = cities1000_file(
        [
            cities1000_row(
                2035513, "Ning’an", (129.4708, 44.3411), ["Ning’an", "宁安", "宁安市", "寧安", "宁安"], "PPLA3"
            ),
            cities1000_row(2038000, "Vladivostok", (131.9, 43.1), ["符拉迪沃斯托克"], "PPLA", "RU"),
            "2038001\tBroken\tline",
        ]
    )
    points = parse_cities1000(raw)
    assert points == [GeoNamesPoint("2035513", "Ning’an", 129.4708, 44.3411, "PPLA3", ("宁安", "宁安市", "寧安"))]


def test_parse_cities500_reads_the_json_records():
    raw = cities500_file(
        [
            cities500_record(2033000, "Wenchun", (129.52, 44.58), ["Wenchun", " 温春 ", "温春镇"]),
            cities500_record(2033001, "Nowhere", (129.6, 44.6), ()) | {"alternatenames": None},
            cities500_record(2033002, "Tumen", (129.8, 42.9), ["图们"], country="KP"),
        ]
    )
    points = sorted(parse_cities500(raw), key=lambda p: p.geonameid)
    assert points == [
        GeoNamesPoint("2033000", "Wenchun", 129.52, 44.58, "", ("温春", "温春镇")),
        GeoNamesPoint("2033001", "Nowhere", 129.6, 44.6, "", ()),
    ]


# ---- the import

# 双河镇 has a two-character proper part, so a point named only 双河 can match it.
MCA_WITH_SHUANGHE = [*MCA_DIVISIONS, [4, "990002100", "990002", "双河镇"]]

POINTS = [
    cities1000_row(101, "Jiaxian", IN_JIA, ["Jiaxian", "甲县"], "PPLA3"),
    cities1000_row(102, "Yizhen", (129.55, 44.55), ["一镇"], "PPLA4"),
    cities1000_row(103, "Shuanghe", (129.66, 44.66), ["Shuanghe", "双河"], "PPL"),
    cities1000_row(104, "Shihe", (129.58, 44.62), ["石河乡", "石河"], "PPL"),
    cities1000_row(105, "Waidi", OUTSIDE, ["外地镇"], "PPL"),
    cities1000_row(106, "Nowhere", IN_YI, ["Nowhere"], "PPL"),
]


@pytest.fixture
def territory(sources, fixture_territory):
    run_import(sources.add_mca(divisions=MCA_WITH_SHUANGHE), import_mca_townships)
    sources.add_reference()
    run_import(sources.add_polygons(), import_cnmaps_units)


def add_cities1000(sources, rows=POINTS, key="fixture-cities1000"):
    return sources.add(key, {"cities1000.txt.xz": cities1000_file(rows)}, datum="WGS84")


@pytest.fixture
def report(sources, territory):
    return run_import(add_cities1000(sources), import_geonames)


def unit(code: str) -> AdminUnit:
    return AdminUnit.objects.current().get(code=code)


def test_county_point_becomes_the_seat_of_its_county(report):
    county = unit("990001")
    assert county.seat.coords == pytest.approx(IN_JIA)
    assert county.seat_source.key == "fixture-cities1000"
    assert "101 Jiaxian -> seat of 990001 甲县" in report.facts
    assert not Place.objects.filter(source_ref="101").exists()


def test_township_point_becomes_the_seat_of_its_township(report):
    assert unit("990001100").seat.coords == pytest.approx((129.55, 44.55))
    assert unit("990001").seat.coords != unit("990001100").seat.coords


def test_point_with_the_proper_part_only_matches_by_proper_part(report):
    assert unit("990002100").seat.coords == pytest.approx((129.66, 44.66))
    assert "103 Shuanghe -> seat of 990002100 双河镇" in report.facts
    assert not Place.objects.filter(source_ref="103").exists()


def test_units_without_a_point_get_no_seat(report):
    assert unit("990000").seat is None
    assert unit("990002").seat is None
    assert unit("990001200").seat is None
    assert report.counts["updated unit seats"] == 3


def test_point_naming_no_unit_becomes_a_settlement(report):
    place = Place.objects.get(source__key="fixture-cities1000", source_ref="104")
    assert place.name == "石河"
    assert place.category.code == "07000"
    assert place.unit == unit("990001")
    assert place.geom.coords == pytest.approx((129.58, 44.62))
    assert len(place.code) == 20 and place.code.isdigit()
    assert place.code.startswith("990001" + "000" + "07000")
    assert place.versions.count() == 1
    assert report.counts["created settlements"] == 1


def test_point_outside_the_territory_is_ignored(report):
    assert not Place.objects.filter(source_ref="105").exists()
    assert not any(text.startswith("105 ") for text in report.facts + report.warnings)
    assert report.counts["checked points inside the territory"] == 5


def test_point_without_a_chinese_name_is_a_warning(report):
    assert report.warnings == ["106 Nowhere: no Chinese name; not loaded"]
    assert not Place.objects.filter(source_ref="106").exists()


@pytest.mark.parametrize(("feature_code", "seat_of"), [("PPLA3", "990001"), ("PPLA4", "990001100"), ("", "990001")])
def test_feature_code_decides_between_tiers_else_the_higher_tier_wins(sources, territory, feature_code, seat_of):
    # The point names both the county and one of its townships.
    rows = [cities1000_row(201, "Both", IN_JIA, ["一镇", "甲县"], feature_code)]
    run_import(add_cities1000(sources, rows), import_geonames)
    seated = AdminUnit.objects.filter(code__startswith="9900", seat__isnull=False)
    assert list(seated.values_list("code", flat=True)) == [seat_of]


def test_exact_name_beats_proper_part_without_a_feature_code(sources, territory):
    # 一镇 names the township exactly; 测试 is only the proper part of the city 测试市 (a higher tier).
    rows = [cities1000_row(202, "Ceshi", IN_JIA, ["测试", "一镇"], "")]
    run_import(add_cities1000(sources, rows), import_geonames)
    assert unit("990001100").seat is not None
    assert unit("990000").seat is None


def test_rerun_changes_nothing(sources, report):
    places, versions = Place.objects.count(), AdminUnitVersion.objects.count()
    again = run_import(add_cities1000(sources), import_geonames)
    assert (Place.objects.count(), AdminUnitVersion.objects.count()) == (places, versions)
    assert again.counts["unchanged unit seats"] == 3
    assert again.counts["unchanged settlements"] == 1
    assert ImportRun.objects.filter(source__key="fixture-cities1000").first().status == ImportRun.Status.UNCHANGED


def test_cities500_skips_points_already_in_cities1000(sources, territory):
    sources.add("geonames-cities1000", {"cities1000.txt.xz": cities1000_file([POINTS[3]])})
    cities500 = sources.add(
        "geonames-cities500",
        {
            "cities500.json": cities500_file(
                [
                    cities500_record(104, "Shihe", (129.58, 44.62), ["石河乡", "石河"]),
                    cities500_record(301, "Wenchun", (129.68, 44.52), ["温春镇", "温春"]),
                ]
            )
        },
    )
    report = run_import(cities500, import_geonames)
    assert report.counts["checked points inside the territory"] == 1
    assert not Place.objects.filter(source_ref="104").exists()
    place = Place.objects.get(source__key="geonames-cities500", source_ref="301")
    assert (place.name, place.unit.code) == ("温春", "990002")
    assert place.code.startswith("99000200007000")


def test_refused_without_polygons(sources, fixture_territory):
    run_import(sources.add_mca(), import_mca_townships)
    with pytest.raises(ImportRefused, match="load the unit polygons first"):
        run_import(add_cities1000(sources), import_geonames)


def test_a_second_point_for_the_same_unit_keeps_the_first_seat_and_warns(sources, territory):
    rows = [
        cities1000_row(301, "Yizhen", (129.55, 44.55), ["一镇"], "PPLA4"),
        cities1000_row(302, "Yizhen2", (129.56, 44.56), ["一镇"], "PPLA4"),
    ]
    report = run_import(add_cities1000(sources, rows), import_geonames)
    assert unit("990001100").seat.coords == pytest.approx((129.55, 44.55))
    assert any("302 Yizhen2 also names 990001100" in w for w in report.warnings)
    assert not ImportConflict.objects.filter(unit__code="990001100").exists()
