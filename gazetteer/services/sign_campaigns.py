"""Sign renewal campaigns (地名标志更新): the only writer of RenewalCampaign, ProductionOrder, RenewalItem.

- ``select_signs``: the signs in place within an area (a unit's code or a polygon) and of the kinds
  given that are due: in one of the conditions given, installed before a day, or showing a superseded
  name or number (the inventory's flag); with none of those three, the faded, damaged and missing ones.
  Each comes with why.
- ``open_campaign``: a campaign of those signs that are in no other open campaign (an officer's holds
  the signs of the officer's counties).
- ``make_orders``: production orders, one per maker, of the selected signs: each sign ``ordered``.
- ``advance`` / ``advance_order``: a sign (or every sign of an order) made, installed, accepted, in that
  order only, each step dated and signed by who took it; ``dropped`` with a reason. Acceptance writes the
  renewal into the inventory (gazetteer.services.signs.remake_sign: the current text, good, installed).
- ``dashboard``: per district (county-level unit) and kind, the counts a yearly report needs.
- ``order_rows`` / ``order_csv`` / ``order_xlsx``: an order's list for the maker.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict

from django.contrib.gis.geos import GEOSGeometry
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.roles import assigned_counties, is_administrator, may_write_in
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number
from gazetteer import signfaces
from gazetteer.models_signs import ProductionOrder, RenewalCampaign, RenewalItem, Sign
from gazetteer.services import signs as inventory

Step = RenewalItem.Step
ORDER = [Step.SELECTED, Step.ORDERED, Step.MADE, Step.INSTALLED, Step.ACCEPTED]
COUNTED = [s.value for s in ORDER]
FINAL = (Step.ACCEPTED, Step.DROPPED)
WORN = (Sign.Condition.FADED, Sign.Condition.DAMAGED, Sign.Condition.MISSING)
STEP_FIELDS = {
    Step.ORDERED: ("ordered_on", "ordered_by"),
    Step.MADE: ("made_on", "made_by"),
    Step.INSTALLED: ("installed_on", "installed_by"),
    Step.ACCEPTED: ("accepted_on", "accepted_by"),
}
CRITERIA = {"unit", "area", "kinds", "conditions", "installed_before", "outdated"}
MAX_MAKERS = 50


class CampaignForbidden(PermissionError):
    """The user does not keep the signs of that county."""


class CampaignRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- which signs are due ------------------------------------------------------------------------------


def _area_of(unit_code: str) -> tuple[AdminUnit, GEOSGeometry | None]:
    unit = AdminUnit.objects.current().filter(code=unit_code).first()
    if unit is None:
        raise CampaignRefused(f"no current unit has the code {unit_code!r}", "unit")
    drawn = unit
    while drawn is not None and drawn.geom is None:
        drawn = drawn.parent
    if unit.tier != Tier.COUNTY and drawn is not unit:
        raise CampaignRefused(f"{unit.name} has no polygon to select signs in: give its township or an area", "unit")
    return unit, drawn.geom if drawn else None


def select_signs(
    *,
    unit: str | None = None,
    area: GEOSGeometry | None = None,
    kinds: list[str] | None = None,
    conditions: list[str] | None = None,
    installed_before: dt.date | None = None,
    outdated: bool = False,
) -> list[tuple[Sign, str]]:
    """The signs in place in the area and kinds given that are due, each with why (see the module)."""
    found_signs = Sign.objects.filter(status=Sign.Status.IN_PLACE).select_related("county")
    if unit:
        chosen, geom = _area_of(unit)
        found_signs = found_signs.filter(county=chosen) if chosen.tier == Tier.COUNTY else found_signs
        found_signs = found_signs.filter(geom__within=geom) if chosen.tier != Tier.COUNTY else found_signs
    if area is not None:
        if area.geom_type not in ("Polygon", "MultiPolygon"):
            raise CampaignRefused("an area is a polygon", "area")
        found_signs = found_signs.filter(geom__within=area)
    if kinds:
        found_signs = found_signs.filter(kind__in=kinds)
    if not conditions and installed_before is None and not outdated:
        conditions = list(WORN)
    found = []
    for sign in found_signs.order_by("number"):
        why = []
        if conditions and sign.condition in conditions:
            why.append(sign.get_condition_display())
        if installed_before is not None and sign.installed_on and sign.installed_on < installed_before:
            why.append(f"installed {sign.installed_on}")
        if outdated and sign.text_outdated_since is not None:
            why.append(f"shows a superseded text (now: {sign.expected_text})")
        if why:
            found.append((sign, "; ".join(why)[:300]))
    return found


def _criteria_json(criteria: dict) -> dict:
    kept = {}
    for name, value in criteria.items():
        if value in (None, [], False, ""):
            continue
        if isinstance(value, GEOSGeometry):
            value = {"type": value.geom_type, "wkt": value.wkt}
        elif isinstance(value, dt.date):
            value = value.isoformat()
        kept[name] = value
    return kept


def _may_work_on(user, county_id: int | None) -> bool:
    return may_write_in(user, {county_id} if county_id else set())


# ---- the campaign -------------------------------------------------------------------------------------


@transaction.atomic
def open_campaign(*, user, year: int, title: str, reason: str, criteria: dict) -> RenewalCampaign:
    """A campaign of the signs ``select_signs(**criteria)`` finds that no other open campaign holds."""
    if not (is_administrator(user) or assigned_counties(user)):
        raise CampaignForbidden("a renewal campaign is opened by an officer or an administrator")
    if not (title or "").strip():
        raise CampaignRefused("a campaign has a title", "title")
    if not 1990 <= year <= 2100:
        raise CampaignRefused("a campaign's year lies between 1990 and 2100", "year")
    unknown = set(criteria) - CRITERIA
    if unknown:
        raise CampaignRefused(f"unknown criteria: {', '.join(sorted(unknown))}", "criteria")
    busy = set(
        RenewalItem.objects.filter(campaign__status=RenewalCampaign.Status.OPEN)
        .exclude(step__in=FINAL)
        .values_list("sign_id", flat=True)
    )
    due = [(s, why) for s, why in select_signs(**criteria) if s.pk not in busy and _may_work_on(user, s.county_id)]
    if not due:
        raise CampaignRefused("no sign of yours meets the criteria (or each is in another open campaign)", "criteria")
    try:
        number = next_number("sign-campaign", RenewalCampaign.objects, "number", f"HX-{year}-")
    except SerialsExhausted as exc:
        raise CampaignRefused(str(exc)) from None
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    campaign = RenewalCampaign.objects.create(
        number=number,
        year=year,
        title=title.strip(),
        criteria=_criteria_json(criteria),
        created_by=user,
        changeset=changeset,
    )
    today = timezone.localdate()
    RenewalItem.objects.bulk_create(
        RenewalItem(
            campaign=campaign,
            sign=sign,
            county_id=sign.county_id,
            kind=sign.kind,
            why=why,
            selected_on=today,
            changeset=changeset,
        )
        for sign, why in due
    )
    return campaign


def _open(campaign: RenewalCampaign) -> None:
    if campaign.status != RenewalCampaign.Status.OPEN:
        raise CampaignRefused(f"campaign {campaign.number} is closed", "status")


def _check_day(on: dt.date, after: dt.date | None, what: str) -> None:
    if on > timezone.localdate():
        raise CampaignRefused(f"a step is not dated in the future ({on})", "on")
    if after is not None and on < after:
        raise CampaignRefused(f"{what} on {on}, before the step before it ({after})", "on")


@transaction.atomic
def make_orders(
    campaign: RenewalCampaign,
    *,
    user,
    reason: str,
    on: dt.date,
    maker: str = "",
    makers: dict[str, str] | None = None,
    expected_version: int | None = None,
) -> list[ProductionOrder]:
    """Production orders, one per maker, of the campaign's selected signs: ``makers`` names the maker of
    each sign (by its number); ``maker`` is the maker of every other selected sign of the user's counties.
    Each sign so ordered is ``ordered`` on ``on``."""
    locked = lock(RenewalCampaign.objects.all(), campaign.pk, expected_version)
    _open(locked)
    makers = {number: name.strip() for number, name in (makers or {}).items()}
    if any(not name for name in makers.values()):
        raise CampaignRefused("each maker is named", "makers")
    _check_day(on, None, "ordered")
    items = locked.items.filter(step=Step.SELECTED).select_related("sign")
    chosen: dict[str, list[RenewalItem]] = defaultdict(list)
    for item in items:
        name = makers.pop(item.sign.number, None) or maker.strip()
        if not name:
            continue
        if not _may_work_on(user, item.county_id):
            raise CampaignForbidden(f"sign {item.sign.number} is kept by the officers of another county")
        chosen[name].append(item)
    if makers:
        raise CampaignRefused(f"not selected in {locked.number}: {', '.join(sorted(makers))}", "makers")
    if not chosen:
        raise CampaignRefused("no selected sign to order: name a maker", "maker")
    if len(chosen) > MAX_MAKERS:
        raise CampaignRefused(f"at most {MAX_MAKERS} makers at a time", "makers")
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    orders = []
    for name, rows in sorted(chosen.items()):
        try:
            number = next_number("sign-order", ProductionOrder.objects, "number", f"DD-{on.year}-")
        except SerialsExhausted as exc:
            raise CampaignRefused(str(exc)) from None
        order = ProductionOrder.objects.create(
            number=number, campaign=locked, maker=name, ordered_on=on, created_by=user, changeset=changeset
        )
        for item in rows:
            item.order, item.step, item.ordered_on, item.ordered_by = order, Step.ORDERED, on, user
            item.changeset = changeset
            bump(item)
        orders.append(order)
    bump(locked)
    return orders


def _step_one(item: RenewalItem, step: str, on: dt.date, user, note: str, changeset: Changeset) -> None:
    """Move a locked item on by one step (rules checked)."""
    sign = item.sign
    if item.step in FINAL:
        raise CampaignRefused(f"sign {sign.number} is {item.get_step_display()}", "step")
    if step == Step.DROPPED:
        if not (note or "").strip():
            raise CampaignRefused("a sign dropped from the campaign says why", "note")
        item.step, item.dropped_reason = Step.DROPPED, note.strip()
    else:
        if step == Step.ORDERED:
            raise CampaignRefused("a sign is ordered on a production order (make orders)", "step")
        if step not in ORDER or ORDER.index(step) != ORDER.index(item.step) + 1:
            wanted = ORDER[ORDER.index(item.step) + 1]
            raise CampaignRefused(f"sign {sign.number} is {item.get_step_display()}: next is {wanted}", "step")
        previous_day = getattr(item, STEP_FIELDS[ORDER[ORDER.index(step) - 1]][0])
        _check_day(on, previous_day, step)
        day_field, by_field = STEP_FIELDS[step]
        setattr(item, day_field, on)
        setattr(item, by_field, user)
        item.step = step
    item.changeset = changeset
    if item.step == Step.ACCEPTED:
        inventory.remake_sign(
            sign, changeset=changeset, installed_on=item.installed_on, maker=item.order.maker if item.order_id else None
        )
    bump(item)


def _finish_order(order: ProductionOrder | None) -> None:
    if order is None or order.status != ProductionOrder.Status.OPEN:
        return
    if not order.items.exclude(step__in=FINAL).exists():
        locked = lock(ProductionOrder.objects.all(), order.pk)
        locked.status = ProductionOrder.Status.DONE
        bump(locked)


@transaction.atomic
def advance(
    item: RenewalItem, *, user, step: str, on: dt.date, note: str = "", expected_version: int | None = None
) -> RenewalItem:
    """One sign's next step: made, installed, accepted (the inventory renewed), or dropped (with why)."""
    related = ("campaign", "order", "sign__county")
    locked = lock(RenewalItem.objects.select_related(*related), item.pk, expected_version)
    if not _may_work_on(user, locked.county_id):
        raise CampaignForbidden(f"sign {locked.sign.number} is kept by the officers of its county")
    _open(locked.campaign)
    changeset = open_changeset(
        Changeset.Kind.EDIT, f"sign renewal {locked.campaign.number}: {locked.sign.number} {step}", author=user
    )
    _step_one(locked, step, on, user, note, changeset)
    _finish_order(locked.order)
    return locked


