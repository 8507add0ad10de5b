"""The sign inventory and its renewal campaigns: thin views over gazetteer.services.signs and
gazetteer.services.sign_campaigns on ``router`` (config.api mounts it under /api/v1/); what they answer
is described in gazetteer.openapi_signs.

Reading: a sign in place stands in the street for anyone to read, so anyone may read its public face
(number, kind, the text it shows, where it stands and faces, whether it is synthetic); its make, maker,
condition, inspection, the flag, removed signs, history, campaigns, orders and the dashboard are the
bureau's working data: staff only. Writes: officers of the county the sign stands in, administrators;
each write names the ``version`` it is based on (409 when the record moved on) and a reason.
"""

from __future__ import annotations

import contextlib
from typing import Annotated

from django.http import HttpResponse
from ninja import Path, Query, Router, Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from accounts.roles import is_staff_reader
from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core.api import ApiError
from core.http import json_response
from core.records import history_entries
from core.restapi import (
    MAX_TEXT,
    OFFICERS,
    Answer,
    Day,
    Flag,
    Geometry,
    Json,
    Number,
    OneOf,
    Page,
    StrictSchema,
    Text,
    Version,
    Whole,
    endpoint,
)
from core.srid import API_SRID
from gazetteer.models import HouseNumber, Place
from gazetteer.models_signs import ProductionOrder, RenewalCampaign, RenewalItem, Sign
from gazetteer.services import sign_campaigns as campaigns
from gazetteer.services import signs as service

router = Router()
SIGNS = "signs"
PAGE_SIZE, MAX_PAGE_SIZE = 100, 500
COORDINATE_DECIMALS = 7
SignNumber = Annotated[Text(40), Path(description="标志编号, e.g. BZ-2026-000001", examples=["BZ-2026-000001"])]
CampaignNumber = Annotated[Text(20), Path(description="The campaign's number, e.g. HX-2026-0001")]
OrderNumber = Annotated[Text(20), Path(description="The order's number, e.g. DD-2026-0001")]
ItemId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The renewal item's id")]
Reason = Text(MAX_TEXT, min_length=1, description="Why: recorded in the change history.")
Colour = Text(30, min_length=1)
SYNTHETIC_NOTE = "示例: the record this sign names is synthetic demonstration data"


def _real_number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("number", "must be a number")
    return value


Facing = Annotated[float, BeforeValidator(_real_number), Field(ge=0, lt=360, description="Degrees from north")]
Millimetres = Number(ge=1, le=service.MAX_SIZE_MM, description="Millimetres")


# ---- representation ------------------------------------------------------------------------------------


def _day(value) -> str | None:
    return value.isoformat() if value else None


def _position(sign: Sign) -> dict:
    point = sign.geom.transform(API_SRID, clone=True)
    return {"type": "Point", "coordinates": [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]}


def _names(sign: Sign) -> dict:
    if sign.place_id:
        return {"place": sign.place.code, "house_number": None}
    return {"place": sign.house_number.road.place.code, "house_number": sign.house_number.label}


def sign_json(sign: Sign, *, staff: bool) -> dict:
    found = {
        "number": sign.number,
        "kind": sign.kind,
        "text": sign.text,
        "romanization": sign.romanization,
        "number_text": sign.number_text,
        "names": _names(sign),
        "position": _position(sign),
        "facing_deg": sign.facing_deg,
        "status": sign.status,
        "synthetic": sign.is_synthetic,
    }
    if sign.is_synthetic:
        found["note"] = SYNTHETIC_NOTE
    if not staff:
        return found
    return found | {
        "county": sign.county.code if sign.county_id else None,
        "width_mm": sign.width_mm,
        "height_mm": sign.height_mm,
        "material": sign.material,
        "ground_colour": sign.ground_colour,
        "ink_colour": sign.ink_colour,
        "maker": sign.maker,
        "installed_on": _day(sign.installed_on),
        "condition": sign.condition,
        "last_inspected_on": _day(sign.last_inspected_on),
        "removed_on": _day(sign.removed_on),
        "removed_reason": sign.removed_reason,
        "text_outdated_since": sign.text_outdated_since.isoformat() if sign.text_outdated_since else None,
        "expected_text": sign.expected_text,
        "version": sign.version,
    }


