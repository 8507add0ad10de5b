"""The marker-replacement campaign (更换界桩): the only writer of ReplacementCampaign and its items.

A campaign selects the markers due (``due_markers``: by grade, by age since set, by state — damaged,
lost, moved — and by the last joint inspection that checked them), and tracks each new stone: ordered
from a maker (one production order per maker), made, set on the original spot, and accepted (验收) by
both sides of the line. The last side's acceptance writes the replacement into the marker register
(markers_registry.replace_marker: the same number, intact, set on the day): the two sides' acceptance
is their agreement to that event. ``dashboard`` gives the figures a yearly report needs, per county and
per line.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.roles import assigned_counties, is_administrator, may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryMarker, ReplacementCampaign, ReplacementItem
from boundaries.permissions import marker_counties
from boundaries.services import markers_registry as registry
from boundaries.services.geography import county_of, unit_at
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number

Step = ReplacementItem.Step
ORDER = [Step.SELECTED, Step.ORDERED, Step.MADE, Step.SET, Step.ACCEPTED]
WORN = (BoundaryMarker.Status.DAMAGED, BoundaryMarker.Status.LOST, BoundaryMarker.Status.MOVED)


class ReplacementRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- which markers are due ----------------------------------------------------------------------------------


def due_markers(
    *,
    grades: list[str] | None = None,
    older_than_years: int | None = None,
    states: list[str] | None = None,
    not_inspected_for_years: int | None = None,
    line_codes: list[str] | None = None,
    on: dt.date | None = None,
) -> list[tuple[BoundaryMarker, str]]:
    """The standing markers that meet any of the criteria given (within the grades and lines given),
    each with why: [(marker, "damaged; set 1998 (27 years)")]. With no criterion, the worn ones."""
    on = on or timezone.localdate()
    markers = BoundaryMarker.objects.exclude(status=BoundaryMarker.Status.ABOLISHED).select_related("line")
    if grades:
        markers = markers.filter(grade__in=grades)
    if line_codes:
        markers = markers.filter(line__code__in=line_codes)
    markers = markers.annotate(last_checked=Max("checks__checked_on")).order_by("line__code", "sequence", "kind")
    if older_than_years is None and not_inspected_for_years is None and not states:
        states = list(WORN)
    found = []
    for marker in markers:
        why = []
        if states and marker.status in states:
            why.append(marker.get_status_display())
        if older_than_years is not None and marker.set_on and (on - marker.set_on).days >= older_than_years * 365.25:
            why.append(f"set {marker.set_on.year} ({(on - marker.set_on).days // 365} years)")
        if not_inspected_for_years is not None:
            last = marker.last_checked
            if last is None or (on - last).days >= not_inspected_for_years * 365.25:
                why.append(f"last inspected {last}" if last else "never inspected")
        if why:
            found.append((marker, "; ".join(why)))
    return found


# ---- the campaign -----------------------------------------------------------------------------------------


def _county(marker: BoundaryMarker) -> AdminUnit | None:
    return county_of(unit_at(marker.geom))


def _may_work_on(user, marker: BoundaryMarker) -> bool:
    return may_write_in(user, marker_counties(marker.line, marker.geom))


@transaction.atomic
def open_campaign(*, user, year: int, title: str, reason: str, criteria: dict) -> ReplacementCampaign:
    """A campaign of the markers ``due_markers(**criteria)`` selects that are in no other open campaign."""
    if not (is_administrator(user) or assigned_counties(user)):
        raise ReplacementRefused("a replacement campaign is opened by an officer or an administrator")
    if not title.strip():
        raise ReplacementRefused("a campaign has a title", "title")
    if not 1990 <= year <= 2100:
        raise ReplacementRefused("a campaign's year lies between 1990 and 2100", "year")
    allowed = {"grades", "older_than_years", "states", "not_inspected_for_years", "line_codes"}
    unknown = set(criteria) - allowed
    if unknown:
        raise ReplacementRefused(f"unknown criteria: {', '.join(sorted(unknown))}", "criteria")
    try:
        number = next_number("replacement", ReplacementCampaign.objects, "number", f"GH-{year}-")
    except SerialsExhausted as exc:
        raise ReplacementRefused(str(exc)) from None
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    campaign = ReplacementCampaign.objects.create(
        number=number, year=year, title=title.strip(), criteria=criteria, created_by=user, changeset=changeset
    )
    busy = set(
        ReplacementItem.objects.filter(campaign__status=ReplacementCampaign.Status.OPEN)
        .exclude(step__in=[Step.ACCEPTED, Step.DROPPED])
        .values_list("marker_id", flat=True)
    )
    for marker, why in due_markers(**criteria):
        if marker.pk in busy or not (is_administrator(user) or _may_work_on(user, marker)):
            continue  # an officer's campaign holds the markers of the officer's counties
        ReplacementItem.objects.create(
            campaign=campaign, marker=marker, county=_county(marker), why=why, changeset=changeset
        )
    return campaign


def _sides(marker: BoundaryMarker) -> list[AdminUnit]:
    """The county-level units whose acceptance the new stone needs (the line's county sides; on the
    city's outer lines, the county it stands in)."""
    units = AdminUnit.objects.filter(pk__in=marker_counties(marker.line, marker.geom), tier=Tier.COUNTY)
    return list(units.order_by("code"))


@transaction.atomic
def advance(
    item: ReplacementItem,
    *,
    user,
    step: str,
    on: dt.date,
    maker: str = "",
    order_reference: str = "",
    note: str = "",
    side: AdminUnit | None = None,
    expected_version: int | None = None,
) -> ReplacementItem:
    """The next step of one marker's new stone: ordered (from a maker), made, set, accepted (by one
    side; the last side's acceptance writes the replacement into the register), or dropped (with why)."""
    locked = lock(ReplacementItem.objects.select_related("campaign", "marker__line"), item.pk, expected_version)
    marker = locked.marker
    if not _may_work_on(user, marker):
        raise ReplacementRefused(f"only the officers of the counties along {marker.line.name} work on {marker.number}")
    if locked.step in (Step.ACCEPTED, Step.DROPPED):
        raise ReplacementRefused(f"{marker.number} is {locked.get_step_display()}", "step")
    if on > timezone.localdate():
        raise ReplacementRefused(f"a step is not dated in the future ({on})", "on")
    if step == Step.DROPPED:
        if not note.strip():
            raise ReplacementRefused("a marker dropped from the campaign says why", "note")
    elif step == Step.ACCEPTED:
        _accept(locked, user, side, on)
    else:
        if step not in ORDER or ORDER.index(step) != ORDER.index(locked.step) + 1:
            wanted = ORDER[ORDER.index(locked.step) + 1]
            raise ReplacementRefused(f"{marker.number} is {locked.get_step_display()}: next is {wanted}", "step")
        if step == Step.ORDERED:
            if not maker.strip():
                raise ReplacementRefused("an order names its maker", "maker")
            locked.maker, locked.order_reference, locked.ordered_on = maker.strip(), order_reference.strip(), on
        elif step == Step.MADE:
            locked.made_on = on
        else:
            locked.set_on = on
    if step != Step.ACCEPTED or not _awaiting(locked):
        locked.step = step
    locked.note = note.strip() or locked.note
    locked.changeset = open_changeset(
        Changeset.Kind.EDIT, f"marker replacement {locked.campaign.number}: {marker.number} {step}", author=user
    )
    if locked.step == Step.ACCEPTED:
        locked.accepted_on = on
        registry.replace_marker(marker, changeset=locked.changeset, set_on=locked.set_on)
    bump(locked)
    return locked


def _accept(item: ReplacementItem, user, side: AdminUnit | None, on: dt.date) -> None:
    if item.step != Step.SET:
        raise ReplacementRefused(f"{item.marker.number} is {item.get_step_display()}: it is accepted once set", "step")
    sides = _sides(item.marker)
    if side is None or side not in sides:
        raise ReplacementRefused(f"acceptance is given for one side: {', '.join(s.code for s in sides)}", "side")
    if side.pk not in assigned_counties(user) and not is_administrator(user):
        raise ReplacementRefused(f"your role does not accept for {side.name}", "side")
    if any(entry["side"] == side.code for entry in item.accepted_by):
        raise ReplacementRefused(f"{side.name} has accepted already", "side")
    item.accepted_by = [*item.accepted_by, {"side": side.code, "by": user.get_username(), "on": on.isoformat()}]


def _awaiting(item: ReplacementItem) -> list[AdminUnit]:
    given = {entry["side"] for entry in item.accepted_by}
    return [side for side in _sides(item.marker) if side.code not in given]


@transaction.atomic
def close_campaign(campaign: ReplacementCampaign, *, user, expected_version: int | None = None) -> ReplacementCampaign:
    locked = lock(ReplacementCampaign.objects.all(), campaign.pk, expected_version)
    if not (is_administrator(user) or locked.created_by_id == user.pk):
        raise ReplacementRefused("a campaign is closed by who opened it or an administrator")
    open_items = locked.items.exclude(step__in=[Step.ACCEPTED, Step.DROPPED]).count()
    if open_items:
        raise ReplacementRefused(f"{open_items} marker(s) are not accepted or dropped yet", "status")
    locked.status = ReplacementCampaign.Status.CLOSED
    bump(locked)
    return locked


# ---- the figures --------------------------------------------------------------------------------------------


def dashboard(campaign: ReplacementCampaign) -> dict:
    """Progress per county and per line (markers at each step), the production orders per maker, and the
    totals a yearly report needs."""
    items = list(campaign.items.select_related("marker__line", "county"))
    steps = [s.value for s in Step]

    def counts(rows) -> dict:
        tally = Counter(item.step for item in rows)
        return {"total": len(rows), **{s: tally.get(s, 0) for s in steps}}

    by_county, by_line, by_maker = defaultdict(list), defaultdict(list), defaultdict(list)
    for item in items:
        by_county[(item.county.code, item.county.name) if item.county_id else ("", "—")].append(item)
        by_line[(item.marker.line.code, item.marker.line.name)].append(item)
        if item.maker:
            by_maker[item.maker].append(item)
    year = campaign.year
    return {
        "number": campaign.number,
        "title": campaign.title,
        "year": year,
        "status": campaign.status,
        "totals": counts(items),
        "accepted_in_year": sum(1 for i in items if i.accepted_on and i.accepted_on.year == year),
        "by_county": [{"code": c, "name": n, **counts(rows)} for (c, n), rows in sorted(by_county.items())],
        "by_line": [{"code": c, "name": n, **counts(rows)} for (c, n), rows in sorted(by_line.items())],
        "orders": [
            {
                "maker": maker,
                "markers": [i.marker.number for i in rows],
                "references": sorted({i.order_reference for i in rows if i.order_reference}),
            }
            for maker, rows in sorted(by_maker.items())
        ],
    }
