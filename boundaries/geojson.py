"""Administrative units as GeoJSON (RFC 7946: WGS84 longitude/latitude, core.srid.API_SRID)."""

from __future__ import annotations

import json

from django.contrib.gis.db.models import GeometryField
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.db.models import BooleanField, Case, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from boundaries.geofuncs import Multi, SimplifyPreserveTopology
from boundaries.models import AdminUnit
from boundaries.services import markers
from boundaries.services.licensing import generalised_note
from core.models import DataSource
from core.srid import API_SRID, STORAGE_SRID

GEOMETRY_MODES = ("full", "simplified", "none")
# About 50 m at Mudanjiang's latitude: enough for an overview map of the whole city.
OVERVIEW_TOLERANCE_DEG = 0.0005
COORDINATE_DECIMALS = 7  # ~1 cm


def with_geojson(units: QuerySet[AdminUnit], mode: str = "full", *, released: bool = True) -> QuerySet[AdminUnit]:
    """Annotate ``geometry_json`` (the polygon, or the seat point where there is no polygon), the unit's
    marker and label point (boundaries.services.markers) and
    ``geometry_generalised`` (True where ``full`` was asked and the outline is given instead: a polygon
    whose source never licensed it openly, for a reader ``released`` is False for; see
    boundaries.services.licensing)."""
    if mode not in GEOMETRY_MODES:
        raise ValueError(f"geometry must be one of {', '.join(GEOMETRY_MODES)}")
    units = markers.with_locations(units)
    if mode == "none":
        return units.defer("geom").annotate(geometry_generalised=Value(False))
    outline = Multi(SimplifyPreserveTopology("geom", OVERVIEW_TOLERANCE_DEG))
    generalised = Q(geom__isnull=False, geometry_source__open_licence=False)
    if mode == "simplified":
        shape, flag = outline, Value(False)
    elif released:
        shape, flag = F("geom"), Value(False)
    else:
        shape = Case(When(generalised, then=outline), default=F("geom"), output_field=GeometryField(srid=STORAGE_SRID))
        flag = Case(When(generalised, then=Value(True)), default=Value(False), output_field=BooleanField())
    geometry = Coalesce(Transform(shape, API_SRID), Transform("seat", API_SRID))
    return units.defer("geom").annotate(
        geometry_json=AsGeoJSON(geometry, precision=COORDINATE_DECIMALS), geometry_generalised=flag
    )


def with_children(units: QuerySet[AdminUnit]) -> QuerySet[AdminUnit]:
    current_children = AdminUnit.objects.current().order_by("code").only("code", "name", "level", "parent_id")
    return units.prefetch_related(
        Prefetch("children", queryset=current_children, to_attr="current_children"), "codes", "names"
    )


def _source(source: DataSource | None) -> dict | None:
    if source is None:
        return None
    return {
        "key": source.key,
        "title": source.title,
        "package": str(source),
        "licence": source.licence,
        "vintage": source.vintage,
        "datum": source.datum,
        "conversion": source.conversion,
        "attribution": source.attribution,
    }


def _brief(unit: AdminUnit | None) -> dict | None:
    return None if unit is None else {"code": unit.code, "name": unit.name, "level": unit.level}


def _point(point) -> list[float] | None:
    if point is None:
        return None
    return [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]


def feature(unit: AdminUnit) -> dict:
    geometry_json = getattr(unit, "geometry_json", None)
    children = getattr(unit, "current_children", None)
    if children is None:
        children = list(unit.children.current().order_by("code"))
    return {
        "type": "Feature",
        "id": unit.code,
        "geometry": json.loads(geometry_json) if geometry_json else None,
        "properties": {
            "code": unit.code,
            "name": unit.name,
            "level": unit.level,
            "tier": unit.tier,
            "parent": _brief(unit.parent),
            "children": [_brief(child) for child in children],
            "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
            "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
            "source": _source(unit.source),
            "geometry_source": _source(unit.geometry_source),
            "seat": _point(unit.seat),
            "label_point": _point(unit.label_point),
            # boundaries.services.markers: where the unit is marked (its seat, else label_point) and where
            # its name is drawn on a map (districts at their area label point, other units at the marker).
            "marker": _point(markers.marker(unit)),
            "label": _point(markers.label(unit)),
            "area_km2": round(unit.area_km2, 3) if unit.area_km2 is not None else None,
            "other_codes": [
                {
                    "code": c.code,
                    "kind": c.kind,
                    "valid_to": c.valid_to.isoformat() if c.valid_to else None,
                    "note": c.note,
                }
                for c in unit.codes.all()
            ],
            "other_names": [
                {
                    "name": n.name,
                    "kind": n.kind,
                    "valid_to": n.valid_to.isoformat() if n.valid_to else None,
                    "note": n.note,
                }
                for n in unit.names.all()
            ],
            "version": unit.version,
            **(
                {"geometry_generalised": generalised_note(unit.geometry_source)}
                if getattr(unit, "geometry_generalised", False)
                else {}
            ),
        },
    }


def feature_collection(units) -> dict:
    return {"type": "FeatureCollection", "features": [feature(unit) for unit in units]}