@transaction.atomic
def advance_order(
    order: ProductionOrder, *, user, step: str, on: dt.date, expected_version: int | None = None
) -> ProductionOrder:
    """Every sign of the order at the step before ``step`` (made, installed, accepted) moves on."""
    locked = lock(ProductionOrder.objects.select_related("campaign"), order.pk, expected_version)
    _open(locked.campaign)
    if step not in (Step.MADE, Step.INSTALLED, Step.ACCEPTED):
        raise CampaignRefused("an order's signs move on to made, installed or accepted", "step")
    before = ORDER[ORDER.index(step) - 1]
    items = list(locked.items.filter(step=before).select_related("sign", "order"))
    if not items:
        raise CampaignRefused(f"no sign of order {locked.number} is {before}", "step")
    changeset = open_changeset(Changeset.Kind.EDIT, f"sign order {locked.number}: {step}", author=user)
    for item in items:
        if not _may_work_on(user, item.county_id):
            raise CampaignForbidden(f"sign {item.sign.number} is kept by the officers of another county")
        _step_one(lock(RenewalItem.objects.select_related("sign", "order"), item.pk), step, on, user, "", changeset)
    bump(locked)
    _finish_order(locked)
    return ProductionOrder.objects.get(pk=locked.pk)


@transaction.atomic
def close_campaign(campaign: RenewalCampaign, *, user, expected_version: int | None = None) -> RenewalCampaign:
    locked = lock(RenewalCampaign.objects.all(), campaign.pk, expected_version)
    if not (is_administrator(user) or locked.created_by_id == user.pk):
        raise CampaignForbidden("a campaign is closed by who opened it or an administrator")
    _open(locked)
    waiting = locked.items.exclude(step__in=FINAL).count()
    if waiting:
        raise CampaignRefused(f"{waiting} sign(s) are not accepted or dropped yet", "status")
    locked.status = RenewalCampaign.Status.CLOSED
    bump(locked)
    return locked


