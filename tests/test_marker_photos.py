"""Photos of boundary markers: the photo door (core.photos: magic bytes, size before decoding, the
decompression-bomb limit, truncated files, EXIF time and GPS, the public copy without metadata), the
service and the API (rights, no real marker public, the same photo once, retired not deleted), the admin."""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image, ImageChops

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import BoundaryLine, BoundaryMarker, MarkerPhoto
from boundaries.services import marker_photos
from boundaries.services import markers_registry as registry
from core import photos
from core.geometry import from_geos, to_geos
from core.history import open_changeset
from core.metric import to_lonlat, to_metric
from core.models import Changeset
from core.photos import PhotoRefused, check_photo

LINE = "231083-231084"  # 海林市—宁安市线
DONGNING = "231086"  # not a party of LINE
GPS_IFD, EXIF_IFD, ORIENTATION = 0x8825, 0x8769, 0x0112
LAT, LON = (44.0, 30.0, 15.5), (129.0, 28.0, 12.0)  # 44°30'15.5"N 129°28'12"E
LAT_DEG, LON_DEG = 44 + 30 / 60 + 15.5 / 3600, 129 + 28 / 60 + 12 / 3600


# ---- images made here ----------------------------------------------------------------------------------


def exif(*, lat=LAT, lon=LON, lat_ref="N", lon_ref="E", taken="2026:05:12 10:20:30", orientation=None):
    found = Image.Exif()
    found[0x010F] = "TestCam"
    if orientation:
        found[ORIENTATION] = orientation
    gps = found.get_ifd(GPS_IFD)
    for tag, value in ((1, lat_ref), (2, lat), (3, lon_ref), (4, lon)):
        if value is not None:
            gps[tag] = value
    if taken is not None:
        found.get_ifd(EXIF_IFD)[0x9003] = taken
    return found


def jpeg(size=(64, 48), colour=(200, 60, 40), **exif_values) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, colour)
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a corner to tell the orientation by
    image.save(out, "JPEG", exif=exif(**exif_values), icc_profile=b"\0" * 128, comment=b"secret note")
    return out.getvalue()


def png(size=(32, 24), mode="RGB", colour=(10, 120, 30)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, "PNG")
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def has_no_metadata(data: bytes) -> bool:
    image = opened(data)
    return not image.getexif() and not {"exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info)


# ---- the photo door (no database) ------------------------------------------------------------------------


def test_a_jpeg_s_gps_and_time_are_read_and_the_public_copy_carries_no_metadata():
    original = jpeg(orientation=6)  # stored landscape, to be shown turned 90° clockwise
    assert {"exif", "icc_profile"} <= set(opened(original).info)
    checked = check_photo(original)
    assert checked.format == "JPEG" and checked.sha256 == __import__("hashlib").sha256(original).hexdigest()
    assert checked.position.lat == pytest.approx(LAT_DEG) and checked.position.lon == pytest.approx(LON_DEG)
    assert (checked.position.lat_ref, checked.position.lon_ref) == ("N", "E")
    assert checked.taken_at.isoformat() == "2026-05-12T10:20:30+08:00"  # the camera's clock: local time
    assert has_no_metadata(checked.public_copy)
    copy = opened(checked.public_copy)
    assert copy.size == (48, 64) == (checked.width, checked.height)  # orientation applied first
    assert copy.getpixel((44, 2))[2] > 150  # the blue corner, top left before, is top right after turning
    assert b"secret note" not in checked.public_copy and checked.original == original


def test_south_and_west_are_negative():
    checked = check_photo(jpeg(lat_ref="S", lon_ref="W"))
    assert checked.position.lat == pytest.approx(-LAT_DEG) and checked.position.lon == pytest.approx(-LON_DEG)


@pytest.mark.parametrize(
    "broken",
    [
        {"lat_ref": "X"},
        {"lon_ref": None},
        {"lat": (44.0, 75.0, 0.0)},  # 75 minutes
        {"lat": (95.0, 0.0, 0.0)},
        {"lat": (0.0, 0.0, 0.0), "lon": (0.0, 0.0, 0.0)},  # what a receiver without a fix writes
        {"lat": None},
    ],
)
def test_a_malformed_or_incomplete_gps_is_no_position_and_no_error(broken):
    checked = check_photo(jpeg(**broken))
    assert checked.position is None and checked.taken_at is not None


@pytest.mark.parametrize("taken", ["not a time", "2026:13:45 99:00:00", "0000:00:00 00:00:00", ""])
def test_a_malformed_time_is_no_time(taken):
    checked = check_photo(jpeg(taken=taken))
    assert checked.taken_at is None and checked.position is not None


def test_a_gps_with_a_zero_denominator_does_not_crash():
    from PIL.TiffImagePlugin import IFDRational

    checked = check_photo(jpeg(lat=(IFDRational(44, 0), IFDRational(1, 1), IFDRational(0, 1))))
    assert checked.position is None


def test_a_png_named_jpg_is_judged_by_its_bytes():
    upload = SimpleUploadedFile("界桩.jpg", png(), content_type="image/jpeg")
    checked = check_photo(upload)
    assert checked.format == "PNG" and checked.extension == ".png" and has_no_metadata(checked.public_copy)


def test_a_webp_is_taken_and_stripped():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (1, 2, 3)).save(out, "WEBP", exif=exif())
    checked = check_photo(out.getvalue())
    assert checked.format == "WEBP" and checked.position is not None and has_no_metadata(checked.public_copy)


