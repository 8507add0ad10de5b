"""Place records as JSON (GeoJSON Features in WGS84), now or as they stood on a day."""

from __future__ import annotations

import datetime as dt
import json
import unicodedata

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON, Transform
from django.contrib.gis.geos import GEOSGeometry

from accounts.roles import is_staff_reader
from boundaries.models import AdminUnit
from boundaries.services import queries as unit_queries
from core.records import changes_between, history_entries
from core.srid import API_SRID
from gazetteer.models import Place, PlaceName, PlaceVersion
from gazetteer.services import standing

COORDINATE_DECIMALS = 7


def geometry_json(geom: GEOSGeometry | None) -> dict | None:
    if geom is None:
        return None
    return json.loads(geom.transform(API_SRID, clone=True).json)


def unit_path(unit: AdminUnit | None) -> list[dict]:
    """The containing units from the city down."""
    path = []
    while unit is not None:
        path.append({"code": unit.code, "name": unit.name, "level": unit.level})
        unit = unit.parent
    return path[::-1]


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _name_row(row: PlaceName | dict) -> dict:
    if isinstance(row, dict):
        return {k: row.get(k) for k in ("name", "kind", "valid_from", "valid_to", "romanization")}
    return {
        "name": row.name,
        "kind": row.kind,
        "valid_from": _date(row.valid_from),
        "valid_to": _date(row.valid_to),
        "romanization": row.romanization,
    }


def citation(place: Place, name: str, permalink: str | None = None) -> str:
    """A line to cite the record by (``permalink``: the record as of a day, /places/<code>?at=)."""
    url = settings.GAZETTEER_URL + (permalink or f"/places/{place.code}")
    return f"{name}（地名代码 {place.code}），{settings.GAZETTEER_PUBLISHER}，{url}"


def with_geojson(places):
    """The geometry as GeoJSON in the API CRS, made by PostGIS in the query: for lists, where a Python
    transform of each big polygon costs ten times as much."""
    return places.defer("geom").annotate(
        geometry_json=AsGeoJSON(Transform("geom", API_SRID), precision=COORDINATE_DECIMALS)
    )


def _geometry(place: Place) -> dict | None:
    made = getattr(place, "geometry_json", False)
    if made is not False:
        return json.loads(made) if made else None
    return geometry_json(place.geom)


def feature(place: Place, *, with_geometry: bool = True) -> dict:
    names = [_name_row(n) for n in place.names.all()]
    return {
        "type": "Feature",
        "id": place.code,
        "geometry": _geometry(place) if with_geometry else None,
        "properties": {
            "code": place.code,
            "name": place.name,
            "romanization": place.romanization,
            "romanization_tones": place.romanization_tones,
            "romanization_overridden": place.romanization_overridden,
            "category": {
                "code": place.category.code,
                "name": place.category.name_zh,
                "name_en": place.category.name_en,
            },
            "unit_path": unit_path(place.unit),
            "unit_overridden": place.unit_overridden,
            "admin_unit": place.admin_unit.code if place.admin_unit_id else None,
            "names": names,
            "meaning": place.meaning,
            "origin": place.origin,
            "history": place.history,
            "description": place.description,
            "sources": place.sources_text,
            "heritage": (
                {"listed_on": _date(place.heritage_listed_on), "reason": place.heritage_reason}
                if place.heritage_listed_on
                else None
            ),
            "status": place.status,
            "named_on": _date(place.named_on),
            "valid_from": _date(place.valid_from),
            "valid_to": _date(place.valid_to),
            "survey_method": place.survey_method,
            "elevation_m": place.elevation_m,
            "is_public": place.is_public,
            "is_synthetic": place.is_synthetic,
            "standing": standing.described(place),
            "registered_by": place.registered_by.get_username() if place.registered_by_id else None,
            "registered_for": place.registered_for.code if place.registered_for_id else None,
            "registered_at": place.registered_at.isoformat(),
            "source": _source(place),
            "version": place.version,
            "permalink": f"/places/{place.code}",
            "cite_as": citation(place, place.name),
        },
    }


