"""House numbers (门牌): the only writer of Road rules and HouseNumber rows.

Numbers come from the engine (gazetteer.services.numbering_engine) applied to the road's rule
(``rule_of``: the city's settings.HOUSE_NUMBERING, each part overridable per road) and to what the
register already holds: a road numbered for the first time is numbered afresh by frontage; an entrance
added later takes a free number between its neighbours or a sub-number (``number_entrances``). A
number the road has used before is not issued again unless an officer gives the reason (``issue``).
Every change is versioned in a changeset and announced (RecordChanged "house-number" / "road"), so
signs showing a changed number and the address search follow.

Rights: officers number in their counties (the counties the road touches, as for its place record).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.roles import may_write_in
from core.events import RecordChanged, announce
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_metric
from core.models import Changeset
from core.records import bump, changed_values, lock
from gazetteer.models import HouseNumber, HouseNumberVersion, Place, Road, RoadVersion
from gazetteer.services import numbering_engine as engine
from gazetteer.services.places import place_counties

Status = HouseNumber.Status
ROAD_RULE_FIELDS = ("road_class", "route_ref", "numbered", "numbering_from", "odd_side", "interval_m", "reserved")
# A road record's fields: its class and numbering rule, and the id the bureau's road file gives it.
ROAD_FIELDS = (*ROAD_RULE_FIELDS, "bureau_id")
EDITABLE = ("building_no", "unit_no", "room_no", "building", "building_name", "owner", "former_address", "status")
# The order of a number's life: proposed → issued → in use; retired only through ``retire``.
NEXT_STATUS = {Status.PROPOSED: {Status.ISSUED}, Status.ISSUED: {Status.IN_USE}, Status.IN_USE: set()}
MAX_RESERVED_RANGES = 50
ROAD_CATEGORIES = ("08100", "08200")  # 道路、街、巷 and 铁路: the places that have a road record


class NumberingRefused(ValueError):
    """A numbering the rules do not allow; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Entrance:
    """An entrance point (longitude/latitude) to number, and what it belongs to."""

    point: shapely.Point
    building_name: str = ""
    building: Place | None = None
    owner: str = ""
    former_address: str = ""


# ---- the rule -------------------------------------------------------------------------------------------


def rule_of(road: Road) -> engine.Rule:
    city = settings.HOUSE_NUMBERING
    reserved = tuple((int(r["from"]), int(r["to"])) for r in road.reserved or ())
    return engine.Rule(road.rule_interval_m, road.odd_side or city["odd_side"], reserved)


def line_of(road: Road) -> shapely.LineString:
    """The road's line in metres, running the way its numbers increase."""
    if road.place.geom is None or road.place.geom.geom_type not in ("LineString", "MultiLineString"):
        raise NumberingRefused(f"{road.place.name} has no line to number along", field="road")
    line = to_metric(from_geos(road.place.geom))
    try:
        merged = engine.numbering_line(line, from_end=False)
    except engine.NumberingRefused as refused:
        raise NumberingRefused(str(refused), field="road") from None
    if road.numbering_from == Road.NumberingFrom.AUTO:
        city = settings.HOUSE_NUMBERING
        from_end = engine.starts_from_end(
            merged, east_west_from=city["east_west_from"], north_south_from=city["north_south_from"]
        )
    else:
        from_end = road.numbering_from == Road.NumberingFrom.END
    return shapely.reverse(merged) if from_end else merged


def placement_of(road: Road, point: shapely.Point, line: shapely.LineString | None = None) -> engine.Placement:
    try:
        return engine.place(line or line_of(road), to_metric(point))
    except engine.NumberingRefused as refused:
        raise NumberingRefused(str(refused), field="geometry") from None


def issued_on(road: Road) -> list[engine.Issued]:
    """Every number the road holds or held (retired ones too: never reused by the engine)."""
    return [
        engine.Issued(n.number, n.suffix, n.distance_m, n.side, retired=n.status == Status.RETIRED)
        for n in road.house_numbers.all()
    ]


# ---- rights --------------------------------------------------------------------------------------------


