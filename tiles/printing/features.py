"""Geometry for the map frame: from the database (storage CRS) to the metric CRS, clipped to the
frame, and written as GeoJSON features for Mapnik's inline GeoJSON datasource."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import shapely
from django.contrib.gis.geos import GEOSGeometry

from core.geometry import from_geos, to_geos
from core.metric import to_lonlat, to_metric
from core.srid import STORAGE_SRID

# Coordinates are written to the decimetre: a hundredth of a millimetre at 1:100 000.
PRECISION_M = 0.1


@dataclass
class Layer:
    """One layer of the frame: GeoJSON features in the metric CRS, and how many are synthetic."""

    key: str
    features: list[str] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    synthetic: int = 0

    def add(self, geometry: shapely.Geometry, synthetic: bool = False, **properties) -> None:
        if geometry is None or geometry.is_empty:
            return
        rounded = shapely.transform(geometry, lambda c: np.round(c / PRECISION_M) * PRECISION_M)
        geometry_json, properties_json = shapely.to_geojson(rounded), json.dumps(properties, ensure_ascii=False)
        self.features.append(f'{{"type":"Feature","geometry":{geometry_json},"properties":{properties_json}}}')
        self.names.append(properties.get("name"))
        self.synthetic += bool(synthetic)

    def split(self, names: set[str], key: str) -> Layer:
        """Move the features named ``names`` out of this layer into a new layer ``key``."""
        moved = Layer(key)
        kept = [(f, n) for f, n in zip(self.features, self.names, strict=True) if n not in names]
        moved_pairs = [(f, n) for f, n in zip(self.features, self.names, strict=True) if n in names]
        self.features, self.names = [f for f, _ in kept], [n for _, n in kept]
        moved.features, moved.names = [f for f, _ in moved_pairs], [n for _, n in moved_pairs]
        return moved

    def __len__(self) -> int:
        return len(self.features)

    def geojson(self) -> str:
        return f'{{"type":"FeatureCollection","features":[{",".join(self.features)}]}}'


@dataclass(frozen=True)
class Window:
    """The frame's ground extent (metric CRS) and a box around it in the storage CRS for queries."""

    bbox: tuple[float, float, float, float]

    def padded(self, share: float = 0.02) -> tuple[float, float, float, float]:
        """A little larger than the frame, so that lines and fills run out of it, not end in it."""
        minx, miny, maxx, maxy = self.bbox
        pad = max(maxx - minx, maxy - miny) * share
        return minx - pad, miny - pad, maxx + pad, maxy + pad

    @cached_property
    def storage_box(self) -> GEOSGeometry:
        """The padded frame in the storage CRS (lon/lat), for clipping in the database."""
        ring = shapely.segmentize(shapely.box(*self.padded(0.05)), max_segment_length=2000)
        return to_geos(shapely.box(*to_lonlat(ring).bounds), STORAGE_SRID)

    def clip(self, geometry: shapely.Geometry) -> shapely.Geometry:
        return shapely.clip_by_rect(geometry, *self.padded())

    def contains(self, point: shapely.Point, inset: float = 0.0) -> bool:
        minx, miny, maxx, maxy = self.bbox
        dx, dy = (maxx - minx) * inset, (maxy - miny) * inset
        return minx + dx <= point.x <= maxx - dx and miny + dy <= point.y <= maxy - dy


def metric(geometry: GEOSGeometry | None) -> shapely.Geometry | None:
    """A GeoDjango geometry in the storage CRS as a shapely geometry in the metric CRS."""
    return None if geometry is None else to_metric(from_geos(geometry))


def label_point(area: shapely.Geometry, window: Window) -> tuple[shapely.Point, float] | None:
    """Where an area's name goes, and how much room it has there (metres): the centre and radius
    of the largest circle inside its part in the frame (the pole of inaccessibility), so that the
    name sits well inside even a crooked area."""
    visible = shapely.clip_by_rect(area, *window.padded(-0.03))
    if visible.is_empty or visible.area == 0:
        return None
    largest = max(shapely.get_parts(visible), key=lambda part: part.area)
    tolerance = max(largest.bounds[2] - largest.bounds[0], largest.bounds[3] - largest.bounds[1]) / 200
    circle = shapely.maximum_inscribed_circle(largest, tolerance)
    return shapely.get_point(circle, 0), circle.length
