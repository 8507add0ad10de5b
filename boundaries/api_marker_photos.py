"""Photos of boundary markers over the API: thin views over boundaries.services.marker_photos, declared on
``router`` (config.api mounts it under /api/v1/, before the markers' own router); what they answer is
described in boundaries.openapi_marker_photos.

- POST   /boundary-markers/{number}/photos (multipart: ``file``, ``reason``, optional ``caption``,
  ``source``): 201 with the new photo, 200 with the one already kept when the same photo comes again;
  400 for a file that is no photo (core.photos says why), 413 above settings.PHOTO_MAX_BYTES.
- GET    /boundary-markers/{number}/photos: the list. The bureau's staff see everything, the EXIF
  position and its distance from the marker included; anyone else sees a synthetic marker's photos
  without position, original or uploader, and a real marker's list answers 404 (no real marker is public).
- GET    /boundary-markers/{number}/photos/{photo_id}: the original, the staff's only (404 for anyone
  else), ``Cache-Control: private, no-store``.
- GET    /boundary-markers/{number}/photos/{photo_id}/public: the copy without metadata, of a synthetic
  marker's photo only.
- POST   /boundary-markers/{number}/photos/{photo_id}/retire (JSON ``reason``): kept, not deleted.
Writes are for an officer of a county that is party to the marker's line (or an administrator).
"""

from __future__ import annotations

from typing import Annotated

from django.urls import reverse
from django.utils import timezone
from ninja import Path, Router

from boundaries.api_markers import MarkerNumber, Reason
from boundaries.models import BoundaryMarker
from boundaries.models_photos import MarkerPhoto
from boundaries.permissions import sees_real_markers, visible_markers
from boundaries.representation_markers import SYNTHETIC_NOTE
from boundaries.services import marker_photos as service
from core.api import ApiError
from core.http import json_response
from core.photo_responses import IMAGES, form_text, photo_response, uploaded_file
from core.photos import PhotoRefused
from core.restapi import FILE, MAX_TEXT, OFFICERS, Answer, Json, StrictSchema, endpoint
from core.srid import API_SRID

router = Router()

MARKERS = "markers"
PhotoId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The photo's id (from the list)", examples=[1])]
CAPTION_MAX = MarkerPhoto._meta.get_field("caption").max_length
COORDINATE_DECIMALS = 7
PUBLIC_MAX_AGE = 3600
FORM = {
    "type": "object",
    "properties": {
        "file": {**FILE, "description": "A JPEG, PNG or WebP photo (judged by its content, not its name)"},
        "reason": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT, "description": "Why: in the history"},
        "caption": {"type": "string", "maxLength": CAPTION_MAX},
        "source": {"type": "string", "enum": MarkerPhoto.Source.values, "default": MarkerPhoto.Source.REGISTER},
    },
    "required": ["file", "reason"],
}


class PhotoRetire(StrictSchema):
    reason: Reason


# ---- helpers -----------------------------------------------------------------------------------------


def _marker(request, number: str) -> BoundaryMarker:
    marker = visible_markers(request.user, BoundaryMarker.objects.select_related("line")).filter(number=number).first()
    if marker is None:
        raise ApiError(404, f"no boundary marker has the number {number!r}", number=number)
    return marker


def _photo(marker: BoundaryMarker, photo_id: int, *, staff: bool) -> MarkerPhoto:
    photo = MarkerPhoto.objects.filter(marker=marker, pk=photo_id).first()
    if photo is None or (photo.retired_at is not None and not staff):
        raise ApiError(404, f"marker {marker.number} has no photo {photo_id}")
    return photo


def _local(moment) -> str | None:
    """A time as the city's clock reads it (settings.TIME_ZONE), with its offset."""
    return timezone.localtime(moment).isoformat() if moment else None


def _url(name: str, photo: MarkerPhoto, number: str) -> str:
    return reverse(name, kwargs={"number": number, "photo_id": photo.pk})


