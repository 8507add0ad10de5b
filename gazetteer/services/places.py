"""Creating and changing place records: the only place that writes Place and PlaceName rows.

Every change bumps the record's version and writes a PlaceVersion (attributes and names) inside a
changeset. An update carrying the version it was based on is refused with VersionConflict when the
record has moved on since. Records are never deleted: they are retired (status historical, valid_to).
"""

from __future__ import annotations

import datetime as dt

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.utils import timezone

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from boundaries.services import geography
from core.events import RecordChanged, announce
from core.models import Changeset
from core.records import bump, changed_values, lock
from gazetteer import fields
from gazetteer.models import Category, Place, PlaceName, PlaceVersion
from gazetteer.services import standing
from gazetteer.services.codes import allocate_place_code, place_code_prefix
from gazetteer.services.names import name_problem
from gazetteer.services.rules import PlaceRuleError

# Attributes an update may change (names change through rename_place or set_names).
EDITABLE_FIELDS = fields.EDITABLE


def today() -> dt.date:
    """Today in the bureau's time zone (settings.TIME_ZONE)."""
    return timezone.localdate()


# ---- derived facts --------------------------------------------------------------------------------


def place_counties(place: Place) -> set[int]:
    """Ids of the county-level units a place touches: by its geometry, else by its unit.
    A river or road crossing counties touches each of them."""
    counties = geography.counties_under(place.geom)
    county = geography.county_of(place.unit)
    if county is not None:
        counties.add(county.id)
    elif place.unit is not None and place.unit.tier == Tier.CITY and not counties:
        counties |= set(place.unit.children.current().filter(tier=Tier.COUNTY).values_list("id", flat=True))
    return counties


def check_unit_agrees(unit: AdminUnit | None, geom: GEOSGeometry | None) -> None:
    """A record's unit and geometry must agree: an officer cannot register a point of their own county
    under another county's unit (or the other way round)."""
    problem = geography.disagreement(unit, geom)
    if problem:
        raise PlaceRuleError(problem)


def landing_counties(place: Place | None, changes: dict) -> set[int]:
    """The county-level units a record touches once ``changes`` are applied to it (``place`` None: a new
    record): what the rights of a create or an update are checked against, by the API and the admin alike.
    The unit follows the geometry unless it is given, or was set by hand before; a unit that does not
    hold the geometry is refused first, so it cannot decide whose record it is."""
    geom = changes.get("geom", place.geom if place else None)
    if "unit" in changes:
        unit = changes["unit"]
    elif place is not None and (place.unit_overridden or "geom" not in changes):
        unit = place.unit
    else:
        unit = geography.unit_at(geom) or (place.unit if place else None)
    check_unit_agrees(unit, geom)
    return place_counties(Place(geom=geom, unit=unit))


def check_dates(valid_from: dt.date | None, valid_to: dt.date | None, what: str = "the record") -> None:
    if valid_from and valid_to and valid_to <= valid_from:
        raise PlaceRuleError(
            f"{what} cannot end ({valid_to}) on or before the day it begins ({valid_from}): "
            "validity runs from the first day up to, not including, the last"
        )


def check_name(name: str) -> str:
    problem = name_problem(name)
    if problem:
        raise PlaceRuleError(problem)
    return name.strip()


# Settlements (居民点) are natural villages and towns: written as one word (石河 Shihe, not Shi He).
ONE_WORD_CATEGORY_PREFIX = "07"


def computed_romanization(name: str, category: Category | None = None) -> tuple[str, str]:
    from gazetteer.romanization import romanize

    one_word = category is not None and category.code.startswith(ONE_WORD_CATEGORY_PREFIX)
    result = romanize(name, natural_settlement=one_word)
    return result.romanization, result.romanization_tones


# ---- history --------------------------------------------------------------------------------------


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(place: Place) -> dict:
    names = [
        {
            "name": n.name,
            "kind": n.kind,
            "valid_from": _date(n.valid_from),
            "valid_to": _date(n.valid_to),
            "romanization": n.romanization,
        }
        for n in place.names.order_by("kind", "valid_from", "id")
    ]
    return {
        "code": place.code,
        "name": place.name,
        **{a.name: fields.snapshot_value(a, place) for a in fields.PLACE_ATTRIBUTES if a.kind != fields.GEOMETRY},
        "unit_overridden": place.unit_overridden,
        "admin_unit": place.admin_unit.code if place.admin_unit_id else None,
        "romanization_overridden": place.romanization_overridden,
        "standing": place.standing,
        "standard_basis": place.standard_basis,
        "decision_authority": place.decision_authority,
        "decision_document": place.decision_document,
        "decision_date": _date(place.decision_date),
        "source": place.source.key if place.source_id else None,
        "source_ref": place.source_ref,
        "names": names,
    }


