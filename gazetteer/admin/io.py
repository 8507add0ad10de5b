"""Import and export of place records in the admin: an upload page (dry run first, then commit)
and export actions on the list. Both call gazetteer.services.place_io, as the API does."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse

from accounts.roles import assigned_counties
from core.srid import STORAGE_SRID
from gazetteer.permissions import Action, can
from gazetteer.services.place_io import EXPORT_FORMATS, export_places, import_places


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class PlaceImportForm(forms.Form):
    files = MultipleFileField(
        label="文件 File(s)",
        help_text="CSV, GeoJSON, GeoPackage, or a shapefile (.zip or its .shp/.shx/.dbf/.prj/.cpg)",
    )
    crs = forms.CharField(
        required=False, label="坐标系 CRS", help_text=f"e.g. EPSG:{STORAGE_SRID}; needed when the file has none"
    )
    datum = forms.ChoiceField(
        required=False,
        label="源数据基准 Source datum",
        choices=[("", "as the file says (WGS84 / CGCS2000)"), ("GCJ-02", "GCJ-02 (Amap, Tencent): convert")],
    )
    encoding = forms.CharField(required=False, help_text="leave empty to detect (UTF-8, GBK)")
    category = forms.CharField(required=False, help_text="category code for rows without one, e.g. 07200")
    layer = forms.CharField(required=False, help_text="GeoPackage layer (default: the first)")
    reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="required to commit; recorded with every record",
    )
    commit = forms.BooleanField(required=False, label="写入 Commit (otherwise a dry run)")


def import_view(model_admin: admin.ModelAdmin, request):
    if not can(request.user, Action.IMPORT, counties=assigned_counties(request.user)):
        raise PermissionDenied
    report = None
    form = PlaceImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        report = import_places(
            data["files"],
            user=request.user,
            reason=data["reason"],
            dry_run=not data["commit"],
            crs=data["crs"] or None,
            datum=data["datum"] or None,
            encoding=data["encoding"] or None,
            category=data["category"] or None,
            layer=data["layer"] or None,
        )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "form": form,
        "report": report.as_dict() if report else None,
        "title": "导入地名记录 Import place records",
    }
    return TemplateResponse(request, "admin/gazetteer/place/import.html", context)


def export_action(fmt: str):
    def action(model_admin, request, queryset):
        content, content_type, filename = export_places(queryset, fmt, include_unlicensed_geometry=True)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    action.__name__ = f"export_{fmt}"
    action.short_description = f"导出所选 Export selected as {fmt}"
    return action


EXPORT_ACTIONS = [export_action(fmt) for fmt in EXPORT_FORMATS]