def as_dict(photo: MarkerPhoto, marker: BoundaryMarker, *, staff: bool) -> dict:
    """One photo; the staff's view adds the original, the EXIF position and who did what."""
    public = marker.is_synthetic and photo.retired_at is None
    shown = {
        "id": photo.pk,
        "marker": marker.number,
        "synthetic": marker.is_synthetic,
        **({"synthetic_note": SYNTHETIC_NOTE} if marker.is_synthetic else {}),
        "format": photo.format,
        "width": photo.width,
        "height": photo.height,
        "caption": photo.caption,
        "source": photo.source,
        "taken_at": _local(photo.taken_at),
        "uploaded_at": _local(photo.uploaded_at),
        "retired": photo.retired_at is not None,
        "urls": {"public": _url("marker-photo-public", photo, marker.number) if public else None},
    }
    if not staff:
        return shown
    position = photo.exif_position.transform(API_SRID, clone=True) if photo.exif_position else None
    distance = service.distance_from_marker_m(photo, marker)
    shown["urls"]["original"] = _url("marker-photo-original", photo, marker.number)
    return shown | {
        "sha256": photo.sha256,
        "size_bytes": photo.size_bytes,
        "exif_position": [round(position.x, COORDINATE_DECIMALS), round(position.y, COORDINATE_DECIMALS)]
        if position
        else None,
        "distance_from_marker_m": round(distance, 1) if distance is not None else None,
        "uploaded_by": photo.uploaded_by.get_username(),
        "retired_at": _local(photo.retired_at),
        "retired_by": photo.retired_by.get_username() if photo.retired_by else None,
        "retired_reason": photo.retired_reason,
    }


# ---- reads ----------------------------------------------------------------------------------------------


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/photos",
    operation_id="listBoundaryMarkerPhotos",
    summary="Photos of a boundary marker",
    tag=MARKERS,
    answers=Answer("The marker's photos, oldest first", "MarkerPhotoList"),
    errors=("400", "404"),
    public=True,
    description="The bureau's staff see every photo, retired ones too, with the original's address, the EXIF "
    "position and its distance in metres from the marker's registered position. Anyone else sees a synthetic "
    "marker's photos in use, with the address of their copy without metadata; a real marker answers 404.",
    url_name="marker-photo-list",
)
def photo_list(request, number: MarkerNumber):
    marker = _marker(request, number)
    staff = sees_real_markers(request.user)
    photos = service.photos_of(marker, include_retired=staff)
    shown = [as_dict(photo, marker, staff=staff) for photo in photos]
    return json_response(
        {"marker": marker.number, "synthetic": marker.is_synthetic, "count": len(shown), "photos": shown}
    )


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/photos/{photo_id}",
    operation_id="getBoundaryMarkerPhotoOriginal",
    summary="A marker photo's original file, EXIF and all (the bureau's staff only)",
    tag=MARKERS,
    answers=Answer("The photo as it was received", media=IMAGES, headers=(("Cache-Control", "private, no-store"),)),
    errors=("400", "404", "410"),
    public=True,
    description="404 for anyone but the bureau's staff, whatever the marker (the original carries the "
    "photo's EXIF, its GPS position included). Never stored by a cache.",
    url_name="marker-photo-original",
)
def photo_original(request, number: MarkerNumber, photo_id: PhotoId):
    if not sees_real_markers(request.user):
        raise ApiError(404, f"no photo {photo_id} of a boundary marker {number!r} that you may read")
    marker = _marker(request, number)
    photo = _photo(marker, photo_id, staff=True)
    response = photo_response(photo.file, photo.format, f"{marker.number}-{photo.pk}")
    response["Cache-Control"] = "private, no-store"
    return response


