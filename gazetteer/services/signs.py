"""The sign inventory (地名标志): the only code that writes Sign, SignVersion and SignPhoto rows.

- ``register_sign``: a new sign naming a place (road, street, lane, village, community, natural feature)
  or a house number (house, building, unit, household plates). Its number comes from core.serials
  (BZ-year-serial); its text is captured from the record (``expected_text``): the Chinese as the record
  writes it, the romanization from the engine (toneless, as on signs; a village's name as one word), the
  number of a plate from its address. Nobody types a sign's text.
- ``update_sign``: the physical attributes (position, facing, size, material, colours, maker, install
  date, condition, last inspection); ``remake_sign``: the text captured afresh (a new face), which
  clears the flag; ``remove_sign``: taken down with the day and a reason, never deleted.
- The flag: when a place or house number changes (core.events "place", "house-number"), every sign in
  place that names it, or an address on the renamed road, is compared with what the record now asks it
  to show; a difference sets ``text_outdated_since`` (and ``expected_text``); agreement clears them.
- Rights: officers of the county the sign stands in (boundaries.services.geography), administrators.
- Photos through core.photos, the one door for images (``add_photo``, ``retire_photo``).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from pyproj import Geod

from accounts.roles import may_write_in
from boundaries.models import AdminUnit
from boundaries.services.geography import county_of, unit_at
from core.events import RecordChanged, announce
from core.history import open_changeset
from core.models import Changeset
from core.photos import CheckedPhoto, check_photo
from core.records import bump, changed_values, lock
from core.serials import SerialsExhausted, next_number
from core.srid import STORAGE_SRID
from gazetteer.models import HouseNumber, Place
from gazetteer.models_signs import SIGN_PHOTO_FOLDER, Sign, SignPhoto, SignVersion
from gazetteer.romanization.engine import romanize

GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid (photo positions against the sign's)

Kind = Sign.Kind
PLACE_KINDS = (Kind.ROAD_NAME, Kind.STREET, Kind.LANE, Kind.VILLAGE, Kind.COMMUNITY, Kind.NATURAL)
PLATE_KINDS = (Kind.HOUSE_PLATE, Kind.BUILDING, Kind.UNIT, Kind.HOUSEHOLD)
ROAD_KINDS = (Kind.ROAD_NAME, Kind.STREET, Kind.LANE)
ROAD_CATEGORY_PREFIX = "08"  # 08100 道路、街、巷; 08200 railway
SETTLEMENT_CATEGORY_PREFIX = "07"  # natural villages are written as one word (Wangcun)
EDITABLE = (
    "geom",
    "facing_deg",
    "width_mm",
    "height_mm",
    "material",
    "ground_colour",
    "ink_colour",
    "maker",
    "installed_on",
    "condition",
    "last_inspected_on",
)
MAX_SIZE_MM = 20_000


class SignRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class SignForbidden(PermissionError):
    """The user does not keep the signs of that county."""


# ---- the text a sign shows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignText:
    text: str
    romanization: str
    number_text: str = ""

    def __str__(self) -> str:
        return " ".join(part for part in (self.text, self.romanization, self.number_text) if part)


def _romanized(place: Place) -> str:
    if place.romanization_overridden and place.romanization:
        return place.romanization  # the record's decided romanization (an officer's, on the record)
    one_word = place.category.code.startswith(SETTLEMENT_CATEGORY_PREFIX)
    return romanize(place.name, natural_settlement=one_word).romanization


def expected_text(kind: str, place: Place | None = None, house_number: HouseNumber | None = None) -> SignText:
    """What a sign of ``kind`` naming this record should show, from the record as it stands now."""
    if kind in PLACE_KINDS:
        return SignText(place.name, _romanized(place))
    road = house_number.road.place
    label = house_number.number_label
    if kind == Kind.HOUSE_PLATE:
        return SignText(road.name, _romanized(road), label)
    number = {
        Kind.BUILDING: f"{house_number.building_no}号楼",
        Kind.UNIT: f"{house_number.unit_no}单元",
        Kind.HOUSEHOLD: f"{house_number.room_no}室",
    }[kind]
    return SignText(f"{road.name}{label}", _romanized(road), number)


def shown_text(sign: Sign) -> SignText:
    return SignText(sign.text, sign.romanization, sign.number_text)


def text_of(sign: Sign) -> SignText:
    return expected_text(sign.kind, sign.place, sign.house_number)


def _synthetic(place: Place | None, house_number: HouseNumber | None) -> bool:
    if place is not None:
        return place.is_synthetic
    return house_number.is_synthetic or house_number.road.place.is_synthetic


# ---- rights --------------------------------------------------------------------------------------------


def county_at(geom: Point | None) -> AdminUnit | None:
    return county_of(unit_at(geom))


def may_keep(user, sign: Sign) -> bool:
    return may_write_in(user, {sign.county_id} if sign.county_id else set())


def _may_keep(user, sign: Sign) -> None:
    if not may_keep(user, sign):
        where = sign.county.name if sign.county_id else "no county of the city"
        raise SignForbidden(f"the signs in {where} are kept by its officers")


# ---- history -------------------------------------------------------------------------------------------


def _day(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def snapshot(sign: Sign) -> dict:
    return {
        "number": sign.number,
        "kind": sign.kind,
        "place": sign.place.code if sign.place_id else None,
        "house_number": sign.house_number.label if sign.house_number_id else None,
        "text": sign.text,
        "romanization": sign.romanization,
        "number_text": sign.number_text,
        "county": sign.county.code if sign.county_id else None,
        "facing_deg": sign.facing_deg,
        "width_mm": sign.width_mm,
        "height_mm": sign.height_mm,
        "material": sign.material,
        "ground_colour": sign.ground_colour,
        "ink_colour": sign.ink_colour,
        "maker": sign.maker,
        "installed_on": _day(sign.installed_on),
        "condition": sign.condition,
        "last_inspected_on": _day(sign.last_inspected_on),
        "status": sign.status,
        "removed_on": _day(sign.removed_on),
        "removed_reason": sign.removed_reason,
        "is_synthetic": sign.is_synthetic,
    }


def _record(sign: Sign, changeset: Changeset, event: str, changed=frozenset()) -> None:
    SignVersion.objects.create(
        sign=sign, version=sign.version, changeset=changeset, data={**snapshot(sign), "event": event}, geom=sign.geom
    )
    announce(RecordChanged("sign", sign, frozenset(changed), created=sign.version == 1))


# ---- checks --------------------------------------------------------------------------------------------


def _check_named(kind: str, place: Place | None, house_number: HouseNumber | None) -> None:
    if kind not in Kind.values:
        raise SignRefused(f"a sign's kind is one of {', '.join(Kind.values)}, not {kind!r}", "kind")
    if kind in PLACE_KINDS:
        if place is None or house_number is not None:
            raise SignRefused(f"a {kind} sign names a place record (give place, not house_number)", "place")
        if place.valid_to is not None:
            raise SignRefused(f"{place.name} ({place.code}) ended on {place.valid_to}: no new sign names it", "place")
        if kind in ROAD_KINDS and not place.category.code.startswith(ROAD_CATEGORY_PREFIX):
            raise SignRefused(f"a {kind} sign names a road, street or lane, not {place.category.name_zh}", "place")
        return
    if house_number is None or place is not None:
        raise SignRefused(f"a {kind} plate names a house number (give house_number, not place)", "house_number")
    if house_number.status == HouseNumber.Status.RETIRED:
        raise SignRefused(f"{house_number.label} is retired: no new plate shows it", "house_number")
    needed = {Kind.BUILDING: "building_no", Kind.UNIT: "unit_no", Kind.HOUSEHOLD: "room_no"}.get(kind)
    if needed and not getattr(house_number, needed):
        raise SignRefused(f"a {kind} plate names an address with a {needed}: {house_number.label} has none", needed)


def _check_values(values: dict) -> None:
    facing = values.get("facing_deg")
    if facing is not None and not 0 <= facing < 360:
        raise SignRefused("facing_deg lies in 0 <= degrees < 360", "facing_deg")
    for name in ("width_mm", "height_mm"):
        size = values.get(name)
        if size is not None and not 1 <= size <= MAX_SIZE_MM:
            raise SignRefused(f"{name} lies between 1 and {MAX_SIZE_MM} mm", name)
    if values.get("material") not in (None, "", *Sign.Material.values):
        raise SignRefused(f"material is one of {', '.join(Sign.Material.values)}", "material")
    if values.get("condition") not in (None, *Sign.Condition.values):
        raise SignRefused(f"condition is one of {', '.join(Sign.Condition.values)}", "condition")
    today = timezone.localdate()
    for name in ("installed_on", "last_inspected_on"):
        day = values.get(name)
        if day is not None and day > today:
            raise SignRefused(f"{name} is not in the future ({day})", name)
    for name in ("ground_colour", "ink_colour"):
        if name in values and not (values[name] or "").strip():
            raise SignRefused(f"{name} names a colour", name)


def _placed(geom: Point) -> AdminUnit:
    if geom is None or geom.geom_type != "Point":
        raise SignRefused("a sign stands at a point", "geometry")
    county = county_at(geom)
    if county is None:
        raise SignRefused("the sign's position lies in none of the city's counties", "geometry")
    return county


# ---- writing -------------------------------------------------------------------------------------------


def _new_number(year: int) -> str:
    try:
        return next_number("sign", Sign.objects, "number", f"BZ-{year}-", width=6)
    except SerialsExhausted as exc:
        raise SignRefused(str(exc)) from None


@transaction.atomic
def register_sign(
    *,
    user,
    reason: str,
    kind: str,
    geom: Point,
    place: Place | None = None,
    house_number: HouseNumber | None = None,
    **values,
) -> Sign:
    """A sign in the inventory: its text captured from the record it names, its number from the serials."""
    county = _checked_sign(kind, geom, place, house_number, values)
    if not may_write_in(user, {county.pk}):
        raise SignForbidden(f"the signs in {county.name} are kept by its officers")
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    return _registered(changeset, kind, geom, place, house_number, county, values)


@transaction.atomic
def register_synthetic_signs(changeset: Changeset, signs: list[dict]) -> list[Sign]:
    """Signs of synthetic demonstration records, made by the system in ``changeset`` (its reason says 示例数据):
    the same checks and captured text as ``register_sign``; each dict holds its arguments but the user."""
    made = []
    for spec in signs:
        spec = dict(spec)
        kind, geom = spec.pop("kind"), spec.pop("geom")
        place, house_number = spec.pop("place", None), spec.pop("house_number", None)
        if not _synthetic(place, house_number):
            raise SignRefused("only signs of synthetic records are registered without an officer", "place")
        county = _checked_sign(kind, geom, place, house_number, spec)
        made.append(_registered(changeset, kind, geom, place, house_number, county, spec))
    return made


def _checked_sign(kind, geom, place, house_number, values) -> AdminUnit:
    unknown = set(values) - set(EDITABLE) - {"geom"}
    if unknown:
        raise SignRefused(f"not a sign attribute: {', '.join(sorted(unknown))}", sorted(unknown)[0])
    _check_named(kind, place, house_number)
    _check_values(values)
    return _placed(geom)


def _registered(changeset, kind, geom, place, house_number, county, values) -> Sign:
    shown = expected_text(kind, place, house_number)
    sign = Sign(
        number=_new_number(timezone.localdate().year),
        kind=kind,
        place=place,
        house_number=house_number,
        text=shown.text,
        romanization=shown.romanization,
        number_text=shown.number_text,
        geom=geom,
        county=county,
        is_synthetic=_synthetic(place, house_number),
        **{k: v for k, v in values.items() if v is not None},
    )
    sign.save()
    _record(sign, changeset, "registered")
    return sign


def _locked(sign: Sign, expected_version: int | None) -> Sign:
    related = ("place__category", "house_number__road__place__category", "county")
    return lock(Sign.objects.select_related(*related), sign.pk, expected_version)


def _standing(sign: Sign) -> None:
    if sign.status == Sign.Status.REMOVED:
        raise SignRefused(f"sign {sign.number} was removed on {sign.removed_on}: it changes no more", "status")


@transaction.atomic
def update_sign(sign: Sign, *, user, reason: str, changes: dict, expected_version: int | None = None) -> Sign:
    """Change what a sign is physically (EDITABLE): nothing changed, nothing written."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise SignRefused(f"not editable: {', '.join(sorted(unknown))}", sorted(unknown)[0])
    locked = _locked(sign, expected_version)
    _may_keep(user, locked)
    _standing(locked)
    _check_values(changes)
    changed = changed_values(locked, changes)
    if not changed:
        return locked
    if "geom" in changed:
        county = _placed(changed["geom"])
        if not may_write_in(user, {county.pk}):
            raise SignForbidden(f"the signs in {county.name} are kept by its officers")
        locked.county = county
    for name, value in changed.items():
        setattr(locked, name, value)
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    bump(locked)
    _record(locked, changeset, "moved" if "geom" in changed else "edited", frozenset(changed))
    return locked


