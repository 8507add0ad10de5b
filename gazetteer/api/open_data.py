"""Open data over HTTP: thin views over gazetteer.services.open_data.

GET /api/v1/open-data                    the manifest (JSON) with absolute download links
GET /api/v1/open-data/places.csv         \
GET /api/v1/open-data/places.geojson      > the public records as a file (attachment); ETag and
GET /api/v1/open-data/places.gpkg        /  Last-Modified, so a re-download can be a 304
GET /open-data                           the page for people: files, licences, what is withheld
The content is the same for every user: open data is what the public may see.
"""

import datetime as dt
import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import condition, require_safe
from ninja import Header, Router

from core.http import json_response
from core.restapi import FILE, Answer, endpoint
from gazetteer.services import open_data

router = Router()
OPEN_DATA = "open data"

# The page and the manifest link to the API documentation served at these URL names (config/urls.py).
DOCS_URL_NAMES = {"api_docs": "api-docs", "openapi": "openapi"}


def _freshness(request: HttpRequest, fmt: str) -> open_data.Freshness:
    """Computed once per request: condition() asks for the ETag and the date separately."""
    cached = getattr(request, "_open_data_freshness", None)
    if cached is None:
        cached = request._open_data_freshness = open_data.freshness(fmt)
    return cached


def _etag(request, fmt: str) -> str:
    return _freshness(request, fmt).etag


def _last_modified(request, fmt: str):
    return _freshness(request, fmt).last_modified


def _built_file(fmt: str, etag: str) -> Path:
    """The file for this state of the data, built once and kept (var/cache/open-data) until the data
    changes: a download costs a file read, not a rebuild. One process builds while the others wait."""
    folder = Path(settings.VAR_DIR) / "cache" / "open-data"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (etag.strip('"') + f".{fmt}")
    if path.is_file():
        return path
    with (folder / f"{fmt}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.is_file():
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(open_data.build_file(fmt).content)
            os.replace(partial, path)
            for older in folder.glob(f"*.{fmt}"):
                if older != path:
                    older.unlink(missing_ok=True)
    return path


def file_schema(fmt: str) -> dict:
    """A GeoJSON file is a FeatureCollection a client can read as JSON; the other formats are bytes."""
    if fmt == "geojson":
        return {"type": "object", "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array"}}}
    return FILE


FILE_HEADERS = (
    ("ETag", "Changes when the content changes"),
    ("Last-Modified", "The latest change of the records"),
    ("Content-Disposition", "attachment; filename=..."),
)


def _file_view(fmt: str):
    """The view of one open-data file: a 304 when the copy the client has is current (condition)."""

    @condition(
        etag_func=lambda request, **headers: _etag(request, fmt),
        last_modified_func=lambda request, **headers: _last_modified(request, fmt),
    )
    def open_data_file(
        request,
        if_none_match: str | None = Header(None, alias="If-None-Match", description="An ETag"),
        if_modified_since: str | None = Header(None, alias="If-Modified-Since", description="A date"),
    ):
        path = _built_file(fmt, _etag(request, fmt))
        response = FileResponse(
            path.open("rb"),
            as_attachment=True,
            filename=open_data.download_name(fmt),
            content_type=open_data.CONTENT_TYPES[fmt],
        )
        response["Cache-Control"] = "public, no-cache"  # keep it, but ask again (a 304 when unchanged)
        return response

    open_data_file.__name__ = f"open_data_{fmt}"
    return open_data_file


for _fmt in open_data.OPEN_DATA_FORMATS:
    endpoint(
        router,
        "GET",
        f"/open-data/places.{_fmt}",
        operation_id=f"openData{_fmt.capitalize()}",
        summary=f"The public records as {_fmt}",
        tag=OPEN_DATA,
        answers=[
            Answer(
                "The file, each record with its licence and attribution",
                media={open_data.CONTENT_TYPES[_fmt]: file_schema(_fmt)},
                headers=FILE_HEADERS,
            ),
            Answer("Not modified: the copy you have (If-None-Match) is current", None, status="304"),
        ],
        errors=("503",),
        description="Public records only, whoever asks. Geometry whose source grants no open licence "
        "is left out unless the server sets OPEN_DATA_INCLUDE_UNLICENSED_GEOMETRY.",
        url_name=f"open-data-{_fmt}",
    )(_file_view(_fmt))


def _links(request: HttpRequest) -> dict:
    links = {"manifest": request.build_absolute_uri(reverse("open-data-manifest"))}
    links |= {
        f"places.{fmt}": request.build_absolute_uri(reverse(f"open-data-{fmt}")) for fmt in open_data.OPEN_DATA_FORMATS
    }
    links |= {key: request.build_absolute_uri(reverse(name)) for key, name in DOCS_URL_NAMES.items()}
    return links


def _with_links(request: HttpRequest, manifest: dict) -> dict:
    links = _links(request)
    for entry in manifest["files"]:
        entry["url"] = links[f"places.{entry['format']}"]
    return {**manifest, "links": links}


@endpoint(
    router,
    "GET",
    "/open-data",
    operation_id="openDataManifest",
    summary="What open data holds: counts, files, licences, what is withheld",
    tag=OPEN_DATA,
    answers=Answer("The manifest with download links", "OpenDataManifest"),
    url_name="open-data-manifest",
)
def open_data_manifest(request):
    return json_response(_with_links(request, open_data.manifest()))


@require_safe
def open_data_page(request):
    manifest = _with_links(request, open_data.manifest())
    changed = manifest["last_modified"]
    context = {"manifest": manifest, "last_modified": dt.datetime.fromisoformat(changed) if changed else None}
    return render(request, "open_data.html", context)
