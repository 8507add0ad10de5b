"""Hostile uploads: files that are not what they say, files that name other files or URLs, names and
options that are not what they should be, and files made to exhaust the server. Each attack is
refused with a 4xx (or a row error), nothing of the secret comes back, and nothing is written.

GDAL is reached only through core/ogr.py (checked below); config/geoenv.py switches off the GDAL
drivers and network access such files would use (tests/test_geoenv.py checks that in a fresh process).
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import http.server
import io
import json
import logging
import threading
import zipfile
from pathlib import Path

import pytest
import shapely
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from core import ogr
from core.geometry import to_geos
from core.history import open_changeset
from core.models import Changeset
from gazetteer.models import Category, Place, PlaceName, PlaceVersion
from gazetteer.services import open_data, standing
from gazetteer.services import places as place_service
from gazetteer.services.place_io import Refusal, export_places, formulas, import_places, inputs, readers
from gazetteer.services.place_io import dataset as limits
from tests.builders import SECRET_MARKER, geopackage_with_virtual_ogr, secret_file, vrt_text

ROOT = Path(__file__).resolve().parent.parent
NOT_PROJECT_CODE = {".venv", "node_modules", "tests", "var", "staticfiles", ".git"}
STORAGE = "EPSG:4490"
NINGAN = [(129.47, 44.34), (129.45, 44.33), (129.48, 44.35)]
NAMES = ["东湾屯", "西岗屯", "南沟屯"]


# ---- helpers -------------------------------------------------------------------------------------------


def counts() -> tuple[int, ...]:
    return (
        Place.objects.count(),
        PlaceVersion.objects.count(),
        PlaceName.objects.count(),
        Changeset.objects.count(),
    )


@pytest.fixture
def admin(db):
    return create_officer("safety_admin", role=Role.ADMINISTRATOR)[0]


@pytest.fixture
def api(db) -> Client:
    _, key = create_officer("safety_api_admin", role=Role.ADMINISTRATOR, with_token=True)
    return Client(HTTP_AUTHORIZATION=f"Token {key}")


def post(client: Client, *paths: Path, **fields):
    handles = [path.open("rb") for path in paths]
    try:
        return client.post("/api/v1/places/import", {"file": handles, **fields})
    finally:
        for handle in handles:
            handle.close()


def refused_without(response, *secrets: str, status: int = 400) -> dict:
    """The response is a refusal and quotes none of ``secrets``; returns its report."""
    assert response.status_code == status, response.content
    body = response.content.decode("utf-8", errors="replace")
    for secret in secrets:
        assert secret not in body
    return response.json()["error"]["report"]


def csv_file(path: Path, header: list[str], rows: list[list], encoding: str = "utf-8") -> Path:
    lines = [",".join(header)] + [",".join(str(c) for c in row) for row in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def dry_run(path, user, **options):
    return import_places(path, user=user, reason="", dry_run=True, **options)


def messages(report) -> list[str]:
    return [p.message for p in report.errors]


class Recorder(http.server.BaseHTTPRequestHandler):
    seen: list[str]

    def do_GET(self):
        self.seen.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"name\n{SECRET_MARKER}\n".encode())

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A tiny HTTP server on 127.0.0.1 that records every request it gets."""
    seen: list[str] = []
    handler = type("Handler", (Recorder,), {"seen": seen})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


# ---- point 1: files that name other files or URLs ------------------------------------------------------


def test_vrt_renamed_geopackage_is_refused_before_gdal_sees_it(tmp_path, api):
    secret = secret_file(tmp_path)
    upload = tmp_path / "places.gpkg"
    upload.write_bytes(vrt_text(f"CSV:{secret}"))
    before = counts()

    report = refused_without(post(api, upload), SECRET_MARKER, str(secret))

    assert report["errors"] == [
        {
            "row": None,
            "field": "file",
            "message": "places.gpkg is not a GeoPackage (it does not start with the SQLite header)",
        }
    ]
    assert counts() == before