def _recapture(locked: Sign) -> set[str]:
    shown = text_of(locked)
    before = shown_text(locked)
    locked.text, locked.romanization, locked.number_text = shown.text, shown.romanization, shown.number_text
    locked.text_outdated_since, locked.expected_text = None, ""
    locked.is_synthetic = _synthetic(locked.place, locked.house_number)
    return {"text", "romanization", "number_text"} if before != shown else set()


@transaction.atomic
def remake_sign(
    sign: Sign,
    *,
    user=None,
    reason: str = "",
    expected_version: int | None = None,
    changeset: Changeset | None = None,
    installed_on: dt.date | None = None,
    maker: str | None = None,
) -> Sign:
    """A new face for the sign: its text captured afresh from the record (the flag cleared); with
    ``installed_on`` (a renewal accepted) it is a new sign on the same spot, in good condition.
    A caller that has checked the rights itself (a campaign) passes its ``changeset``."""
    locked = _locked(sign, expected_version)
    if changeset is None:
        _may_keep(user, locked)
        changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    _standing(locked)
    changed = _recapture(locked)
    if installed_on is not None:
        locked.installed_on, locked.condition = installed_on, Sign.Condition.GOOD
        changed |= {"installed_on", "condition"}
    if maker:
        locked.maker = maker
        changed.add("maker")
    bump(locked)
    _record(locked, changeset, "renewed" if installed_on else "remade", frozenset(changed))
    return locked


