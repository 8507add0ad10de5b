"""The public record page of a place: the API's own representation, labelled for reading.

The record is loaded and checked as the API does it (gazetteer.permissions), and its content is
gazetteer.representation's Feature, now or as it stood on a day, so that the page and
/api/v1/places/{code} never disagree."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db.models import F, Q

from boundaries.models import AdminUnit
from boundaries.services import markers
from gazetteer import representation
from gazetteer.models import HouseNumber, Place, PlaceName, Road, Sign
from gazetteer.services import geometry_provenance, house_numbers

# Polygons of county size carry thousands of vertices; the page map needs far fewer.
DISPLAY_MAX_COORDS = 2000
DISPLAY_TOLERANCE_DEG = 0.0005  # about 50 m at the city's latitude
COORDINATE_DECIMALS = 5
NAME_KIND_ORDER = [PlaceName.Kind.FORMER, PlaceName.Kind.ALIAS, PlaceName.Kind.SHORT, PlaceName.Kind.MAP]


class NotOnThatDay(Exception):
    """The place did not exist on the day asked for."""


MAX_ROAD_NUMBERS = 500  # listed on the page; the API pages through the rest


def record(place: Place, day: dt.date | None, reader) -> dict:
    """The API's Feature of the place, today or as it stood on ``day``, as ``reader`` may receive it
    (geometry_provenance.release: a polygon never licensed openly is drawn from its outline)."""
    feature = representation.feature(place) if day is None else representation.feature_on(place, day)
    if feature is None:
        raise NotOnThatDay(day)
    geometry_provenance.release(reader, [(place, feature)])
    return feature


def display_geometry(geometry: dict | None) -> dict | None:
    """The geometry for the page map: large polygons simplified (topology kept), in the API CRS."""
    if geometry is None:
        return None
    geom = GEOSGeometry(json.dumps(geometry))
    if geom.num_coords > DISPLAY_MAX_COORDS:
        geom = geom.simplify(DISPLAY_TOLERANCE_DEG, preserve_topology=True)
    return json.loads(geom.json)


def label_point(geometry: dict | None, unit_code: str | None = None) -> tuple[float, float] | None:
    """(lon, lat) shown on the page: for a record of an administrative unit, where the unit is marked
    (boundaries.services.markers: its seat where known); otherwise a point on the geometry. None for a
    record without a location."""
    if geometry is None:
        return None
    units = AdminUnit.objects.filter(code=unit_code).order_by(F("valid_to").desc(nulls_first=True))
    unit = units.first() if unit_code else None
    point = markers.marker(unit) if unit is not None else None
    if point is None:
        point = GEOSGeometry(json.dumps(geometry)).point_on_surface
    return round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)


def other_names(names: list[dict], t: dict) -> list[dict]:
    """Former names, aliases, short and map names, in that order, each with its label."""
    rows = [n for n in names if n["kind"] != PlaceName.Kind.STANDARD]
    rows.sort(key=lambda n: (NAME_KIND_ORDER.index(n["kind"]), n["valid_from"] or "", n["name"]))
    return [{**n, "kind_label": t["name_kinds"].get(n["kind"], n["kind"])} for n in rows]


def source_line(props: dict) -> dict:
    """Who the record comes from and under what licence: its outside source, else the bureau."""
    if props["source"]:
        return {"attribution": props["source"]["attribution"], "licence": props["source"]["licence"]}
    return {"attribution": settings.GAZETTEER_PUBLISHER, "licence": settings.GAZETTEER_LICENCE}


def standing_line(standing: dict | None, source: dict | None, t: dict) -> str:
    """标准地名 · 经命名程序批准 · 牡丹江市人民政府 牡政发〔2026〕3号 2026-05-01; a candidate says it
    is not standard."""
    if not standing:
        return ""
    parts = [t["standings"].get(standing["code"], standing["code"])]
    if standing.get("basis"):
        parts.append(t["standard_bases"].get(standing["basis"], standing["basis"]))
    if standing.get("decision"):
        decision = standing["decision"]
        parts.append(f"{decision['authority']} {decision['document']} {decision['date']}")
    elif standing.get("basis") == "official_source" and source:
        parts.append(source["attribution"])  # the register it was loaded from
    return " · ".join(parts)


def page_context(feature: dict, t: dict, lang: str) -> dict:
    props = feature["properties"]
    category = props["category"]
    return {
        "p": props,
        "category_label": category["name_en"] if lang == "en" else category["name"],
        "unit_path": [{**u, "level_label": t["levels"].get(u["level"], u["level"])} for u in props["unit_path"]],
        "status_label": t["statuses"].get(props["status"], props["status"]),
        "standing_line": standing_line(props.get("standing"), props.get("source"), t),
        "as_of_label": t["as_of"].format(date=props["as_of"]) if props.get("as_of") else None,
        "other_names": other_names(props["names"], t),
        "source": source_line(props),
        "record_url": f"/places/{props['code']}",  # the record today (the date form, "show current")
        "permalink_url": settings.GAZETTEER_URL + props["permalink"],  # with ?at= on a past day
        "map_geometry": display_geometry(feature["geometry"]),
        "label_point": label_point(feature["geometry"], props.get("admin_unit")),
        "geometry_type": feature["geometry"]["type"] if feature["geometry"] else None,
        "geometry_note": _geometry_note(props.get("geometry_generalised"), lang),
    }


def _geometry_note(note: dict | None, lang: str) -> str | None:
    """Why the map shows an outline (boundaries.services.licensing), in the page's language."""
    if not note:
        return None
    return note["reason"] if lang == "en" else note["reason_zh"]


