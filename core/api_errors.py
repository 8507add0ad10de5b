"""Errors on the machine-facing paths are JSON, always.

- Text the database cannot hold (NUL) or that is not text at all is refused at the door, for every
  path, before any view runs: a 400 that says where.
- Unknown URLs under /api/ and /tiles/ answer a JSON 404 (``not_found`` is settings' handler404).
- Anything a view did not expect on those paths is a JSON 500 carrying an error id; the same id is in
  the server log with the traceback, so a report from a client can be found.
"""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.db import DataError
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from core.http import json_error

logger = logging.getLogger("core.api")
MACHINE_PREFIXES = ("/api/", "/tiles/", "/healthz")


def is_machine_path(path: str) -> bool:
    return path.startswith(MACHINE_PREFIXES)


def _bad_text(value: str) -> bool:
    return "\x00" in value


def input_problem(request: HttpRequest) -> str | None:
    """Why the URL or the query string cannot be taken, or None."""
    if _bad_text(request.path):
        return "the URL holds a NUL character"
    for key, values in request.GET.lists():
        if _bad_text(key) or any(_bad_text(value) for value in values):
            return f"the query parameter {key.replace(chr(0), '')!r} holds a NUL character"
    return None


def form_problem(request: HttpRequest) -> str | None:
    """Why the form fields of a POST cannot be taken, or None (file contents are the importers' to judge)."""
    if request.method != "POST" or not request.content_type.startswith(("multipart/", "application/x-www-form")):
        return None
    for key, values in request.POST.lists():
        if _bad_text(key) or any(_bad_text(value) for value in values):
            return f"the form field {key.replace(chr(0), '')!r} holds a NUL character"
    for upload in request.FILES.values():
        if _bad_text(upload.name or ""):
            return "an uploaded file's name holds a NUL character"
    return None


def _refuse(request: HttpRequest, status: int, message: str):
    if is_machine_path(request.path):
        return json_error(status, message)
    return render(request, "404.html", {"title": "请求有误 Bad request", "message": message}, status=status)


class ApiErrorMiddleware:
    """Refuses unusable input up front; turns unexpected errors on machine paths into JSON."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        problem = input_problem(request)
        if problem is None:
            try:
                problem = form_problem(request)
            except RequestDataTooBig:
                return _refuse(request, 413, "the request body is too large")
            except TooManyFieldsSent:
                return _refuse(request, 400, "the form has too many fields")
            except (BadRequest, MultiPartParserError, SuspiciousOperation):
                problem = None  # not a form after all: the view says what it wanted (415, 400)
        if problem is not None:
            return _refuse(request, 400, problem)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_machine_path(request.path):
            return None
        if isinstance(exception, RequestDataTooBig):
            return json_error(413, "the request body is too large")
        if isinstance(exception, DataError):
            # A value the database refused (too long, out of range): the input's fault, not the server's.
            logger.warning("database refused a value on %s %s: %s", request.method, request.path, exception)
            return json_error(400, f"a value does not fit the record: {str(exception).splitlines()[0]}")
        error_id = uuid.uuid4().hex[:12]
        logger.error("unexpected error %s on %s %s", error_id, request.method, request.path, exc_info=exception)
        response = json_error(500, f"internal error; quote id {error_id} when you report it", id=error_id)
        response._has_been_logged = True  # logged above, with the id
        return response


def bad_request(request, exception=None):
    """settings.handler400 (a request Django could not take apart): JSON for machines."""
    if is_machine_path(request.path):
        return json_error(400, "malformed request")
    return render(request, "404.html", {"title": "请求有误 Bad request", "message": ""}, status=400)


def server_error(request):
    """settings.handler500, for what escaped everything else: JSON for machines, a page for people."""
    if is_machine_path(request.path):
        return json_error(500, "internal error; see the server log")
    from django.views.defaults import server_error as default

    return default(request)


def not_found(request, exception=None):
    """settings.handler404: JSON for machines, the portal's page for people."""
    if is_machine_path(request.path):
        return json_error(404, f"nothing at {request.path}; see /api/docs")
    return render(request, "404.html", status=404)