@transaction.atomic
def remove_sign(sign: Sign, *, user, reason: str, on: dt.date, expected_version: int | None = None) -> Sign:
    """Taken down (拆除): kept in the inventory with the day and why; its number is never given again."""
    if not (reason or "").strip():
        raise SignRefused("a removal says why", "reason")
    locked = _locked(sign, expected_version)
    _may_keep(user, locked)
    _standing(locked)
    if on > timezone.localdate():
        raise SignRefused(f"a removal is not dated in the future ({on})", "on")
    if locked.installed_on and on < locked.installed_on:
        raise SignRefused(f"the sign was installed on {locked.installed_on}, after {on}", "on")
    locked.status, locked.removed_on, locked.removed_reason = Sign.Status.REMOVED, on, reason.strip()
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    bump(locked)
    _record(locked, changeset, "removed", frozenset({"status", "removed_on", "removed_reason"}))
    return locked


@transaction.atomic
def remove_synthetic_signs(changeset: Changeset, signs: QuerySet, *, on: dt.date) -> int:
    """Signs of synthetic records taken down by the system in ``changeset`` (the demonstration's end), as
    ``remove_sign`` does; how many."""
    removed = 0
    for sign in signs.filter(status=Sign.Status.IN_PLACE, is_synthetic=True):
        locked = _locked(sign, None)
        locked.status, locked.removed_on, locked.removed_reason = Sign.Status.REMOVED, on, changeset.reason
        bump(locked)
        _record(locked, changeset, "removed", frozenset({"status", "removed_on", "removed_reason"}))
        removed += 1
    return removed


