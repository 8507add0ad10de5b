"""The division-change history: which events touch the territory, which are noise, and the former
codes and names that real events leave on today's units."""

import json

import pytest

from boundaries.importers.history import flag_noise, import_division_history, territory_events
from boundaries.importers.mca import import_mca_townships
from boundaries.models import AdminUnit, DivisionChange, UnitCode, UnitName
from core.imports import run_import
from core.models import ImportRun

pytestmark = pytest.mark.django_db

TERRITORY = "990000"


def side(code: str, name: str, parent: str | None = None) -> dict:
    """One side of an event as the source gives it: codes 12-digit padded."""
    return {"code": code + "000000", "name": name, "parent_code": parent + "000000" if parent else None}


def record(year: int, kind: str, old: dict | None = None, new: dict | None = None, level: int = 3) -> dict:
    return {
        "year": year,
        "type": kind,
        "level": level,
        "old": old,
        "new": new,
        "old_path": [old["name"]] if old else None,
        "new_path": [new["name"]] if new else None,
        "source": "fixture diff",
        "doc_no": None,
        "curated": False,
    }


def flagged(records: list[dict]) -> dict[int, str]:
    """Index of each record -> its noise reason ("" when it is taken as fact)."""
    events = territory_events(records, TERRITORY)
    flag_noise(events)
    by_record = {id(e.record): e.noise for e in events}
    return {i: by_record[id(r)] for i, r in enumerate(records) if id(r) in by_record}


# ---- which events touch the territory


def test_territory_events_follow_the_former_prefecture_code():
    prefecture = record(1983, "撤地设市", side("992500", "测试地区"), side("990000", "测试市"), level=2)
    county = record(1983, "同名改码", side("992521", "甲县", "992500"), side("990021", "甲县", "990000"))
    old_only = record(1980, "撤销", side("992529", "旧县", "992500"))
    parent_only = record(1985, "划转", side("970002", "丁县", "990000"), side("970002", "丁县", "970000"))
    elsewhere = record(1990, "新设", None, side("110105", "朝阳区", "110000"))
    crosstalk = record(1990, "同名改码", side("120003", "丙县", "120000"), side("130003", "丙县", "130000"))
    records = [prefecture, county, old_only, parent_only, elsewhere, crosstalk]

    events = territory_events(records, TERRITORY)

    assert [e.record for e in events] == [prefecture, county, old_only, parent_only]
    first = events[1]
    assert (first.year, first.kind) == (1983, DivisionChange.Kind.RECODED)
    assert (first.old_code, first.old_parent, first.new_code, first.new_parent) == (
        "992521",
        "992500",
        "990021",
        "990000",
    )
    assert (events[2].new_code, events[2].new_name) == ("", "")
    # Without the event that turned 992500 into the territory, its old code prefix is not followed.
    assert [e.record for e in territory_events(records[1:], TERRITORY)] == [county, parent_only]


def test_unknown_source_word_becomes_other():
    events = territory_events([record(2001, "撤旗设区", side("990003", "丙旗"), side("990003", "丙区"))], TERRITORY)
    assert events[0].kind == DivisionChange.Kind.OTHER


# ---- noise rules


def test_code_reassignment_is_noise():
    reasons = flagged([record(1982, "码位改派", side("990021", "丙县", "990000"), side("990021", "甲县", "990000"))])
    assert reasons[0].startswith("码位改派")


def test_same_name_recode_across_provinces_is_noise_within_a_province_is_not():
    reasons = flagged(
        [
            record(1983, "同名改码", side("120002", "乙区", "120000"), side("990002", "乙区", "990000")),
            record(1983, "同名改码", side("992521", "甲县", "992500"), side("990021", "甲县", "990000")),
        ]
    )
    assert "across provinces" in reasons[0]
    assert reasons[1] == ""


def test_generic_name_recode_across_prefectures_is_noise_but_a_named_county_transfer_is_not():
    reasons = flagged(
        [
            record(1983, "同名改码", side("991011", "郊区", "991000"), side("990011", "郊区", "990000")),
            record(1983, "同名改码", side("991021", "丁县", "991000"), side("990031", "丁县", "990000")),
            record(1984, "同名改码", side("990011", "郊区", "990000"), side("990012", "郊区", "990000")),
        ]
    )
    assert reasons[0] == "the generic name 郊区 matched across prefectures: not the same unit"
    assert reasons[1] == ""  # a real transfer between prefectures
    assert reasons[2] == ""  # 郊区 renumbered within its prefecture


