from django.contrib import admin

from core.admin_base import ReadOnlyAdmin
from core.models import Changeset, DataSource, ImportRun


@admin.register(Changeset)
class ChangesetAdmin(ReadOnlyAdmin):
    list_display = ["id", "created_at", "kind", "author_label", "reason"]
    list_filter = ["kind"]
    search_fields = ["author_label", "reason"]


@admin.register(DataSource)
class DataSourceAdmin(ReadOnlyAdmin):
    list_display = ["key", "package", "version", "licence", "vintage", "datum", "conversion", "open_licence"]


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "source", "status", "changeset"]
    list_filter = ["status", "source"]
