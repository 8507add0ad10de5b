"""Photos of signs over the API, outside a survey: thin views over gazetteer.services.signs (``add_photo``,
``retire_photo``) on ``router`` (config.api mounts it under /api/v1/); what they answer is described in
gazetteer.openapi_sign_photos. A photo taken at a phone survey comes through the survey's own endpoint
and is listed here too.

- GET  /signs/{number}/photos: a sign in place stands in the street, so anyone sees its photos in use, each
  with the address of its copy without metadata; staff see every photo, retired ones too, with the
  original's address, the EXIF position and its distance from the sign, and who uploaded it.
- GET  /signs/{number}/photos/{photo_id}: the original (EXIF and all), staff only (404 for anyone else).
- GET  /signs/{number}/photos/{photo_id}/public: the copy without metadata.
- POST /signs/{number}/photos (multipart: ``file``, ``reason``, optional ``caption``): 201, or 200 with
  the photo already kept when the same one comes again; 400/413 for a file core.photos refuses.
- POST /signs/{number}/photos/{photo_id}/retire (JSON ``reason``): kept, not deleted.
Writes are for officers of the county the sign stands in (services.signs decides).
"""

from __future__ import annotations

from typing import Annotated

from django.urls import reverse
from django.utils import timezone
from ninja import Path, Router

from core.api import ApiError
from core.http import json_response
from core.photo_responses import IMAGES, form_text, photo_response, uploaded_file
from core.photos import PhotoRefused
from core.restapi import FILE, MAX_TEXT, OFFICERS, Answer, Json, StrictSchema, endpoint
from core.srid import API_SRID
from gazetteer.api.signs import SIGNS, SYNTHETIC_NOTE, Reason, SignNumber, _rules, _sign, _staff
from gazetteer.models_signs import Sign, SignPhoto
from gazetteer.services import signs as service

router = Router()
PhotoId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The photo's id (from the list)", examples=[1])]
CAPTION_MAX = SignPhoto._meta.get_field("caption").max_length
COORDINATE_DECIMALS = 7
PUBLIC_MAX_AGE = 3600
FORM = {
    "type": "object",
    "properties": {
        "file": {**FILE, "description": "A JPEG, PNG or WebP photo (judged by its content, not its name)"},
        "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "description": "Why: in the history"},
        "caption": {"type": "string", "maxLength": CAPTION_MAX},
    },
    "required": ["file", "reason"],
}


class PhotoRetire(StrictSchema):
    reason: Reason


def _photo(sign: Sign, photo_id: int, *, staff: bool) -> SignPhoto:
    photo = SignPhoto.objects.select_related("uploaded_by").filter(sign=sign, pk=photo_id).first()
    if photo is None or (photo.retired_at is not None and not staff):
        raise ApiError(404, f"sign {sign.number} has no photo {photo_id}")
    return photo


def _local(moment) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _url(name: str, photo: SignPhoto, number: str) -> str:
    return reverse(name, kwargs={"number": number, "photo_id": photo.pk})


def photo_json(photo: SignPhoto, sign: Sign, *, staff: bool) -> dict:
    """One photo; the staff's view adds the original, the EXIF position and who did what."""
    shown = {
        "id": photo.pk,
        "sign": sign.number,
        "synthetic": sign.is_synthetic,
        **({"synthetic_note": SYNTHETIC_NOTE} if sign.is_synthetic else {}),
        "format": photo.format,
        "width": photo.width,
        "height": photo.height,
        "caption": photo.caption,
        "taken_at": _local(photo.taken_at),
        "uploaded_at": _local(photo.uploaded_at),
        "retired": photo.retired_at is not None,
        "urls": {"public": _url("sign-photo-public", photo, sign.number) if photo.retired_at is None else None},
    }
    if not staff:
        return shown
    position = photo.exif_position.transform(API_SRID, clone=True) if photo.exif_position else None
    distance = service.distance_from_sign_m(photo, sign)
    shown["urls"]["original"] = _url("sign-photo-original", photo, sign.number)
    return shown | {
        "sha256": photo.sha256,
        "size_bytes": photo.size_bytes,
        "exif_position": [round(position.x, COORDINATE_DECIMALS), round(position.y, COORDINATE_DECIMALS)]
        if position
        else None,
        "distance_from_sign_m": round(distance, 1) if distance is not None else None,
        "uploaded_by": photo.uploaded_by.get_username(),
        "retired_at": _local(photo.retired_at),
        "retired_reason": photo.retired_reason,
    }