def test_vrt_with_sqlite_dialect_sql_is_refused(tmp_path, api):
    secret = secret_file(tmp_path)
    upload = tmp_path / "places.gpkg"
    upload.write_bytes(vrt_text(str(secret.parent), sql="SELECT name FROM secret"))
    before = counts()

    report = refused_without(post(api, upload, dry_run="true"), SECRET_MARKER)

    assert report["records"] == [] and report["refused"] == Refusal.UNREADABLE
    assert counts() == before


def test_vrt_sent_as_shapefile_with_dummy_parts_is_refused(tmp_path, api):
    secret = secret_file(tmp_path)
    folder = tmp_path / "upload"
    folder.mkdir()
    shp = folder / "places.shp"
    shp.write_bytes(vrt_text(f"CSV:{secret}"))
    (folder / "places.shx").write_bytes(b"x" * 100)
    (folder / "places.dbf").write_bytes(b"x" * 100)
    before = counts()

    report = refused_without(post(api, shp, folder / "places.shx", folder / "places.dbf"), SECRET_MARKER)

    assert report["errors"][0]["message"] == (
        "places.shp is not a shapefile (it does not start with the shapefile file code 9994)"
    )
    assert counts() == before


def test_vrt_shapefile_in_a_zip_is_refused(tmp_path, api):
    secret = secret_file(tmp_path)
    archive = tmp_path / "places.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("places.shp", vrt_text(f"CSV:{secret}"))
        zipped.writestr("places.shx", b"\x00" * 100)
        zipped.writestr("places.dbf", b"\x03" + b"\x00" * 99)
    report = refused_without(post(api, archive), SECRET_MARKER)
    assert "places.shp is not a shapefile" in report["errors"][0]["message"]


def test_vrt_pointing_at_a_url_sends_no_request(tmp_path, api, listener):
    url, seen = listener
    upload = tmp_path / "places.gpkg"
    upload.write_bytes(vrt_text(f"CSV:/vsicurl/{url}/secret.csv"))
    before = counts()

    refused_without(post(api, upload), SECRET_MARKER)

    assert seen == []
    assert counts() == before


def test_vrt_with_the_sqlite_header_still_reaches_only_the_geopackage_driver(tmp_path, admin, listener):
    """Past the magic-byte check, a file that starts like SQLite but is a VRT is no GeoPackage for
    the GPKG driver, and no other driver is asked."""
    url, seen = listener
    secret = secret_file(tmp_path)
    upload = tmp_path / "places.gpkg"
    upload.write_bytes(b"SQLite format 3\x00" + vrt_text(f"CSV:{secret}") + vrt_text(f"CSV:/vsicurl/{url}/x.csv"))

    report = dry_run(upload, admin)

    assert messages(report) == ["places.gpkg could not be read as a GeoPackage"]
    assert SECRET_MARKER not in json.dumps(report.as_dict(), ensure_ascii=False)
    assert seen == []


def test_geopackage_with_a_virtual_ogr_view_reads_nothing_outside(tmp_path, api, caplog):
    secret = secret_file(tmp_path)
    gpkg = geopackage_with_virtual_ogr(tmp_path / "places.gpkg", secret)
    before = counts()
    caplog.set_level(logging.WARNING)

    for layer in ("leak", "vt"):
        report = refused_without(post(api, gpkg, layer=layer), SECRET_MARKER)
        assert report["errors"][0]["message"] == f"places.gpkg (layer {layer}) could not be read as a GeoPackage"
    listed = post(api, gpkg, category="07200")  # the first layer is a real one; the others are only named
    assert listed.status_code == 200 and SECRET_MARKER not in listed.content.decode()
    assert counts() == before
    assert "VirtualOGR" in caplog.text  # GDAL's own words went to the log, not to the response


def test_gdal_error_text_goes_to_the_log_only(tmp_path, admin, caplog):
    upload = tmp_path / "places.gpkg"
    upload.write_bytes(b"SQLite format 3\x00" + f"{SECRET_MARKER} ".encode() * 200)
    caplog.set_level(logging.WARNING, logger="core.ogr")

    report = dry_run(upload, admin)

    assert messages(report) == ["places.gpkg could not be read as a GeoPackage"]
    assert "GDAL could not read" in caplog.text


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("places.gpkg", b"name\n\xe4\xb8\x9c\n", "is not a GeoPackage (it does not start with the SQLite header)"),
        ("places.shp", b"\x00\x00'\x0b" + b"\x00" * 96, "is not a shapefile (it does not start with"),
        ("places.zip", b"name,wkt\n", "is not a zip archive (it does not start with a zip signature)"),
    ],
)
def test_refusals_say_what_the_file_is_not(tmp_path, admin, name, content, expected):
    upload = tmp_path / name
    upload.write_bytes(content)
    if upload.suffix == ".shp":
        for part in (".shx", ".dbf"):
            upload.with_suffix(part).write_bytes(b"\x00" * 100)
    report = dry_run(upload, admin)
    assert report.refused == Refusal.UNREADABLE and expected in messages(report)[0]