def road_counties(road: Road) -> set[int]:
    return place_counties(road.place)


def may_number(user, road: Road) -> bool:
    return may_write_in(user, road_counties(road))


# ---- numbering ----------------------------------------------------------------------------------------


def preview(road: Road, points: list[shapely.Point]) -> list[tuple[engine.Allocation, engine.Placement]]:
    """The numbers these entrances would take now, in their order; writes nothing."""
    _check_numbered(road)
    line = line_of(road)
    rule = rule_of(road)
    placements = {i: placement_of(road, point, line) for i, point in enumerate(points)}
    issued = issued_on(road)
    if not any(not i.retired for i in issued):
        numbers = engine.number_all(placements, rule, used={i.number for i in issued})
        return [(numbers[i], placements[i]) for i in range(len(points))]
    found: dict[int, engine.Allocation] = {}
    for i in sorted(placements, key=lambda k: placements[k].distance_m):  # each new door sees the ones before
        allocation = engine.allocate(placements[i], rule, issued)
        found[i] = allocation
        issued.append(engine.Issued(allocation.number, allocation.suffix, placements[i].distance_m, placements[i].side))
    return [(found[i], placements[i]) for i in range(len(points))]


def _check_numbered(road: Road) -> None:
    if not road.numbered:
        raise NumberingRefused(f"{road.place.name} takes no house numbers ({road.get_road_class_display()})")


@transaction.atomic
def number_entrances(
    road: Road,
    entrances: list[Entrance],
    *,
    changeset: Changeset,
    status: str = Status.PROPOSED,
    synthetic: bool | None = None,
) -> list[HouseNumber]:
    """Number the entrances on the road (the engine: afresh, or between the numbers it has) and write
    them as ``status``; returns the new house numbers in the entrances' order."""
    locked = lock(Road.objects.select_related("place"), road.pk)
    if status not in (Status.PROPOSED, Status.ISSUED):
        raise NumberingRefused("a new number is proposed or issued", field="status")
    synthetic = locked.place.is_synthetic if synthetic is None else synthetic
    today = timezone.localdate()
    made = []
    for entrance, (allocation, placement) in zip(entrances, preview(locked, [e.point for e in entrances]), strict=True):
        made.append(
            _create(locked, entrance, allocation, placement, changeset, status=status, synthetic=synthetic, today=today)
        )
    return made


def _create(road, entrance, allocation, placement, changeset, *, status, synthetic, today, reuse_reason=""):
    house = HouseNumber.objects.create(
        road=road,
        number=allocation.number,
        suffix=allocation.suffix,
        geom=to_geos(entrance.point),
        distance_m=round(placement.distance_m, 2),
        side=placement.side,
        building=entrance.building,
        building_name=entrance.building_name,
        owner=entrance.owner,
        former_address=entrance.former_address,
        status=status,
        issued_on=today if status == Status.ISSUED else None,
        reuse_reason=reuse_reason,
        is_synthetic=synthetic,
    )
    _record(house, changeset, created=True)
    return house


@transaction.atomic
def issue(
    road: Road,
    entrance: Entrance,
    *,
    number: int,
    suffix: int = 0,
    changeset: Changeset,
    reuse_reason: str = "",
) -> HouseNumber:
    """An officer's own number for an entrance (a number kept from before, a court's decision): refused
    when a current address holds it or its parity is not its side's; a number the road used before is
    issued again only with ``reuse_reason``."""
    locked = lock(Road.objects.select_related("place"), road.pk)
    _check_numbered(locked)
    placement = placement_of(locked, entrance.point)
    rule = rule_of(locked)
    if number < 1 or suffix < 0:
        raise NumberingRefused("a number is 1 or more, a sub-number 0 or more", field="number")
    if number % 2 != rule.parity(placement.side):
        side = "odd" if rule.parity(placement.side) else "even"
        raise NumberingRefused(
            f"this entrance is on the {side} side ({placement.side}): number {number} is not", "number"
        )
    same = locked.house_numbers.filter(number=number, suffix=suffix, building_no="", unit_no="", room_no="")
    if same.exclude(status=Status.RETIRED).exists():
        raise NumberingRefused(
            f"{locked.place.name}{number}{'-' + str(suffix) if suffix else ''}号 is in use", "number"
        )
    if same.exists() and not reuse_reason.strip():
        raise NumberingRefused(
            "this number was used before and retired: issue it again only with a reason", "reuse_reason"
        )
    return _create(
        locked, entrance, engine.Allocation(number, suffix), placement, changeset, status=Status.ISSUED,
        synthetic=locked.place.is_synthetic, today=timezone.localdate(), reuse_reason=reuse_reason.strip(),
    )  # fmt: skip