def _with_relations(signs):
    return signs.select_related("place", "house_number__road__place", "county")


def item_json(item: RenewalItem) -> dict:
    def who(user):
        return user.get_username() if user else None

    return {
        "id": item.pk,
        "sign": item.sign.number,
        "kind": item.kind,
        "synthetic": item.sign.is_synthetic,
        "county": item.county.code if item.county_id else None,
        "why": item.why,
        "step": item.step,
        "order": item.order.number if item.order_id else None,
        "selected_on": _day(item.selected_on),
        "ordered_on": _day(item.ordered_on),
        "ordered_by": who(item.ordered_by),
        "made_on": _day(item.made_on),
        "made_by": who(item.made_by),
        "installed_on": _day(item.installed_on),
        "installed_by": who(item.installed_by),
        "accepted_on": _day(item.accepted_on),
        "accepted_by": who(item.accepted_by),
        "dropped_reason": item.dropped_reason,
        "version": item.version,
    }


def _items(queryset):
    users = ("ordered_by", "made_by", "installed_by", "accepted_by")
    return queryset.select_related("sign", "county", "order", *users).order_by("sign__number")


def campaign_json(campaign: RenewalCampaign, *, items: bool = True) -> dict:
    found = {
        "number": campaign.number,
        "year": campaign.year,
        "title": campaign.title,
        "criteria": campaign.criteria,
        "status": campaign.status,
        "created_by": campaign.created_by.get_username(),
        "orders": [o.number for o in campaign.orders.order_by("number")],
        "version": campaign.version,
    }
    if items:
        found["items"] = [item_json(item) for item in _items(campaign.items.all())]
    return found


def order_json(order: ProductionOrder) -> dict:
    return {
        "number": order.number,
        "campaign": order.campaign.number,
        "maker": order.maker,
        "ordered_on": order.ordered_on.isoformat(),
        "status": order.status,
        "items": [item_json(item) for item in _items(order.items.all())],
        "version": order.version,
    }


# ---- helpers -------------------------------------------------------------------------------------------


def _staff(request) -> bool:
    return request.user.is_authenticated and is_staff_reader(request.user)


def _require_staff(request) -> None:
    if not _staff(request):
        raise ApiError(403, "the sign inventory's working data is the bureau's: staff only")


def _sign(request, number: str) -> Sign:
    signs = _with_relations(Sign.objects.all())
    if not _staff(request):
        signs = signs.filter(status=Sign.Status.IN_PLACE)
    found = signs.filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no sign has the number {number!r}")
    return found


def _campaign(number: str) -> RenewalCampaign:
    found = RenewalCampaign.objects.select_related("created_by").filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no sign renewal campaign {number!r}")
    return found


def _order(number: str) -> ProductionOrder:
    found = ProductionOrder.objects.select_related("campaign").filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no sign production order {number!r}")
    return found


@contextlib.contextmanager
def _rules():
    try:
        yield
    except (service.SignRefused, campaigns.CampaignRefused) as exc:
        raise ApiError(400, str(exc), **({"field": exc.field} if exc.field else {})) from None
    except (service.SignForbidden, campaigns.CampaignForbidden) as exc:
        raise ApiError(403, str(exc)) from None


def _county(code: str, parameter: str = "county") -> AdminUnit:
    county = AdminUnit.objects.current().filter(code=code, tier=Tier.COUNTY).first()
    if county is None:
        raise ApiError(400, f"no county-level unit has the code {code!r}", parameter=parameter)
    return county


# ---- the inventory: reads ------------------------------------------------------------------------------


class SignFilters(Page(PAGE_SIZE, MAX_PAGE_SIZE)):
    kind: OneOf(Sign.Kind.values, "Only signs of this kind") | None = None
    county: Text(12, description="A county-level unit's code", examples=["231084"]) = ""
    place: Text(20, description="Signs naming this place, or plates on this road (its code)") = ""
    condition: OneOf(Sign.Condition.values, "Staff: only signs in this condition") | None = None
    outdated: OneOf(["true", "false"], "Staff: true, only signs showing a superseded name or number") | None = None
    status: OneOf(Sign.Status.values, "Staff: in place (default) or removed") | None = None