def test_shapefile_parts_are_checked_each_by_its_header(tmp_path, admin):
    shp = tmp_path / "v.shp"
    shp.write_bytes(b"\x00\x00\x27\x0a" + b"\x00" * 24 + (1000).to_bytes(4, "little") + b"\x00" * 68)
    shp.with_suffix(".shx").write_bytes(shp.read_bytes())
    shp.with_suffix(".dbf").write_bytes(b"<OGRVRTDataSource>" + b" " * 100)
    assert messages(dry_run(shp, admin)) == ["v.dbf is not a dBase table (its first byte is no dBase version)"]
    shp.with_suffix(".shx").write_bytes(b"<OGRVRTDataSource>" + b" " * 100)
    assert "v.shx is not a shapefile index (.shx)" in messages(dry_run(shp, admin))[0]


def test_the_door_takes_only_plain_local_paths(tmp_path):
    gpkg = geopackage_with_virtual_ogr(tmp_path / "ok.gpkg", secret_file(tmp_path))
    assert ogr.layer_names(gpkg, ogr.GEOPACKAGE)[0] == "base"
    for path in (
        Path("/vsicurl/http://127.0.0.1:9/x.gpkg"),
        Path("relative.gpkg"),
        Path(f"/vsizip/{tmp_path}/a.zip/x.gpkg"),
        tmp_path,
    ):
        with pytest.raises(ogr.UnreadableFile, match="is not a local file"):
            ogr.layer_names(path, ogr.GEOPACKAGE)


GDAL_OPENERS = {
    "pyogrio": {"read", "read_dataframe", "read_arrow", "open_arrow", "read_info", "list_layers", "read_bounds"},
    "pyogrio.raw": {"read", "read_arrow", "open_arrow"},
    "fiona": {"open", "listlayers", "Collection"},
    "fiona.collection": {"Collection"},
    "django.contrib.gis.gdal": {"DataSource", "GDALRaster"},
    "django.contrib.gis.gdal.datasource": {"DataSource"},
    "django.contrib.gis.gdal.raster.source": {"GDALRaster"},
    "django.contrib.gis.utils": {"LayerMapping"},
}


def _gdal_openers_used(tree: ast.AST) -> list[str]:
    """Dotted names of GDAL file openers that a module refers to, through any import alias."""
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for name in node.names:
                aliases[(name.asname or name.name).split(".")[0]] = (
                    name.name if name.asname else name.name.split(".")[0]
                )
        elif isinstance(node, ast.ImportFrom) and node.module:
            for name in node.names:
                aliases[name.asname or name.name] = f"{node.module}.{name.name}"
    found = []
    for node in ast.walk(tree):
        parts = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in aliases:
            continue
        dotted = ".".join([aliases[node.id], *reversed(parts)])
        module, _, name = dotted.rpartition(".")
        if name in GDAL_OPENERS.get(module, ()) or (dotted.startswith("osgeo.") or dotted == "osgeo"):
            found.append(dotted)
    return found


def _project_modules():
    yield from ROOT.glob("*.py")
    for top in ROOT.iterdir():
        if top.is_dir() and top.name not in NOT_PROJECT_CODE:
            yield from top.rglob("*.py")


