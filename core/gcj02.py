"""GCJ-02 ("Mars coordinates"), the obfuscated datum of Chinese commercial web maps (Amap, Tencent).

GCJ-02 is WGS84 shifted by a published, non-linear formula of 300-700 m. The forward direction
(WGS84 -> GCJ-02) is closed-form; the inverse is found by fixed-point iteration: guess
``wgs = gcj - delta(gcj)``, then refine with ``wgs -= forward(wgs) - gcj`` until the step is below
``tolerance_deg``. Five or six passes bring it under 1 cm. Functions take and return numpy arrays
of longitudes and latitudes so whole geometries convert at once (see ``gcj02_to_wgs84_geometry``).

Outside mainland China the formula does not apply and points pass through unchanged, as in every
reference implementation (same rectangle).
"""

from __future__ import annotations

import numpy as np
import shapely

# Krasovsky 1940 ellipsoid, as in the published formula (the published test points match these
# exactly; the WGS84 semi-major axis some ports use is off by ~5 cm).
_A = 6378245.0
_EE = 0.00669342162296594323

INVERSE_TOLERANCE_DEG = 1e-10  # ~0.01 mm
INVERSE_MAX_ITERATIONS = 30


def outside_china(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return (lon < 72.004) | (lon > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _shift(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    common = (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
    dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x)) + common
    dlat += (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
    dlat += (160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x)) + common
    dlon += (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
    dlon += (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0

    rad_lat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Forward: WGS84 (or CGCS2000) longitude/latitude to GCJ-02."""
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _shift(lon, lat)
    outside = outside_china(lon, lat)
    return np.where(outside, lon, lon + dlon), np.where(outside, lat, lat + dlat)


def gcj02_to_wgs84(lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Inverse: GCJ-02 longitude/latitude to WGS84, iterated until the step is below 1e-10 degrees."""
    gcj_lon = np.asarray(lon, dtype=float)
    gcj_lat = np.asarray(lat, dtype=float)
    dlon, dlat = _shift(gcj_lon, gcj_lat)
    wgs_lon, wgs_lat = gcj_lon - dlon, gcj_lat - dlat
    for _ in range(INVERSE_MAX_ITERATIONS):
        fwd_lon, fwd_lat = wgs84_to_gcj02(wgs_lon, wgs_lat)
        step_lon, step_lat = fwd_lon - gcj_lon, fwd_lat - gcj_lat
        wgs_lon, wgs_lat = wgs_lon - step_lon, wgs_lat - step_lat
        if max(np.max(np.abs(step_lon), initial=0), np.max(np.abs(step_lat), initial=0)) < INVERSE_TOLERANCE_DEG:
            break
    outside = outside_china(gcj_lon, gcj_lat)
    return np.where(outside, gcj_lon, wgs_lon), np.where(outside, gcj_lat, wgs_lat)


def _convert_geometry(geometry: shapely.Geometry, func) -> shapely.Geometry:
    def convert(coords: np.ndarray) -> np.ndarray:
        lon, lat = func(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    return shapely.transform(geometry, convert)


def gcj02_to_wgs84_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    """Convert every vertex of a shapely geometry. Shared vertices move identically, so a set of
    polygons that tiled exactly in GCJ-02 still tiles exactly after conversion."""
    return _convert_geometry(geometry, gcj02_to_wgs84)


def wgs84_to_gcj02_geometry(geometry: shapely.Geometry) -> shapely.Geometry:
    return _convert_geometry(geometry, wgs84_to_gcj02)
