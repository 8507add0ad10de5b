"""The staff's inbox page (GET /admin/inbox/): what awaits the user, newest first, from the providers
the apps register with core.inbox. Staff only, as every admin page (admin_view: the anonymous and
non-staff go to the admin login)."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from core.inbox import items_for


@require_GET
def _inbox(request):
    context = {**admin.site.each_context(request), "title": "待办 Inbox", "items": items_for(request.user)}
    return TemplateResponse(request, "admin/inbox.html", context)


inbox_page = admin.site.admin_view(_inbox)