# ---- reads ----------------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/signs/{number}/photos",
    operation_id="listSignPhotos",
    summary="Photos of a sign",
    tag=SIGNS,
    answers=Answer("The sign's photos, oldest first", "SignPhotoList"),
    errors=("400", "404"),
    public=True,
    description="Anyone sees the photos in use of a sign in place, each with the address of its copy without "
    "metadata. The bureau's staff see every photo, retired ones too, with the original's address, the EXIF "
    "position and its distance in metres from the sign's registered position.",
    url_name="sign-photo-list",
)
def photo_list(request, number: SignNumber):
    staff = _staff(request)
    sign = _sign(request, number)
    photos = SignPhoto.objects.filter(sign=sign).select_related("uploaded_by").order_by("uploaded_at", "id")
    if not staff:
        photos = photos.filter(retired_at__isnull=True)
    shown = [photo_json(photo, sign, staff=staff) for photo in photos]
    return json_response({"sign": sign.number, "synthetic": sign.is_synthetic, "count": len(shown), "photos": shown})


@endpoint(
    router,
    "GET",
    "/signs/{number}/photos/{photo_id}",
    operation_id="getSignPhotoOriginal",
    summary="A sign photo's original file, EXIF and all (the bureau's staff only)",
    tag=SIGNS,
    answers=Answer("The photo as it was received", media=IMAGES, headers=(("Cache-Control", "private, no-store"),)),
    errors=("400", "404", "410"),
    public=True,
    description="404 for anyone but the bureau's staff (the original carries the photo's EXIF, its GPS position "
    "and the phone's make included). Never stored by a cache.",
    url_name="sign-photo-original",
)
def photo_original(request, number: SignNumber, photo_id: PhotoId):
    if not _staff(request):
        raise ApiError(404, f"no photo {photo_id} of a sign {number!r} that you may read")
    sign = _sign(request, number)
    photo = _photo(sign, photo_id, staff=True)
    response = photo_response(photo.file, photo.format, f"{sign.number}-{photo.pk}")
    response["Cache-Control"] = "private, no-store"
    return response


@endpoint(
    router,
    "GET",
    "/signs/{number}/photos/{photo_id}/public",
    operation_id="getSignPhotoPublic",
    summary="A sign photo's copy without metadata (re-encoded: no EXIF, GPS, XMP or ICC profile)",
    tag=SIGNS,
    answers=Answer("The copy, orientation applied", media=IMAGES),
    errors=("400", "404", "410"),
    public=True,
    description="A photo in use of a sign in place; a retired photo or a removed sign answers 404 to the public.",
    url_name="sign-photo-public",
)
def photo_public(request, number: SignNumber, photo_id: PhotoId):
    sign = _sign(request, number)
    photo = _photo(sign, photo_id, staff=False)
    response = photo_response(photo.public_file, photo.format, f"{sign.number}-{photo.pk}")
    response["Cache-Control"] = f"max-age={PUBLIC_MAX_AGE}"
    return response


# ---- writes ---------------------------------------------------------------------------------------------


@endpoint(
    router,
    "POST",
    "/signs/{number}/photos",
    operation_id="addSignPhoto",
    summary="Add a photo of a sign (multipart: file, reason, caption)",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The new photo (Location header)", "SignPhoto", status="201"),
        Answer("The same photo was already kept for this sign: that one", "SignPhoto"),
    ],
    description="The file is judged by its first bytes (JPEG, PNG or WebP), refused above the size limit before "
    "it is decoded (413), opened under a pixel limit (a decompression bomb is a 400) and decoded whole; its EXIF "
    "time and GPS position are read. The original is kept for the bureau's staff; the public see a copy "
    "re-encoded without any metadata. A photo taken at a phone survey goes to the survey's endpoint instead.",
    request_body={"required": True, "content": {"multipart/form-data": {"schema": FORM}}},
    url_name="sign-photo-list-post",
)
def photo_add(request, number: SignNumber):
    sign = _sign(request, number)
    if not service.may_keep(request.user, sign):
        where = sign.county.name if sign.county_id else "no county of the city"
        raise ApiError(403, f"the signs in {where} are kept by its officers")
    upload = uploaded_file(request, "fields 'file', 'reason', 'caption'")
    reason = form_text(request, "reason", MAX_TEXT, required=True)
    caption = form_text(request, "caption", CAPTION_MAX)
    try:
        with _rules():
            photo, created = service.add_photo(sign, upload, user=request.user, reason=reason, caption=caption)
    except PhotoRefused as refused:
        raise ApiError(refused.status, refused.message, field="file") from None
    response = json_response(photo_json(photo, sign, staff=True), status=201 if created else 200)
    response["Location"] = _url("sign-photo-original", photo, sign.number)
    return response


@endpoint(
    router,
    "POST",
    "/signs/{number}/photos/{photo_id}/retire",
    operation_id="retireSignPhoto",
    summary="Retire a sign photo with a reason (it is kept, with its files)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The retired photo", "SignPhoto"),
    url_name="sign-photo-retire",
)
def photo_retire(request, number: SignNumber, photo_id: PhotoId, body: Json[PhotoRetire]):
    sign = _sign(request, number)
    photo = _photo(sign, photo_id, staff=True)
    with _rules():
        photo = service.retire_photo(photo, user=request.user, reason=body.reason)
    return json_response(photo_json(photo, sign, staff=True))