@endpoint(
    router,
    "GET",
    "/signs",
    operation_id="listSigns",
    summary="Signs in the inventory (public: the signs in place, their public face)",
    tag=SIGNS,
    public=True,
    answers=Answer("A page of signs", "Signs"),
    errors=("400", "403"),
    url_name="sign-list",
)
def sign_list(request, query: Query[SignFilters]):
    staff = _staff(request)
    if not staff and (query.condition or query.outdated or query.status):
        raise ApiError(403, "condition, outdated and status are staff filters", parameter="condition")
    signs = _with_relations(Sign.objects.all()).filter(status=query.status or Sign.Status.IN_PLACE)
    if query.kind:
        signs = signs.filter(kind=query.kind)
    if query.county:
        signs = signs.filter(county=_county(query.county))
    if query.place:
        signs = signs.filter(place__code=query.place) | signs.filter(house_number__road__place__code=query.place)
    if query.condition:
        signs = signs.filter(condition=query.condition)
    if query.outdated == "true":
        signs = service.outdated(signs)
    elif query.outdated == "false":
        signs = signs.filter(text_outdated_since__isnull=True)
    total = signs.count()
    page = signs.order_by("number")[query.offset : query.offset + query.limit]
    return json_response({"total": total, "offset": query.offset, "signs": [sign_json(s, staff=staff) for s in page]})


@endpoint(
    router,
    "GET",
    "/signs/{number}",
    operation_id="getSign",
    summary="One sign (public: its public face while it is in place; staff: everything)",
    tag=SIGNS,
    public=True,
    answers=Answer("The sign", "Sign"),
    errors=("400", "404"),
    url_name="sign-detail",
)
def sign_detail(request, number: SignNumber):
    return json_response(sign_json(_sign(request, number), staff=_staff(request)))


@endpoint(
    router,
    "GET",
    "/signs/{number}/history",
    operation_id="getSignHistory",
    summary="A sign's versions: registered, edited, moved, remade, renewed, removed (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The versions, oldest first", "SignHistory"),
    errors=("400", "401", "403", "404"),
    url_name="sign-history",
)
def sign_history(request, number: SignNumber):
    _require_staff(request)
    sign = _sign(request, number)
    versions = sign.versions.select_related("changeset").order_by("version")
    return json_response({"number": sign.number, "versions": history_entries(versions)})


# ---- the inventory: writes -----------------------------------------------------------------------------


class SignAttributes(StrictSchema):
    facing_deg: Facing | None = None
    width_mm: Millimetres | None = None
    height_mm: Millimetres | None = None
    material: OneOf(Sign.Material.values) | None = None
    ground_colour: Colour | None = None
    ink_colour: Colour | None = None
    maker: Text(200) | None = None
    installed_on: Day | None = None
    condition: OneOf(Sign.Condition.values) | None = None
    last_inspected_on: Day | None = None


class SignCreate(SignAttributes):
    kind: OneOf(Sign.Kind.values, "路名牌 road_name ... 自然地理实体标志 natural")
    place: Text(20, description="The place it names (its code): road, street, lane, village, community ...") = ""
    house_number: Number(ge=1, le=2**31 - 1, description="The house number it names (its id): plates") | None = None
    geometry: Geometry = Field(description="Where it stands: a GeoJSON Point, WGS84")
    reason: Reason


class SignUpdate(SignAttributes):
    geometry: Geometry = Field(None, description="A new position (a GeoJSON Point)")
    version: Version
    reason: Reason


class SignRemake(StrictSchema):
    version: Version
    reason: Reason


class SignRemove(StrictSchema):
    on: Day
    version: Version
    reason: Reason


def _point(geom):
    if geom is not None and geom.geom_type != "Point":
        raise ApiError(400, f"geometry must be a Point, not a {geom.geom_type}", field="geometry")
    return geom


