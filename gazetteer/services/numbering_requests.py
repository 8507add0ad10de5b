"""Numbering requests (门牌申请): the only writer of NumberingRequest rows.

An owner (产权人), a developer (开发单位) or an organisation asks for a house number for a building's
entrance on a road; an officer of the road's counties receives it and takes it through its steps:

    submit  → 已受理 submitted   (the entrance, the building, the property documents cited, the former address)
    check   → 已核查 checked     (the site check: a lawful building, the ground floor finished, the entrance
                                 fixed, each confirmed with who and when; the road's name must be standard)
    number  → 已编号 numbered    (the engine's number, written as proposed: house_numbers.number_entrances)
    certify → 已发证 certified   (the number issued, the certificate 门牌证明 made and kept with its number and day)
    reject  → 不予编号 rejected  (with the reason; a number already proposed for it is retired)
    withdraw → 撤回 withdrawn    (the applicant's; the same)

The conditions are those of 广州's 门牌申请 (domain/names-addresses-books.md §1): a refused condition
stops the check; the officer then rejects the request with the reason. A step out of order is refused,
a step based on an older version of the request is a conflict (409). Each step is a version of the
request in a changeset that says who, when and why, and is announced ("numbering-request").
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from boundaries.services.geography import county_of, unit_at
from core.events import RecordChanged, announce
from core.geometry import from_geos
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number
from gazetteer.models import NumberingRequest, NumberingRequestVersion, Place, Road
from gazetteer.services import house_numbers

Status = NumberingRequest.Status
OPEN = (Status.SUBMITTED, Status.CHECKED, Status.NUMBERED)
FINAL = (Status.CERTIFIED, Status.REJECTED, Status.WITHDRAWN)
# The site check's conditions (广州 门牌申请, domain/names-addresses-books.md §1), in the order asked.
CONDITIONS = {
    "lawful_building": "合法建筑 a lawful building (or a temporary one approved for 3 years or more)",
    "ground_floor_finished": "首层已建成 the ground floor (first visible floor) finished",
    "entrance_fixed": "出入口已固定 the doorway and stair positions fixed",
}
NAMED_STANDINGS = (Place.Standing.STANDARD, Place.Standing.SYNTHETIC)  # a demo street's name stands in for one
MAX_OFFSET_M = 200.0  # an entrance farther from the road's line than this is not on that road
MAX_DOCUMENTS = 20


class RequestRefused(ValueError):
    """A step the request's state, its data or the rules do not allow; ``field`` names what was wrong."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class RequestForbidden(PermissionError):
    """The user is not an officer of the road's counties."""


@dataclass(frozen=True)
class Step:
    name: str
    label: str  # bilingual, as the inbox and the admin show it
    open_in: tuple[str, ...]


STEPS = {
    "check": Step("check", "现场核查 Site check", (Status.SUBMITTED,)),
    "number": Step("number", "编号 Number it", (Status.CHECKED,)),
    "certify": Step("certify", "发证 Issue the certificate", (Status.NUMBERED,)),
    "reject": Step("reject", "不予编号 Reject", OPEN),
    "withdraw": Step("withdraw", "撤回 Withdraw", OPEN),
}
# What a request in each open status waits for (the inbox's items).
AWAITED = {Status.SUBMITTED: STEPS["check"], Status.CHECKED: STEPS["number"], Status.NUMBERED: STEPS["certify"]}


# ---- rights ------------------------------------------------------------------------------------------


def may_step(user, request: NumberingRequest) -> bool:
    """The officers of the road's counties (house_numbers.may_number), administrators."""
    return house_numbers.may_number(user, request.road)


def _refuse_unless(user, road: Road) -> None:
    if not house_numbers.may_number(user, road):
        raise RequestForbidden(f"only the officers of the counties of {road.place.name} number on it")


# ---- history -----------------------------------------------------------------------------------------


def snapshot(request: NumberingRequest, step: str) -> dict:
    house = request.house_number
    return {
        "step": step,
        "number": request.number,
        "status": request.status,
        "applicant": request.applicant,
        "applicant_kind": request.applicant_kind,
        "road": request.road.place.code,
        "county": request.county.code,
        "building_name": request.building_name,
        "building": request.building.code if request.building_id else None,
        "documents": request.documents,
        "former_address": request.former_address,
        "conditions": request.conditions,
        "site_check": request.site_check,
        "house_number": house.label if house else None,
        "certificate_number": request.certificate_number,
        "certified_on": request.certified_on.isoformat() if request.certified_on else None,
        "decision_reason": request.decision_reason,
    }


def _record(request: NumberingRequest, changeset: Changeset, step: str, changed: frozenset[str]) -> None:
    NumberingRequestVersion.objects.create(
        request=request,
        version=request.version,
        changeset=changeset,
        data=snapshot(request, step),
        geom=request.geom,
    )
    announce(RecordChanged("numbering-request", request, changed, created=step == "submit"))


