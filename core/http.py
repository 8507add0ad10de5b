"""JSON responses and errors shared by the API views."""

from __future__ import annotations

from django.http import JsonResponse


def json_response(data, status: int = 200, content_type: str = "application/json") -> JsonResponse:
    return JsonResponse(
        data, status=status, safe=False, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )


def json_error(status: int, message: str, **details) -> JsonResponse:
    """An error body every endpoint shares: {"error": {"status", "message", ...details}}."""
    return json_response({"error": {"status": status, "message": message, **details}}, status=status)
