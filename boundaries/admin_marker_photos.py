"""The photos of a boundary marker on its admin page (boundaries.admin_markers adds the inline).

Each photo is listed with a thumbnail that the staff's own endpoint serves (the original, from
boundaries.api_marker_photos: the admin's session is the staff's), its EXIF time and position and how
far that lies from the marker. A new photo is chosen in the empty row and saved with the marker's form:
its reason is the form's reason, and it goes through boundaries.services.marker_photos, the same
service as the API (rights, core.photos' checks, a changeset). The file is checked when the form is
validated, so a refused photo is the row's error and nothing is saved. Photos are retired through the
API (POST .../photos/{id}/retire), not deleted here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.html import format_html

from boundaries.models_photos import MarkerPhoto
from boundaries.services import marker_photos as service
from core.photos import PhotoRefused, check_photo

THUMBNAIL_WIDTH = 160


class MarkerPhotoForm(forms.ModelForm):
    upload = forms.FileField(
        label="照片 Photo",
        required=False,
        help_text="JPEG, PNG or WebP; saved with the marker, with the form's reason.",
    )

    class Meta:
        model = MarkerPhoto
        fields = ["caption"]

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("upload")
        if self.instance.pk is None and upload is not None:
            try:
                check_photo(upload)
            except PhotoRefused as refused:
                raise forms.ValidationError(f"Not saved: {refused.message}") from None
        elif self.instance.pk is None and cleaned.get("caption"):
            raise forms.ValidationError("Choose the photo the caption is for.")
        return cleaned


class MarkerPhotoFormSet(BaseInlineFormSet):
    """New rows go through the service; existing rows are not changed here."""

    request = None  # set by MarkerPhotoInline.get_formset

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            # A marker form posted without the photo rows (a script, a page opened before photos were
            # shown) is saved as it is, without photos: not refused for a missing management form.
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)

    def save_new(self, form, commit=True):
        request = self.request
        try:
            photo, created = service.add_photo(
                self.instance,
                form.cleaned_data["upload"],
                user=request.user,
                reason=request.POST.get("reason", ""),
                caption=form.cleaned_data.get("caption") or "",
            )
        except (PhotoRefused, service.PhotoRuleError, service.PhotoForbidden) as refused:
            messages.error(request, f"Photo not saved: {getattr(refused, 'message', refused)}")
            return None
        if not created:
            messages.info(request, f"This photo was already kept for the marker (photo {photo.pk}).")
        return photo

    def save_existing(self, form, obj, commit=True):
        return obj

    def save_new_objects(self, commit=True):
        super().save_new_objects(commit)
        self.new_objects = [photo for photo in self.new_objects if photo is not None]  # refused ones
        return self.new_objects


class MarkerPhotoInline(admin.TabularInline):
    model = MarkerPhoto
    form = MarkerPhotoForm
    formset = MarkerPhotoFormSet
    extra = 1
    can_delete = False
    fields = ["thumbnail", "upload", "caption", "taken_at", "exif", "source", "uploaded", "retired"]
    readonly_fields = ["thumbnail", "taken_at", "exif", "source", "uploaded", "retired"]
    verbose_name = "照片 photo"
    verbose_name_plural = "照片 photos (staff only; a synthetic marker's public copy has no metadata)"

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request = request
        return formset

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("marker", "uploaded_by", "retired_by")

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return parent.has_view_permission(request, obj) if parent else False

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.status != obj.Status.ABOLISHED and service.may_change(request.user, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="照片 photo")
    def thumbnail(self, photo):
        if photo.pk is None:
            return "-"
        url = reverse("marker-photo-original", kwargs={"number": photo.marker.number, "photo_id": photo.pk})
        return format_html(
            '<a href="{0}"><img src="{0}" width="{1}" alt="照片 {2}" loading="lazy"></a>',
            url,
            THUMBNAIL_WIDTH,
            photo.pk,
        )

    @admin.display(description="EXIF 位置 position")
    def exif(self, photo):
        if photo.pk is None or photo.exif_position is None:
            return "-"
        distance = service.distance_from_marker_m(photo, photo.marker)
        where = f"{photo.exif_position.x:.6f}, {photo.exif_position.y:.6f}"
        return f"{where} ({distance:,.0f} m from the marker)" if distance is not None else where

    @admin.display(description="上传 uploaded")
    def uploaded(self, photo):
        if photo.pk is None:
            return "-"
        return f"{photo.uploaded_by.get_username()}, {photo.uploaded_at:%Y-%m-%d %H:%M}"

    @admin.display(description="停用 retired")
    def retired(self, photo):
        if photo.pk is None or photo.retired_at is None:
            return "-"
        return f"{photo.retired_at:%Y-%m-%d} {photo.retired_by.get_username()}: {photo.retired_reason}"