def _attributes(body: SignAttributes) -> dict:
    names = SignAttributes.model_fields
    return {name: getattr(body, name) for name in names if name in body.model_fields_set}


def _named(body: SignCreate) -> tuple[Place | None, HouseNumber | None]:
    place = house = None
    if body.place:
        place = Place.objects.select_related("category").filter(code=body.place).first()
        if place is None:
            raise ApiError(400, f"no place has the code {body.place!r}", field="place")
    if body.house_number is not None:
        house = HouseNumber.objects.select_related("road__place__category").filter(pk=body.house_number).first()
        if house is None:
            raise ApiError(400, f"no house number {body.house_number}", field="house_number")
    return place, house


@endpoint(
    router,
    "POST",
    "/signs",
    operation_id="registerSign",
    summary="Register a sign: its text is captured from the record it names and the romanization engine",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The sign (Location header)", "Sign", status="201"),
    url_name="sign-create",
)
def sign_create(request, body: Json[SignCreate]):
    place, house = _named(body)
    with _rules():
        sign = service.register_sign(
            user=request.user,
            reason=body.reason,
            kind=body.kind,
            geom=_point(body.geometry),
            place=place,
            house_number=house,
            **{k: v for k, v in _attributes(body).items() if v is not None},
        )
    response = json_response(sign_json(sign, staff=True), status=201)
    response["Location"] = f"/api/v1/signs/{sign.number}"
    return response


@endpoint(
    router,
    "PATCH",
    "/signs/{number}",
    operation_id="updateSign",
    summary="Change a sign's position, facing, size, make, condition or last inspection (never its text)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The sign", "Sign"),
    url_name="sign-update",
)
def sign_update(request, number: SignNumber, body: Json[SignUpdate]):
    sign = _sign(request, number)
    changes = _attributes(body)
    for name in ("ground_colour", "ink_colour", "condition"):
        if name in changes and changes[name] is None:
            raise ApiError(400, f"'{name}' cannot be emptied", field=name)
    if body.geometry is not None:
        changes["geom"] = _point(body.geometry)
    if "maker" in changes and changes["maker"] is None:
        changes["maker"] = ""
    if "material" in changes and changes["material"] is None:
        changes["material"] = ""
    with _rules():
        sign = service.update_sign(
            sign, user=request.user, reason=body.reason, changes=changes, expected_version=body.version
        )
    return json_response(sign_json(_sign(request, number), staff=True))


@endpoint(
    router,
    "POST",
    "/signs/{number}/remake",
    operation_id="remakeSign",
    summary="A new face: the text captured afresh from the record (clears 'showing a superseded name')",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The sign", "Sign"),
    url_name="sign-remake",
)
def sign_remake(request, number: SignNumber, body: Json[SignRemake]):
    sign = _sign(request, number)
    with _rules():
        service.remake_sign(sign, user=request.user, reason=body.reason, expected_version=body.version)
    return json_response(sign_json(_sign(request, number), staff=True))


@endpoint(
    router,
    "POST",
    "/signs/{number}/remove",
    operation_id="removeSign",
    summary="Take a sign down (kept in the inventory with the day and the reason)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The sign", "Sign"),
    url_name="sign-remove",
)
def sign_remove(request, number: SignNumber, body: Json[SignRemove]):
    sign = _sign(request, number)
    with _rules():
        service.remove_sign(sign, user=request.user, reason=body.reason, on=body.on, expected_version=body.version)
    return json_response(sign_json(_sign(request, number), staff=True))


# ---- campaigns -----------------------------------------------------------------------------------------


class Criteria(StrictSchema):
    unit: Text(12, description="Signs within this unit (its code)") = ""
    area: Geometry = Field(None, description="Signs within this GeoJSON Polygon")
    kinds: list[OneOf(Sign.Kind.values)] | None = Field(None, max_length=10)
    conditions: list[OneOf(Sign.Condition.values)] | None = Field(None, max_length=4)
    installed_before: Day | None = None
    outdated: Flag = Field(False, description="Signs that show a superseded name or number")


