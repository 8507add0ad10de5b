"""The pages: the place-name portal, the divisions browser, the record of each place, and the staff's
print page.

Thin views: the record comes from web.place_page (the API's permissions and representation), the
print jobs from tiles (the page calls the map-jobs API of tiles.print_views), the interface strings
from web.i18n."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from pydantic import TypeAdapter, ValidationError

from core.models import DataSource
from core.restapi import Day
from core.srid import API_SRID, TILE_SRID
from gazetteer import representation
from gazetteer.queries import visible_place
from tiles.permissions import may_make_maps
from tiles.print_views import recent_jobs_json
from tiles.printing import jobs as map_jobs
from tiles.printing.exports import FORMATS
from tiles.printing.papers import PAPER_SIZES_MM
from web import place_page
from web.i18n import language_of, remember_language, strings


def _attributions() -> list[str]:
    return list(
        dict.fromkeys(DataSource.objects.exclude(attribution="").order_by("key").values_list("attribution", flat=True))
    )


def _map_context() -> dict:
    """What every page map needs: the territory, the coordinate systems and the optional base map."""
    return {
        "page_has_map": True,
        "attributions": _attributions(),
        "territory": settings.TERRITORY_CODE,
        "api_crs": f"EPSG:{API_SRID}",
        "map_crs": f"EPSG:{TILE_SRID}",
        "basemap_url": settings.PORTAL_BASEMAP_URL,
        "basemap_attribution": settings.PORTAL_BASEMAP_ATTRIBUTION,
    }


@remember_language
@require_GET
def portal(request):
    """Search, type-ahead, results on the map, and what lies at any point clicked."""
    return render(request, "home.html", {**_map_context(), "q": request.GET.get("q", "")})


@remember_language
@require_GET
def divisions(request):
    """The divisions browser: a unit and its children from /api/v1/units, drawn over the vector tiles;
    with ``?at=YYYY-MM-DD`` the divisions as they stood that day (the API's ``at``)."""
    try:  # the API's rule for a day (core.restapi.Day), so that the page never asks it what it refuses
        at = TypeAdapter(Day).validate_python(request.GET["at"]) if request.GET.get("at") else None
    except ValidationError:
        return _error(request, 400, f"?at={request.GET['at'][:20]}: a day is written YYYY-MM-DD")
    label = strings(request)["divisions_as_of"].format(date=at.isoformat()) if at else None
    return render(request, "divisions.html", {**_map_context(), "at": at, "as_of_label": label})


def _error(request, status: int, message: str, title: str | None = None):
    return render(request, "404.html", {"message": message, "title": title}, status=status)


@remember_language
@require_GET
def place_record(request, code: str):
    t = strings(request)
    place = visible_place(request.user, code)
    if place is None:
        return _error(request, 404, t["not_found"].format(code=code))
    at = request.GET.get("at", "")
    try:
        day = dt.date.fromisoformat(at) if at else None
    except ValueError:
        return _error(request, 400, t["bad_date"].format(value=at), t["bad_request_title"])
    try:
        feature = place_page.record(place, day, request.user)
    except place_page.NotOnThatDay:
        return _error(request, 404, t["not_on_date"].format(code=code, date=at))
    context = place_page.page_context(feature, t, language_of(request))
    history = representation.history_in_words(place, request.user, day)
    context["record_history"] = place_page.history_lines(history, t)
    context["road"] = place_page.road_context(place, t) if day is None else None
    return render(request, "place.html", {**_map_context(), **context, "at": day})


@require_GET
def print_page(request: HttpRequest):
    """The print page (bureau staff; others are sent to log in): pick the unit, paper and date, watch the job."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    context = {"t": strings(request), "page_title": "行政区划图制图"}
    if not may_make_maps(request.user):
        return render(request, "404.html", {**context, "title": "无权限", "message": "制图仅限民政局工作人员。"},
                      status=403)  # fmt: skip
    return render(
        request,
        "print_maps.html",
        {
            **context,
            "units": map_jobs.plan_units(),
            "papers": list(PAPER_SIZES_MM),
            "formats": FORMATS,
            "jobs": recent_jobs_json(request),
        },
    )
