"""The admin side of 'every change has a reason and a version': a form base that asks for the
reason and refuses a form opened on an older version of the object; read-only inlines for history."""

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