# ---- the figures --------------------------------------------------------------------------------------


def _reached(item: RenewalItem) -> dict[str, dt.date | None]:
    return {
        "selected": item.selected_on,
        "ordered": item.ordered_on,
        "made": item.made_on,
        "installed": item.installed_on,
        "accepted": item.accepted_on,
    }


def dashboard(*, year: int | None = None, county: AdminUnit | None = None) -> dict:
    """Per district (county-level unit) and kind: how many signs were selected, ordered, made, installed
    and accepted (in ``year``, by the day of each step; all years without it), the totals, and the same
    counts year by year."""
    items = RenewalItem.objects.exclude(step=Step.DROPPED).select_related("county")
    if county is not None:
        items = items.filter(county=county)
    rows: dict[tuple[str, str, str], Counter] = defaultdict(Counter)
    years: dict[int, Counter] = defaultdict(Counter)
    totals: Counter = Counter()
    for item in items:
        key = (item.county.code if item.county_id else "", item.county.name if item.county_id else "—", item.kind)
        for step, day in _reached(item).items():
            if day is None:
                continue
            years[day.year][step] += 1
            if year is None or day.year == year:
                rows[key][step] += 1
                totals[step] += 1
    kinds = dict(Sign.Kind.choices)
    return {
        "year": year,
        "county": county.code if county else None,
        "rows": [
            {"county": code, "county_name": name, "kind": kind, "kind_name": kinds.get(kind, kind)}
            | {s: tally.get(s, 0) for s in COUNTED}
            for (code, name, kind), tally in sorted(rows.items())
        ],
        "totals": {s: totals.get(s, 0) for s in COUNTED},
        "by_year": [{"year": y} | {s: years[y].get(s, 0) for s in COUNTED} for y in sorted(years)],
    }