def record_version(place: Place, changeset: Changeset, changed: frozenset[str] = frozenset()) -> PlaceVersion:
    version = PlaceVersion.objects.create(
        place=place, version=place.version, changeset=changeset, data=snapshot(place), geom=place.geom
    )
    # The search index and the cached tiles follow (their apps subscribe).
    announce(RecordChanged("place", place, changed, created=place.version == 1))
    return version


# ---- creating -------------------------------------------------------------------------------------


def _standard_name_row(place: Place, name: str, valid_from: dt.date | None, source=None) -> PlaceName:
    roman, tones = (
        (place.romanization, place.romanization_tones)
        if place.name == name
        else computed_romanization(name, place.category)
    )
    return PlaceName.objects.create(
        place=place,
        name=name,
        kind=PlaceName.Kind.STANDARD,
        valid_from=valid_from,
        romanization=roman,
        romanization_tones=tones,
        source=source,
    )


@transaction.atomic
def create_place(
    *,
    changeset: Changeset,
    name: str,
    category: Category,
    geom: GEOSGeometry | None = None,
    unit: AdminUnit | None = None,
    township: AdminUnit | None = None,
    other_names: list[tuple[str, str]] = (),
    romanization: tuple[str, str] | None = None,
    decision: standing.Decision | None = None,
    synthetic: bool = False,
    **fields,
) -> Place:
    """A new record. The containing unit is derived from the geometry unless given; the code is
    allocated from the county and township of that unit. ``other_names`` are (kind, name) pairs.
    Its standing follows gazetteer.services.standing: a candidate unless ``decision`` cites the
    decision that made the name standard or the source is an official register; ``synthetic`` for
    demonstration records."""
    name = check_name(name or "")
    fields.update(standing.at_creation(source=fields.get("source"), decision=decision, synthetic=synthetic))
    check_unit_agrees(unit, geom)
    check_dates(fields.get("valid_from"), fields.get("valid_to"))
    derived = geography.unit_at(geom)
    fields["unit_overridden"] = unit is not None and unit != derived
    unit = unit or derived
    county = geography.county_of(unit) or (unit if unit is not None and unit.tier == Tier.CITY else None)
    if county is None:
        raise PlaceRuleError("the place lies in no known county: give its geometry or its administrative unit")
    township = township or _township_of(unit)
    roman, tones = romanization or computed_romanization(name, category)
    place = Place.objects.create(
        code=allocate_place_code(place_code_prefix(county, township, category)),
        name=name,
        category=category,
        geom=geom,
        unit=unit,
        romanization=roman,
        romanization_tones=tones,
        romanization_overridden=romanization is not None,
        version=1,
        **fields,
    )
    _standard_name_row(place, name, fields.get("named_on") or fields.get("valid_from"), fields.get("source"))
    for kind, other in other_names:
        add_name(place, other, kind, source=fields.get("source"))
    record_version(place, changeset)
    return place


def _township_of(unit: AdminUnit | None) -> AdminUnit | None:
    township = geography.township_of(unit)
    if township is None or township.level == "statistical":
        return None  # the township digits are the civil-affairs code; statistical units have none
    return township


# ---- changing -------------------------------------------------------------------------------------


def lock_place(place: Place, expected_version: int | None) -> Place:
    """The record locked for a change, refused (VersionConflict) when it moved on from the version expected."""
    return lock(Place.objects.select_related("category", "unit"), place.pk, expected_version)


def bump_version(place: Place, changeset: Changeset, changed: frozenset[str] = frozenset()) -> Place:
    """Save the locked record as its next version in ``changeset``."""
    bump(place)
    record_version(place, changeset, changed)
    return Place.objects.select_related("category", "unit").get(pk=place.pk)


@transaction.atomic
def update_place(place: Place, *, changeset: Changeset, changes: dict, expected_version: int | None = None) -> Place:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise PlaceRuleError(f"not editable here: {', '.join(sorted(unknown))}")
    locked = lock_place(place, expected_version)
    changed = changed_values(locked, changes)
    if not changed:
        return locked
    standing.may_change(locked, changed)
    if "romanization" in changed or "romanization_tones" in changed:
        locked.romanization_overridden = True
    if "unit" in changed:
        locked.unit_overridden = changed["unit"] is not None
    elif "geom" in changed and not locked.unit_overridden:
        changed["unit"] = geography.unit_at(changed["geom"]) or locked.unit
    for key, value in changed.items():
        setattr(locked, key, value)
    if "unit" in changed or "geom" in changed:
        check_unit_agrees(locked.unit, locked.geom)
    check_dates(locked.valid_from, locked.valid_to)
    return bump_version(locked, changeset, frozenset(changed))


