"""Photos of signs outside a survey (/api/v1/signs/{number}/photos and the sign's admin page): an
officer of the sign's county adds one through core.photos (the same photo once), the public see the copy
without metadata of a sign in place, only staff read the original, a photo is retired with a reason
and kept; the admin's photo row uploads through the same service."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.srid import STORAGE_SRID
from gazetteer.models import Sign, SignPhoto
from gazetteer.services import signs as sign_service
from tests.test_marker_photos import has_no_metadata, jpeg, opened
from tests.test_signs import LAT, WEST, make_road

pytestmark = pytest.mark.django_db


@pytest.fixture
def sign(accounts, django_user_model):
    road = make_road("太平路")
    return sign_service.register_sign(
        user=django_user_model.objects.get(username="officer_ningan"),
        reason="普查登记",
        kind="road_name",
        geom=Point(WEST + 0.001, LAT + 0.0002, srid=STORAGE_SRID),
        place=road.place,
    )


def upload(api, sign: Sign, content: bytes, **fields):
    data = {"file": SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg"), **fields}
    return api.client.post(f"/api/v1/signs/{sign.number}/photos", data, **api.headers)


def test_an_officer_adds_a_photo_the_public_see_its_copy_and_staff_the_original(accounts, sign):
    content = jpeg(lat=(44.0, 20.0, 24.7), lon=(129.0, 28.0, 15.6))  # ~ at the sign
    added = upload(accounts["officer_ningan"], sign, content, reason="更换后补拍", caption="北侧")
    assert added.status_code == 201, added.content
    photo = added.json()
    assert photo["sign"] == sign.number and photo["caption"] == "北侧" and photo["uploaded_by"] == "officer_ningan"
    assert photo["exif_position"] is not None and photo["distance_from_sign_m"] < 200
    assert added["Location"] == photo["urls"]["original"]
    kept = SignPhoto.objects.select_related("changeset").get(pk=photo["id"])
    assert kept.changeset.reason == "更换后补拍" and kept.changeset.author.username == "officer_ningan"

    again = upload(accounts["officer_ningan"], sign, content, reason="重复上传")
    assert again.status_code == 200 and again.json()["id"] == photo["id"]
    assert SignPhoto.objects.filter(sign=sign).count() == 1

    public = accounts["public"]
    listed = public.get(f"/api/v1/signs/{sign.number}/photos").json()
    assert listed["count"] == 1
    shown = listed["photos"][0]
    assert "original" not in shown["urls"] and "exif_position" not in shown and "uploaded_by" not in shown
    copy = public.client.get(shown["urls"]["public"])
    assert copy.status_code == 200 and has_no_metadata(b"".join(copy.streaming_content))
    assert public.get(photo["urls"]["original"]).status_code == 404
    original = accounts["approver"].client.get(photo["urls"]["original"], **accounts["approver"].headers)
    assert original.status_code == 200 and original["Cache-Control"] == "private, no-store"
    assert opened(b"".join(original.streaming_content)).getexif()  # the original keeps its EXIF


def test_refusals_are_json_and_nothing_is_kept(accounts, sign):
    other_county = upload(accounts["officer_hailin"], sign, jpeg(), reason="越权")
    assert other_county.status_code == 403 and "宁安市" in other_county.json()["error"]["message"]
    assert upload(accounts["public"], sign, jpeg(), reason="匿名").status_code in (401, 403)
    not_a_photo = upload(accounts["officer_ningan"], sign, b"GIF89a" + b"\0" * 100, reason="错文件")
    assert not_a_photo.status_code == 400 and not_a_photo.json()["error"]["field"] == "file"
    no_reason = upload(accounts["officer_ningan"], sign, jpeg())
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    as_json = accounts["officer_ningan"].post(f"/api/v1/signs/{sign.number}/photos", {"file": "x"})
    assert as_json.status_code == 415
    assert not SignPhoto.objects.exists()


def test_a_retired_photo_is_kept_but_no_longer_public(accounts, sign):
    photo = upload(accounts["officer_ningan"], sign, jpeg(), reason="巡查照片").json()
    url = f"/api/v1/signs/{sign.number}/photos/{photo['id']}/retire"
    assert accounts["officer_hailin"].post(url, {"reason": "拍错了"}).status_code == 403
    retired = accounts["officer_ningan"].post(url, {"reason": "拍错了"})
    assert retired.status_code == 200 and retired.json()["retired"] is True
    assert retired.json()["retired_reason"] == "拍错了" and retired.json()["urls"]["public"] is None
    assert accounts["officer_ningan"].post(url, {"reason": "again"}).status_code == 400
    assert accounts["public"].get(f"/api/v1/signs/{sign.number}/photos").json()["count"] == 0
    assert accounts["public"].get(photo["urls"]["public"]).status_code == 404
    staff = accounts["approver"].get(f"/api/v1/signs/{sign.number}/photos").json()
    assert staff["count"] == 1 and staff["photos"][0]["retired"] is True
    assert SignPhoto.objects.filter(pk=photo["id"]).exists()  # kept, with its files


def admin_form(sign: Sign, **extra) -> dict:
    data = {"reason": "补拍标志照片", "expected_version": sign.version, "geom": sign.geom.ewkt}
    for name in sign_service.EDITABLE:
        if name != "geom":
            value = getattr(sign, name)
            data[name] = "" if value is None else value
    data.update({"versions-TOTAL_FORMS": sign.versions.count(), "versions-INITIAL_FORMS": sign.versions.count()})
    return data | extra


def test_the_sign_admin_uploads_a_photo_through_the_service(client, sign, django_user_model):
    admin_user = django_user_model.objects.create_superuser("photo_admin", "a@example.org", "pw-Xy7!long")
    client.force_login(admin_user)
    change = f"/admin/gazetteer/sign/{sign.pk}/change/"
    rows = {"photos-TOTAL_FORMS": 1, "photos-INITIAL_FORMS": 0}
    refused = client.post(change, admin_form(sign, **rows, **{"photos-0-upload": SimpleUploadedFile("x.jpg", b"no")}))
    assert refused.status_code == 200 and "not a JPEG, PNG or WebP image" in refused.content.decode()
    assert not SignPhoto.objects.exists()
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 80, 160)).save(out, "PNG")
    saved = client.post(
        change,
        admin_form(
            sign, **rows, **{"photos-0-upload": SimpleUploadedFile("y.png", out.getvalue()), "photos-0-caption": "正面"}
        ),
    )
    assert saved.status_code == 302, re.findall(r"errorlist.{0,300}", saved.content.decode(), re.S)
    photo = SignPhoto.objects.select_related("changeset").get(sign=sign)
    assert (photo.caption, photo.uploaded_by, photo.changeset.reason) == ("正面", admin_user, "补拍标志照片")
    page = client.get(change).content.decode()
    assert f'src="/api/v1/signs/{sign.number}/photos/{photo.pk}"' in page
    sign.refresh_from_db()
    assert sign.version == 1  # the photo alone makes no new version of the sign