# ---- an order's list ----------------------------------------------------------------------------------

COLUMNS = [
    ("number", "标志编号 Number"),
    ("kind", "种类 Kind"),
    ("text", "汉字 Text"),
    ("romanization", "罗马字母 Romanization"),
    ("number_text", "号码 Number shown"),
    ("width_mm", "宽 Width (mm)"),
    ("height_mm", "高 Height (mm)"),
    ("material", "材质 Material"),
    ("ground_colour", "底色 Ground"),
    ("ink_colour", "字色 Ink"),
    ("longitude", "经度 Longitude"),
    ("latitude", "纬度 Latitude"),
    ("facing_deg", "朝向 Facing (°)"),
    ("maker", "制作单位 Maker"),
    ("synthetic", "示例 Synthetic"),
]


def order_items(order: ProductionOrder) -> QuerySet:
    related = ("sign__place__category", "sign__house_number__road__place__category")
    return order.items.select_related(*related).order_by("sign__number")


def order_rows(order: ProductionOrder) -> list[dict]:
    """One row per sign of the order: what the new sign shows (the record's text now), its size, make
    and where it goes. A synthetic sign says 示例."""
    rows = []
    for item in order_items(order):
        sign = item.sign
        text = inventory.text_of(sign)
        rows.append(
            {
                "number": sign.number,
                "kind": sign.kind,
                "text": text.text,
                "romanization": text.romanization,
                "number_text": text.number_text,
                "width_mm": sign.width_mm,
                "height_mm": sign.height_mm,
                "material": sign.material,
                "ground_colour": sign.ground_colour,
                "ink_colour": sign.ink_colour,
                "longitude": round(sign.geom.x, 7),
                "latitude": round(sign.geom.y, 7),
                "facing_deg": sign.facing_deg,
                "maker": order.maker,
                "synthetic": "示例 synthetic" if sign.is_synthetic else "",
            }
        )
    return rows