@pytest.mark.parametrize(
    "content",
    [b"hello, this is text, not a photo\n" * 10, b"GIF89a" + b"\0" * 100, b"%PDF-1.4\n%%EOF\n", b"RIFF\0\0\0\0WAVE"],
)
def test_what_is_not_a_jpeg_png_or_webp_is_refused_whatever_its_name(content):
    with pytest.raises(PhotoRefused, match="not a JPEG, PNG or WebP image") as refused:
        check_photo(SimpleUploadedFile("photo.jpg", content, content_type="image/jpeg"))
    assert refused.value.status == 400


def test_an_empty_file_is_refused():
    with pytest.raises(PhotoRefused, match="empty"):
        check_photo(b"")


class NeverRead:
    """An upload that declares its size and must not be read."""

    name, size = "big.jpg", 16 * 1024 * 1024

    def read(self, *args):
        raise AssertionError("a file over the limit was read")

    def seek(self, *args):
        raise AssertionError("a file over the limit was touched")


def test_a_file_over_the_limit_is_refused_before_it_is_read_or_decoded(settings, monkeypatch):
    settings.PHOTO_MAX_BYTES = 15 * 1024 * 1024
    monkeypatch.setattr(photos, "_decoded", lambda *a: pytest.fail("decoded a file over the limit"))
    with pytest.raises(PhotoRefused, match=r"larger than the limit of 15\.0 MB") as refused:
        check_photo(NeverRead())
    assert refused.value.status == 413
    settings.PHOTO_MAX_BYTES = 1000
    data = jpeg(size=(300, 300))  # some kilobytes
    with pytest.raises(PhotoRefused, match="PHOTO_MAX_BYTES") as refused:
        check_photo(data)
    assert refused.value.status == 413
    lying = SimpleUploadedFile("small.jpg", data)
    lying.size = 10  # a declared size that lies: still no more than the limit + 1 byte is read
    with pytest.raises(PhotoRefused) as refused:
        check_photo(lying)
    assert refused.value.status == 413


def test_a_decompression_bomb_is_refused():
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 0).save(out, "PNG", optimize=True)  # 400 MP of one colour
    bomb = out.getvalue()
    assert len(bomb) < 100_000
    with pytest.raises(PhotoRefused, match="decompression bomb") as refused:
        check_photo(bomb)
    assert refused.value.status == 400


