"""The photos of a record on its admin page: one inline that each app's photo service plugs into.

Each photo is listed with a thumbnail that the staff's own endpoint serves (the original: the admin's
session is the staff's), its EXIF time and position and how far that lies from the record. A new photo is
chosen in the empty row and saved with the record's form: its reason is the form's reason, and it goes
through the app's photo service, the same as the API's (rights, core.photos' checks, a changeset). The
file is checked when the form is validated, so a refused photo is the row's error and nothing is saved.
Photos are retired through the API (POST .../photos/{id}/retire), not deleted here.

A subclass of ``PhotoInline`` names the model and says, as methods: ``add_photo`` (the service call),
``may_add`` (the service's right), ``original_url`` and ``distance_m`` (metres from the record, or None).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.forms.models import BaseInlineFormSet
from django.utils.html import format_html

from core.photos import PhotoRefused, check_photo

THUMBNAIL_WIDTH = 160


class PhotoForm(forms.ModelForm):
    upload = forms.FileField(
        label="照片 Photo",
        required=False,
        help_text="JPEG, PNG or WebP; saved with the record, with the form's reason.",
    )

    class Meta:
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


class PhotoFormSet(BaseInlineFormSet):
    """New rows go through the inline's service; existing rows are not changed here."""

    request = None  # set by PhotoInline.get_formset
    inline = None

    def __init__(self, data=None, *args, **kwargs):
        prefix = kwargs.get("prefix") or self.get_default_prefix()
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            # A record's form posted without the photo rows (a script, a page opened before photos were
            # shown) is saved as it is, without photos: not refused for a missing management form.
            data = data.copy()
            data[f"{prefix}-TOTAL_FORMS"] = data[f"{prefix}-INITIAL_FORMS"] = "0"
        super().__init__(data, *args, **kwargs)

    def save_new(self, form, commit=True):
        request = self.request
        try:
            photo, created = self.inline.add_photo(
                self.instance,
                form.cleaned_data["upload"],
                user=request.user,
                reason=request.POST.get("reason", ""),
                caption=form.cleaned_data.get("caption") or "",
            )
        except (PhotoRefused, *self.inline.refusals) as refused:
            messages.error(request, f"Photo not saved: {getattr(refused, 'message', refused)}")
            return None
        if not created:
            messages.info(request, f"This photo was already kept for the record (photo {photo.pk}).")
        return photo

    def save_existing(self, form, obj, commit=True):
        return obj

    def save_new_objects(self, commit=True):
        super().save_new_objects(commit)
        self.new_objects = [photo for photo in self.new_objects if photo is not None]  # refused ones
        return self.new_objects


class PhotoInline(admin.TabularInline):
    form = PhotoForm
    formset = PhotoFormSet
    extra = 1
    can_delete = False
    fields = ["thumbnail", "upload", "caption", "taken_at", "exif", "uploaded", "retired"]
    readonly_fields = ["thumbnail", "taken_at", "exif", "uploaded", "retired"]
    verbose_name = "照片 photo"
    refusals: tuple[type[Exception], ...] = ()  # the service's refusals, shown as the row's message
    distance_from = "the record"  # what the EXIF position's distance is measured from

    # ---- what a subclass says -------------------------------------------------------------------------

    def add_photo(self, record, upload, *, user, reason: str, caption: str):
        raise NotImplementedError

    def may_add(self, request, record) -> bool:
        raise NotImplementedError

    def original_url(self, photo) -> str:
        raise NotImplementedError

    def distance_m(self, photo) -> float | None:
        return None

    # ---- the inline --------------------------------------------------------------------------------------

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.request, formset.inline = request, self
        return formset

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return parent.has_view_permission(request, obj) if parent else False

    def has_add_permission(self, request, obj=None):
        return obj is not None and self.may_add(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="照片 photo")
    def thumbnail(self, photo):
        if photo.pk is None:
            return "-"
        return format_html(
            '<a href="{0}"><img src="{0}" width="{1}" alt="照片 {2}" loading="lazy"></a>',
            self.original_url(photo),
            THUMBNAIL_WIDTH,
            photo.pk,
        )

    @admin.display(description="EXIF 位置 position")
    def exif(self, photo):
        if photo.pk is None or photo.exif_position is None:
            return "-"
        distance = self.distance_m(photo)
        where = f"{photo.exif_position.x:.6f}, {photo.exif_position.y:.6f}"
        return f"{where} ({distance:,.0f} m from {self.distance_from})" if distance is not None else where

    @admin.display(description="上传 uploaded")
    def uploaded(self, photo):
        if photo.pk is None:
            return "-"
        return f"{photo.uploaded_by.get_username()}, {photo.uploaded_at:%Y-%m-%d %H:%M}"

    @admin.display(description="停用 retired")
    def retired(self, photo):
        if photo.pk is None or photo.retired_at is None:
            return "-"
        who = getattr(photo, "retired_by", None)
        return f"{photo.retired_at:%Y-%m-%d}{f' {who.get_username()}' if who else ''}: {photo.retired_reason}"