def test_no_module_but_the_door_opens_files_with_gdal():
    offenders = {}
    for path in _project_modules():
        relative = path.relative_to(ROOT)
        if relative == Path("core/ogr.py"):
            continue
        used = _gdal_openers_used(ast.parse(path.read_text(encoding="utf-8")))
        if used:
            offenders[str(relative)] = used
    assert offenders == {}
    assert "fiona.open" in _gdal_openers_used(ast.parse((ROOT / "core" / "ogr.py").read_text()))  # the check works
    assert _gdal_openers_used(ast.parse("import pyogrio.raw as r\nr.read(p)")) == ["pyogrio.raw.read"]
    assert _gdal_openers_used(ast.parse("from django.contrib.gis.gdal import DataSource as D\nD(p)")) == [
        "django.contrib.gis.gdal.DataSource"
    ]


# ---- point 4: sizes checked while reading --------------------------------------------------------------


def test_a_name_cell_over_the_geometry_limit_refuses_the_file_quickly(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(readers, "MAX_GEOMETRY_CHARS", 50_000)
    path = csv_file(tmp_path / "big.csv", ["name", "category", "lon", "lat"], [["东" * 60_000, "07200", *NINGAN[0]]])

    report = dry_run(path, admin, crs=STORAGE)

    assert report.refused == Refusal.UNREADABLE
    assert messages(report) == [
        "big.csv line 2: malformed CSV (a cell is longer than 50,000 characters, the limit even for a geometry)"
    ]


def test_a_long_text_cell_is_a_row_error_and_is_dropped(tmp_path, admin):
    path = csv_file(
        tmp_path / "long.csv",
        ["name", "category", "lon", "lat", "meaning"],
        [["东" * 30_000, "07200", *NINGAN[0], "x"], [NAMES[1], "07200", *NINGAN[1], "义" * 20_001]],
    )

    report = dry_run(path, admin, crs=STORAGE)

    assert [(p.row, p.field, p.message) for p in report.errors] == [
        (1, "name", "the cell holds 30,000 characters, more than 20,000"),
        (2, "meaning", "the cell holds 20,001 characters, more than 20,000"),
    ]
    assert report.created == 0


def test_a_geometry_column_may_hold_a_long_wkt(tmp_path, admin):
    ring = shapely.Point(NINGAN[0]).buffer(0.01, quad_segs=2_000)
    wkt = ring.wkt
    assert len(wkt) > limits.MAX_CELL_CHARS
    path = csv_file(tmp_path / "area.csv", ["name", "category", "geometry"], [[NAMES[0], "10300", f'"{wkt}"']])
    report = dry_run(path, admin, crs=STORAGE)
    assert report.ok, report.as_dict()["errors"]
    renamed = csv_file(tmp_path / "area2.csv", ["name", "category", "shape"], [[NAMES[0], "10300", f'"{wkt}"']])
    assert dry_run(renamed, admin, crs=STORAGE, field_map={"wkt": "shape"}).ok


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("东" * 101, "longer than 100 characters"),
        ("东湾<script>屯", "'<'"),
        ("东湾:屯", "':'"),
        ("东湾/屯", "'/'"),
        ("东\u200d湾屯", "U+200D"),
        ("东\u200f湾屯", "U+200F"),
    ],
)
def test_names_are_checked_before_anything_romanizes_them(tmp_path, admin, monkeypatch, name, problem):
    def never(*args, **kwargs):
        raise AssertionError("romanized a name that should have been refused")

    monkeypatch.setattr(place_service, "computed_romanization", never)
    path = csv_file(
        tmp_path / "names.csv",
        ["name", "alias", "category", "lon", "lat"],
        [[name, "", "07200", *NINGAN[0]], [NAMES[1], f"湾子;{name}", "07200", *NINGAN[1]]],
    )

    report = dry_run(path, admin, crs=STORAGE)

    assert [(p.row, p.field) for p in report.errors] == [(1, "name"), (2, "alias")]
    assert all(problem in p.message for p in report.errors)