def _locked(request: NumberingRequest, expected_version: int | None) -> NumberingRequest:
    related = NumberingRequest.objects.select_related("road__place", "county", "house_number", "building")
    return lock(related, request.pk, expected_version)


def _in_step(locked: NumberingRequest, step: str) -> None:
    if locked.status not in STEPS[step].open_in:
        raise RequestRefused(
            f"{locked.number} is {locked.get_status_display()}: {STEPS[step].label} is not its next step", "status"
        )


def _moved_on(locked: NumberingRequest, changeset: Changeset, step: str, changed: set[str]) -> NumberingRequest:
    locked.stepped_at = timezone.now()
    bump(locked)
    _record(locked, changeset, step, frozenset(changed | {"status"}))
    return locked


# ---- submit --------------------------------------------------------------------------------------------


def _documents(documents: list[dict]) -> list[dict]:
    if not isinstance(documents, list) or len(documents) > MAX_DOCUMENTS:
        raise RequestRefused(f"documents is a list of at most {MAX_DOCUMENTS} documents", "documents")
    kept = []
    for item in documents:
        kind, number = str(item.get("kind", "")).strip(), str(item.get("number", "")).strip()
        if not kind or not number:
            raise RequestRefused("each document cited has its kind (不动产权证) and its number", "documents")
        kept.append({"kind": kind[:50], "number": number[:100]})
    return kept


def _entrance_county(road: Road, point: Point):
    """The county the entrance lies in; refused where the engine could not number it on this road."""
    try:
        placement = house_numbers.placement_of(road, from_geos(point))
    except house_numbers.NumberingRefused as refused:
        raise RequestRefused(str(refused), "geometry") from None
    if placement.offset_m > MAX_OFFSET_M:
        raise RequestRefused(
            f"the entrance is {placement.offset_m:.0f} m from {road.place.name}: more than {MAX_OFFSET_M:.0f} m, "
            "not on this road",
            "geometry",
        )
    county = county_of(unit_at(point))
    if county is None:
        raise RequestRefused("the entrance lies in no county of the city", "geometry")
    return county


@transaction.atomic
def submit(
    *,
    user,
    road: Road,
    point: Point,
    applicant: str,
    applicant_kind: str,
    reason: str,
    applicant_contact: str = "",
    building_name: str = "",
    building: Place | None = None,
    documents: list[dict] = (),
    former_address: str = "",
) -> NumberingRequest:
    """Receive a request (受理): an officer of the road's counties enters it."""
    road = lock(Road.objects.select_related("place"), road.pk)
    _refuse_unless(user, road)
    if not road.numbered:
        raise RequestRefused(f"{road.place.name} takes no house numbers ({road.get_road_class_display()})", "road")
    if road.place.valid_to is not None:
        raise RequestRefused(f"{road.place.name} is no longer a current road", "road")
    if applicant_kind not in NumberingRequest.ApplicantKind.values:
        raise RequestRefused(
            f"applicant_kind is one of {', '.join(NumberingRequest.ApplicantKind.values)}", "applicant_kind"
        )
    if not applicant.strip():
        raise RequestRefused("a request names its applicant", "applicant")
    if point is None or point.geom_type != "Point":
        raise RequestRefused("the entrance is a Point", "geometry")
    county = _entrance_county(road, point)
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    now = timezone.now()
    request = NumberingRequest.objects.create(
        number=_number(now.year),
        applicant=applicant.strip(),
        applicant_kind=applicant_kind,
        applicant_contact=applicant_contact.strip(),
        road=road,
        county=county,
        geom=point,
        building_name=building_name.strip(),
        building=building,
        documents=_documents(list(documents)),
        former_address=former_address.strip(),
        submitted_by=user,
        stepped_at=now,
    )
    _record(request, changeset, "submit", frozenset())
    return request


def _number(year: int) -> str:
    try:
        return next_number("numbering-request", NumberingRequest.objects, "number", f"MQ-{year}-")
    except SerialsExhausted as exc:
        raise RequestRefused(str(exc)) from None


# ---- the steps -------------------------------------------------------------------------------------------


@transaction.atomic
def check(
    request: NumberingRequest, *, user, conditions: dict[str, bool], notes: str, expected_version: int | None
) -> NumberingRequest:
    """The site check (现场核查): every condition confirmed, the road's name a standard one."""
    locked = _locked(request, expected_version)
    _refuse_unless(user, locked.road)
    _in_step(locked, "check")
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise RequestRefused(f"not a condition: {', '.join(sorted(unknown))}", "conditions")
    missing = [label.split(" ", 1)[0] for name, label in CONDITIONS.items() if conditions.get(name) is not True]
    if missing:
        raise RequestRefused(
            f"not numbered without: {'、'.join(missing)} (reject the request with the reason instead)", "conditions"
        )
    if not notes.strip():
        raise RequestRefused("the site check says what was found", "notes")
    place = locked.road.place
    if place.standing not in NAMED_STANDINGS:
        raise RequestRefused(f"{place.name} has no standard name yet ({place.get_standing_display()})", "road")
    at = timezone.now().isoformat(timespec="seconds")
    locked.conditions = {name: {"confirmed": True, "by": user.get_username(), "at": at} for name in CONDITIONS}
    locked.site_check, locked.status = notes.strip(), Status.CHECKED
    changeset = open_changeset(Changeset.Kind.EDIT, f"现场核查 site check: {notes.strip()}"[:2000], author=user)
    return _moved_on(locked, changeset, "check", {"conditions", "site_check"})


