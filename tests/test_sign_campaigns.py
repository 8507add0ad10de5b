"""Sign renewal campaigns (gazetteer.services.sign_campaigns, /api/v1/sign-campaigns ...): selection by
area, kind, condition, age and superseded text; one production order per maker; each sign ordered, made,
installed, accepted in that order only (the acceptance renews the inventory); the orders in the inbox;
the list for the maker (CSV, XLSX); the dashboard per district and kind, by year."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from accounts.services import create_officer
from core import inbox
from core.history import open_changeset
from core.srid import STORAGE_SRID
from gazetteer.inbox_signs import open_orders
from gazetteer.models import ProductionOrder, RenewalItem, Sign
from gazetteer.services import places as place_service
from gazetteer.services import signs as inventory
from tests.gazetteer_helpers import HAILIN, NINGAN
from tests.test_signs import LAT, WEST, add_number, make_road

pytestmark = pytest.mark.django_db
URL = "/api/v1/sign-campaigns"
TODAY = timezone.localdate()


@pytest.fixture
def inventory_signs(db):
    """In 宁安市: a faded road sign of 太平路, a damaged plate of 太平路12号, a good road sign installed in
    2005, a good lane sign; in 海林市 a missing road sign."""
    officer, _ = create_officer("sign_setup", role=Role.ADMINISTRATOR, counties=[], with_token=False)
    road = make_road("太平路")
    house = add_number(road, 12)
    lane = make_road("太平巷", LAT + 0.003)
    hailin = make_road("海林大街", 44.57)

    def sign(kind, where, **values):
        geom = Point(where[0], where[1], srid=STORAGE_SRID)
        named = {"house_number": house} if kind == "house_plate" else {"place": values.pop("place")}
        return inventory.register_sign(user=officer, reason="普查", kind=kind, geom=geom, **named, **values)

    return {
        "faded": sign("road_name", (WEST + 0.001, LAT), place=road.place, condition="faded", maker="老厂"),
        "plate": sign("house_plate", (WEST + 0.002, LAT), condition="damaged", width_mm=450, height_mm=200),
        "old": sign("road_name", (WEST + 0.003, LAT), place=road.place, installed_on=dt.date(2005, 6, 1)),
        "lane": sign("lane", (WEST + 0.001, LAT + 0.003), place=lane.place),
        "hailin": sign("road_name", (129.381, 44.57), place=hailin.place, condition="missing"),
        "road": road,
        "admin": officer,
    }


def open_campaign(api, **criteria):
    return api.post(
        URL, {"year": TODAY.year, "title": "宁安市地名标志更新", "criteria": criteria, "reason": "年度计划"}
    )


def test_signs_are_selected_by_area_kind_condition_and_age(accounts, inventory_signs):
    s = inventory_signs
    made = open_campaign(accounts["officer_ningan"], unit=NINGAN)  # no reason given: the worn ones
    assert made.status_code == 201, made.content
    campaign = made.json()
    assert {i["sign"] for i in campaign["items"]} == {s["faded"].number, s["plate"].number}
    assert campaign["number"].startswith(f"HX-{TODAY.year}-") and campaign["criteria"] == {"unit": NINGAN}
    why = {i["sign"]: i["why"] for i in campaign["items"]}
    assert "褪色" in why[s["faded"].number] and "损坏" in why[s["plate"].number]
    # the same signs are in an open campaign already; the old one by age, in the kinds asked
    aged = open_campaign(accounts["officer_ningan"], installed_before="2010-01-01", kinds=["road_name"]).json()
    assert [i["sign"] for i in aged["items"]] == [s["old"].number]
    # an officer's campaign holds the officer's counties only
    nothing = open_campaign(accounts["officer_hailin"], unit=NINGAN)
    assert nothing.status_code == 400 and nothing.json()["error"]["field"] == "criteria"
    assert open_campaign(accounts["approver"], unit=NINGAN).status_code == 403
    unknown = open_campaign(accounts["officer_ningan"], unit="999999")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "unit"


def test_signs_showing_a_superseded_name_are_selected(accounts, inventory_signs):
    place_service.rename_place(
        inventory_signs["road"].place,
        "太安路",
        changeset=open_changeset("decision", "更名", label="t"),
        effective=TODAY,
    )
    area = {"type": "Polygon", "coordinates": [[[129.46, 44.33], [129.50, 44.33], [129.50, 44.35], [129.46, 44.35],
                                                 [129.46, 44.33]]]}  # fmt: skip
    campaign = open_campaign(accounts["officer_ningan"], outdated=True, area=area).json()
    assert {i["sign"] for i in campaign["items"]} == {
        inventory_signs[k].number for k in ("faded", "plate", "old")
    }  # 太平巷 is not renamed
    assert all("太安路" in i["why"] for i in campaign["items"])


def _orders(api, campaign, **body):
    return api.post(f"{URL}/{campaign['number']}/orders", {"on": TODAY.isoformat(), "version": campaign["version"],
                                                          "reason": "下达订单", **body})  # fmt: skip


def _step(api, item_id, step, **body):
    version = RenewalItem.objects.get(pk=item_id).version
    return api.patch(f"/api/v1/sign-renewals/{item_id}", {"step": step, "on": TODAY.isoformat(), "version": version,
                                                        **body})  # fmt: skip


def test_orders_per_maker_and_each_sign_step_by_step_to_acceptance(accounts, inventory_signs):
    api = accounts["officer_ningan"]
    s = inventory_signs
    campaign = open_campaign(api, unit=NINGAN).json()
    stale = _orders(api, {**campaign, "version": campaign["version"] + 1}, maker="甲厂")
    assert stale.status_code == 409
    made = _orders(api, campaign, maker="甲厂", makers={s["plate"].number: "乙厂"})
    assert made.status_code == 201, made.content
    orders = {o["maker"]: o for o in made.json()["orders"]}
    assert set(orders) == {"甲厂", "乙厂"} and all(o["number"].startswith(f"DD-{TODAY.year}-") for o in orders.values())
    assert [i["sign"] for i in orders["乙厂"]["items"]] == [s["plate"].number]
    item = orders["甲厂"]["items"][0]
    assert item["step"] == "ordered" and item["ordered_by"] == "officer_ningan"

    officer = ProductionOrder.objects.get(number=orders["甲厂"]["number"]).created_by
    assert inbox.count_for(officer) >= 2 and open_orders.count(officer) == 2  # both await the officer of 宁安市
    assert open_orders.count(ProductionOrder.objects.get(number=orders["乙厂"]["number"]).campaign.created_by) == 2
    titles = [i.title for i in open_orders.items(officer)]
    assert any(orders["甲厂"]["number"] in t for t in titles)

    skipped = _step(api, item["id"], "installed")
    assert skipped.status_code == 400 and skipped.json()["error"]["field"] == "step"
    assert _step(accounts["officer_hailin"], item["id"], "made").status_code == 403
    assert _step(api, item["id"], "made").status_code == 200
    stale = api.patch(f"/api/v1/sign-renewals/{item['id']}", {"step": "installed", "on": TODAY.isoformat(),
                                                              "version": 1})  # fmt: skip
    assert stale.status_code == 409
    assert _step(api, item["id"], "installed").status_code == 200
    accepted = _step(api, item["id"], "accepted")
    assert accepted.status_code == 200 and accepted.json()["accepted_by"] == "officer_ningan"
    renewed = Sign.objects.get(number=s["faded"].number)
    assert (renewed.condition, renewed.installed_on, renewed.maker) == ("good", TODAY, "甲厂")
    assert renewed.versions.order_by("-version").first().data["event"] == "renewed"
    order = api.get(f"/api/v1/sign-orders/{orders['甲厂']['number']}").json()
    assert order["status"] == "done"
    assert _step(api, item["id"], "dropped", note="x").status_code == 400  # accepted: final

    # the other order moves on as a whole; a drop needs a reason
    plate_order = ProductionOrder.objects.get(number=orders["乙厂"]["number"])
    for step in ("made", "installed"):
        version = ProductionOrder.objects.get(pk=plate_order.pk).version
        moved = api.post(f"/api/v1/sign-orders/{plate_order.number}/advance",
                         {"step": step, "on": TODAY.isoformat(), "version": version})  # fmt: skip
        assert moved.status_code == 200, moved.content
    plate_item = orders["乙厂"]["items"][0]["id"]
    assert _step(api, plate_item, "dropped").status_code == 400
    assert _step(api, plate_item, "dropped", note="道路改造，暂不安装").status_code == 200
    assert set(ProductionOrder.objects.values_list("status", flat=True)) == {"done"}
    assert open_orders.count(officer) == 0 and open_orders.items(officer) == []

    closed = api.post(
        f"{URL}/{campaign['number']}/close", {"version": api.get(f"{URL}/{campaign['number']}").json()["version"]}
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_the_list_for_the_maker_as_csv_and_xlsx(accounts, inventory_signs):
    api = accounts["officer_ningan"]
    campaign = open_campaign(api, unit=NINGAN).json()
    order = _orders(api, campaign, maker="甲厂").json()["orders"][0]["number"]
    text = api.get(f"/api/v1/sign-orders/{order}/list.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0].startswith("标志编号") and len(rows) == 3
    plate = next(r for r in rows if r[0] == inventory_signs["plate"].number)
    assert plate[2:5] == ["太平路", "Taiping Lu", "12号"] and plate[5:7] == ["450", "200"] and plate[13] == "甲厂"
    book = load_workbook(io.BytesIO(api.get(f"/api/v1/sign-orders/{order}/list.xlsx").content))
    sheet = book.active
    assert sheet.title == order and sheet.max_row == 4  # title, header, two signs
    assert accounts["public"].get(f"/api/v1/sign-orders/{order}/list.csv").status_code == 401
    faces = api.get(f"/api/v1/sign-orders/{order}/faces.pdf")
    assert faces.status_code == 200 and faces["Content-Type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(faces.content))
    assert len(pdf.pages) == 2  # one face per sign
    plate_page = next(p for p in pdf.pages if "12" in p.extract_text())
    width_mm = float(plate_page.mediabox.width) * 25.4 / 72
    assert abs(width_mm - 450) < 0.5  # the plate's own size from the inventory
    assert accounts["public"].get(f"/api/v1/sign-orders/{order}/faces.pdf").status_code == 401


def test_the_dashboard_counts_per_district_and_kind_by_year(accounts, inventory_signs):
    s = inventory_signs
    ningan = accounts["officer_ningan"]
    campaign = open_campaign(ningan, unit=NINGAN).json()
    order = _orders(ningan, campaign, maker="甲厂").json()["orders"][0]
    faded = next(i for i in order["items"] if i["sign"] == s["faded"].number)
    _step(ningan, faded["id"], "made")
    open_campaign(accounts["officer_hailin"], unit=HAILIN)
    figures = ningan.get("/api/v1/sign-dashboard", year=TODAY.year).json()
    rows = {(r["county"], r["kind"]): r for r in figures["rows"]}
    assert (rows[(NINGAN, "road_name")]["selected"], rows[(NINGAN, "road_name")]["made"]) == (1, 1)
    assert (rows[(NINGAN, "house_plate")]["ordered"], rows[(NINGAN, "house_plate")]["made"]) == (1, 0)
    assert rows[(HAILIN, "road_name")]["selected"] == 1 and rows[(HAILIN, "road_name")]["ordered"] == 0
    assert figures["totals"] == {"selected": 3, "ordered": 2, "made": 1, "installed": 0, "accepted": 0}
    assert figures["by_year"] == [{"year": TODAY.year, **figures["totals"]}]
    only = ningan.get("/api/v1/sign-dashboard", county=HAILIN).json()
    assert {r["county"] for r in only["rows"]} == {HAILIN}
    assert ningan.get("/api/v1/sign-dashboard", year=TODAY.year - 1).json()["totals"]["selected"] == 0
    assert accounts["public"].get("/api/v1/sign-dashboard").status_code == 401