def test_abolition_whose_name_reappears_the_same_year_is_noise_and_so_is_the_establishment():
    reasons = flagged(
        [
            record(1984, "撤销", side("990005", "戊区", "990000")),
            record(1984, "新设", None, side("990006", "戊区", "990000")),
        ]
    )
    assert reasons[0] == "戊区 appears under another code in the 1984 table: recoded, not abolished"
    assert reasons[1] == "戊区 had another code in the 1984 table: recoded, not established"


def test_establishment_whose_name_had_another_code_the_same_year_is_noise():
    # The other code's event is a rename here, so only the establishment rule can flag it.
    reasons = flagged(
        [
            record(1984, "更名", side("990008", "己区", "990000"), side("990008", "庚区", "990000")),
            record(1984, "新设", None, side("990009", "己区", "990000")),
        ]
    )
    assert reasons[1] == "己区 had another code in the 1984 table: recoded, not established"
    assert reasons[0] == ""


def test_real_events_are_not_noise():
    reasons = flagged(
        [
            record(1983, "撤地设市", side("992500", "测试地区"), side("990000", "测试市"), level=2),
            # an abolition with a successor, although the name reappears (like 牡丹江市 232501 in 1983)
            record(1983, "撤销", side("992501", "测试市", "992500"), side("990000", "测试市")),
            record(1995, "撤县设市", side("990021", "甲县", "990000"), side("990081", "甲市", "990000")),
            record(1990, "更名", side("990002", "郊区", "990000"), side("990002", "乙区", "990000")),
            record(1997, "撤销", side("990011", "郊区", "990000")),  # the name does not reappear
            record(1990, "新设", None, side("990007", "戊区", "990000")),
            # abolished and re-established in different years: two real events
            record(1984, "撤销", side("990005", "庚区", "990000")),
            record(1986, "新设", None, side("990015", "庚区", "990000")),
        ]
    )
    assert len(reasons) == 8
    assert set(reasons.values()) == {""}


# ---- the import

# Today: 测试市 with the county-level city 甲市 (a county until 1995) and 乙区.
MCA_TODAY = [
    [2, "990000", "", "测试市"],
    [3, "990081", "990000", "甲市"],
    [3, "990002", "990000", "乙区"],
    [4, "990081100", "990081", "一镇"],
]

HISTORY = [
    record(1982, "码位改派", side("992521", "丙县", "992500"), side("992521", "甲县", "992500")),  # noise
    record(1983, "撤地设市", side("992500", "测试地区", "990000"), side("990000", "测试市"), level=2),
    record(1983, "同名改码", side("992521", "甲县", "992500"), side("990021", "甲县", "990000")),
    record(1995, "撤县设市", side("990021", "甲县", "990000"), side("990081", "甲市", "990000")),
    record(1983, "同名改码", side("120002", "乙区", "120000"), side("990002", "乙区", "990000")),  # noise
    record(1983, "同名改码", side("991002", "郊区", "991000"), side("990002", "郊区", "990000")),  # noise
    record(1984, "撤销", side("990005", "戊区", "990000")),  # noise
    record(1984, "新设", None, side("990006", "戊区", "990000")),  # noise
    record(1997, "撤销", side("990031", "己区", "990000")),
    record(1990, "新设", None, side("110105", "朝阳区", "110000")),  # not the territory
]
NOISY = {0, 4, 5, 6, 7}
STORED = len(HISTORY) - 1


def history_file(events=HISTORY) -> bytes:
    return json.dumps({"meta": {"version": "fixture"}, "events": events}, ensure_ascii=False).encode()


def add_history(sources, events=HISTORY):
    return sources.add("fixture-history", {"historical_changes_v1.json": history_file(events)})


@pytest.fixture
def history_report(sources, fixture_territory):
    run_import(sources.add_mca(divisions=MCA_TODAY), import_mca_townships)
    return run_import(add_history(sources), import_division_history)


def unit(code: str) -> AdminUnit:
    return AdminUnit.objects.current().get(code=code)


def change(index: int) -> DivisionChange:
    return DivisionChange.objects.get(source__key="fixture-history", source_record=HISTORY[index])


