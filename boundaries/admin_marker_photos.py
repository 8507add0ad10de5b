"""The photos of a boundary marker on its admin page (boundaries.admin_markers adds the inline): the
shared photo inline (core.admin_photos) over boundaries.services.marker_photos, the API's service.
The thumbnail is the staff's original from boundaries.api_marker_photos."""

from __future__ import annotations

from django.urls import reverse

from boundaries.models_photos import MarkerPhoto
from boundaries.services import marker_photos as service
from core.admin_photos import PhotoForm, PhotoInline


class MarkerPhotoForm(PhotoForm):
    class Meta(PhotoForm.Meta):
        model = MarkerPhoto


class MarkerPhotoInline(PhotoInline):
    model = MarkerPhoto
    form = MarkerPhotoForm
    fields = ["thumbnail", "upload", "caption", "taken_at", "exif", "source", "uploaded", "retired"]
    readonly_fields = ["thumbnail", "taken_at", "exif", "source", "uploaded", "retired"]
    verbose_name_plural = "照片 photos (staff only; a synthetic marker's public copy has no metadata)"
    distance_from = "the marker"
    refusals = (service.PhotoRuleError, service.PhotoForbidden)

    def add_photo(self, record, upload, *, user, reason, caption):
        return service.add_photo(record, upload, user=user, reason=reason, caption=caption)

    def may_add(self, request, record):
        return record.status != record.Status.ABOLISHED and service.may_change(request.user, record)

    def original_url(self, photo):
        return reverse("marker-photo-original", kwargs={"number": photo.marker.number, "photo_id": photo.pk})

    def distance_m(self, photo):
        return service.distance_from_marker_m(photo, photo.marker)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("marker", "uploaded_by", "retired_by")
