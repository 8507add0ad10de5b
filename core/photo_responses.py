"""What every photo endpoint shares: the multipart form's text fields and a stored photo as a response.

core.photos judges the file; these are the two other things each app's photo views did alike.
"""

from __future__ import annotations

from django.http import FileResponse

from core.api import ApiError
from core.photos import CONTENT_TYPES
from core.restapi import FILE
from core.text import text_problem

IMAGES = {media: FILE for media in CONTENT_TYPES.values()}


def form_text(request, field: str, max_length: int, *, required: bool = False) -> str:
    """A text field of a multipart form, checked as the JSON bodies' text is (400 naming the field)."""
    value = request.POST.get(field)
    problem = text_problem(value) if value else None
    if problem:
        raise ApiError(400, f"'{field}' {problem}", field=field)
    value = (value or "").strip()
    if required and not value:
        raise ApiError(400, f"'{field}' is required: it is recorded with the change", field=field)
    if len(value) > max_length:
        raise ApiError(400, f"'{field}' is longer than {max_length} characters", field=field)
    return value


def uploaded_file(request, hint: str):
    """The multipart field ``file`` (415 for another content type, 400 when it is missing)."""
    if not request.content_type.startswith("multipart/form-data"):
        raise ApiError(415, f"send the photo as multipart/form-data ({hint})")
    upload = request.FILES.get("file")
    if upload is None:
        raise ApiError(400, "send the photo as the multipart field 'file'", field="file")
    return upload


def photo_response(field, photo_format: str, filename_stem: str) -> FileResponse:
    """A stored photo file shown inline (410 when the file is gone from the server)."""
    try:
        handle = field.open("rb")
    except FileNotFoundError:
        raise ApiError(410, "the photo's file is missing on the server; restore it from a backup") from None
    extension = field.name.rsplit(".", 1)[-1]
    response = FileResponse(handle, content_type=CONTENT_TYPES[photo_format], filename=f"{filename_stem}.{extension}")
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline", 1)
    return response