def test_every_territory_event_is_stored_with_its_noise_flag(history_report):
    stored = DivisionChange.objects.filter(source__key="fixture-history")
    assert stored.count() == STORED
    assert not stored.filter(new_code="110105").exists()
    assert {i for i in range(STORED) if change(i).is_noise} == NOISY
    assert all(change(i).noise_reason for i in NOISY)
    assert history_report.counts["created division-change events"] == STORED
    assert history_report.counts["checked events flagged as noise"] == len(NOISY)
    recode = change(2)
    assert (recode.kind, recode.old_code, recode.new_code, recode.old_parent_code) == (
        "recoded",
        "992521",
        "990021",
        "992500",
    )


def test_code_chains_are_followed_to_todays_unit(history_report):
    city = unit("990081")
    assert change(2).unit == city  # 992521 -> 990021 (1983) -> 990081 (1995)
    assert change(3).unit == city
    assert change(1).unit == unit("990000")
    assert change(8).unit is None  # abolished, nothing today


def test_former_codes_and_names_carry_the_year_of_their_last_event(history_report):
    city = unit("990081")
    codes = {c.code: c.note for c in city.codes.filter(kind=UnitCode.Kind.FORMER)}
    assert set(codes) == {"992521", "990021"}
    assert codes["992521"].startswith("until 1983 (同名改码")
    assert codes["990021"].startswith("until 1995 (撤县设市")
    names = {n.name: n.note for n in city.names.filter(kind=UnitName.Kind.FORMER)}
    assert set(names) == {"甲县"}
    assert names["甲县"].startswith("until 1995 (撤县设市")  # not 1983, when it was only recoded
    assert all(row.source.key == "fixture-history" for row in [*city.codes.all(), *city.names.all()])

    prefecture = unit("990000")
    assert list(prefecture.codes.values_list("code", "kind")) == [("992500", "former")]
    assert list(prefecture.names.values_list("name", "kind")) == [("测试地区", "former")]
    assert history_report.counts["created former codes"] == 3
    assert history_report.counts["created former names"] == 2


@pytest.mark.parametrize(("old_code", "today"), [("992521", "990081"), ("990021", "990081"), ("992500", "990000")])
def test_an_old_code_finds_todays_unit(history_report, old_code, today):
    assert list(AdminUnit.objects.by_any_code(old_code)) == [unit(today)]


def test_noisy_events_leave_no_former_rows(history_report):
    district = unit("990002")
    # Unflagged, the province crosstalk 120002 and the generic 郊区 would both become former rows.
    assert change(4).unit == district and change(5).unit == district
    assert not district.codes.exists()
    assert not district.names.exists()
    assert not UnitCode.objects.filter(code__in=["120002", "991002", "990005", "990006"]).exists()
    assert not AdminUnit.objects.by_any_code("120002").exists()
    assert not UnitName.objects.filter(name__in=["丙县", "戊区"]).exists()


def test_noisy_events_do_not_extend_code_chains(sources, fixture_territory):
    run_import(sources.add_mca(divisions=MCA_TODAY), import_mca_townships)
    rename = record(1980, "更名", side("990041", "辛县", "990000"), side("990041", "庚县", "990000"))
    reassigned = record(1982, "码位改派", side("990041", "庚县", "990000"), side("990002", "乙区", "990000"))
    run_import(add_history(sources, [rename, reassigned]), import_division_history)
    # Followed through the code reassignment, the 1980 rename would hang 辛县 and 990041 on 乙区.
    assert DivisionChange.objects.get(source_record=rename).unit is None
    district = unit("990002")
    assert not district.codes.exists()
    assert not district.names.exists()


def test_rerun_is_idempotent(sources, history_report):
    counts = (DivisionChange.objects.count(), UnitCode.objects.count(), UnitName.objects.count())
    again = run_import(add_history(sources), import_division_history)
    assert (DivisionChange.objects.count(), UnitCode.objects.count(), UnitName.objects.count()) == counts
    assert again.counts["unchanged division-change events"] == STORED
    assert again.counts["unchanged former codes"] == 3
    assert not [what for what in again.counts if what.startswith("created")]
    assert ImportRun.objects.filter(source__key="fixture-history").first().status == ImportRun.Status.UNCHANGED
