"""What a boundary line's course description (走向说明) may name along the way: landmarks, from providers.

The boundaries app knows the lines, not the places or rivers beside them (those are the gazetteer's, a
higher layer). A higher app registers a provider from its ``AppConfig.ready()``::

    register_landmarks(provider)  # provider(line_geom_storage, buffer_m) -> list[Landmark]

A provider is given the line's geometry (GEOS, storage CRS) and a distance in metres, and answers the
landmarks within that distance of the line. It says only what its data holds: names that are standard,
geometries as recorded. ``landmarks_near`` asks every provider, in the order they registered.

Kinds the course description knows (boundaries.services.course):

- ``place``: a named point near the line ("经…附近"), or at an end of it;
- ``river``: a river's line, crossed ("跨…") or followed ("沿…");
- ``lake``: a water area the line passes ("经…");
- ``marker``: a boundary marker on the line ("至001号界桩"): the line's own markers (BoundaryMarker.line),
  read by boundaries.services.course_lines.markers_of, not a provider;
- ``junction``: where three or more units meet, at an end of the line (made by the course service itself).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry

PLACE = "place"
RIVER = "river"
LAKE = "lake"
MARKER = "marker"
JUNCTION = "junction"
KINDS = (PLACE, RIVER, LAKE, MARKER, JUNCTION)


@dataclass(frozen=True)
class Landmark:
    """A thing the course may name. ``geom`` is whatever the holder works in: providers give GEOS with its
    SRID (storage CRS); the course's pure core is handed shapely geometry in the metric CRS (``in_metric``).
    ``code`` identifies the record (a place code, a marker number) and breaks ties: the text is the same
    for the same data."""

    kind: str
    name: str
    geom: object
    code: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown landmark kind {self.kind!r}")


Provider = Callable[[GEOSGeometry, float], list[Landmark]]

_providers: list[Provider] = []


def register_landmarks(provider: Provider) -> None:
    """Add a provider (idempotent: ready() may run twice)."""
    if provider not in _providers:
        _providers.append(provider)


def providers() -> list[Provider]:
    return list(_providers)


def landmarks_near(line_geom: GEOSGeometry, buffer_m: float) -> list[Landmark]:
    """Every provider's landmarks within ``buffer_m`` of the line, in a fixed order."""
    found = [landmark for provider in providers() for landmark in provider(line_geom, buffer_m)]
    return sorted(found, key=lambda lm: (lm.kind, lm.code, lm.name))
