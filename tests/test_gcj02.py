"""The GCJ-02 converter: the published forward formula and an iterative inverse."""

import numpy as np
import pytest
import shapely

from core import gcj02
from tests.builders import territory_wgs84

# Published test points of the eviltransform project (wgsLat, wgsLng, gcjLat, gcjLng).
PUBLISHED = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]
METRES_PER_DEG = 111_320.0


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), PUBLISHED)
def test_forward_matches_published_points(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = gcj02.wgs84_to_gcj02(wgs_lon, wgs_lat)
    assert lon == pytest.approx(gcj_lon, abs=1e-9)
    assert lat == pytest.approx(gcj_lat, abs=1e-9)


@pytest.mark.parametrize(("wgs_lat", "wgs_lon", "gcj_lat", "gcj_lon"), PUBLISHED)
def test_inverse_recovers_published_wgs84_to_under_a_centimetre(wgs_lat, wgs_lon, gcj_lat, gcj_lon):
    lon, lat = gcj02.gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert abs(lon - wgs_lon) * METRES_PER_DEG < 0.01
    assert abs(lat - wgs_lat) * METRES_PER_DEG < 0.01


def test_round_trip_over_the_whole_city_is_under_a_centimetre():
    rng = np.random.default_rng(7)
    lon = rng.uniform(127.5, 131.5, 5000)
    lat = rng.uniform(43.3, 46.3, 5000)
    back_lon, back_lat = gcj02.gcj02_to_wgs84(*gcj02.wgs84_to_gcj02(lon, lat))
    error_m = np.hypot((back_lon - lon) * METRES_PER_DEG * np.cos(np.radians(lat)), (back_lat - lat) * METRES_PER_DEG)
    assert error_m.max() < 0.01


def test_offset_in_mudanjiang_is_hundreds_of_metres():
    lon, lat = gcj02.wgs84_to_gcj02(129.6, 44.55)
    offset_m = np.hypot((lon - 129.6) * METRES_PER_DEG * np.cos(np.radians(44.55)), (lat - 44.55) * METRES_PER_DEG)
    assert 300 < offset_m < 800


def test_points_outside_china_pass_through():
    lon, lat = gcj02.wgs84_to_gcj02([139.69, -0.1], [35.68, 51.5])  # Tokyo, London
    assert list(lon) == [139.69, -0.1]
    assert list(lat) == [35.68, 51.5]


def test_geometry_conversion_keeps_a_tiling_exact():
    parts = territory_wgs84()
    converted = {code: gcj02.gcj02_to_wgs84_geometry(geom) for code, geom in parts.items()}
    union = shapely.union_all([converted["990001"], converted["990002"]])
    assert converted["990001"].intersection(converted["990002"]).area == pytest.approx(0, abs=1e-15)
    assert union.symmetric_difference(converted["990000"]).area < 1e-12
    assert all(shapely.is_valid(g) for g in converted.values())
