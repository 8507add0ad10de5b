"""One JSON shape of a boundary marker (the API's; boundaries.openapi describes it): a GeoJSON Feature in
WGS84 with the position also as the forms give it (CGCS2000 longitude/latitude, Gauss-Kruger 3-degree
X/Y) and its reference objects with their bearings in degrees and as d°m′."""

from __future__ import annotations

from boundaries.models import BoundaryMarker
from boundaries.services.marker_coords import degrees_minutes, gauss_kruger
from core.records import history_entries
from core.srid import API_SRID

COORDINATE_DECIMALS = 7  # ~1 cm
SYNTHETIC_NOTE = "示例界桩: a synthetic demonstration marker, not a real one"


def _lonlat(point) -> list[float]:
    return [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]


def with_relations(markers):
    return markers.select_related("line").prefetch_related("reference_objects")


def feature(marker: BoundaryMarker) -> dict:
    epsg, x_north, y_east = gauss_kruger(marker.geom)
    line = marker.line
    return {
        "type": "Feature",
        "id": marker.number,
        "geometry": {"type": "Point", "coordinates": _lonlat(marker.geom.transform(API_SRID, clone=True))},
        "properties": {
            "number": marker.number,
            "synthetic": marker.is_synthetic,
            **({"synthetic_note": SYNTHETIC_NOTE} if marker.is_synthetic else {}),
            "line": {"code": line.code, "name": line.name, "level": line.level},
            "sequence": marker.sequence,
            "kind": marker.kind,
            "kind_zh": marker.get_kind_display(),
            "grade": marker.grade,
            "shape": marker.shape,
            "material": marker.material,
            "status": marker.status,
            "status_zh": marker.get_status_display(),
            "cgcs2000": {"lon": round(marker.geom.x, 8), "lat": round(marker.geom.y, 8), "epsg": marker.geom.srid},
            "gauss_kruger": {"epsg": epsg, "x": round(x_north, 3), "y": round(y_east, 3)},
            "elevation_m": marker.elevation_m,
            "position_description": marker.position_description,
            "distance_along_m": marker.distance_along_m,
            "off_line_reason": marker.off_line_reason,
            "set_on": marker.set_on.isoformat() if marker.set_on else None,
            "abolished_on": marker.abolished_on.isoformat() if marker.abolished_on else None,
            "reference_objects": [
                {
                    "order": r.order,
                    "name": r.name,
                    "measured_part": r.measured_part,
                    "bearing_deg": r.bearing_deg,
                    "bearing": degrees_minutes(r.bearing_deg),
                    "distance_m": r.distance_m,
                    "position": _lonlat(r.geom.transform(API_SRID, clone=True)) if r.geom else None,
                }
                for r in sorted(marker.reference_objects.all(), key=lambda r: r.order)
            ],
            "version": marker.version,
        },
    }


def history(marker: BoundaryMarker) -> dict:
    versions = marker.versions.select_related("changeset").order_by("version")
    return {
        "number": marker.number,
        "versions": history_entries(versions, geometry=lambda row: _lonlat(row.geom) if row.geom else None),
    }