def _source(place: Place) -> dict | None:
    if place.source is None:
        return None
    return {"key": place.source.key, "licence": place.source.licence, "attribution": place.source.attribution}


def _state_on(place: Place, day: dt.date) -> PlaceVersion | None:
    """The latest version recorded by the end of ``day`` (bureau time), else the first version."""
    from django.utils import timezone

    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    versions = place.versions.select_related("changeset")
    return (
        versions.filter(changeset__created_at__lt=end_of_day).order_by("-version").first()
        or versions.order_by("version").first()
    )


def names_on(names: list[dict], day: dt.date, periods: dict[str, dict] | None = None) -> list[dict]:
    """The names as they stood on ``day``: later names left out; a standard name whose validity had
    ended by then shown as former, the one whose [from, to) contains the day as standard. A former
    name whose end is unknown stays former. ``periods`` (name -> {"valid_from", "valid_to"}) dates
    the standard and former names that carry no dates of their own (a unit's record: its unit's
    division history)."""
    iso = day.isoformat()
    result = []
    for row in names:
        valid_from, valid_to = row["valid_from"], row["valid_to"]
        period = (periods or {}).get(row["name"])
        if valid_from is None and valid_to is None and period and row["kind"] in _STANDARD_OR_FORMER:
            valid_from, valid_to = _date(period["valid_from"]), _date(period["valid_to"])
        if valid_from and valid_from > iso:
            continue
        row = dict(row)
        if row["kind"] in _STANDARD_OR_FORMER and not (row["kind"] == PlaceName.Kind.FORMER and valid_to is None):
            ended = valid_to is not None and valid_to <= iso
            row["kind"] = PlaceName.Kind.FORMER if ended else PlaceName.Kind.STANDARD
        result.append(row)
    return result


_STANDARD_OR_FORMER = (PlaceName.Kind.STANDARD, PlaceName.Kind.FORMER)


