"""From a file's coordinates to the storage CRS: the file's (or the user's) CRS, then the datum.

A file in GCJ-02 cannot be recognised from its coordinates or its metadata (a GeoJSON always claims
WGS84), so the user declares ``datum="GCJ-02"``; the coordinates are then taken to longitude/latitude,
shifted back with core.gcj02, and brought to the storage CRS.
"""

from __future__ import annotations

import functools

import numpy as np
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from core import gcj02
from core.geometry import GeometryError, check_lonlat
from core.srid import API_SRID, METRIC_SRID, STORAGE_SRID
from gazetteer.services.place_io.report import FileRefused, Refusal

GCJ02 = "GCJ-02"
DATUM_NAMES = {"gcj-02": GCJ02, "gcj02": GCJ02, "gcj": GCJ02, "mars": GCJ02}
PLAIN_DATUMS = {"", "wgs84", "wgs-84", "cgcs2000", "cgcs-2000", "epsg"}
UNSUPPORTED_DATUMS = {"bd-09", "bd09", "baidu"}
CRS_EXAMPLES = (
    f"e.g. EPSG:{STORAGE_SRID} for CGCS2000 longitude/latitude, EPSG:{METRIC_SRID} for CGCS2000 Gauss-Kruger CM 129E"
)


def parse_crs(value: str, field: str = "crs") -> CRS:
    """A CRS as users name it: "EPSG:<code>", a bare EPSG number, a WKT or PROJ string."""
    text = str(value).strip()
    try:
        return CRS.from_user_input(f"EPSG:{text}" if text.isdigit() else text)
    except CRSError:
        raise FileRefused(
            f"{field}: {value!r} is not a coordinate reference system ({CRS_EXAMPLES})",
            kind=Refusal.BAD_OPTION,
            field=field,
        ) from None


def label(crs: CRS) -> str:
    authority = crs.to_authority(min_confidence=90)
    return f"{authority[0]}:{authority[1]}" if authority else crs.name


def same_crs(a: CRS, b: CRS) -> bool:
    return a == b or (a.to_epsg() is not None and a.to_epsg() == b.to_epsg())


def parse_datum(value: str | None) -> str:
    """ "GCJ-02" for a shifted source, "" when the CRS's own datum is right."""
    word = (value or "").strip().lower()
    if word in UNSUPPORTED_DATUMS:
        raise FileRefused(
            "BD-09 (Baidu) coordinates are not supported: convert them to GCJ-02 or WGS84 first",
            kind=Refusal.BAD_OPTION,
            field="datum",
        )
    if word in DATUM_NAMES:
        return DATUM_NAMES[word]
    if word in PLAIN_DATUMS:
        return ""
    raise FileRefused(
        f"unknown datum {value!r}: say GCJ-02 for Amap/Tencent coordinates, or leave it out",
        kind=Refusal.BAD_OPTION,
        field="datum",
    )


class Reprojector:
    """Brings shapely geometries from the source CRS (and datum) to the storage CRS."""

    def __init__(self, source: CRS, datum: str = ""):
        self.source, self.datum = source, datum
        storage, lonlat = CRS.from_epsg(STORAGE_SRID), CRS.from_epsg(API_SRID)
        if datum == GCJ02:
            self._to_lonlat = Transformer.from_crs(source, lonlat, always_xy=True)
            self._to_storage = Transformer.from_crs(lonlat, storage, always_xy=True)
        else:
            self._to_lonlat = None
            self._to_storage = Transformer.from_crs(source, storage, always_xy=True)

    def describe_datum(self) -> str:
        if self.datum == GCJ02:
            return GCJ02
        return self.source.datum.name if self.source.datum else ""

    def __call__(self, geometry: shapely.Geometry, where: str) -> shapely.Geometry:
        if self.source.is_geographic:
            check_lonlat(geometry, where)
        if self._to_lonlat is not None:
            geometry = gcj02.gcj02_to_wgs84_geometry(_apply(self._to_lonlat, geometry))
        result = _apply(self._to_storage, geometry)
        coords = shapely.get_coordinates(result)
        if not np.isfinite(coords).all():
            raise GeometryError(f"{where}: coordinates outside the area of {label(self.source)}")
        check_lonlat(result, where)
        return result


@functools.cache
def _storage_to_api() -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(STORAGE_SRID), CRS.from_epsg(API_SRID), always_xy=True)


def storage_to_api(geometry: shapely.Geometry) -> shapely.Geometry:
    """From the storage CRS to WGS84 longitude/latitude, for GeoJSON and CSV exports."""
    return _apply(_storage_to_api(), geometry)


def _apply(transformer: Transformer, geometry: shapely.Geometry) -> shapely.Geometry:
    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, convert)