# ---- the flag: signs that show a superseded name or number ------------------------------------------------


def outdated(queryset: QuerySet | None = None) -> QuerySet:
    """The signs in place that show what their record no longer says."""
    signs = Sign.objects.all() if queryset is None else queryset
    return signs.filter(status=Sign.Status.IN_PLACE, text_outdated_since__isnull=False)


def check_texts(signs: QuerySet) -> int:
    """Compare each sign in place with its record; set or clear the flag. Returns how many are flagged.
    The flag is derived data (like the search index): it changes no version."""
    now, flagged = timezone.now(), 0
    related = ("place__category", "house_number__road__place__category")
    for sign in signs.filter(status=Sign.Status.IN_PLACE).select_related(*related):
        wanted = text_of(sign)
        if wanted != shown_text(sign):
            flagged += 1
            if sign.text_outdated_since is None or sign.expected_text != str(wanted):
                since = sign.text_outdated_since or now
                Sign.objects.filter(pk=sign.pk).update(text_outdated_since=since, expected_text=str(wanted)[:400])
        elif sign.text_outdated_since is not None:
            Sign.objects.filter(pk=sign.pk).update(text_outdated_since=None, expected_text="")
    return flagged


def place_changed(event: RecordChanged) -> None:
    """A place changed (renamed, its romanization decided): its signs, and the plates on its road."""
    place = event.record
    check_texts(Sign.objects.filter(Q(place_id=place.pk) | Q(house_number__road__place_id=place.pk)))


