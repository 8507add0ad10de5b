from django.contrib import admin

from gazetteer.models import Category, Place


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "geometry"]


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category", "unit", "status", "is_public", "is_synthetic", "version"]
    list_filter = ["category", "status", "is_public", "is_synthetic"]
    search_fields = ["code", "name"]
    readonly_fields = ["code", "source", "source_ref", "version"]

    def has_delete_permission(self, request, obj=None):
        return False
