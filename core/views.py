from django.db import connection
from django.db.utils import DatabaseError
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.http import json_response


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
