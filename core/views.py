from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.http import json_response
from core.models import DataSource


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return json_response({"status": "error", "database": "unreachable"}, status=503)
    return json_response({"status": "ok", "database": "ok"})


@require_GET
def home(request):
    """The divisions browser: the city's units on a map drawn from the system's own data."""
    attributions = dict.fromkeys(
        DataSource.objects.exclude(attribution="").order_by("key").values_list("attribution", flat=True)
    )
    return render(request, "home.html", {"attributions": attributions, "territory": settings.TERRITORY_CODE})