def test_row_limit(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(limits, "MAX_ROWS", 2)
    path = csv_file(
        tmp_path / "many.csv",
        ["name", "category", "lon", "lat"],
        [[n, "07200", *p] for n, p in zip(NAMES, NINGAN, strict=True)],
    )
    report = dry_run(path, admin, crs=STORAGE)
    assert report.refused == Refusal.TOO_LARGE and "more than 2 records" in messages(report)[0]
    gpkg = geopackage_with_virtual_ogr(tmp_path / "g.gpkg", secret_file(tmp_path))
    monkeypatch.setattr(limits, "MAX_ROWS", 0)
    assert dry_run(gpkg, admin).refused == Refusal.TOO_LARGE


def test_column_limit(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(limits, "MAX_COLUMNS", 3)
    path = csv_file(tmp_path / "wide.csv", ["name", "category", "lon", "lat"], [[NAMES[0], "07200", *NINGAN[0]]])
    assert messages(dry_run(path, admin, crs=STORAGE)) == ["wide.csv has 4 columns, more than the limit of 3"]


def test_rows_keep_only_the_columns_an_import_reads(tmp_path):
    header = ["name", "category", "lon", "lat"] + [f"extra{i}" for i in range(50)]
    path = csv_file(tmp_path / "wide.csv", header, [[NAMES[0], "07200", *NINGAN[0]] + ["x" * 100] * 50])
    found = readers.read_csv(path, None, wanted=lambda columns: {"name", "lon"})
    assert found.columns == header
    assert found.rows[0].values == {"name": NAMES[0], "lon": str(NINGAN[0][0])}


def test_a_report_lists_a_bounded_number_of_problems(tmp_path, admin, monkeypatch):
    from gazetteer.services.place_io import report as report_module

    monkeypatch.setattr(report_module, "MAX_LISTED", 2)
    path = csv_file(tmp_path / "bad.csv", ["name", "category"], [[n, "99999"] for n in NAMES])
    report = dry_run(path, admin).as_dict()
    assert report["counts"]["errors"] == 6  # each row: unknown category, no geometry
    assert [p["message"] for p in report["errors"]][-1] == "4 more errors are not listed" and len(report["errors"]) == 3


def test_csv_is_streamed_not_read_whole(tmp_path, admin, monkeypatch):
    path = csv_file(
        tmp_path / "gbk.csv", ["name", "category", "lon", "lat"], [[NAMES[0], "07200", *NINGAN[0]]], encoding="gbk"
    )

    def whole(*args, **kwargs):
        raise AssertionError("read the whole file")

    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)
    report = dry_run(path, admin, crs=STORAGE)
    assert report.ok and report.encoding == "GBK"


def test_declared_encoding_that_does_not_fit_names_the_byte(tmp_path, admin):
    path = csv_file(tmp_path / "gbk.csv", ["name", "category"], [[NAMES[0], "07200"]], encoding="gbk")
    report = dry_run(path, admin, encoding="UTF-8")
    assert report.refused == Refusal.UNREADABLE and report.errors[0].field == "encoding"
    assert messages(report)[0].startswith("gbk.csv: the file is not UTF-8: invalid start byte at byte 14")


def test_utf8_with_bom_and_gb18030_are_read(tmp_path, admin):
    path = tmp_path / "bom.csv"
    path.write_bytes(b"\xef\xbb\xbfname,category,lon,lat\n" + f"{NAMES[0]},07200,129.47,44.34\n".encode())
    assert dry_run(path, admin, crs=STORAGE).encoding == "UTF-8"
    rare = "䶮"  # in GB18030, not in GBK
    gb = csv_file(tmp_path / "gb.csv", ["name", "category"], [[f"{rare}屯", "07200"]], "gb18030")
    assert dry_run(gb, admin).encoding == "GB18030"


# ---- point 5: options and names that answered 500 ------------------------------------------------------


@pytest.mark.parametrize("encoding", ["rot13", "hex", "zlib", "base64", "undefined", "unicode_escape", "nonsense"])
def test_encodings_that_are_not_text_encodings_are_refused(tmp_path, api, encoding):
    path = csv_file(tmp_path / "p.csv", ["name", "category"], [[NAMES[0], "07200"]])
    report = refused_without(post(api, path, encoding=encoding))
    assert report["refused"] == Refusal.UNREADABLE and report["errors"][0]["field"] == "encoding"
    assert "UTF-8, GBK, GB18030" in report["errors"][0]["message"]


def test_cpg_naming_no_text_encoding_is_refused(tmp_path, admin):
    import numpy as np
    import pyogrio.raw

    shp = tmp_path / "v.shp"
    point = np.array([shapely.to_wkb(shapely.Point(NINGAN[0]))], dtype=object)
    pyogrio.raw.write(
        shp,
        point,
        [np.array([NAMES[0]], dtype=object)],
        ["name"],
        driver="ESRI Shapefile",
        crs=STORAGE,
        geometry_type="Point",
    )
    shp.with_suffix(".cpg").write_text("rot13")
    report = dry_run(shp, admin)
    assert report.errors[0].field == "encoding" and "is not a text encoding" in messages(report)[0]


class Upload(io.BytesIO):
    """An uploaded file as the service sees it, with a name no web server has cleaned."""

    def __init__(self, name: str, content: bytes):
        super().__init__(content)
        self.name = name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("东" * 85 + ".csv", "is longer than 255 bytes"),
        ("a" * 252 + ".csv", "is longer than 255 bytes"),
        ("../places.csv", "names a folder"),
        ("/etc/places.csv", "names a folder"),
        ("sub\\places.csv", "names a folder"),
        ("pla\x00ces.csv", "control character"),
        ("pla\nces.csv", "control character"),
        ("pla\u202eces.csv", "control character"),
        ("..", "is not a file name"),
    ],
)
def test_upload_names_must_be_plain_file_names(admin, name, problem):
    report = dry_run([Upload(name, f"name,category\n{NAMES[0]},07200\n".encode())], admin)
    assert report.refused == Refusal.UNREADABLE and report.errors[0].field == "file"
    assert problem in messages(report)[0] and len(messages(report)[0]) < 200


