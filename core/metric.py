"""Shapely geometries between the storage CRS and the metric CRS, for areas and distances."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import shapely
from pyproj import Transformer

from core.srid import METRIC_SRID, STORAGE_SRID


@lru_cache(maxsize=8)
def _transformer(source: int, target: int) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def transform(geometry: shapely.Geometry, source: int, target: int) -> shapely.Geometry:
    transformer = _transformer(source, target)

    def convert(coords: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, convert)


def to_metric(geometry: shapely.Geometry) -> shapely.Geometry:
    """Longitude/latitude (CGCS2000) to metres in the Gauss-Kruger zone of the city."""
    return transform(geometry, STORAGE_SRID, METRIC_SRID)


def to_lonlat(geometry: shapely.Geometry) -> shapely.Geometry:
    return transform(geometry, METRIC_SRID, STORAGE_SRID)


def median_vertex_distance_m(reference: shapely.Geometry, outline: shapely.Geometry) -> float:
    """Median distance in metres from each vertex of ``reference`` to the boundary of ``outline``."""
    points = shapely.points(shapely.get_coordinates(to_metric(reference)))
    boundary = to_metric(outline).boundary
    return float(np.median(shapely.distance(points, boundary)))
