"""The bureau's road file again: its own road ids (道路编码) match the roads a first import made, so a
second import of the same file updates them instead of making new records; an id is one road's, in a
file and in the register; the export carries each road's class, route number and the bureau's id, and
reads back without change."""

from __future__ import annotations

import csv
import io

import pytest

from gazetteer.models import Place, Road
from gazetteer.services.place_io import export_places, import_places
from tests.test_road_import import DECISION, ROADS, dongan_officer, road_lines

pytestmark = pytest.mark.django_db
IDS = {name: f"MDJ-DA-{index:04d}" for index, (name, *_rest) in enumerate(ROADS, start=1)}


def read(path, **options):
    return import_places(path, crs="EPSG:4490", **options)


def bureau_csv(path, rows, *, classes=None) -> str:
    """The bureau's file as CSV: its ids, names, classes, route numbers and lines (no place codes)."""
    lines = road_lines()
    classes = classes or {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["道路编码", "标准名称", "道路等级", "路线编号", "wkt", "批准机关", "批准文号", "批准日期"])
    for name, cell, ref, _ends, _expected in rows:
        writer.writerow([IDS[name], name, classes.get(name, cell or ""), ref or "", lines[name].wkt, *DECISION])
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def test_a_second_import_of_the_bureau_s_file_updates_its_roads(tmp_path):
    officer = dongan_officer()
    first = read(bureau_csv(tmp_path / "a.csv", ROADS), user=officer, reason="道路数据入库")
    assert first.committed, [p.as_dict() for p in first.errors]
    assert {r["name"]: r["bureau_id"] for r in first.records} == IDS
    made = {road.place.name: road for road in Road.objects.select_related("place").filter(bureau_id__in=IDS.values())}
    assert {name: road.bureau_id for name, road in made.items()} == IDS

    again = read(
        bureau_csv(tmp_path / "b.csv", ROADS, classes={"光华巷": "城市道路"}), user=officer, reason="道路数据更新"
    )
    assert again.committed, [p.as_dict() for p in again.errors]
    actions = {r["name"]: (r["action"], r["code"]) for r in again.records}
    assert actions["光华巷"] == ("update", made["光华巷"].place.code)
    assert {action for name, (action, _) in actions.items() if name != "光华巷"} == {"unchanged"}
    assert Place.objects.filter(name__in=IDS).count() == len(IDS)  # no second record of any road
    assert Road.objects.get(bureau_id=IDS["光华巷"]).road_class == "urban"


def test_an_id_is_one_road_s_in_the_file_and_in_the_register(tmp_path):
    officer = dongan_officer()
    path = bureau_csv(tmp_path / "a.csv", ROADS[:2])
    text = path.read_text(encoding="utf-8").replace(IDS[ROADS[1][0]], IDS[ROADS[0][0]])
    path.write_text(text, encoding="utf-8")
    twice = read(path, user=officer, reason="重复编码")
    assert not twice.committed and not Road.objects.filter(bureau_id__startswith="MDJ-DA").exists()
    assert any(p.field == "bureau_id" and "row 1" in p.message for p in twice.errors), [
        p.as_dict() for p in twice.errors
    ]

    read(bureau_csv(tmp_path / "b.csv", ROADS), user=officer, reason="道路数据入库")
    other = Place.objects.get(name="太平路")
    clash = tmp_path / "c.csv"
    clash.write_text(f"code,name,道路编码\n{other.code},太平路,{IDS['光华巷']}\n", encoding="utf-8")
    refused = read(clash, user=officer, reason="编码冲突")
    assert not refused.committed
    lane = Place.objects.get(name="光华巷")
    assert [p.field for p in refused.errors] == ["bureau_id"] and lane.code in refused.errors[0].message


def test_the_export_carries_the_road_record_and_reads_back_unchanged(tmp_path):
    officer = dongan_officer()
    read(bureau_csv(tmp_path / "a.csv", ROADS), user=officer, reason="道路数据入库")
    content, _, _ = export_places(Place.objects.filter(name__in=IDS), "csv")
    rows = {row["name"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}
    assert rows["鹤大高速公路"]["road_class"] == "expressway" and rows["鹤大高速公路"]["route_ref"] == "G11"
    assert rows["光华巷"]["bureau_id"] == IDS["光华巷"] and rows["光华巷"]["route_ref"] == ""
    back = tmp_path / "export.csv"
    back.write_bytes(content)
    report = read(back, user=officer, reason="导出文件回读")
    assert report.committed, [p.as_dict() for p in report.errors]
    assert {r["action"] for r in report.records} == {"unchanged"}