def test_upload_name_of_255_bytes_is_fine(admin):
    name = "东" * 83 + "ab.csv"  # 249 + 6 bytes
    assert len(name.encode()) == 255
    report = dry_run([Upload(name, f"name,category\n{NAMES[0]},07200\n".encode())], admin)
    assert report.errors[0].field != "file"


def test_long_upload_name_through_the_api(api):
    upload = Upload("东" * 90 + ".csv", f"name,category\n{NAMES[0]},07200\n".encode())
    report = refused_without(api.post("/api/v1/places/import", {"file": upload}))
    assert report["errors"][0]["field"] == "file" and "longer than 255 bytes" in report["errors"][0]["message"]


def test_zip_member_paths_do_not_matter(tmp_path, admin):
    outside = tmp_path / "outside"
    outside.mkdir()
    archive = tmp_path / "places.zip"
    content = f"name,category,lon,lat\n{NAMES[0]},07200,129.47,44.34\n"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(zipfile.ZipInfo(f"../../../../{outside}/places.csv"), content)
        zipped.writestr(zipfile.ZipInfo("/etc/cron.d/notes.txt"), "not a dataset")
    assert any(m.filename.startswith("../") for m in zipfile.ZipFile(archive).infolist())

    report = dry_run(archive, admin, crs=STORAGE)

    assert report.ok, report.as_dict()
    assert [r["name"] for r in report.records] == [NAMES[0]]
    assert list(outside.iterdir()) == []


def test_zip_bomb_is_refused_by_declared_size(tmp_path, admin, settings):
    settings.IMPORT_MAX_BYTES = 100_000
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("places.csv", "name\n" + "东\n" * 200_000)
    assert archive.stat().st_size < 100_000
    report = dry_run(archive, admin)
    assert report.refused == Refusal.TOO_LARGE and "unpacks to" in messages(report)[0]