@transaction.atomic
def number(request: NumberingRequest, *, user, expected_version: int | None, reason: str = "") -> NumberingRequest:
    """The engine numbers the entrance (written as proposed); the request shows the number."""
    locked = _locked(request, expected_version)
    _refuse_unless(user, locked.road)
    _in_step(locked, "number")
    changeset = open_changeset(Changeset.Kind.EDIT, reason or f"门牌申请 {locked.number}: 编号", author=user)
    entrance = house_numbers.Entrance(
        from_geos(locked.geom),
        building_name=locked.building_name,
        building=locked.building,
        owner=locked.applicant,
        former_address=locked.former_address,
    )
    try:
        (house,) = house_numbers.number_entrances(locked.road, [entrance], changeset=changeset, status="proposed")
    except house_numbers.NumberingRefused as refused:
        raise RequestRefused(str(refused), refused.field or "road") from None
    locked.house_number, locked.status = house, Status.NUMBERED
    return _moved_on(locked, changeset, "number", {"house_number"})


@transaction.atomic
def certify(request: NumberingRequest, *, user, expected_version: int | None, reason: str = "") -> NumberingRequest:
    """Issue the number and make the certificate (门牌证明), kept with the request."""
    from gazetteer.services import house_number_certificate

    locked = _locked(request, expected_version)
    _refuse_unless(user, locked.road)
    _in_step(locked, "certify")
    changeset = open_changeset(Changeset.Kind.EDIT, reason or f"门牌申请 {locked.number}: 发证", author=user)
    house = locked.house_number
    try:
        house = house_numbers.update(house, changes={"status": "issued"}, changeset=changeset, expected_version=None)
    except house_numbers.NumberingRefused as refused:
        raise RequestRefused(f"{house.label}: {refused}", "house_number") from None
    locked.house_number = house
    today = timezone.localdate()
    try:
        locked.certificate_number = next_number(
            "house-number-certificate", NumberingRequest.objects, "certificate_number", f"MZ-{today.year}-"
        )
    except SerialsExhausted as exc:
        raise RequestRefused(str(exc)) from None
    locked.certified_on, locked.status = today, Status.CERTIFIED
    locked.certificate_pdf = house_number_certificate.certificate_pdf(locked)
    return _moved_on(locked, changeset, "certify", {"house_number", "certificate_number", "certified_on"})


@transaction.atomic
def reject(request: NumberingRequest, *, user, reason: str, expected_version: int | None) -> NumberingRequest:
    """不予编号, with the reason; a number already proposed for the request is retired with it."""
    return _end(request, user=user, reason=reason, expected_version=expected_version, step="reject")


@transaction.atomic
def withdraw(request: NumberingRequest, *, user, reason: str, expected_version: int | None) -> NumberingRequest:
    """The applicant withdraws the request (recorded by the officer)."""
    return _end(request, user=user, reason=reason, expected_version=expected_version, step="withdraw")


def _end(request: NumberingRequest, *, user, reason: str, expected_version: int | None, step: str) -> NumberingRequest:
    if not reason.strip():
        raise RequestRefused(f"{STEPS[step].label} says why", "reason")
    locked = _locked(request, expected_version)
    _refuse_unless(user, locked.road)
    _in_step(locked, step)
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    if locked.house_number is not None and locked.house_number.status != "retired":
        verb = "不予编号" if step == "reject" else "撤回"
        house_numbers.retire(
            locked.house_number,
            reason=f"门牌申请 {locked.number} {verb}: {reason.strip()}",
            changeset=changeset,
            expected_version=None,
        )
    locked.decision_reason = reason.strip()
    locked.status = Status.REJECTED if step == "reject" else Status.WITHDRAWN
    return _moved_on(locked, changeset, step, {"decision_reason"})


def take_step(request: NumberingRequest, step: str, *, user, expected_version: int | None, **data) -> NumberingRequest:
    """One step by its name (the API's and the admin's one door)."""
    if step == "check":
        return check(request, user=user, conditions=data.get("conditions") or {}, notes=data.get("notes", ""),
                     expected_version=expected_version)  # fmt: skip
    if step in ("number", "certify"):
        run = number if step == "number" else certify
        return run(request, user=user, expected_version=expected_version, reason=data.get("reason", ""))
    if step in ("reject", "withdraw"):
        run = reject if step == "reject" else withdraw
        return run(request, user=user, reason=data.get("reason", ""), expected_version=expected_version)
    raise RequestRefused(f"no step {step!r} (steps: {', '.join(STEPS)})", "step")
