"""Photos of boundary markers: the only code that writes MarkerPhoto rows and their files.

- ``add_photo``: the officer's right first (boundaries.permissions.may_write_marker), then the photo
  through core.photos (size, magic bytes, pixel limit, decoded whole, EXIF read, public copy made),
  then, in a changeset with the reason, both files under MEDIA_ROOT at random names and the row. The
  same photo (sha256 of its bytes) for the same marker is the row already there, not a second one.
- ``retire_photo``: with a reason, in a changeset; the row and both files stay.
- ``photos_of``: a marker's photos, oldest first; ``distance_from_marker_m``: how far the EXIF position
  lies from the marker's registered one (geodesic, on the CGCS2000 ellipsoid).
An abolished marker takes no new photos; its photos can still be retired.
"""

from __future__ import annotations

import secrets

from django.contrib.gis.geos import Point
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from pyproj import Geod

from boundaries.models import BoundaryMarker
from boundaries.models_photos import PHOTO_FOLDER, MarkerPhoto
from boundaries.permissions import may_write_marker
from core.events import RecordChanged, announce
from core.history import open_changeset
from core.models import Changeset
from core.photos import CheckedPhoto, check_photo
from core.srid import STORAGE_SRID

RECORD_KIND = "marker_photo"
GEOD = Geod(ellps="GRS80")  # the CGCS2000 ellipsoid differs from GRS80 by 0.1 mm in its semi-minor axis
Source = MarkerPhoto.Source


class PhotoRuleError(ValueError):
    """A photo change the rules refuse (not the file itself: that is core.photos.PhotoRefused)."""


class PhotoForbidden(PermissionError):
    """The user may not change this marker's photos."""


def may_change(user, marker: BoundaryMarker) -> bool:
    """May ``user`` add or retire photos of ``marker``? (The marker's own writers.)"""
    return may_write_marker(user, marker.line, marker.geom)


def _may_change(user, marker: BoundaryMarker) -> None:
    if not may_change(user, marker):
        raise PhotoForbidden(f"photos of marker {marker.number} are kept by officers of the counties of its line")


def _required(reason: str) -> str:
    if not (reason or "").strip():
        raise PhotoRuleError("a reason is required: it is recorded with the change")
    return reason.strip()


def _storage():
    return MarkerPhoto._meta.get_field("file").storage


def _store(checked: CheckedPhoto) -> tuple[str, str]:
    """Both files at random names (nothing in the path says which marker or photo it is)."""
    storage, saved = _storage(), []
    try:
        for content in (checked.original, checked.public_copy):
            token = secrets.token_urlsafe(24)
            saved.append(storage.save(f"{PHOTO_FOLDER}/{token[:2]}/{token}{checked.extension}", ContentFile(content)))
    except BaseException:
        for name in saved:
            storage.delete(name)
        raise
    return saved[0], saved[1]


def _position(checked: CheckedPhoto) -> Point | None:
    found = checked.position
    return Point(found.lon, found.lat, srid=STORAGE_SRID) if found else None


@transaction.atomic
def add_photo(
    marker: BoundaryMarker,
    upload,
    *,
    user,
    reason: str,
    caption: str = "",
    source: str | None = Source.REGISTER,
) -> tuple[MarkerPhoto, bool]:
    """Keep a photo of ``marker`` (``upload``: bytes, or an uploaded or open file). Returns the row and
    whether it is new: the same photo sent again is the row already kept. Raises PhotoForbidden,
    PhotoRuleError, or core.photos.PhotoRefused for the file."""
    _may_change(user, marker)
    reason = _required(reason)
    if source not in (None, *Source.values):
        raise PhotoRuleError(f"a photo's source is one of {', '.join(Source.values)}, not {source!r}")
    checked = check_photo(upload)
    locked = BoundaryMarker.objects.select_for_update().get(pk=marker.pk)  # one photo per marker at a time
    if locked.status == BoundaryMarker.Status.ABOLISHED:
        raise PhotoRuleError(f"marker {locked.number} is abolished: it takes no new photos")
    kept = MarkerPhoto.objects.filter(marker=locked, sha256=checked.sha256).first()
    if kept is not None:
        if kept.retired_at is not None:
            raise PhotoRuleError(
                f"this photo of marker {locked.number} was retired on {kept.retired_at:%Y-%m-%d} "
                f"({kept.retired_reason}); it stays retired"
            )
        return kept, False
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    original, public = _store(checked)
    try:
        photo = MarkerPhoto.objects.create(
            marker=locked,
            file=original,
            public_file=public,
            sha256=checked.sha256,
            format=checked.format,
            width=checked.width,
            height=checked.height,
            size_bytes=len(checked.original),
            taken_at=checked.taken_at,
            exif_position=_position(checked),
            caption=caption.strip(),
            source=source,
            changeset=changeset,
            uploaded_by=user,
        )
    except BaseException:
        _storage().delete(original)
        _storage().delete(public)
        raise
    announce(RecordChanged(RECORD_KIND, photo, created=True))
    return photo, True


@transaction.atomic
def retire_photo(photo: MarkerPhoto, *, user, reason: str) -> MarkerPhoto:
    """Take a photo out of use with a reason; the row and its files are kept."""
    locked = MarkerPhoto.objects.select_for_update().select_related("marker__line").get(pk=photo.pk)
    _may_change(user, locked.marker)
    reason = _required(reason)
    if locked.retired_at is not None:
        raise PhotoRuleError(f"photo {locked.pk} was retired on {locked.retired_at:%Y-%m-%d}")
    locked.retired_changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    locked.retired_at, locked.retired_by, locked.retired_reason = timezone.now(), user, reason
    locked.save(update_fields=["retired_at", "retired_by", "retired_reason", "retired_changeset"])
    announce(RecordChanged(RECORD_KIND, locked, frozenset({"retired_at"})))
    return locked


def photos_of(marker: BoundaryMarker, *, include_retired: bool = True) -> QuerySet:
    photos = MarkerPhoto.objects.filter(marker=marker).select_related("uploaded_by", "retired_by")
    if not include_retired:
        photos = photos.filter(retired_at__isnull=True)
    return photos.order_by("uploaded_at", "id")


def distance_from_marker_m(photo: MarkerPhoto, marker: BoundaryMarker) -> float | None:
    """Metres from the marker's registered position to where the photo's EXIF puts it, or None."""
    if photo.exif_position is None or marker.geom is None:
        return None
    _, _, metres = GEOD.inv(marker.geom.x, marker.geom.y, photo.exif_position.x, photo.exif_position.y)
    return float(metres)
