"""Place records as flat rows for export: one value per column of fields.EXPORT_FIELDS, the licence
and attribution every record carries, and the geometry in the storage CRS (shapely)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db.models import QuerySet

from boundaries.services import geography
from core.geometry import from_geos
from gazetteer.models import Place, PlaceName
from gazetteer.services.geometry_provenance import geometry_goes_out, geometry_sources
from gazetteer.services.places import today


@dataclass
class ExportRow:
    place: Place
    values: dict  # fields.EXPORT_FIELDS -> plain value (str, number, bool or None)
    geometry: shapely.Geometry | None  # storage CRS; None when the record has none or it is withheld


def publisher() -> str:
    return settings.GAZETTEER_PUBLISHER


def licence_of(place: Place) -> tuple[str, str]:
    """(licence, attribution): the record's source's, else the bureau's own."""
    if place.source is not None:
        return place.source.licence, place.source.attribution or place.source.title
    return settings.GAZETTEER_LICENCE, publisher()


UNIT_PATHS = ("unit", "unit__parent", "unit__parent__parent", "unit__parent__parent__parent", "registered_for")


def for_export(queryset: QuerySet[Place]) -> QuerySet[Place]:
    # The units come for their names and codes; their polygons would be most of the query's bytes.
    return (
        queryset.select_related(
            "category", "unit__parent__parent__parent", "source", "registered_by", "registered_for", "road"
        )
        .defer(*(f"{path}__{field}" for path in UNIT_PATHS for field in ("geom", "seat", "label_point")))
        .prefetch_related("names")
        .order_by("code")
    )


def names_by_kind(place: Place, day: dt.date) -> dict[str, list[str]]:
    """Current alias, short and map names; former names (and standard names that have ended)."""
    found: dict[str, list[str]] = {kind: [] for kind in PlaceName.Kind.values}
    for row in place.names.all():
        ended = row.valid_to is not None and row.valid_to <= day
        kind = PlaceName.Kind.FORMER if row.kind == PlaceName.Kind.STANDARD and ended else row.kind
        if (ended and kind != PlaceName.Kind.FORMER) or (row.valid_from and row.valid_from > day):
            continue
        if row.name != place.name and row.name not in found[kind]:
            found[kind].append(row.name)
    return found


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _road_values(place: Place) -> dict:
    road = getattr(place, "road", None)  # no road record: the reverse one-to-one raises an AttributeError
    if place.geom is None or place.geom.geom_type not in ("LineString", "MultiLineString"):
        road = None  # a road as a point is a plain place in a file (place_io.roads): as the import reads it
    return {
        "road_class": road.road_class if road else None,
        "route_ref": road.route_ref or None if road else None,
        "bureau_id": road.bureau_id or None if road else None,
    }


def export_row(place: Place, *, with_geometry: bool = True) -> ExportRow:
    names = names_by_kind(place, today())
    licence, attribution = licence_of(place)
    county = geography.county_of(place.unit)
    values = {
        "code": place.code,
        "name": place.name,
        "romanization": place.romanization,
        "romanization_tones": place.romanization_tones,
        "category": place.category.code,
        "category_name": place.category.name_zh,
        "unit": place.unit.code if place.unit_id else None,
        "unit_name": place.unit.name if place.unit_id else None,
        "county": county.name if county else None,
        "alias": ";".join(names["alias"]),
        "short_name": ";".join(names["short"]),
        "map_name": ";".join(names["map"]),
        "former_name": ";".join(names["former"]),
        "meaning": place.meaning,
        "origin": place.origin,
        "history": place.history,
        "description": place.description,
        "sources_text": place.sources_text,
        "status": place.status,
        "named_on": _iso(place.named_on),
        "valid_from": _iso(place.valid_from),
        "valid_to": _iso(place.valid_to),
        "survey_method": place.survey_method,
        "elevation_m": place.elevation_m,
        "is_public": place.is_public,
        "version": place.version,
        "licence": licence,
        "attribution": attribution,
        "synthetic": place.is_synthetic,
        "standing": place.standing,
        "standard_basis": place.standard_basis,
        "decision_authority": place.decision_authority,
        "decision_document": place.decision_document,
        "decision_date": _iso(place.decision_date),
        **_road_values(place),
    }
    geometry = from_geos(place.geom) if with_geometry and place.geom is not None else None
    return ExportRow(place, values, geometry)


def export_rows(queryset: QuerySet[Place], *, include_unlicensed_geometry: bool = True) -> list[ExportRow]:
    """Geometry from a source that never licensed it openly (the Amap-lineage unit polygons, which
    the unit records carry although their own source is open) stays out unless included."""
    places = list(for_export(queryset))
    sources = geometry_sources(places)
    return [
        export_row(p, with_geometry=geometry_goes_out(sources, p.id, include_unlicensed=include_unlicensed_geometry))
        for p in places
    ]
