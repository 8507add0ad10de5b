"""The admin side of 'every change has a reason and a version, and nothing is deleted': a form base
that asks for the reason and refuses a form opened on an older version of the object; the admin base of
every record kind (``RecordAdmin``: never deletes), of derived and logged rows (``ReadOnlyAdmin``) and
of history and typed rows shown beside a record (``ReadOnlyInline``)."""

from django import forms
from django.contrib import admin


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
    """History and typed rows are shown, not edited: they change through the services."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
