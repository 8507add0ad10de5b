"""The admin side of 'every change has a reason and a version, and nothing is deleted': a form base
that asks for the reason and refuses a form opened on an older version of the object; the admin base of
every record kind (``RecordAdmin``: never deletes), of derived and logged rows (``ReadOnlyAdmin``) and
of history and typed rows shown beside a record (``ReadOnlyInline``)."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.http import HttpResponseRedirect

from core.history import VersionConflict


class VersionedChangeForm(forms.ModelForm):
    reason = forms.CharField(
        label="修改原因 Reason",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required: recorded with the change.",
    )
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def sent_changes(self, names) -> dict:
        """The values among ``names`` that the request sent and that differ from the record. A field the
        request left out (a form without the map, a script posting a few fields) is left as it is, not
        cleared; an unticked checkbox is sent as absent, so a boolean field counts as sent."""
        sent = {
            name for name in self.changed_data if name in self.data or isinstance(self.fields[name], forms.BooleanField)
        }
        return {name: self.cleaned_data.get(name) for name in names if name in sent}

    def clean_geom(self):
        geom = self.cleaned_data.get("geom")
        if geom is not None and not geom.valid:
            raise forms.ValidationError(f"Invalid geometry: {geom.valid_reason}")
        return geom

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current != expected:
                raise forms.ValidationError(
                    f"Conflict: this record was changed by someone else (now version {current}) since you opened it "
                    f"(version {expected}). Reload the page to see their change; nothing was saved."
                )
        return cleaned


class ReadOnlyInline(admin.TabularInline):
    """History and typed rows are shown, not edited: they change through the services. Whoever may
    see the record sees them (the record's admin decides), not only holders of Django's model rights."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        parent = self.admin_site._registry.get(self.parent_model)
        return parent.has_view_permission(request, obj) if parent else super().has_view_permission(request, obj)


class VersionRowsInline(ReadOnlyInline):
    """A record's version rows (core.records.RecordVersion), newest first; a subclass names the model."""

    fields = ["version", "changeset", "data"]
    ordering = ["-version"]


class RecordAdmin(admin.ModelAdmin):
    """A record is retired (given an end of validity), never deleted: no delete button, no bulk delete."""

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(RecordAdmin):
    """Rows written by the services only (changesets, sources, import runs, division changes): shown."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class Refused(Exception):
    """A save the rules or the rights do not allow; its message is shown to the officer as it is."""


class _DryRun(Exception):
    pass


class ServiceAdmin(RecordAdmin):
    """An admin whose saves go through the record's service (``save_through_service``).

    The form's validation asks the service first, in a savepoint that is always rolled back: a refusal
    (``Refused``, a conflict, or one of ``refusals``) is shown as the form's error with everything the
    officer typed still in the form, and nothing is written. Should the service refuse at the real save
    anyway (someone else changed the record in between), that is one red message, nothing written, not
    even the changeset, and the officer stays on the page. A success lands where Django sends it, "save
    and continue editing" included, on the record the service made."""

    refusals: tuple[type[Exception], ...] = ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class AskedTheService(form_class):
            def clean(self):
                cleaned = super().clean()
                if not self.errors:
                    model_admin.dry_run(request, obj or self.instance, self, change)
                return cleaned

        AskedTheService.__name__ = form_class.__name__
        return AskedTheService

    def dry_run(self, request, obj, form, change) -> None:
        try:
            with transaction.atomic():
                self.save_through_service(request, obj, form, change)
                raise _DryRun
        except _DryRun:
            pass
        except VersionConflict as conflict:
            raise forms.ValidationError(f"Conflict, nothing saved: {conflict}") from None
        except (Refused, *self.refusals) as error:
            raise forms.ValidationError(f"Not saved: {error}") from None

    def save_through_service(self, request, obj, form, change):
        """Write through the service and return the saved record."""
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            with transaction.atomic():
                saved = self.save_through_service(request, obj, form, change)
        except VersionConflict as conflict:
            self._refuse(request, f"Conflict, nothing saved: {conflict}")
            return
        except (Refused, *self.refusals) as error:
            self._refuse(request, f"Not saved: {error}")
            return
        form.instance = saved
        obj.pk = saved.pk  # the admin's redirects and its log read the object it handed in
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "save_refused", False):  # nothing rides on a refused save
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if getattr(request, "save_refused", False):
            return []
        return super().construct_change_message(request, form, formsets, add)

    @staticmethod
    def _refuse(request, message: str) -> None:
        request.save_refused = True
        messages.error(request, message)

    def response_add(self, request, obj, post_url_continue=None):
        if getattr(request, "save_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if getattr(request, "save_refused", False):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def log_addition(self, request, obj, message):
        if not getattr(request, "save_refused", False):
            super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        if not getattr(request, "save_refused", False):
            super().log_change(request, obj, message)