class CampaignNew(StrictSchema):
    year: int = Field(..., ge=1990, le=2100, strict=True)
    title: Text(200, min_length=1)
    criteria: Criteria
    reason: Reason


class MakeOrders(StrictSchema):
    on: Day
    maker: Text(200, description="The maker of every selected sign not named in makers") = ""
    makers: dict[Text(40), Text(200, min_length=1)] | None = Field(
        None, max_length=5000, description="Sign number -> its maker"
    )
    version: Version
    reason: Reason


class CampaignClose(StrictSchema):
    version: Version


class StepTaken(StrictSchema):
    step: OneOf(["made", "installed", "accepted", "dropped"], "The step reached")
    on: Day
    note: Text(5000, description="Dropped: why") = ""
    version: Version


class OrderStep(StrictSchema):
    step: OneOf(["made", "installed", "accepted"], "The step every sign of the order at the step before reached")
    on: Day
    version: Version


@endpoint(
    router,
    "GET",
    "/sign-campaigns",
    operation_id="listSignCampaigns",
    summary="Sign renewal campaigns, newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("Campaigns", "SignCampaigns"),
    errors=("401", "403"),
    url_name="sign-campaign-list",
)
def campaign_list(request):
    _require_staff(request)
    found = RenewalCampaign.objects.select_related("created_by").order_by("-year", "-number")[:200]
    return json_response({"campaigns": [campaign_json(c, items=False) for c in found]})


@endpoint(
    router,
    "POST",
    "/sign-campaigns",
    operation_id="openSignCampaign",
    summary="Open a renewal campaign of the signs due by area, kind, condition, age or superseded text",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign with its signs", "SignCampaign", status="201"),
    url_name="sign-campaign-create",
)
def campaign_open(request, body: Json[CampaignNew]):
    criteria = body.criteria
    with _rules():
        made = campaigns.open_campaign(
            user=request.user,
            year=body.year,
            title=body.title,
            reason=body.reason,
            criteria={
                "unit": criteria.unit or None,
                "area": criteria.area,
                "kinds": criteria.kinds,
                "conditions": criteria.conditions,
                "installed_before": criteria.installed_before,
                "outdated": criteria.outdated,
            },
        )
    response = json_response(campaign_json(made), status=201)
    response["Location"] = f"/api/v1/sign-campaigns/{made.number}"
    return response


@endpoint(
    router,
    "GET",
    "/sign-campaigns/{number}",
    operation_id="getSignCampaign",
    summary="One campaign with each sign's step (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign", "SignCampaign"),
    errors=("400", "401", "403", "404"),
    url_name="sign-campaign-detail",
)
def campaign_detail(request, number: CampaignNumber):
    _require_staff(request)
    return json_response(campaign_json(_campaign(number)))


@endpoint(
    router,
    "POST",
    "/sign-campaigns/{number}/orders",
    operation_id="makeSignOrders",
    summary="Production orders, one per maker, of the campaign's selected signs",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The orders made", "SignOrders", status="201"),
    url_name="sign-campaign-orders",
)
def campaign_orders(request, number: CampaignNumber, body: Json[MakeOrders]):
    campaign = _campaign(number)
    with _rules():
        orders = campaigns.make_orders(
            campaign,
            user=request.user,
            reason=body.reason,
            on=body.on,
            maker=body.maker,
            makers=body.makers,
            expected_version=body.version,
        )
    return json_response({"orders": [order_json(o) for o in orders]}, status=201)


@endpoint(
    router,
    "POST",
    "/sign-campaigns/{number}/close",
    operation_id="closeSignCampaign",
    summary="Close a campaign whose signs are all accepted or dropped",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The campaign", "SignCampaign"),
    url_name="sign-campaign-close",
)
def campaign_close(request, number: CampaignNumber, body: Json[CampaignClose]):
    with _rules():
        done = campaigns.close_campaign(_campaign(number), user=request.user, expected_version=body.version)
    return json_response(campaign_json(done))


