"""The bureau's township file (boundaries.services.township_import): the real 海林市 (231083) polygon cut
into four pieces named by four of its real townships, written as a GBK shapefile with .cpg and zipped;
each case changes one thing."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
from django.core.management import call_command
from django.core.management.base import CommandError
from shapely.ops import split

from boundaries.models import AdminUnit, AdminUnitVersion, BoundaryLine
from boundaries.services import topology
from boundaries.services.township_import import ImportRefused, import_townships
from core.geometry import from_geos
from core.metric import to_metric, transform
from core.models import Changeset
from core.srid import STORAGE_SRID

pytestmark = pytest.mark.django_db

HAILIN = "231083"
CODES = ["231083100", "231083101", "231083102", "231083103"]  # 海林镇, 长汀镇, 横道河子镇, 山市镇
REASON = "民政局乡镇界线成果入库"
GK_CM129 = 4552  # CGCS2000 / 3-degree Gauss-Kruger CM 129E


def county() -> AdminUnit:
    return AdminUnit.objects.current().get(code=HAILIN)


def quarters(outline: shapely.Geometry, shift: float = 0.0) -> list[shapely.Geometry]:
    """The polygon cut into four by a north-south and an east-west line through its centroid (moved
    east by ``shift`` degrees), in the order SW, NW, SE, NE."""
    polygon = max(shapely.get_parts(outline), key=lambda p: p.area)
    middle = polygon.centroid
    x0, y0, x1, y1 = polygon.bounds
    cx = middle.x + shift
    cut = shapely.MultiLineString([[(cx, y0 - 1), (cx, y1 + 1)], [(x0 - 1, middle.y), (x1 + 1, middle.y)]])
    found: dict[tuple, list] = {}
    for part in shapely.get_parts(split(polygon, cut)):
        point = part.representative_point()
        found.setdefault((point.x > cx, point.y > middle.y), []).append(part)
    return [shapely.union_all(found[key]) for key in sorted(found)]


def names() -> list[str]:
    return [AdminUnit.objects.get(code=code).name for code in CODES]


def write_zip(folder: Path, pieces, codes=CODES, *, srid: int = STORAGE_SRID, prj: bool = True) -> Path:
    """A shapefile (CODE, NAME in GBK, a .cpg saying so) zipped."""
    folder.mkdir(parents=True, exist_ok=True)
    shp = folder / "乡镇.shp"
    labels = [AdminUnit.objects.filter(code=c).values_list("name", flat=True).first() or "无名" for c in codes]
    shapes = [transform(p, STORAGE_SRID, srid) if srid != STORAGE_SRID else p for p in pieces]
    wkb = np.array([shapely.to_wkb(shapely.MultiPolygon(list(shapely.get_parts(g)))) for g in shapes], dtype=object)
    fields = [np.array(list(codes), dtype=object), np.array(labels, dtype=object)]
    pyogrio.raw.write(
        shp, wkb, fields, ["CODE", "NAME"], driver="ESRI Shapefile", crs=f"EPSG:{srid}", encoding="GBK",
        geometry_type="MultiPolygon",
    )  # fmt: skip
    assert shp.with_suffix(".cpg").read_text().strip().upper() == "GBK"
    if not prj:
        shp.with_suffix(".prj").unlink()
    archive = folder / "townships.zip"
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(folder.glob("乡镇.*")):
            out.write(part, part.name)
    return archive


@pytest.fixture
def pieces():
    return quarters(from_geos(county().geom))


def township_lines():
    return BoundaryLine.objects.filter(level=BoundaryLine.Level.TOWNSHIP, code__startswith=HAILIN)


def test_a_good_file_tiles_and_imports(tmp_path, pieces):
    report = import_townships(county(), write_zip(tmp_path, pieces), reason=REASON, dry_run=False)
    assert report.ok and report.applied, report.as_dict()["findings"]
    assert report.encoding == "gbk" and not [f for f in report.findings if f.kind == "name_differs"]
    assert {f.kind for f in report.findings} == {"missing"}  # the other townships, listed, not blocking
    stored = {u.code: u for u in AdminUnit.objects.filter(code__in=CODES)}
    assert all(u.geom is not None and topology.keeps_outline(u) for u in stored.values())
    union = shapely.union_all([from_geos(u.geom) for u in stored.values()])
    assert to_metric(shapely.symmetric_difference(union, from_geos(county().geom))).area < 1.0
    assert report.figures["union_departure_m2"] < 1.0
    lines = {line.code: line for line in township_lines().prefetch_related("party_rows")}
    # SW-NW, SW-SE, NW-NE, SE-NE share a stretch; the diagonal pairs only a point.
    assert set(lines) == {
        f"{CODES[0]}-{CODES[1]}",
        f"{CODES[0]}-{CODES[2]}",
        f"{CODES[1]}-{CODES[3]}",
        f"{CODES[2]}-{CODES[3]}",
    }
    line = lines[f"{CODES[0]}-{CODES[1]}"]
    assert [p["code"] for p in line.parties] == CODES[:2] and line.length_km > 1
    assert line.valid_from == dt.date.today()
    changesets = {v.changeset_id for v in AdminUnitVersion.objects.filter(unit__code__in=CODES, geom__isnull=False)}
    assert changesets == {report.changeset}
    assert Changeset.objects.get(pk=report.changeset).reason == REASON


def test_a_dry_run_writes_nothing(tmp_path, pieces):
    before = (Changeset.objects.count(), AdminUnitVersion.objects.count(), BoundaryLine.objects.count())
    report = import_townships(county(), write_zip(tmp_path, pieces))
    assert report.ok and not report.applied and len(report.lines) == 4
    assert all(line["change"] == "created" for line in report.lines)
    assert (Changeset.objects.count(), AdminUnitVersion.objects.count(), BoundaryLine.objects.count()) == before
    assert not AdminUnit.objects.filter(code__in=CODES, geom__isnull=False).exists()


def test_a_gap_is_found_where_it_is(tmp_path, pieces):
    hole_at = pieces[0].representative_point()
    holed = [pieces[0].difference(hole_at.buffer(0.01)), *pieces[1:]]
    report = import_townships(county(), write_zip(tmp_path, holed), reason=REASON, dry_run=False)
    gaps = [f for f in report.findings if f.kind == "gap"]
    assert not report.ok and not report.applied and len(gaps) == 1 and gaps[0].blocking
    assert abs(gaps[0].where[0] - hole_at.x) < 0.01 and abs(gaps[0].where[1] - hole_at.y) < 0.01
    assert "gap" in gaps[0].message
    assert not AdminUnit.objects.filter(code__in=CODES, geom__isnull=False).exists()


def test_an_overlap_is_found_and_named(tmp_path, pieces):
    shared = shapely.intersection(pieces[0].boundary, pieces[1].boundary)
    middle = shapely.line_interpolate_point(shapely.line_merge(shared), 0.5, normalized=True)
    grown = [pieces[0].union(middle.buffer(0.01).intersection(pieces[1])), *pieces[1:]]
    report = import_townships(county(), write_zip(tmp_path, grown))
    overlaps = [f for f in report.findings if f.kind == "overlap"]
    assert not report.ok and overlaps and overlaps[0].blocking
    assert CODES[0] in overlaps[0].message and CODES[1] in overlaps[0].message
    assert middle.distance(shapely.Point(overlaps[0].where)) < 0.02


def test_slivers_along_the_outline_are_snapped_to_it(tmp_path, pieces):
    """Township edges a few metres off the county outline (a file of another lineage) are snapped."""
    rough = [shapely.simplify(p, 0.00003) for p in pieces]  # about 3 m
    report = import_townships(county(), write_zip(tmp_path, rough), reason=REASON, dry_run=False)
    assert report.ok, [f.message for f in report.findings if f.blocking]
    figures = report.figures
    assert figures["snapped_gap_m2"] + figures["snapped_outside_m2"] > 0
    union = shapely.union_all([from_geos(u.geom) for u in AdminUnit.objects.filter(code__in=CODES)])
    departure = to_metric(shapely.symmetric_difference(union, from_geos(county().geom))).area
    assert departure < 10.0 and abs(departure - figures["union_departure_m2"]) < 0.5  # of 8,700 km²


def test_unknown_and_foreign_codes_are_listed_with_their_rows(tmp_path, pieces):
    codes = [CODES[0], "231083999", "231084100", CODES[0]]
    report = import_townships(county(), write_zip(tmp_path, pieces, codes))
    by_kind = {f.kind: f for f in report.findings}
    assert by_kind["unknown_code"].row == 2 and by_kind["unknown_code"].blocking
    assert by_kind["outside_county"].row == 3 and "海林市" in by_kind["outside_county"].message
    assert by_kind["duplicate"].row == 4 and "row 1" in by_kind["duplicate"].message
    assert not report.ok


def test_a_shapefile_without_prj_is_refused(tmp_path, pieces):
    with pytest.raises(ImportRefused, match=r"no \.prj"):
        import_townships(county(), write_zip(tmp_path, pieces, prj=False))


def test_a_file_in_a_gauss_kruger_zone_is_reprojected(tmp_path, pieces):
    report = import_townships(county(), write_zip(tmp_path, pieces, srid=GK_CM129), reason=REASON, dry_run=False)
    assert report.ok and report.applied and "4552" in report.crs
    for code, piece in zip(CODES, pieces, strict=True):
        stored = from_geos(AdminUnit.objects.get(code=code).geom)
        assert to_metric(shapely.symmetric_difference(stored, piece)).area < 0.001 * to_metric(piece).area


def test_a_file_in_the_wrong_place_is_refused_by_its_crs(tmp_path, pieces):
    """Lon/lat numbers written as if they were metres of a Gauss-Kruger zone land near the equator."""
    archive = write_zip(tmp_path, pieces)
    prj = tmp_path / "乡镇.prj"
    prj.write_text(pyogrio_prj(GK_CM129))
    with zipfile.ZipFile(archive, "w") as out:
        for part in sorted(tmp_path.glob("乡镇.*")):
            out.write(part, part.name)
    report = import_townships(county(), archive)
    assert not report.ok and report.findings[-1].kind == "wrong_place" and "4552" in report.findings[-1].message


def pyogrio_prj(srid: int) -> str:
    from pyproj import CRS

    return CRS.from_epsg(srid).to_wkt("WKT1_ESRI")


def test_a_second_import_is_a_dated_change(tmp_path, pieces):
    first = import_townships(county(), write_zip(tmp_path / "a", pieces), reason=REASON, dry_run=False)
    moved = quarters(from_geos(county().geom), shift=0.02)
    later = dt.date.today() + dt.timedelta(days=1)
    second = import_townships(
        county(), write_zip(tmp_path / "b", moved), reason="界线调整", dry_run=False, effective=later
    )
    assert first.applied and second.applied and first.changeset != second.changeset
    unit = AdminUnit.objects.get(code=CODES[0])
    versions = list(AdminUnitVersion.objects.filter(unit=unit).order_by("version"))
    assert [v.changeset_id for v in versions[-2:]] == [first.changeset, second.changeset]
    assert not versions[-2].geom.equals(versions[-1].geom)  # the first polygon is kept in the history
    line = township_lines().get(code=f"{CODES[0]}-{CODES[1]}")
    assert line.version == 2 and [v.changeset_id for v in line.versions.order_by("version")] == [
        first.changeset,
        second.changeset,
    ]
    assert {c["change"] for c in second.lines} == {"updated"}


def test_an_imported_township_is_not_edited_by_hand(tmp_path, pieces, accounts):
    import_townships(county(), write_zip(tmp_path, pieces), reason=REASON, dry_run=False)
    unit = AdminUnit.objects.get(code=CODES[0])
    edit = {"kind": "unit", "key": unit.code, "version": unit.version, "changes": {"geometry": {
        "type": "Polygon", "coordinates": [[[129.3, 44.5], [129.4, 44.5], [129.4, 44.6], [129.3, 44.5]]]}}}  # fmt: skip
    reply = accounts["administrator"].post("/api/v1/changesets", {"reason": "手工修改", "edits": [edit]})
    assert reply.status_code == 400 and "import" in reply.json()["error"]["message"]


def test_the_api_answers_the_report_to_the_county_s_officers(tmp_path, pieces, accounts):
    archive = write_zip(tmp_path, pieces)
    url = f"/api/v1/units/{HAILIN}/townships/import"

    def send(who, **fields):
        api = accounts[who]
        with archive.open("rb") as handle:
            return api.client.post(url, {"file": handle, **fields}, **api.headers)

    assert send("officer_ningan").status_code == 403
    dry = send("officer_hailin")
    assert dry.status_code == 200 and dry.json()["ok"] and not dry.json()["applied"]
    assert send("officer_hailin", dry_run="false").status_code == 400  # no reason
    done = send("officer_hailin", dry_run="false", reason=REASON)
    assert done.status_code == 201 and done.json()["applied"] and len(done.json()["lines"]) == 4


def test_the_command_runs_dry_and_applies(tmp_path, pieces, capsys):
    archive = write_zip(tmp_path, pieces)
    call_command("import_townships", HAILIN, str(archive))
    assert "dry run" in capsys.readouterr().out
    assert not AdminUnit.objects.filter(code__in=CODES, geom__isnull=False).exists()
    with pytest.raises(CommandError, match="reason"):
        call_command("import_townships", HAILIN, str(archive), "--apply")
    call_command("import_townships", HAILIN, str(archive), "--apply", "--reason", REASON, "--code-field", "CODE")
    assert AdminUnit.objects.filter(code__in=CODES, geom__isnull=False).count() == 4