@transaction.atomic
def update(house: HouseNumber, *, changes: dict, changeset: Changeset, expected_version: int | None) -> HouseNumber:
    """Edit what a number says of its building, unit, room, owner and former address, or move it on in
    its life (proposed → issued → in use). The number itself changes only by a renumbering."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise NumberingRefused(f"not editable here: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    locked = lock(HouseNumber.objects.select_related("road__place"), house.pk, expected_version)
    if locked.status == Status.RETIRED:
        raise NumberingRefused(f"{locked.label} is retired")
    changed = changed_values(locked, changes)
    if "status" in changed and changed["status"] not in NEXT_STATUS[locked.status]:
        raise NumberingRefused(f"a number {locked.get_status_display()} is not made {changed['status']}", "status")
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    if changed.get("status") == Status.ISSUED:
        locked.issued_on = timezone.localdate()
    bump(locked)
    _record(locked, changeset, changed=frozenset(changed))
    return locked


@transaction.atomic
def retire(house: HouseNumber, *, reason: str, changeset: Changeset, expected_version: int | None,
           day: dt.date | None = None) -> HouseNumber:  # fmt: skip
    """The number ends (the building demolished, merged): kept, never reused without a reason."""
    if not reason.strip():
        raise NumberingRefused("a retirement says why", field="reason")
    locked = lock(HouseNumber.objects.select_related("road__place"), house.pk, expected_version)
    if locked.status == Status.RETIRED:
        raise NumberingRefused(f"{locked.label} is already retired")
    locked.status, locked.retired_on, locked.retired_reason = (
        Status.RETIRED,
        day or timezone.localdate(),
        reason.strip(),
    )
    bump(locked)
    _record(locked, changeset, changed=frozenset({"status", "retired_on", "retired_reason"}))
    return locked


@transaction.atomic
def renumber(house: HouseNumber, allocation: engine.Allocation, *, former: str, changeset: Changeset) -> HouseNumber:
    """A locked number takes a new number (a renumbering's approval; gazetteer.services.renumbering):
    its old address (``former``) is kept as its former address."""
    house.number, house.suffix = allocation.number, allocation.suffix
    house.former_address = former
    bump(house)
    _record(house, changeset, changed=frozenset({"number", "suffix", "former_address"}))
    return house


@transaction.atomic
def set_rule(road: Road, *, changes: dict, changeset: Changeset, expected_version: int | None) -> Road:
    """The road's class, route number and numbering rule (each part empty: the city's)."""
    unknown = set(changes) - set(ROAD_FIELDS)
    if unknown:
        raise NumberingRefused(f"not a road rule: {', '.join(sorted(unknown))}", field=sorted(unknown)[0])
    if "reserved" in changes:
        changes = {**changes, "reserved": _checked_reserved(changes["reserved"])}
    if "bureau_id" in changes:
        changes = {**changes, "bureau_id": _checked_bureau_id(changes["bureau_id"], road)}
    locked = lock(Road.objects.select_related("place"), road.pk, expected_version)
    changed = changed_values(locked, changes)
    if not changed:
        return locked
    for name, value in changed.items():
        setattr(locked, name, value)
    bump(locked)
    RoadVersion.objects.create(road=locked, version=locked.version, changeset=changeset, data=road_snapshot(locked))
    announce(RecordChanged("road", locked, frozenset(changed)))
    return locked


def _checked_reserved(ranges) -> list[dict]:
    if not isinstance(ranges, list) or len(ranges) > MAX_RESERVED_RANGES:
        raise NumberingRefused(f"reserved is a list of at most {MAX_RESERVED_RANGES} ranges", field="reserved")
    kept = []
    for item in ranges:
        low, high = item.get("from"), item.get("to")
        if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 100_000):
            raise NumberingRefused("a reserved range is {from, to}: whole numbers, 1 <= from <= to", field="reserved")
        kept.append({"from": low, "to": high, "reason": str(item.get("reason", ""))[:200]})
    return kept


@transaction.atomic
def _checked_bureau_id(value, road: Road | None) -> str:
    """The bureau's id of a road: one road per id (a re-import matches by it)."""
    value = "".join(str(value or "").split())
    if len(value) > Road._meta.get_field("bureau_id").max_length:
        raise NumberingRefused("bureau_id is at most 40 characters", field="bureau_id")
    other = Road.objects.filter(bureau_id=value).exclude(pk=road.pk if road else None).select_related("place").first()
    if value and other is not None:
        raise NumberingRefused(
            f"the bureau's id {value} is road {other.place.name} ({other.place.code})'s", field="bureau_id"
        )
    return value