@endpoint(
    router,
    "GET",
    "/sign-orders/{number}",
    operation_id="getSignOrder",
    summary="One production order with its signs and their steps (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The order", "SignOrder"),
    errors=("400", "401", "403", "404"),
    url_name="sign-order-detail",
)
def order_detail(request, number: OrderNumber):
    _require_staff(request)
    return json_response(order_json(_order(number)))


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _export(request, number: str, fmt: str, content_type: str, make) -> HttpResponse:
    _require_staff(request)
    order = _order(number)
    response = HttpResponse(make(order), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{order.number}.{fmt}"'
    return response


@endpoint(
    router,
    "GET",
    "/sign-orders/{number}/list.csv",
    operation_id="exportSignOrderCsv",
    summary="The order's list for the maker as CSV (UTF-8 with BOM), one row per sign (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The list", {"type": "string"}, media="text/csv"),
    errors=("400", "401", "403", "404"),
    url_name="sign-order-csv",
)
def order_csv(request, number: OrderNumber):
    return _export(request, number, "csv", "text/csv; charset=utf-8", campaigns.order_csv)


@endpoint(
    router,
    "GET",
    "/sign-orders/{number}/list.xlsx",
    operation_id="exportSignOrderXlsx",
    summary="The order's list for the maker as XLSX, one row per sign (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The list", {"type": "string", "contentMediaType": XLSX}, media=XLSX),
    errors=("400", "401", "403", "404"),
    url_name="sign-order-xlsx",
)
def order_xlsx(request, number: OrderNumber):
    return _export(request, number, "xlsx", XLSX, campaigns.order_xlsx)


@endpoint(
    router,
    "GET",
    "/sign-orders/{number}/faces.pdf",
    operation_id="exportSignOrderFaces",
    summary="The order's print-ready faces, one per page at true size, fonts embedded (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The faces", {"type": "string", "contentMediaType": "application/pdf"}, media="application/pdf"),
    errors=("400", "401", "403", "404"),
    url_name="sign-order-faces",
)
def order_faces(request, number: OrderNumber):
    return _export(request, number, "pdf", "application/pdf", campaigns.order_faces_pdf)


@endpoint(
    router,
    "POST",
    "/sign-orders/{number}/advance",
    operation_id="advanceSignOrder",
    summary="Every sign of the order at the step before moves on: made, installed or accepted",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The order", "SignOrder"),
    url_name="sign-order-advance",
)
def order_advance(request, number: OrderNumber, body: Json[OrderStep]):
    order = _order(number)
    with _rules():
        done = campaigns.advance_order(
            order, user=request.user, step=body.step, on=body.on, expected_version=body.version
        )
    return json_response(order_json(done))


@endpoint(
    router,
    "PATCH",
    "/sign-renewals/{item_id}",
    operation_id="advanceSignRenewal",
    summary="One sign's renewal: made, installed, accepted (the inventory renewed), or dropped with why",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The sign's renewal item", "SignRenewal"),
    url_name="sign-renewal",
)
def renewal_advance(request, item_id: ItemId, body: Json[StepTaken]):
    item = RenewalItem.objects.filter(pk=item_id).first()
    if item is None:
        raise ApiError(404, f"no sign renewal item {item_id}")
    with _rules():
        done = campaigns.advance(
            item, user=request.user, step=body.step, on=body.on, note=body.note, expected_version=body.version
        )
    return json_response(item_json(RenewalItem.objects.select_related("sign", "county", "order").get(pk=done.pk)))


class DashboardQuery(Schema):
    year: Whole(ge=1990, le=2100, description="Count the steps taken in this year (default: every year)") = None
    county: Text(12, description="One county-level unit's code") = ""


@endpoint(
    router,
    "GET",
    "/sign-dashboard",
    operation_id="getSignDashboard",
    summary="Signs selected, ordered, made, installed and accepted per district and kind, and by year (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The figures", "SignDashboard"),
    errors=("400", "401", "403"),
    url_name="sign-dashboard",
)
def dashboard(request, query: Query[DashboardQuery]):
    _require_staff(request)
    county = _county(query.county) if query.county else None
    return json_response(campaigns.dashboard(year=query.year, county=county))
