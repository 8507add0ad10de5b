"""The statistics bureau's townships and villages, crosswalked to the civil-affairs townships."""

import pytest

from boundaries.importers.mca import import_mca_townships
from boundaries.importers.nbs import import_nbs_villages
from boundaries.models import AdminUnit, AdminUnitVersion, UnitCode, UnitName
from core.imports import ImportRefused, run_import
from core.models import ImportRun
from tests.builders import MCA_DIVISIONS

pytestmark = pytest.mark.django_db

# The MCA list with one more township that the NBS list lacks (like 水泥街道 231005007). The
# source key is the real one: the importer reports MCA-only townships of that source only.
MCA_KEY = "mca-townships"
MCA_WITH_EXTRA = [*MCA_DIVISIONS, [4, "990002007", "990002", "四街道"]]

STREETS = [
    ("990001100", "一镇", "990001"),  # same code, same name
    ("990001200", "二道乡", "990001"),  # same code, other name (like 横道河子镇/横道镇)
    ("990002003", "三街道", "990002"),  # same name, other code (like 东兴街道 231002005/231002008)
    ("990001400", "甲林业局", "990001"),  # NBS only (a forestry bureau)
    ("110101001", "东华门街道", "110101"),  # outside the territory
]

VILLAGES = [
    ("990001100001", "一社区居委会", "990001100"),
    ("990001100101", "二社区居委会", "990001100"),
    ("990001100201", "一村委会", "990001100"),
    ("990001100301", "二村委会", "990001100"),
    ("990001100401", "虚拟社区", "990001100"),
    ("990001100501", "一生活区", "990001100"),
    ("990001200201", "二道村委会", "990001200"),
    ("990002003001", "三社区居委会", "990002003"),
    ("990001400501", "林场生活区", "990001400"),
    ("990001400201", "林场村委会", "990001400"),
    ("990002099001", "无主社区", "990002099"),  # its township is in no list
    ("110101001001", "多福巷社区居委会", "110101001"),  # outside the territory
]


def csv_bytes(header: list[str], rows: list[tuple]) -> bytes:
    lines = [",".join(header)] + [",".join(f'"{v}"' if i == 1 else v for i, v in enumerate(row)) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def streets_csv(rows=STREETS, header=("code", "name", "areaCode", "provinceCode", "cityCode")) -> bytes:
    return csv_bytes(list(header), [(code, name, area, code[:2], code[:4]) for code, name, area in rows])


def villages_csv(rows=VILLAGES, header=("code", "name", "streetCode", "provinceCode", "cityCode")) -> bytes:
    return csv_bytes(list(header), [(code, name, street, code[:2], code[:4]) for code, name, street in rows])


def add_nbs(sources, streets=None, villages=None):
    return sources.add(
        "fixture-nbs",
        {"streets.csv": streets or streets_csv(), "villages.csv": villages or villages_csv()},
    )


@pytest.fixture
def mca_loaded(sources, fixture_territory):
    run_import(sources.add_mca(key=MCA_KEY, divisions=MCA_WITH_EXTRA), import_mca_townships)


@pytest.fixture
def nbs_report(sources, mca_loaded):
    return run_import(add_nbs(sources), import_nbs_villages)


def unit(code: str) -> AdminUnit:
    return AdminUnit.objects.current().get(code=code)


def test_township_matched_by_code_and_name_gets_no_extra_rows(nbs_report):
    town = unit("990001100")
    assert town.name == "一镇"
    assert town.source.key == MCA_KEY
    assert not town.names.exists()
    assert not town.codes.exists()
    assert not any("990001100" in fact for fact in nbs_report.facts)


def test_same_code_other_name_becomes_a_statistical_name(nbs_report):
    township = unit("990001200")
    assert township.name == "二乡"  # the MCA name stays the standard name
    row = township.names.get()
    assert (row.name, row.kind, row.source.key) == ("二道乡", UnitName.Kind.STATISTICAL, "fixture-nbs")
    assert "'二道乡'" in row.note and "'二乡'" in row.note and "990001200" in row.note
    assert row.note in nbs_report.facts
    assert not township.codes.exists()


def test_same_name_other_code_becomes_a_statistical_code_that_finds_the_unit(nbs_report):
    township = unit("990002001")
    row = township.codes.get()
    assert (row.code, row.kind, row.source.key) == ("990002003", UnitCode.Kind.STATISTICAL, "fixture-nbs")
    assert "990002003" in row.note and "990002001" in row.note
    assert row.note in nbs_report.facts
    assert not township.names.exists()
    assert not AdminUnit.objects.filter(code="990002003").exists()  # no second unit for the NBS code
    assert list(AdminUnit.objects.by_any_code("990002003")) == [township]
    assert list(AdminUnit.objects.by_any_code("990002001")) == [township]


def test_nbs_only_township_becomes_a_statistical_unit_with_its_villages(nbs_report):
    bureau = unit("990001400")
    assert (bureau.name, bureau.level, bureau.tier) == ("甲林业局", "statistical", 3)
    assert bureau.parent.code == "990001"
    assert bureau.source.key == "fixture-nbs"
    assert bureau.versions.count() == 1
    assert sorted(bureau.children.values_list("code", flat=True)) == ["990001400201", "990001400501"]
    assert any(f.startswith("990001400 甲林业局: in the NBS 2023 list only") for f in nbs_report.facts)
    assert nbs_report.counts["created township-tier statistical units"] == 1


def test_mca_only_township_is_reported_as_a_fact(nbs_report):
    mca_only = [f for f in nbs_report.facts if "in the MCA list only" in f]
    assert mca_only == ["990002007 四街道: in the MCA list only (no NBS code, no villages listed)"]
    assert not unit("990002007").children.exists()


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("990001100001", "community"),
        ("990001100101", "community"),
        ("990001100201", "village"),
        ("990001100301", "village"),
        ("990001100401", "community"),
        ("990001100501", "statistical"),
        ("990001400501", "statistical"),
        ("990001400201", "village"),
    ],
)
def test_village_level_follows_digit_ten_of_the_code(nbs_report, code, level):
    village = unit(code)
    assert (village.level, village.tier) == (level, 4)


