"""One rule for geometry whose source never licensed it openly: shown, not given.

The county and township polygons come from the Amap lineage of cnmaps-units (core.models.DataSource
``open_licence`` False): their owner never licensed them openly. The rule, everywhere:

- **drawn** for anyone: the vector tiles and the print maps draw them, and the pages' maps draw them
  as the API's generalised outline (``geometry=simplified``: about 50 m, what an overview map needs);
- **given** at full precision only to the bureau's staff, or to everyone when the bureau sets
  OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY (it has a licence, or it drew the lines itself): an API answer
  to anyone else carries the generalised outline instead, marked ``geometry_generalised`` with the reason;
  files to download (exports, open data) carry none of it, as a file is a copy, not a drawing;
- **said**: every answer and file that leaves something out says what and why (the note below, the
  open-data manifest and page).

boundaries.api applies it to units, gazetteer.services.geometry_provenance to place records (whose
polygon may be a unit's), gazetteer.services.open_data and the exports to files.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon

from accounts.roles import is_staff_reader
from core.models import DataSource

SETTING = "OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY"
# About 50 m at Mudanjiang's latitude: the outline an overview map is drawn from (boundaries.geojson).
GENERALISED_TOLERANCE_DEG = 0.0005
COORDINATE_DECIMALS = 7


def licensed_openly(source: DataSource | None) -> bool:
    """The bureau's own geometry (no source) and sources with an open licence."""
    return source is None or source.open_licence


def full_geometry_released(user) -> bool:
    """May ``user`` receive unlicensed geometry at full precision: staff, or anyone by the setting."""
    return is_staff_reader(user) or getattr(settings, SETTING)


def generalised_note(source: DataSource | None) -> dict:
    """What an answer says where it carries the generalised outline instead of the geometry."""
    title = source.title if source is not None else ""
    return {
        "tolerance_m": 50,
        "source": title,
        "reason": f"The geometry comes from {title or 'a source'}, whose owner never licensed it openly: "
        "it is drawn on maps, and given at full precision to the bureau's staff only.",
        "reason_zh": f"几何来自{title or '未获开放许可的来源'}，其权利人未以开放许可授权："
        "地图上可见，完整精度的坐标仅提供给本局工作人员。",
    }


def generalised(geometry: dict | None) -> dict | None:
    """A GeoJSON geometry (API CRS) as its generalised outline (topology kept; points as they are)."""
    if geometry is None or geometry.get("type") in ("Point", "MultiPoint"):
        return geometry
    geom = GEOSGeometry(json.dumps(geometry)).simplify(GENERALISED_TOLERANCE_DEG, preserve_topology=True)
    if geometry["type"] == "MultiPolygon" and geom.geom_type == "Polygon":
        geom = MultiPolygon(geom)  # simplifying drops the "Multi" of a one-part polygon
    outline = json.loads(geom.json)

    def rounded(coordinates):
        if coordinates and isinstance(coordinates[0], int | float):
            return [round(value, COORDINATE_DECIMALS) for value in coordinates]
        return [rounded(part) for part in coordinates]

    outline["coordinates"] = rounded(outline["coordinates"])
    return outline