def test_the_pixel_limit_holds_between_pillow_s_warning_and_its_error(settings, monkeypatch):
    settings.PHOTO_MAX_PIXELS = 1000  # Pillow warns above the limit and fails only above twice it
    with pytest.raises(PhotoRefused, match="more pixels than the limit of 1,000 pixels"):
        check_photo(png(size=(40, 40)))
    assert check_photo(png(size=(30, 30))).width == 30
    with warnings.catch_warnings():  # where the warning filter is not in force, the size check still holds
        warnings.simplefilter("ignore")
        monkeypatch.setattr(photos.warnings, "simplefilter", lambda *args, **kwargs: None)
        with pytest.raises(PhotoRefused, match="40 x 40 pixels, more than the limit of 1,000"):
            check_photo(png(size=(40, 40)))


def test_a_truncated_jpeg_is_refused():
    whole = jpeg(size=(400, 300))
    with pytest.raises(PhotoRefused, match="cannot be decoded"):
        check_photo(whole[: len(whole) * 2 // 3])


def test_weasyprint_s_process_wide_switch_does_not_let_a_truncated_photo_through():
    import weasyprint  # noqa: F401  (importing it sets ImageFile.LOAD_TRUNCATED_IMAGES = True)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    whole = jpeg(size=(400, 300))
    assert check_photo(whole).width == 400
    with pytest.raises(PhotoRefused, match="cannot be decoded"):
        check_photo(whole[: len(whole) * 2 // 3])
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # put back as WeasyPrint wants it


def test_an_animation_is_not_a_photo():
    out = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), (n * 50, 0, 0)) for n in range(3)]
    frames[0].save(out, "PNG", save_all=True, append_images=frames[1:])
    with pytest.raises(PhotoRefused, match="3 frames"):
        check_photo(out.getvalue())


# ---- the service and the API ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def point_on(line: BoundaryLine, fraction: float):
    metric = to_metric(from_geos(line.geom))
    return to_geos(to_lonlat(metric.interpolate(metric.length * fraction)))


@pytest.fixture
def people(db):
    made = {}
    for name, role, counties in [
        ("ningan", Role.OFFICER, ["231084"]),
        ("dongning", Role.OFFICER, [DONGNING]),
        ("carto", Role.CARTOGRAPHER, []),
    ]:
        user, key = create_officer(f"photo_{name}", role=role, counties=counties, with_token=True)
        made[name] = (user, {"HTTP_AUTHORIZATION": f"Token {key}"})
    return made


@pytest.fixture
def markers(people):
    user = people["ningan"][0]
    line = BoundaryLine.objects.get(code=LINE)

    def register(fraction, synthetic):
        changeset = open_changeset(Changeset.Kind.EDIT, "界桩登记", author=user)
        return registry.register_marker(
            changeset=changeset, line=line, kind="Q", geom=point_on(line, fraction), is_synthetic=synthetic
        )

    return {"real": register(0.31, False), "synthetic": register(0.32, True)}


def url(marker: BoundaryMarker, tail: str = "") -> str:
    return f"/api/v1/boundary-markers/{marker.number}/photos{tail}"


def upload(client, marker, content: bytes, headers, name="IMG_0001.jpg", **fields):
    form = {"file": SimpleUploadedFile(name, content, content_type="image/jpeg"), "reason": "联检拍照", **fields}
    return client.post(url(marker), form, **headers)


def error(response) -> str:
    body = response.json()["error"]
    assert body["status"] == response.status_code
    return body["message"]


def jpeg_at(marker: BoundaryMarker, east_m: float = 0.0) -> bytes:
    """A photo whose EXIF position is ``east_m`` metres east of the marker."""
    metric = to_metric(from_geos(marker.geom))
    there = to_lonlat(type(metric)(metric.x + east_m, metric.y))

    def dms(value):
        degrees = int(value)
        minutes = int((value - degrees) * 60)
        return (float(degrees), float(minutes), (value - degrees - minutes / 60) * 3600)

    return jpeg(lat=dms(there.y), lon=dms(there.x))


@pytest.mark.django_db
def test_an_officer_adds_a_photo_and_staff_read_it_with_its_position(people, markers, media):
    marker, (user, headers) = markers["real"], people["ningan"]
    client, content = Client(), jpeg_at(markers["real"], east_m=120)
    response = upload(client, marker, content, headers, caption="界桩东侧")
    assert response.status_code == 201, response.content
    photo = MarkerPhoto.objects.get(marker=marker)
    assert (photo.caption, photo.source, photo.uploaded_by, photo.format) == ("界桩东侧", "register", user, "JPEG")
    assert (photo.changeset.reason, photo.changeset.author) == ("联检拍照", user)
    assert marker.number not in photo.file.name and photo.sha256 not in photo.file.name  # a random name
    assert Path(photo.file.path).is_relative_to(media) and Path(photo.file.path).read_bytes() == content
    listed = client.get(url(marker), **headers).json()
    shown = listed["photos"][0]
    assert listed["count"] == 1 and shown["distance_from_marker_m"] == pytest.approx(120, abs=1)
    assert shown["exif_position"][0] > marker.geom.x and shown["taken_at"] == "2026-05-12T10:20:30+08:00"
    assert shown["urls"]["public"] is None  # a real marker has nothing public
    original = client.get(shown["urls"]["original"], **people["carto"][1])  # any staff role reads
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    assert b"".join(original.streaming_content) == content
    assert {"private", "no-store"} <= {part.strip() for part in original["Cache-Control"].split(",")}


@pytest.mark.django_db
def test_no_one_but_staff_reads_a_real_marker_s_photos(people, markers):
    marker = markers["real"]
    assert upload(Client(), marker, jpeg(), people["ningan"][1]).status_code == 201
    photo = MarkerPhoto.objects.get(marker=marker)
    anonymous = Client()
    for tail in ("", f"/{photo.pk}", f"/{photo.pk}/public"):
        response = anonymous.get(url(marker, tail))
        assert response.status_code == 404 and response["Content-Type"].startswith("application/json"), tail
    staff_public = Client().get(url(marker, f"/{photo.pk}/public"), **people["ningan"][1])
    assert staff_public.status_code == 404  # the public copy is for synthetic markers alone


@pytest.mark.django_db
def test_a_synthetic_marker_s_photo_is_public_without_metadata(people, markers):
    marker = markers["synthetic"]
    assert upload(Client(), marker, jpeg(orientation=6), people["ningan"][1]).status_code == 201
    listed = Client().get(url(marker)).json()
    shown = listed["photos"][0]
    assert listed["synthetic"] and shown["synthetic"] and "示例" in shown["synthetic_note"]
    assert not {"exif_position", "distance_from_marker_m", "sha256", "uploaded_by", "original"} & (
        set(shown) | set(shown["urls"])
    )
    public = Client().get(shown["urls"]["public"])
    assert public.status_code == 200 and public["Content-Type"] == "image/jpeg"
    data = b"".join(public.streaming_content)
    assert has_no_metadata(data) and opened(data).size == (48, 64)
    assert Client().get(url(marker, f"/{shown['id']}")).status_code == 404  # the original: staff only


@pytest.mark.django_db
def test_a_text_file_named_jpg_is_a_clear_400_and_nothing_is_written(people, markers):
    response = upload(Client(), markers["real"], b"just some text\n" * 20, people["ningan"][1])
    assert response.status_code == 400 and response.json()["error"]["field"] == "file"
    assert "not a JPEG, PNG or WebP image" in error(response)
    png_named_jpg = upload(Client(), markers["real"], png(), people["ningan"][1], name="fake.jpg")
    assert png_named_jpg.status_code == 201 and png_named_jpg.json()["format"] == "PNG"
    assert MarkerPhoto.objects.count() == 1


@pytest.mark.django_db
def test_too_large_is_413_before_decoding(people, markers, settings, monkeypatch):
    settings.PHOTO_MAX_BYTES = 2000
    monkeypatch.setattr(photos, "_decoded", lambda *a: pytest.fail("decoded a file over the limit"))
    response = upload(
        Client(), markers["real"], jpeg(size=(400, 400), colour=(1, 2, 3)) + b"\0" * 3000, people["ningan"][1]
    )
    assert response.status_code == 413 and "PHOTO_MAX_BYTES" in error(response)
    assert not MarkerPhoto.objects.exists()


@pytest.mark.django_db
def test_bombs_and_truncated_files_are_refused_through_the_api(people, markers):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(out, "PNG")
    bomb = upload(Client(), markers["real"], out.getvalue(), people["ningan"][1])
    assert bomb.status_code == 400 and "decompression bomb" in error(bomb)
    whole = jpeg(size=(300, 200))
    cut = upload(Client(), markers["real"], whole[: len(whole) // 2], people["ningan"][1])
    assert cut.status_code == 400 and "cannot be decoded" in error(cut)
    assert not MarkerPhoto.objects.exists()


@pytest.mark.django_db
def test_only_the_line_s_officers_add_or_retire(people, markers):
    marker = markers["real"]
    other = upload(Client(), marker, jpeg(), people["dongning"][1])
    assert other.status_code == 403 and marker.number in error(other)
    assert upload(Client(), marker, jpeg(), people["carto"][1]).status_code == 403
    assert upload(Client(), marker, jpeg(), {}).status_code == 401
    assert upload(Client(), markers["synthetic"], jpeg(), {}).status_code == 401
    assert upload(Client(), marker, jpeg(), people["ningan"][1]).status_code == 201
    photo = MarkerPhoto.objects.get()
    retire = url(marker, f"/{photo.pk}/retire")
    refused = Client().post(retire, {"reason": "x"}, content_type="application/json", **people["dongning"][1])
    assert refused.status_code == 403 and MarkerPhoto.objects.get().retired_at is None
    with pytest.raises(marker_photos.PhotoForbidden):
        marker_photos.add_photo(marker, jpeg(colour=(9, 9, 9)), user=people["dongning"][0], reason="x")


@pytest.mark.django_db
def test_the_same_photo_twice_is_one_row(people, markers):
    marker, headers = markers["real"], people["ningan"][1]
    content = jpeg()
    first, second = (upload(Client(), marker, content, headers, name=name) for name in ("a.jpg", "b.jpeg"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"] and MarkerPhoto.objects.count() == 1
    assert Changeset.objects.filter(marker_photos__isnull=False).count() == 1
    files = list(Path(MarkerPhoto.objects.get().file.path).parent.parent.rglob("*.*"))
    assert len(files) == 2  # the original and its public copy, once
    assert upload(Client(), markers["synthetic"], content, headers).status_code == 201  # another marker's


@pytest.mark.django_db
def test_retire_keeps_the_row_and_its_files(people, markers):
    marker, (user, headers) = markers["synthetic"], people["ningan"]
    created = upload(Client(), marker, jpeg(), headers).json()
    retire = url(marker, f"/{created['id']}/retire")
    missing = Client().post(retire, {"reason": ""}, content_type="application/json", **headers)
    assert missing.status_code == 400
    response = Client().post(retire, {"reason": "照片模糊，重拍"}, content_type="application/json", **headers)
    assert response.status_code == 200 and response.json()["retired"] is True
    photo = MarkerPhoto.objects.get(pk=created["id"])
    assert (photo.retired_by, photo.retired_reason, photo.retired_changeset.reason) == (
        user,
        "照片模糊，重拍",
        "照片模糊，重拍",
    )
    assert Path(photo.file.path).is_file() and Path(photo.public_file.path).is_file()
    again = Client().post(retire, {"reason": "再次"}, content_type="application/json", **headers)
    assert again.status_code == 400 and "retired" in error(again)
    assert Client().get(url(marker)).json()["count"] == 0  # the public no longer sees it
    assert Client().get(url(marker, f"/{photo.pk}/public")).status_code == 404
    staff = Client().get(url(marker), **headers).json()
    assert staff["count"] == 1 and staff["photos"][0]["retired_reason"] == "照片模糊，重拍"
    assert Client().get(url(marker, f"/{photo.pk}"), **headers).status_code == 200  # staff still read it
    readded = upload(Client(), marker, jpeg(), headers)
    assert readded.status_code == 400 and "retired" in error(readded)


@pytest.mark.django_db
def test_the_form_s_fields_are_checked(people, markers):
    marker, headers = markers["real"], people["ningan"][1]
    no_reason = Client().post(url(marker), {"file": SimpleUploadedFile("a.jpg", jpeg())}, **headers)
    assert no_reason.status_code == 400 and no_reason.json()["error"]["field"] == "reason"
    no_file = Client().post(url(marker), {"reason": "x"}, **headers)
    assert no_file.status_code == 400 and no_file.json()["error"]["field"] == "file"
    long_caption = upload(Client(), marker, jpeg(), headers, caption="说" * 501)
    assert long_caption.status_code == 400 and long_caption.json()["error"]["field"] == "caption"
    bad_source = upload(Client(), marker, jpeg(), headers, source="phone")
    assert bad_source.status_code == 400
    as_json = Client().post(url(marker), {"reason": "x"}, content_type="application/json", **headers)
    assert as_json.status_code == 415
    inspection = upload(Client(), marker, jpeg(), headers, source="inspection")
    assert inspection.status_code == 201 and inspection.json()["source"] == "inspection"


# ---- the admin ---------------------------------------------------------------------------------------------


def admin_form(marker: BoundaryMarker, **extra) -> dict:
    data = {
        "grade": marker.grade,
        "shape": marker.shape,
        "material": marker.material,
        "geom": marker.geom.ewkt,
        "status": marker.status,
        "reason": "补拍界桩照片",
        "expected_version": marker.version,
    }
    for prefix, total in (("reference_objects", 0), ("versions", marker.versions.count())):
        data.update({f"{prefix}-TOTAL_FORMS": total, f"{prefix}-INITIAL_FORMS": total})
    return data | extra


@pytest.mark.django_db
def test_the_admin_lists_photos_with_thumbnails_and_uploads_through_the_service(admin_client, admin_user, markers):
    marker = markers["real"]
    change = f"/admin/boundaries/boundarymarker/{marker.pk}/change/"
    photo_rows = {"photos-TOTAL_FORMS": 1, "photos-INITIAL_FORMS": 0}
    refused = admin_client.post(
        change, admin_form(marker, **photo_rows, **{"photos-0-upload": SimpleUploadedFile("x.jpg", b"text" * 50)})
    )
    assert refused.status_code == 200 and "not a JPEG, PNG or WebP image" in refused.content.decode()
    assert not MarkerPhoto.objects.exists()
    content = jpeg_at(marker, east_m=50)
    saved = admin_client.post(
        change,
        admin_form(
            marker,
            **photo_rows,
            **{"photos-0-upload": SimpleUploadedFile("y.jpg", content), "photos-0-caption": "南面"},
        ),
    )
    assert saved.status_code == 302, saved.content.decode()[:3000]
    photo = MarkerPhoto.objects.get(marker=marker)
    assert (photo.caption, photo.uploaded_by, photo.changeset.reason) == ("南面", admin_user, "补拍界桩照片")
    page = admin_client.get(change).content.decode()
    thumbnail = f'src="/api/v1/boundary-markers/{marker.number}/photos/{photo.pk}"'
    assert thumbnail in page and "m from the marker" in page
    served = admin_client.get(f"/api/v1/boundary-markers/{marker.number}/photos/{photo.pk}")
    assert (
        served.status_code == 200
        and ImageChops.difference(opened(b"".join(served.streaming_content)), opened(content)).getbbox() is None
    )
    without_rows = admin_client.post(change, admin_form(marker))  # an older form without the photo rows
    assert without_rows.status_code == 302 and MarkerPhoto.objects.count() == 1