# The inventory's kinds of place-name sign are one face layout (gazetteer.signfaces: 地名标志).
FACE_KIND = {Sign.Kind.VILLAGE: "place", Sign.Kind.COMMUNITY: "place", Sign.Kind.NATURAL: "place"}


def order_faces(order: ProductionOrder) -> list[signfaces.Face]:
    """The print-ready face of every sign of the order, as its record reads now, at the sign's own size
    where the inventory gives one; a plate or sign naming a public record links to it by QR code."""
    faces = []
    for item in order_items(order):
        sign = item.sign
        text = inventory.text_of(sign)
        place = sign.place or (sign.house_number.road.place if sign.house_number_id else None)
        size = {"width_mm": sign.width_mm, "height_mm": sign.height_mm} if sign.width_mm and sign.height_mm else {}
        faces.append(
            signfaces.face_for(
                FACE_KIND.get(sign.kind, sign.kind),
                text.text,
                number=text.number_text,
                romanization=text.romanization,  # the engine's, captured by the inventory
                qr_url=signfaces.record_url(place) if place is not None and place.is_public else "",
                synthetic=sign.is_synthetic,
                **size,
            )
        )
    return faces


def order_faces_pdf(order: ProductionOrder) -> bytes:
    """The order's faces, one per page at true size, for the maker (fonts embedded)."""
    return signfaces.faces_pdf(order_faces(order))


def order_csv(order: ProductionOrder) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([label for _, label in COLUMNS])
    for row in order_rows(order):
        writer.writerow(["" if row[key] is None else row[key] for key, _ in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel opens it as UTF-8


def order_xlsx(order: ProductionOrder) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = order.number
    sheet.append([f"{order.number} {order.maker} ({order.ordered_on})"])
    sheet.append([label for _, label in COLUMNS])
    for row in order_rows(order):
        sheet.append([row[key] for key, _ in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