def register_road(place: Place, *, changeset: Changeset, **rule) -> Road:
    """The road record of a place of the road or railway categories, with ``rule`` (the rest: the
    city's). A place that has one already gets ``rule`` as a change of it."""
    road = Road.objects.select_related("place").filter(place=place).first()
    if road is not None:
        return set_rule(road, changes=rule, changeset=changeset, expected_version=None) if rule else road
    if "reserved" in rule:
        rule = {**rule, "reserved": _checked_reserved(rule["reserved"])}
    if "bureau_id" in rule:
        rule = {**rule, "bureau_id": _checked_bureau_id(rule["bureau_id"], None)}
    road = Road.objects.create(place=place, **rule)
    RoadVersion.objects.create(road=road, version=road.version, changeset=changeset, data=road_snapshot(road))
    announce(RecordChanged("road", road, frozenset(), created=True))
    return road


def place_is_a_road(event: RecordChanged) -> bool:
    place = event.record
    return event.touches("category") and place.category.code in ROAD_CATEGORIES and not hasattr(place, "road")


def road_follows_place(event: RecordChanged) -> None:
    """A new road, street, lane or railway record gets its road record (the city's rule) at once, in
    the changeset that made or changed the place (its latest version's): one change, one reason."""
    place = event.record
    latest = place.versions.select_related("changeset").order_by("-version").first()
    changeset = (
        latest.changeset
        if latest is not None
        else open_changeset(Changeset.Kind.EDIT, f"road record of {place.name}", label="roads follow places")
    )
    railway = place.category.code == "08200"
    register_road(
        place, changeset=changeset, **({"road_class": Road.RoadClass.RAILWAY, "numbered": False} if railway else {})
    )


# ---- history -------------------------------------------------------------------------------------------


def snapshot(house: HouseNumber) -> dict:
    return {
        "road": house.road.place.code,
        "address": house.label,
        "number": house.number,
        "suffix": house.suffix,
        "building_no": house.building_no,
        "unit_no": house.unit_no,
        "room_no": house.room_no,
        "distance_m": house.distance_m,
        "side": house.side,
        "building": house.building.code if house.building_id else None,
        "building_name": house.building_name,
        "former_address": house.former_address,
        "status": house.status,
        "issued_on": house.issued_on.isoformat() if house.issued_on else None,
        "retired_on": house.retired_on.isoformat() if house.retired_on else None,
        "retired_reason": house.retired_reason,
        "reuse_reason": house.reuse_reason,
        "synthetic": house.is_synthetic,
    }


def road_snapshot(road: Road) -> dict:
    return {"place": road.place.code, **{name: getattr(road, name) for name in ROAD_FIELDS}}


def _record(house: HouseNumber, changeset: Changeset, *, created: bool = False, changed=frozenset()) -> None:
    HouseNumberVersion.objects.create(
        house_number=house, version=house.version, changeset=changeset, data=snapshot(house), geom=house.geom
    )
    announce(RecordChanged("house-number", house, frozenset(changed), created=created))