def _plain(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def romanization_of(place: Place, name: str) -> tuple[str, str]:
    """(romanization, with tones) of a name the place has or had: the record's own for its current
    name, else the name row's stored ones, else computed (the tones computed where only the toneless
    form is stored, and kept only when they agree with it)."""
    if name == place.name:
        return place.romanization, place.romanization_tones
    row = next((n for n in place.names.all() if n.name == name and n.romanization), None)
    if row is not None and row.romanization_tones:
        return row.romanization, row.romanization_tones
    from gazetteer.services.places import computed_romanization

    try:
        plain, tones = computed_romanization(name, place.category)
    except ValueError:
        return (row.romanization if row else ""), ""
    if row is None:
        return plain, tones
    return row.romanization, tones if _plain(tones) == _plain(row.romanization) else ""


def _unit_periods(place: Place) -> dict[str, dict]:
    """The names of a unit's own record through time, from the unit's division history."""
    if not place.admin_unit_id:
        return {}
    return {p["name"]: p for p in unit_queries.name_periods(place.admin_unit)}


def feature_on(place: Place, day: dt.date) -> dict | None:
    """The record as it stood on ``day``: the names valid that day (valid time; a unit's record dated
    by its unit's division history), that name's romanization with tones, the administrative path of
    that day (boundaries.services.queries.path_on), the other attributes as recorded by the end of
    that day; the permalink and the citation keep the day. None when the place did not exist then."""
    if (place.valid_from and day < place.valid_from) or (place.valid_to and day >= place.valid_to):
        return None
    names = names_on([_name_row(n) for n in place.names.all()], day, _unit_periods(place))
    standards = [n for n in names if n["kind"] == PlaceName.Kind.STANDARD]
    if not standards:
        return None
    standard = max(standards, key=lambda n: n["valid_from"] or "")
    version = _state_on(place, day)
    result = feature(place, with_geometry=False)  # the geometry of the day replaces it
    props = result["properties"]
    result["geometry"] = geometry_json(version.geom)
    for key in ("meaning", "origin", "history", "description", "status", "is_public"):
        props[key] = version.data.get(key, props[key])
    props["category"]["code"] = version.data.get("category", props["category"]["code"])
    if "standing" in version.data:  # recorded since the standing exists; older versions show today's
        props["standing"] = standing.described(_standing_as_recorded(version.data))
    romanization, tones = romanization_of(place, standard["name"])
    permalink = f"/places/{place.code}?at={day.isoformat()}"
    props.update(
        name=standard["name"],
        romanization=romanization,
        romanization_tones=tones,
        romanization_overridden=props["romanization_overridden"] and standard["name"] == place.name,
        unit_path=unit_queries.path_on(place.unit, day),
        names=names,
        version=version.version,
        as_of=day.isoformat(),
        permalink=permalink,
        cite_as=citation(place, standard["name"], permalink),
    )
    return result


def _standing_as_recorded(data: dict) -> Place:
    decided = data.get("decision_date")
    return Place(
        standing=data["standing"],
        standard_basis=data.get("standard_basis") or "",
        decision_authority=data.get("decision_authority") or "",
        decision_document=data.get("decision_document") or "",
        decision_date=dt.date.fromisoformat(decided) if decided else None,
    )


def history(place: Place) -> dict:
    return {
        "code": place.code,
        "versions": history_entries(
            place.versions.select_related("changeset").order_by("version"), geometry=lambda v: geometry_json(v.geom)
        ),
    }


# What a record's history shows in words (the public page): the attributes a reader knows, in order.
HISTORY_FIELDS = (
    "name",
    "category",
    "unit",
    "romanization",
    "status",
    "named_on",
    "valid_from",
    "valid_to",
    "meaning",
    "origin",
    "history",
    "description",
    "sources_text",
    "heritage_listed_on",
    "heritage_reason",
    "elevation_m",
)


def _name_rows(data: dict) -> set[tuple[str, str]]:
    return {(n["name"], n["kind"]) for n in data.get("names", []) if not n.get("valid_to")}


NAME_FIELDS = {"name", "romanization"}


def history_in_words(place: Place, reader, day: dt.date | None = None) -> list[dict]:
    """The record's versions up to ``day`` (default today), newest first, as ``reader`` follows them:
    the day, why, by whom (staff see the officer, the public the bureau's name), what changed (field,
    old, new) and which names began or ended. A name decided but not yet in force on ``day`` is not
    shown (the page shows the names in force)."""
    day = day or dt.date.today()
    show_authors = is_staff_reader(reader)
    not_yet = set(place.names.filter(valid_from__gt=day).values_list("name", flat=True))
    entries, before = [], None
    for version in place.versions.select_related("changeset").order_by("version"):
        data, changeset = version.data, version.changeset
        if changeset.created_at.date() > day:
            break
        began = sorted(_name_rows(data) - _name_rows(before or {}))
        ended = sorted(_name_rows(before or {}) - _name_rows(data)) if before else []
        entries.append(
            {
                "version": version.version,
                "date": changeset.created_at.date().isoformat(),
                "reason": changeset.reason,
                "by": changeset.author_label if show_authors else settings.GAZETTEER_PUBLISHER,
                "created": before is None,
                "changes": [
                    {"field": field, "before": old, "after": new}
                    for field, old, new in changes_between(before, data, HISTORY_FIELDS)
                    if not (field in NAME_FIELDS and not_yet and data.get("name") in not_yet)
                ],
                "names_began": [{"name": n, "kind": k} for n, k in began if before is not None and n not in not_yet],
                "names_ended": [{"name": n, "kind": k} for n, k in ended],
            }
        )
        before = data
    return entries[::-1]