def history_lines(entries: list[dict], t: dict) -> list[dict]:
    """gazetteer.representation.history_in_words with the fields and values labelled for reading."""
    labels = t["history_fields"]

    def shown(field: str, value):
        if field == "status" and value:
            return t["statuses"].get(value, value)
        return value

    return [
        {
            **entry,
            "changes": [
                {"label": labels.get(c["field"], c["field"]), "before": shown(c["field"], c["before"]),
                 "after": shown(c["field"], c["after"])}
                for c in entry["changes"]
            ],
            "names_began": [
                {**n, "kind_label": t["name_kinds"].get(n["kind"], n["kind"])} for n in entry["names_began"]
            ],
        }
        for entry in entries
    ]  # fmt: skip


def _start_end(road: Road, t: dict) -> str:
    """Which end of the road its numbers start from, in words (西端, the west end)."""
    try:
        (x0, y0), (x1, y1) = house_numbers.line_of(road).coords[0], house_numbers.line_of(road).coords[-1]
    except house_numbers.NumberingRefused:
        return "—"
    if abs(x1 - x0) >= abs(y1 - y0):
        return t["end_west"] if x0 < x1 else t["end_east"]
    return t["end_south"] if y0 < y1 else t["end_north"]


def road_context(place: Place, t: dict) -> dict | None:
    """A road's page lists its rule, its current house numbers and the signs in place that name the
    road or its numbers (their public face: the text they show); None for a place that is no road."""
    road = Road.objects.filter(place=place).first()
    if road is None:
        return None
    rule = house_numbers.rule_of(road)
    numbers = road.house_numbers.exclude(status__in=[HouseNumber.Status.RETIRED, HouseNumber.Status.PROPOSED])
    signs = Sign.objects.filter(status=Sign.Status.IN_PLACE).filter(Q(place=place) | Q(house_number__road=road))
    return {
        "class_label": road.get_road_class_display(),
        "route_ref": road.route_ref,
        "numbered": road.numbered,
        "rule_text": t["road_rule_text"].format(
            start=_start_end(road, t), odd=t[f"side_{rule.odd_side}"], interval=rule.interval_m
        ),
        "numbers": [
            {"label": n.number_label, "address": n.label, "side": t[f"side_{n.side}"], "synthetic": n.is_synthetic}
            for n in numbers.select_related("road__place").order_by("side", "distance_m")[:MAX_ROAD_NUMBERS]
        ],
        "more_numbers": max(0, numbers.count() - MAX_ROAD_NUMBERS),
        "signs": [
            {
                "number": s.number,
                "kind": s.get_kind_display(),
                "text": f"{s.text}{s.number_text}",
                "synthetic": s.is_synthetic,
            }
            for s in signs.order_by("number")[:MAX_ROAD_NUMBERS]
        ],
    }
