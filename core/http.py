"""JSON responses and errors shared by the API views."""

from __future__ import annotations

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, JsonResponse


def json_response(data, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(
        data, status=status, safe=False, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )


def json_bytes(data) -> bytes:
    """The body json_response would send, for answers kept encoded (gazetteer.search.answers)."""
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False).encode()


def json_bytes_response(body: bytes, status: int = 200) -> HttpResponse:
    return HttpResponse(body, status=status, content_type="application/json")


def json_error(status: int, message: str, **details) -> JsonResponse:
    """An error body every endpoint shares: {"error": {"status", "message", ...details}}."""
    return json_response({"error": {"status": status, "message": message, **details}}, status=status)