def house_number_changed(event: RecordChanged) -> None:
    """A house number changed (renumbered, its building, unit or room): the plates that show it."""
    if event.created:
        return
    check_texts(Sign.objects.filter(house_number_id=event.record.pk))


def names_a_sign(event: RecordChanged) -> bool:
    """Is the changed place or house number named by any sign (so the check is worth a query)?"""
    record = event.record
    if isinstance(record, HouseNumber):
        return Sign.objects.filter(house_number_id=record.pk).exists()
    return Sign.objects.filter(Q(place_id=record.pk) | Q(house_number__road__place_id=record.pk)).exists()


# ---- photos --------------------------------------------------------------------------------------------


def _storage():
    return SignPhoto._meta.get_field("file").storage


def _store(checked: CheckedPhoto) -> tuple[str, str]:
    storage, saved = _storage(), []
    try:
        for content in (checked.original, checked.public_copy):
            token = secrets.token_urlsafe(24)
            name = f"{SIGN_PHOTO_FOLDER}/{token[:2]}/{token}{checked.extension}"
            saved.append(storage.save(name, ContentFile(content)))
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return saved[0], saved[1]


@transaction.atomic
def add_photo(sign: Sign, upload, *, user, reason: str, caption: str = "") -> tuple[SignPhoto, bool]:
    """Keep a photo of the sign (through core.photos); the same photo again is the row already kept."""
    if not (reason or "").strip():
        raise SignRefused("a reason is required: it is recorded with the change", "reason")
    locked = Sign.objects.select_for_update(of=("self",)).select_related("county").get(pk=sign.pk)
    _may_keep(user, locked)
    checked = check_photo(upload)  # core.photos.PhotoRefused for the file
    kept = SignPhoto.objects.filter(sign=locked, sha256=checked.sha256).first()
    if kept is not None:
        if kept.retired_at is not None:
            raise SignRefused(f"this photo of sign {locked.number} was retired ({kept.retired_reason})", "file")
        return kept, False
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    original, public = _store(checked)
    position = checked.position
    try:
        photo = SignPhoto.objects.create(
            sign=locked,
            file=original,
            public_file=public,
            sha256=checked.sha256,
            format=checked.format,
            width=checked.width,
            height=checked.height,
            size_bytes=len(checked.original),
            taken_at=checked.taken_at,
            exif_position=Point(position.lon, position.lat, srid=STORAGE_SRID) if position else None,
            caption=caption.strip(),
            changeset=changeset,
            uploaded_by=user,
        )
    except BaseException:
        _storage().delete(original)
        _storage().delete(public)
        raise
    announce(RecordChanged("sign_photo", photo, created=True))
    return photo, True


def distance_from_sign_m(photo: SignPhoto, sign: Sign) -> float | None:
    """Metres from the sign's registered position to where the photo's EXIF puts it, or None."""
    if photo.exif_position is None or sign.geom is None:
        return None
    _, _, metres = GEOD.inv(sign.geom.x, sign.geom.y, photo.exif_position.x, photo.exif_position.y)
    return float(metres)


@transaction.atomic
def retire_photo(photo: SignPhoto, *, user, reason: str) -> SignPhoto:
    """Take a photo out of use with a reason; the row and its files stay."""
    locked = SignPhoto.objects.select_for_update(of=("self",)).select_related("sign__county").get(pk=photo.pk)
    _may_keep(user, locked.sign)
    if not (reason or "").strip():
        raise SignRefused("a reason is required: it is recorded with the change", "reason")
    if locked.retired_at is not None:
        raise SignRefused(f"photo {locked.pk} was retired on {locked.retired_at:%Y-%m-%d}")
    open_changeset(Changeset.Kind.EDIT, reason, author=user)
    locked.retired_at, locked.retired_reason = timezone.now(), reason.strip()
    locked.save(update_fields=["retired_at", "retired_reason"])
    return locked
