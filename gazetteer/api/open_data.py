"""Open data over HTTP: thin views over gazetteer.services.open_data.

GET /api/v1/open-data                    the manifest (JSON) with absolute download links
GET /api/v1/open-data/places.csv         \
GET /api/v1/open-data/places.geojson      > the public records as a file (attachment); ETag and
GET /api/v1/open-data/places.gpkg        /  Last-Modified, so a re-download can be a 304
GET /open-data                           the page for people: files, licences, what is withheld
The content is the same for every user: open data is what the public may see.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import condition, require_safe

from core.api import api_view
from core.http import json_response
from gazetteer.services import open_data

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


@api_view("GET", "HEAD")
@condition(etag_func=_etag, last_modified_func=_last_modified)
def open_data_file(request, fmt: str):
    path = _built_file(fmt, _etag(request, fmt))
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=open_data.download_name(fmt),
        content_type=open_data.CONTENT_TYPES[fmt],
    )
    response["Cache-Control"] = "public, no-cache"  # keep it, but ask again (a 304 when unchanged)
    return response


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


@api_view("GET", "HEAD")
def open_data_manifest(request):
    return json_response(_with_links(request, open_data.manifest()))


@require_safe
def open_data_page(request):
    manifest = _with_links(request, open_data.manifest())
    changed = manifest["last_modified"]
    context = {"manifest": manifest, "last_modified": dt.datetime.fromisoformat(changed) if changed else None}
    return render(request, "open_data.html", context)
