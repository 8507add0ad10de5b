from django.contrib import admin

from accounts.models import ApiToken, CountyAssignment


@admin.register(CountyAssignment)
class CountyAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "county", "assigned_at"]
    autocomplete_fields = ["county"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "label", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        return False  # tokens are issued by `manage.py create_officer --token`, which shows the key once
