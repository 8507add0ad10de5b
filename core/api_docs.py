"""The API's own documentation: the OpenAPI document as JSON, and the page that shows it with
Swagger UI served from the project's static files (npm swagger-ui-dist), nothing from outside."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from core.http import json_response
from core.openapi import document


@require_safe
def openapi_json(request):
    return json_response(document())


@require_safe
def api_docs_page(request):
    return render(request, "api_docs.html", {"spec_url": reverse("openapi")})