@transaction.atomic
def add_name(
    place: Place,
    name: str,
    kind: str,
    *,
    valid_from=None,
    valid_to=None,
    source=None,
    note="",
    changeset: Changeset | None = None,
    expected_version: int | None = None,
) -> PlaceName:
    """Add an alias, short, map or former name. With a changeset the record gets a new version;
    without one the caller records the version (as create_place does)."""
    if kind not in PlaceName.Kind.values or kind == PlaceName.Kind.STANDARD:
        raise PlaceRuleError(f"a name added this way is one of former, alias, short, map; not {kind!r}")
    name = check_name(name or "")
    check_dates(valid_from, valid_to, "the name")
    locked = lock_place(place, expected_version) if changeset is not None else place
    roman, tones = computed_romanization(name, place.category)
    row, created = PlaceName.objects.get_or_create(
        place=locked,
        name=name,
        kind=kind,
        defaults={
            "valid_from": valid_from,
            "valid_to": valid_to,
            "romanization": roman,
            "romanization_tones": tones,
            "source": source,
            "note": note,
        },
    )
    if changeset is not None and created:
        bump_version(locked, changeset)
    return row


@transaction.atomic
def rename_place(
    place: Place,
    new_name: str,
    *,
    changeset: Changeset,
    effective: dt.date,
    expected_version: int | None = None,
    note: str = "",
) -> Place:
    """The standard name changes on ``effective``: the current standard name's validity ends that
    day and it becomes a former name; the new one is standard from that day. A rename dated in the
    future is written now (so ``?at=`` answers right) and made current by apply_due_renames."""
    new_name = check_name(new_name or "")
    locked = lock_place(place, expected_version)
    current = locked.names.filter(kind=PlaceName.Kind.STANDARD, valid_to__isnull=True).first()
    if current is not None and current.valid_from and current.valid_from >= effective:
        raise PlaceRuleError(f"the current name is valid from {current.valid_from}; a rename must take effect later")
    if current is not None:
        current.valid_to = effective
        current.note = (current.note + "\n" if current.note else "") + note
        current.save(update_fields=["valid_to", "note"])
    roman, tones = computed_romanization(new_name, locked.category)
    PlaceName.objects.create(
        place=locked,
        name=new_name,
        kind=PlaceName.Kind.STANDARD,
        valid_from=effective,
        romanization=roman,
        romanization_tones=tones,
        note=note,
    )
    _make_names_current(locked, today())
    return bump_version(locked, changeset)


def _make_names_current(place: Place, day: dt.date) -> bool:
    """Standard rows that have ended become former names; the place takes the name valid today."""
    ended = place.names.filter(kind=PlaceName.Kind.STANDARD, valid_to__lte=day)
    changed = ended.update(kind=PlaceName.Kind.FORMER) > 0
    standing = (
        place.names.filter(kind=PlaceName.Kind.STANDARD).filter(valid_from__isnull=True).first()
        or place.names.filter(kind=PlaceName.Kind.STANDARD, valid_from__lte=day).order_by("-valid_from").first()
    )
    if standing is not None and standing.name != place.name:
        place.name = standing.name
        if not place.romanization_overridden:
            place.romanization, place.romanization_tones = standing.romanization, standing.romanization_tones
        changed = True
    return changed


@transaction.atomic
def apply_due_renames(day: dt.date | None = None, *, changeset_factory=None) -> list[Place]:
    """Make renames whose effective day has come the current names (run daily; idempotent)."""
    day = day or today()
    due = Place.objects.filter(names__kind=PlaceName.Kind.STANDARD, names__valid_to__lte=day).distinct()
    applied = []
    for place in due:
        locked = lock_place(place, None)
        if _make_names_current(locked, day):
            changeset = changeset_factory(locked) if changeset_factory else None
            if changeset is None:
                from core.history import open_changeset

                changeset = open_changeset(
                    Changeset.Kind.DECISION,
                    f"rename of {locked.code} takes effect on {day}",
                    label="scheduled: apply_due_renames",
                )
            applied.append(bump_version(locked, changeset))
    return applied


@transaction.atomic
def retire_place(
    place: Place, *, changeset: Changeset, valid_to: dt.date, expected_version: int | None = None
) -> Place:
    """A candidate or synthetic record ends on ``valid_to``; a standard name is refused (it ends by
    abolition, the naming procedure's ``abolish_place``)."""
    locked = lock_place(place, expected_version)
    standing.may_retire_directly(locked)
    return _end(locked, changeset, valid_to)


@transaction.atomic
def abolish_place(place: Place, *, changeset: Changeset, valid_to: dt.date) -> Place:
    """销名: the procedure's decision ends the record on ``valid_to`` (gazetteer.services.naming only)."""
    return _end(lock_place(place, None), changeset, valid_to)


def _end(locked: Place, changeset: Changeset, valid_to: dt.date) -> Place:
    """The place ceases to exist on ``valid_to``: status historical, names end that day. Not deleted."""
    check_dates(locked.valid_from, valid_to)
    for name in locked.names.filter(valid_to__isnull=True):
        check_dates(name.valid_from, valid_to, f"the name {name.name}")
    locked.valid_to = valid_to
    locked.status = Place.Status.HISTORICAL
    locked.names.filter(valid_to__isnull=True).update(valid_to=valid_to)
    return bump_version(locked, changeset)