def _lying_zip(target: Path, content: bytes, declared: int) -> Path:
    """A zip whose headers declare ``declared`` bytes for a member that unpacks to ``content``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("places.csv", content)
    raw = bytearray(target.read_bytes())
    real = len(content).to_bytes(4, "little")
    lie = declared.to_bytes(4, "little")
    local = raw.index(b"PK\x03\x04")
    central = raw.index(b"PK\x01\x02")
    assert raw[local + 22 : local + 26] == real and raw[central + 24 : central + 28] == real
    raw[local + 22 : local + 26] = lie
    raw[central + 24 : central + 28] = lie
    target.write_bytes(bytes(raw))
    return target


def test_zip_whose_declared_sizes_lie_is_refused(tmp_path, admin, settings):
    settings.IMPORT_MAX_BYTES = 100_000
    archive = _lying_zip(tmp_path / "liar.zip", b"name\n" + "东\n".encode() * 200_000, declared=1_000)
    report = dry_run(archive, admin)
    assert not report.ok and report.refused in {Refusal.TOO_LARGE, Refusal.UNREADABLE}


def test_unpacking_counts_the_bytes_actually_written(settings):
    settings.IMPORT_MAX_BYTES = 10_000
    with pytest.raises(inputs.FileRefused) as refused:
        inputs._copy(io.BytesIO(b"x" * 20_000), io.BytesIO(), 10_000, "a.zip unpacks to")
    assert refused.value.kind == Refusal.TOO_LARGE
    assert refused.value.message.startswith("a.zip unpacks to more than the limit of 10,000 bytes")


def test_zip_with_too_many_members_is_refused(tmp_path, admin, monkeypatch):
    monkeypatch.setattr(inputs, "MAX_MEMBERS", 3)
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for index in range(4):
            zipped.writestr(f"f{index}.txt", "x")
    assert "holds 4 files, more than 3" in messages(dry_run(archive, admin))[0]


# ---- point 6: formulas in CSV exports ------------------------------------------------------------------

FORMULAS = {
    "meaning": '=HYPERLINK("http://example.invalid","点此")',
    "origin": "+1+1",
    "history": "-2+3",
    "description": "@SUM(A1:A2)",
    "sources_text": "'=already quoted",
}


@pytest.fixture
def formula_place(db):
    return place_service.create_place(
        changeset=open_changeset(Changeset.Kind.EDIT, "formula test", label="tests"),
        name="公式屯",
        category=Category.objects.get(code="07200"),
        geom=to_geos(shapely.Point(NINGAN[0])),
        elevation_m=-12.5,
        is_public=True,
        # registered, so that open data (standard names only) publishes it; its export reads back unchanged
        decision=standing.Decision("宁安市人民政府", "宁政发〔2015〕9号", dt.date(2015, 9, 1)),
        **FORMULAS,
    )


def _csv_rows(content: bytes) -> list[dict]:
    csv.field_size_limit(max(csv.field_size_limit(), len(content)))
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export_escapes_formulas_but_not_numbers(formula_place):
    content, _, _ = export_places(Place.objects.filter(pk=formula_place.pk), "csv")
    [row] = _csv_rows(content)
    for field, text in FORMULAS.items():
        assert row[field] == "'" + text, field
    assert row["elevation_m"] == "-12.5" and float(row["elevation_m"]) == -12.5
    assert row["name"] == "公式屯" and row["code"] == formula_place.code


def test_census_and_open_data_csv_escape_formulas(formula_place):
    content, _, _ = export_places(Place.objects.filter(pk=formula_place.pk), "census")
    [row] = _csv_rows(content)
    assert row["地名含义"] == "'" + FORMULAS["meaning"] and row["历史沿革"] == "'" + FORMULAS["history"]
    assert row["高程"] == "-12.5"
    published = {r["code"]: r for r in _csv_rows(open_data.build_file("csv").content)}
    assert published[formula_place.code]["meaning"] == "'" + FORMULAS["meaning"]
    assert published[formula_place.code]["elevation_m"] == "-12.5"


@pytest.mark.parametrize("fmt", ["csv", "census"])
def test_the_importer_reads_its_own_escaped_export_back(tmp_path, admin, formula_place, fmt):
    content, _, filename = export_places(Place.objects.filter(pk=formula_place.pk), fmt)
    path = tmp_path / filename
    path.write_bytes(content)
    report = dry_run(path, admin, crs="EPSG:4326" if fmt == "csv" else None)
    assert report.ok, report.as_dict()["errors"]
    assert [r["action"] for r in report.records] == ["unchanged"]


def test_escape_and_unescape_are_inverse():
    texts = ["", "'", "''", "=1", "'=1", "''=1", "abc", "'abc", "-", "东", "\t=x", "@", "+8613800000000", "'-"]
    for text in texts:
        assert formulas.unescape(formulas.escape(text)) == text, text
        assert not formulas.escape(text).startswith(formulas.TRIGGERS), text  # what a spreadsheet sees first
    assert formulas.escape(-12.5) == -12.5 and formulas.escape(None) is None