def test_villages_of_crosswalked_townships_attach_to_the_mca_unit(nbs_report):
    assert unit("990002003001").parent == unit("990002001")  # NBS township 990002003 = MCA 990002001
    assert unit("990001200201").parent == unit("990001200")  # same code, other name
    assert sorted(unit("990001100").children.values_list("code", flat=True)) == [
        "990001100001",
        "990001100101",
        "990001100201",
        "990001100301",
        "990001100401",
        "990001100501",
    ]
    assert unit("990002003001").name == "三社区居委会"
    assert unit("990002003001").source.key == "fixture-nbs"


def test_rows_outside_the_territory_are_ignored_and_orphans_skipped_with_a_warning(nbs_report):
    assert not AdminUnit.objects.filter(code__in=["110101001", "110101001001"]).exists()
    assert not AdminUnit.objects.filter(code="990002099001").exists()
    assert nbs_report.warnings == [
        "990002099001 无主社区: its township 990002099 is not in the list; skipped",
    ]
    assert nbs_report.counts["created village-tier units"] == len(VILLAGES) - 2


def test_rerun_creates_nothing_new(sources, nbs_report):
    units = AdminUnit.objects.count()
    versions = AdminUnitVersion.objects.count()
    names, codes = UnitName.objects.count(), UnitCode.objects.count()

    again = run_import(add_nbs(sources), import_nbs_villages)

    assert (AdminUnit.objects.count(), AdminUnitVersion.objects.count()) == (units, versions)
    assert (UnitName.objects.count(), UnitCode.objects.count()) == (names, codes)
    assert not [what for what in again.counts if what.startswith("created")]
    assert again.counts["unchanged village-tier units"] == len(VILLAGES) - 2
    assert ImportRun.objects.filter(source__key="fixture-nbs").first().status == ImportRun.Status.UNCHANGED


@pytest.mark.parametrize(
    ("files", "column"),
    [
        ({"streets": streets_csv(header=("code", "name", "countyCode", "provinceCode", "cityCode"))}, "areaCode"),
        ({"villages": villages_csv(header=("code", "name", "townCode", "provinceCode", "cityCode"))}, "streetCode"),
        ({"villages": villages_csv(header=("code", "label", "streetCode", "provinceCode", "cityCode"))}, "name"),
    ],
)
def test_csv_missing_a_column_is_refused_naming_it(sources, mca_loaded, files, column):
    with pytest.raises(ImportRefused, match=rf"lacks the columns {column}$"):
        run_import(add_nbs(sources, **files), import_nbs_villages)
    assert not AdminUnit.objects.filter(code__startswith="9900", tier=4).exists()
    assert not AdminUnit.objects.filter(code="990001400").exists()
    assert not UnitName.objects.filter(unit__code__startswith="9900").exists()
    assert ImportRun.objects.get(source__key="fixture-nbs").status == ImportRun.Status.FAILED


def test_refused_before_the_civil_affairs_list_is_loaded(sources, fixture_territory):
    with pytest.raises(ImportRefused, match="load the civil-affairs list first"):
        run_import(add_nbs(sources), import_nbs_villages)
