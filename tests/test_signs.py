"""The sign inventory (gazetteer.services.signs, /api/v1/signs): text captured from the record and the
romanization engine, never typed; rights by the county the sign stands in; 409 on stale writes; the
public face; removal kept with a reason; photos through core.photos; and the flag: a renamed road or a
renumbered house flags every sign that shows the old text, until it is remade."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.gis.geos import LineString, Point
from django.utils import timezone
from PIL import Image

from core.events import RecordChanged, announce
from core.history import open_changeset
from core.srid import STORAGE_SRID
from gazetteer.models import Category, HouseNumber, Road, Sign
from gazetteer.services import places as place_service
from gazetteer.services import signs as service
from tests.gazetteer_helpers import NINGAN

pytestmark = pytest.mark.django_db
URL = "/api/v1/signs"
WEST, LAT = 129.470, 44.340  # 宁安市, near its seat
HAILIN_POINT = {"type": "Point", "coordinates": [129.38, 44.57]}
TODAY = timezone.localdate()


def make_road(name: str, lat: float = LAT, *, synthetic: bool = False) -> Road:
    changeset = open_changeset("edit", "测试道路", label="tests")
    line = LineString((WEST, lat), (WEST + 0.02, lat), srid=STORAGE_SRID)
    place = place_service.create_place(
        changeset=changeset, name=name, category=Category.objects.get(code="08100"), geom=line, synthetic=synthetic
    )
    return Road.objects.get_or_create(place=place)[0]  # a road place may get its road record on creation


def add_number(road: Road, number: int, **fields) -> HouseNumber:
    """As the house-number service does: the row, then its announcement."""
    lat = road.place.geom.coords[0][1]
    point = Point(WEST + number * 0.0002, lat + 0.0001, srid=STORAGE_SRID)
    made = HouseNumber.objects.create(
        road=road, number=number, geom=point, distance_m=number * 20.0, side="left", status="in_use", **fields
    )
    announce(RecordChanged("house-number", made, created=True))
    return made


def point(dx: float = 0.001) -> dict:
    return {"type": "Point", "coordinates": [WEST + dx, LAT + 0.0002]}


@pytest.fixture
def street(db):
    road = make_road("太平路")
    return {"road": road, "house": add_number(road, 12, building_no="3")}


def register(api, **body):
    body = {"kind": "road_name", "geometry": point(), "reason": "普查登记", **body}
    return api.post(URL, body)


def test_a_road_sign_shows_its_record_and_the_engine_s_romanization(accounts, street):
    place = street["road"].place
    made = register(accounts["officer_ningan"], place=place.code, facing_deg=90.0, width_mm=1200, height_mm=400)
    assert made.status_code == 201, made.content
    sign = made.json()
    assert sign["text"] == "太平路" and sign["romanization"] == "Taiping Lu" and sign["number_text"] == ""
    assert sign["number"].startswith(f"BZ-{TODAY.year}-") and made["Location"].endswith(sign["number"])
    assert sign["county"] == NINGAN and sign["version"] == 1 and sign["synthetic"] is False
    # the text is never typed
    typed = register(accounts["officer_ningan"], place=place.code, text="泰平路")
    assert typed.status_code == 400 and typed.json()["error"]["field"] == "text"


def test_plates_show_the_road_and_the_number(accounts, street):
    house = street["house"]
    plate = register(accounts["officer_ningan"], kind="house_plate", house_number=house.pk).json()
    assert (plate["text"], plate["romanization"], plate["number_text"]) == ("太平路", "Taiping Lu", "12号")
    assert plate["names"] == {"place": street["road"].place.code, "house_number": house.label}
    building = register(accounts["officer_ningan"], kind="building", house_number=house.pk).json()
    assert (building["text"], building["number_text"]) == ("太平路12号", "3号楼")
    unit = register(accounts["officer_ningan"], kind="unit", house_number=house.pk)
    assert unit.status_code == 400 and unit.json()["error"]["field"] == "unit_no"  # the address has no unit
    wrong = register(accounts["officer_ningan"], kind="road_name", house_number=house.pk)
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "place"


def test_only_the_county_s_officers_keep_its_signs(accounts, street):
    code = street["road"].place.code
    assert register(accounts["public"], place=code).status_code == 401
    assert register(accounts["officer_hailin"], place=code).status_code == 403
    assert register(accounts["approver"], place=code).status_code == 403
    assert register(accounts["administrator"], place=code).status_code == 201
    number = register(accounts["officer_ningan"], place=code).json()["number"]
    moved_away = accounts["officer_ningan"].patch(
        f"{URL}/{number}", {"geometry": HAILIN_POINT, "version": 1, "reason": "移位"}
    )
    assert moved_away.status_code == 403  # into 海林市: not the officer's
    other = accounts["officer_hailin"].patch(f"{URL}/{number}", {"condition": "faded", "version": 1, "reason": "x"})
    assert other.status_code == 403


def test_a_stale_write_is_a_conflict_and_edits_are_versioned(accounts, street):
    api = accounts["officer_ningan"]
    number = register(api, place=street["road"].place.code).json()["number"]
    first = api.patch(f"{URL}/{number}", {"condition": "faded", "last_inspected_on": "2026-01-05", "version": 1,
                                         "reason": "巡查"})  # fmt: skip
    assert first.status_code == 200 and first.json()["version"] == 2 and first.json()["condition"] == "faded"
    stale = api.patch(f"{URL}/{number}", {"condition": "damaged", "version": 1, "reason": "巡查"})
    assert stale.status_code == 409 and stale.json()["error"]["current_version"] == 2
    bad = api.patch(f"{URL}/{number}", {"facing_deg": 360, "version": 2, "reason": "x"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "facing_deg"
    future = api.patch(f"{URL}/{number}", {"installed_on": "2099-01-01", "version": 2, "reason": "x"})
    assert future.status_code == 400
    history = api.get(f"{URL}/{number}/history").json()["versions"]
    assert [v["data"]["event"] for v in history] == ["registered", "edited"] and history[1]["reason"] == "巡查"


def test_the_public_reads_the_face_of_signs_in_place(accounts, street):
    api = accounts["officer_ningan"]
    number = register(api, place=street["road"].place.code, maker="牡丹江标牌厂").json()["number"]
    public = accounts["public"].get(f"{URL}/{number}").json()
    assert public["text"] == "太平路" and "maker" not in public and "condition" not in public
    assert accounts["public"].get(URL, condition="good").status_code == 403
    assert number in [s["number"] for s in accounts["public"].get(URL, county=NINGAN).json()["signs"]]
    assert accounts["public"].get(f"{URL}/{number}/history").status_code == 401
    refused = api.post(f"{URL}/{number}/remove", {"on": TODAY.isoformat(), "version": 1, "reason": " "})
    assert refused.status_code == 400
    removed = api.post(f"{URL}/{number}/remove", {"on": TODAY.isoformat(), "version": 1, "reason": "道路拓宽拆除"})
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    assert accounts["public"].get(f"{URL}/{number}").status_code == 404
    assert Sign.objects.filter(number=number).exists()  # kept, never deleted
    again = api.patch(f"{URL}/{number}", {"condition": "good", "version": 2, "reason": "x"})
    assert again.status_code == 400


def test_a_synthetic_record_makes_a_synthetic_sign(accounts):
    demo = make_road("示例大街", LAT + 0.003, synthetic=True)
    sign = register(accounts["officer_ningan"], place=demo.place.code, geometry=point(0.002)).json()
    assert sign["synthetic"] is True and "示例" in sign["note"]


def test_a_renamed_road_flags_its_signs_until_they_are_remade(accounts, street):
    api = accounts["officer_ningan"]
    road = street["road"].place
    sign = register(api, place=road.code).json()["number"]
    plate = register(api, kind="house_plate", house_number=street["house"].pk).json()["number"]
    other = register(api, place=make_road("和平路", LAT + 0.004).place.code).json()["number"]
    assert api.get(URL, outdated="true").json()["total"] == 0

    changeset = open_changeset("decision", "更名批复", label="tests")
    place_service.rename_place(road, "太安路", changeset=changeset, effective=TODAY)

    flagged = api.get(URL, outdated="true").json()["signs"]
    assert {s["number"] for s in flagged} == {sign, plate}  # 和平路 is as it was
    shown = api.get(f"{URL}/{sign}").json()
    assert shown["text"] == "太平路" and shown["text_outdated_since"] and "太安路" in shown["expected_text"]
    assert other in {s["number"] for s in api.get(URL, outdated="false").json()["signs"]}

    remade = api.post(f"{URL}/{sign}/remake", {"version": shown["version"], "reason": "更名后重制"})
    assert remade.status_code == 200, remade.content
    body = remade.json()
    assert (body["text"], body["romanization"], body["text_outdated_since"]) == ("太安路", "Tai'an Lu", None)
    assert {s["number"] for s in api.get(URL, outdated="true").json()["signs"]} == {plate}


def test_a_renumbered_house_flags_its_plates(accounts, street):
    api = accounts["officer_ningan"]
    house = street["house"]
    plate = register(api, kind="house_plate", house_number=house.pk).json()["number"]
    building = register(api, kind="building", house_number=house.pk).json()["number"]
    HouseNumber.objects.filter(pk=house.pk).update(number=14, suffix=1)  # as a renumbering does, then announces
    house.refresh_from_db()
    announce(RecordChanged("house-number", house, frozenset({"number", "suffix"})))
    flagged = {s["number"]: s for s in api.get(URL, outdated="true").json()["signs"]}
    assert set(flagged) == {plate, building} and "14-1号" in flagged[plate]["expected_text"]
    # renumbered back: the plates show the right text again
    HouseNumber.objects.filter(pk=house.pk).update(number=12, suffix=0)
    house.refresh_from_db()
    announce(RecordChanged("house-number", house, frozenset({"number", "suffix"})))
    assert api.get(URL, outdated="true").json()["total"] == 0


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 60, 160)).save(out, "PNG")
    return out.getvalue()


def test_photos_go_through_the_one_door(accounts, street, settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = str(tmp_path)
    from accounts.models import Role
    from accounts.services import create_officer

    officer, _ = create_officer("sign_photographer", role=Role.OFFICER, counties=[NINGAN], with_token=True)
    other, _ = create_officer("sign_outsider", role=Role.OFFICER, counties=["231083"], with_token=True)
    sign = service.register_sign(
        user=officer, reason="登记", kind="road_name", geom=Point(WEST + 0.001, LAT, srid=STORAGE_SRID),
        place=street["road"].place,
    )  # fmt: skip
    photo, created = service.add_photo(sign, _png(), user=officer, reason="现场照片")
    again, created_again = service.add_photo(sign, _png(), user=officer, reason="现场照片")
    assert created and not created_again and again.pk == photo.pk and photo.format == "PNG"
    with pytest.raises(service.SignForbidden):
        service.add_photo(sign, _png(), user=other, reason="x")
    from core.photos import PhotoRefused

    with pytest.raises(PhotoRefused):
        service.add_photo(sign, b"not an image", user=officer, reason="x")
    retired = service.retire_photo(photo, user=officer, reason="拍错了")
    assert retired.retired_at is not None and sign.photos.count() == 1


def test_a_removal_is_not_before_the_install(street, django_user_model):
    from accounts.models import Role
    from accounts.services import create_officer

    officer, _ = create_officer("sign_keeper", role=Role.OFFICER, counties=[NINGAN], with_token=True)
    sign = service.register_sign(
        user=officer, reason="登记", kind="road_name", geom=Point(WEST + 0.001, LAT, srid=STORAGE_SRID),
        place=street["road"].place, installed_on=dt.date(2020, 5, 1),
    )  # fmt: skip
    with pytest.raises(service.SignRefused):
        service.remove_sign(sign, user=officer, reason="x", on=dt.date(2019, 1, 1))
    with pytest.raises(service.SignRefused):
        service.register_sign(
            user=officer,
            reason="登记",
            kind="road_name",
            geom=Point(WEST, LAT, srid=STORAGE_SRID),
            place=place_service.create_place(
                changeset=open_changeset("edit", "t", label="tests"),
                name="石河村",
                category=Category.objects.get(code="07200"),
                geom=Point(WEST, LAT, srid=STORAGE_SRID),
            ),
        )  # fmt: skip  (a road-name sign names a road)


def test_the_admin_lists_filters_and_edits_through_the_service(client, street, django_user_model):
    from accounts.models import Role
    from accounts.services import create_officer

    admin_user = django_user_model.objects.create_superuser("sign_admin", "a@example.org", "pw-Xy7!long")
    officer, _ = create_officer("sign_admin_officer", role=Role.OFFICER, counties=[NINGAN], with_token=False)
    sign = service.register_sign(
        user=officer, reason="登记", kind="road_name", geom=Point(WEST + 0.001, LAT, srid=STORAGE_SRID),
        place=street["road"].place,
    )  # fmt: skip
    client.force_login(admin_user)
    listed = client.get("/admin/gazetteer/sign/?outdated=no")
    assert listed.status_code == 200 and sign.number in listed.content.decode()
    assert sign.number not in client.get("/admin/gazetteer/sign/?outdated=yes").content.decode()
    assert client.get("/admin/gazetteer/sign/add/").status_code == 200
    page = client.get(f"/admin/gazetteer/sign/{sign.pk}/change/")
    assert page.status_code == 200 and "太平路" in page.content.decode()
