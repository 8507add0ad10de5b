"""The search index: every name of every place in the forms people type (derived data).

refresh_place() rewrites one place's entries after a change (subscribed to the place service, and to
the unit service for the places under a renamed unit);
rebuild() rewrites them all (after a bulk load, or `manage.py rebuild_search_index`)."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.gis.geos import Point
from django.db import connection, transaction

from boundaries.models import AdminUnit
from boundaries.services import markers
from gazetteer.models import Place, PlaceName, SearchDeletion, SearchEntry
from gazetteer.romanization import romanize
from gazetteer.search.answers import index_changed
from gazetteer.search.normalize import bigrams, deletions, hanzi_key, pinyin_key

OTHER_PLACES_TIER = 5
SETTLEMENT_PREFIX = "07"  # natural villages are written as one word
BATCH = 500


def unit_chain(unit: AdminUnit | None) -> list[AdminUnit]:
    chain = []
    while unit is not None:
        chain.append(unit)
        unit = unit.parent
    return chain[::-1]


def payload(place: Place, chain: list[AdminUnit], point: Point | None) -> dict:
    return {
        "id": place.pk,
        "code": place.code,
        "name": place.name,
        "romanization": place.romanization,
        "category": {"code": place.category.code, "name": place.category.name_zh, "name_en": place.category.name_en},
        "unit_path": [{"code": u.code, "name": u.name, "level": u.level} for u in chain],
        "lon": round(point.x, 6) if point else None,
        "lat": round(point.y, 6) if point else None,
        "is_synthetic": place.is_synthetic,
        "standing": place.standing,
    }


def _label_point(place: Place) -> Point | None:
    """Where a result is: a unit's record at the unit's marker (its seat where known, markers.marker),
    any other polygon or line at a point on it."""
    if place.geom is None:
        return None
    if place.geom.geom_type == "Point":
        return place.geom
    if place.admin_unit_id is not None:
        seat = markers.marker(place.admin_unit)
        if seat is not None:
            return seat
    return place.geom.point_on_surface


def _forms(name: str, one_word: bool) -> dict:
    result = romanize(name, natural_settlement=one_word)
    proper = "".join(p.text for p in result.parts if p.role == "proper") or name
    proper_roman = " ".join(p.romanization for p in result.parts if p.role == "proper") or result.romanization
    readings = [d.reading for d in result.decisions]
    return {
        "hanzi": hanzi_key(name),
        "proper": hanzi_key(proper),
        "pinyin": pinyin_key(result.romanization),
        "proper_pinyin": pinyin_key(proper_roman),
        "initials": "".join(pinyin_key(r)[:1] for r in readings),
    }


def entries_for(place: Place, names: Iterable[PlaceName]) -> list[tuple[SearchEntry, list[tuple[int, str]]]]:
    chain = unit_chain(place.unit)
    point = _label_point(place)
    data = payload(place, chain, point)
    tier = place.admin_unit.tier if place.admin_unit_id else OTHER_PLACES_TIER
    one_word = place.category.code.startswith(SETTLEMENT_PREFIX)
    made = []
    for row in names:
        try:
            forms = _forms(row.name, one_word)
        except ValueError:
            continue  # a name the engine cannot write (no character or letter) is not searchable
        entry = SearchEntry(
            place=place,
            name=row.name,
            kind=row.kind,
            name_valid_from=row.valid_from,
            name_valid_to=row.valid_to,
            place_valid_from=place.valid_from,
            place_valid_to=place.valid_to,
            is_public=place.is_public,
            is_proposed=place.status == Place.Status.PROPOSED,
            bigrams=bigrams(forms["hanzi"]),
            tier=tier,
            category_code=place.category.code,
            category_parent=place.category.parent.code if place.category.parent else "",
            ancestors=[u.id for u in chain],
            point=point,
            payload=data,
            **forms,
        )
        made.append((entry, deletions(forms["hanzi"]) if len(forms["hanzi"]) >= 2 else []))
    return made


def _save(made: list[tuple[SearchEntry, list[tuple[int, str]]]]) -> None:
    entries = SearchEntry.objects.bulk_create([entry for entry, _ in made])
    SearchDeletion.objects.bulk_create(
        [
            SearchDeletion(entry=entry, key=key, position=position)
            for entry, (_, keys) in zip(entries, made, strict=True)
            for position, key in keys
        ]
    )


def _places():
    return Place.objects.select_related("category__parent", "admin_unit", "unit__parent__parent__parent")


@transaction.atomic
def refresh_place(place: Place) -> None:
    place = _places().get(pk=place.pk)
    SearchEntry.objects.filter(place=place).delete()
    _save(entries_for(place, place.names.all()))
    index_changed()


def place_event(event) -> None:
    """Subscribed to the place service's announcements (gazetteer.apps)."""
    refresh_place(event.record)


# A unit's attributes that its places' entries carry (the unit path in the payload, the tier).
UNIT_FIELDS_SHOWN = ("name", "code", "level", "parent", "tier")
# Above this many places under a changed unit, the whole index is rewritten in one go instead.
REBUILD_ABOVE = 500


def shows_unit(event) -> bool:
    return not event.created and event.touches(*UNIT_FIELDS_SHOWN)


def unit_event(event) -> None:
    """Subscribed to the unit service's announcements: the places under a renamed or moved unit are
    found again under its new name (their entries hold the unit path)."""
    under = SearchEntry.objects.filter(ancestors__contains=[event.record.pk])
    place_ids = set(under.values_list("place_id", flat=True))
    if len(place_ids) > REBUILD_ABOVE:
        rebuild()
        return
    for place in Place.objects.filter(pk__in=place_ids).order_by("pk"):
        refresh_place(place)


@transaction.atomic
def rebuild() -> int:
    """Rewrite the whole index; returns the number of entries."""
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {SearchDeletion._meta.db_table}, {SearchEntry._meta.db_table}")
    index_changed()
    total = 0
    batch: list = []
    for place in _places().prefetch_related("names").order_by("pk").iterator(chunk_size=BATCH):
        batch += entries_for(place, place.names.all())
        if len(batch) >= BATCH:
            _save(batch)
            total += len(batch)
            batch = []
    _save(batch)
    return total + len(batch)


# Members a result gained in a later release: entries without them were indexed before, and are rebuilt.
LATER_MEMBERS = ("standing",)


def ensure_built() -> int:
    """Rebuild when some place has no entry (a database loaded before the index existed) or an entry
    lacks a member results have gained since (LATER_MEMBERS)."""
    if (
        Place.objects.filter(search_entries__isnull=True).exists()
        or SearchEntry.objects.exclude(payload__has_keys=list(LATER_MEMBERS)).exists()
    ):
        return rebuild()
    return 0