@endpoint(
    router,
    "GET",
    "/boundary-markers/{number}/photos/{photo_id}/public",
    operation_id="getBoundaryMarkerPhotoPublic",
    summary="A synthetic marker photo's public copy (re-encoded, no metadata at all)",
    tag=MARKERS,
    answers=Answer("The copy: orientation applied, no EXIF, GPS, XMP or ICC profile", media=IMAGES),
    errors=("400", "404", "410"),
    public=True,
    description="Only a synthetic demonstration marker's photos have a public copy to show; a real marker's "
    "answers 404 to everyone (staff read the original).",
    url_name="marker-photo-public",
)
def photo_public(request, number: MarkerNumber, photo_id: PhotoId):
    marker = _marker(request, number)
    if not marker.is_synthetic:
        raise ApiError(404, f"marker {marker.number} is a real marker: its photos are not public")
    photo = _photo(marker, photo_id, staff=False)
    response = photo_response(photo.public_file, photo.format, f"{marker.number}-{photo.pk}")
    response["Cache-Control"] = f"max-age={PUBLIC_MAX_AGE}"
    return response


# ---- writes ---------------------------------------------------------------------------------------------


@endpoint(
    router,
    "POST",
    "/boundary-markers/{number}/photos",
    operation_id="addBoundaryMarkerPhoto",
    summary="Add a photo of a marker (multipart: file, reason, caption, source)",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The new photo (Location header)", "MarkerPhoto", status="201"),
        Answer("The same photo was already kept for this marker: that one", "MarkerPhoto"),
    ],
    description="The file is judged by its first bytes (JPEG, PNG or WebP), refused above the size limit "
    "before it is decoded (413), opened under a pixel limit (a decompression bomb is a 400) and decoded whole; "
    "its EXIF time and GPS position are read. The original is kept for the bureau's staff; a copy re-encoded "
    "without any metadata is what a synthetic marker shows the public.",
    request_body={"required": True, "content": {"multipart/form-data": {"schema": FORM}}},
    url_name="marker-photo-list-post",
)
def photo_add(request, number: MarkerNumber):
    marker = _marker(request, number)
    if not service.may_change(request.user, marker):
        raise ApiError(403, f"photos of marker {marker.number} are kept by officers of the counties of its line")
    upload = uploaded_file(request, "fields 'file', 'reason', 'caption'")
    reason = form_text(request, "reason", MAX_TEXT, required=True)
    caption = form_text(request, "caption", CAPTION_MAX)
    source = form_text(request, "source", 20) or MarkerPhoto.Source.REGISTER
    if source not in MarkerPhoto.Source.values:
        raise ApiError(400, f"'source' must be one of {', '.join(MarkerPhoto.Source.values)}", field="source")
    try:
        photo, created = service.add_photo(
            marker, upload, user=request.user, reason=reason, caption=caption, source=source
        )
    except PhotoRefused as refused:
        raise ApiError(refused.status, refused.message, field="file") from None
    except service.PhotoForbidden as exc:
        raise ApiError(403, str(exc)) from None
    except service.PhotoRuleError as exc:
        raise ApiError(400, str(exc)) from None
    response = json_response(as_dict(photo, marker, staff=True), status=201 if created else 200)
    response["Location"] = _url("marker-photo-original", photo, marker.number)
    return response


@endpoint(
    router,
    "POST",
    "/boundary-markers/{number}/photos/{photo_id}/retire",
    operation_id="retireBoundaryMarkerPhoto",
    summary="Retire a marker photo with a reason (it is kept, with its files)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The retired photo", "MarkerPhoto"),
    url_name="marker-photo-retire",
)
def photo_retire(request, number: MarkerNumber, photo_id: PhotoId, body: Json[PhotoRetire]):
    marker = _marker(request, number)
    if not service.may_change(request.user, marker):
        raise ApiError(403, f"photos of marker {marker.number} are kept by officers of the counties of its line")
    photo = _photo(marker, photo_id, staff=True)
    try:
        photo = service.retire_photo(photo, user=request.user, reason=body.reason)
    except service.PhotoForbidden as exc:
        raise ApiError(403, str(exc)) from None
    except service.PhotoRuleError as exc:
        raise ApiError(400, str(exc)) from None
    return json_response(as_dict(photo, marker, staff=True))
