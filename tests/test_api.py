"""The read API of administrative units, against the real base data."""

import pytest
import shapely

pytestmark = pytest.mark.django_db


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_unit_detail_is_a_geojson_feature_in_wgs84(client):
    response = client.get("/api/v1/units/231084")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    feature = response.json()
    assert feature["type"] == "Feature"
    props = feature["properties"]
    assert (props["code"], props["name"], props["level"]) == ("231084", "宁安市", "county_city")
    assert props["parent"] == {"code": "231000", "name": "牡丹江市", "level": "city"}
    assert {"code": "231084100", "name": "宁安镇", "level": "town"} in props["children"]
    assert len(props["children"]) == 15
    assert props["valid_from"] is None and props["valid_to"] is None
    assert props["source"]["key"] == "mca-townships"
    assert props["geometry_source"]["conversion"] == "gcj02_to_wgs84"
    geometry = shapely.geometry.shape(feature["geometry"])
    assert geometry.geom_type == "MultiPolygon" and geometry.is_valid
    minx, miny, maxx, maxy = geometry.bounds
    assert 128 < minx < maxx < 131 and 43 < miny < maxy < 45.5
    assert 7000 < props["area_km2"] < 7500


def test_unit_without_polygon_has_its_seat_or_no_geometry(client):
    town = client.get("/api/v1/units/231084101").json()  # 东京城镇: a GeoNames seat point
    assert town["geometry"]["type"] == "Point"
    village = client.get("/api/v1/units/231084101201").json()
    assert village["properties"]["level"] in {"village", "community", "statistical"}
    assert village["properties"]["parent"]["code"] == "231084101"


def test_a_former_code_finds_todays_unit(client):
    feature = client.get("/api/v1/units/231024?geometry=none").json()
    assert feature["properties"]["code"] == "231086"
    assert any(c["code"] == "231024" and c["kind"] == "former" for c in feature["properties"]["other_codes"])
    assert feature["geometry"] is None


def test_unknown_code_is_a_json_404(client):
    response = client.get("/api/v1/units/999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "999999"
    assert "no administrative unit" in response.json()["error"]["message"]


def test_list_filters_by_level_and_parent(client):
    cities = client.get("/api/v1/units?level=county_city&geometry=none").json()
    assert cities["type"] == "FeatureCollection"
    assert sorted(f["properties"]["name"] for f in cities["features"]) == sorted(
        ["绥芬河市", "海林市", "宁安市", "穆棱市", "东宁市"]
    )
    towns = client.get("/api/v1/units?level=town&parent=231084").json()["features"]
    assert len(towns) == 8 and all(f["properties"]["parent"]["code"] == "231084" for f in towns)
    both = client.get("/api/v1/units?level=district,county&geometry=none").json()["features"]
    assert len(both) == 5


def test_list_of_counties_carries_simplified_polygons(client, admin_client):
    full = admin_client.get("/api/v1/units/231025").json()  # staff: full precision (boundaries.services.licensing)
    listed = client.get("/api/v1/units?parent=231000").json()["features"]
    assert len(listed) == 10
    linkou = next(f for f in listed if f["properties"]["code"] == "231025")
    simplified, detailed = shapely.geometry.shape(linkou["geometry"]), shapely.geometry.shape(full["geometry"])
    assert shapely.get_num_coordinates(simplified) < shapely.get_num_coordinates(detailed) / 2
    assert simplified.symmetric_difference(detailed).area / detailed.area < 0.01


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/api/v1/units?level=province", 400, "unknown level province"),
        ("/api/v1/units?parent=123", 404, "no administrative unit"),
        ("/api/v1/units?geometry=huge", 400, "geometry must be one of"),
        ("/api/v1/units/231084?geometry=huge", 400, "geometry must be one of"),
    ],
)
def test_bad_parameters_get_clear_json_errors(client, url, status, message):
    response = client.get(url)
    assert response.status_code == status
    assert message in response.json()["error"]["message"]


def test_units_are_read_only(client):
    assert client.post("/api/v1/units/231084", {}).status_code == 405
    assert client.delete("/api/v1/units/231084").status_code == 405


def test_history_lists_versions_and_division_changes(client):
    history = client.get("/api/v1/units/231086/history").json()
    assert history["versions"][0]["version"] == 1
    assert history["versions"][0]["kind"] == "import"
    kinds = {(c["year"], c["kind"]) for c in history["division_changes"]}
    assert (2015, "county_to_city") in kinds


@pytest.mark.parametrize("path", ["/", "/divisions"])
def test_home_page_lists_sources_and_loads_only_local_assets(client, path):
    """The portal (/) and the divisions browser (/divisions, the former home page)."""
    page = client.get(path).content.decode()
    assert "牡丹江市" in page and "GeoNames" in page and "CC BY 4.0" in page
    assert "/static/vendor/ol/ol." in page
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page
