"""The page that shows the API's documentation with Swagger UI served from the project's static files
(npm swagger-ui-dist), nothing from outside. The document itself is config.api's (/api/v1/openapi.json)."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe


@require_safe
def api_docs_page(request):
    return render(request, "api_docs.html", {"spec_url": reverse("openapi")})
