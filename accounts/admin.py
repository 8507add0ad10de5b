"""The accounts' admin pages (officers, their counties, their API tokens): the administrator role's,
as are the units' (boundaries.admin uses ``ForAdministrators`` too). Superusers count as administrators."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from accounts.models import ApiToken, CountyAssignment
from accounts.roles import is_administrator


class ForAdministrators:
    """Administrators open, add and change these pages; every other role does not see them."""

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return is_administrator(request.user)


@admin.register(CountyAssignment)
class CountyAssignmentAdmin(ForAdministrators, admin.ModelAdmin):
    list_display = ["user", "county", "assigned_at"]
    autocomplete_fields = ["county"]


@admin.register(ApiToken)
class ApiTokenAdmin(ForAdministrators, admin.ModelAdmin):
    list_display = ["prefix", "user", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `manage.py create_officer --token`, which shows the key once


class OfficerAdmin(ForAdministrators, UserAdmin):
    def has_delete_permission(self, request, obj=None):
        return False  # an officer who leaves is made inactive: their name stays on what they changed


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), OfficerAdmin)
