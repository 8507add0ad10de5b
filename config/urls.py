from django.contrib import admin
from django.urls import include, path, re_path

from core import api_docs, changeset_api
from core import views as core_views
from gazetteer.api.open_data import open_data_page
from gazetteer.api.romanize import romanize_view
from web import views as web_views

handler400 = "core.api_errors.bad_request"
handler404 = "core.api_errors.not_found"
handler500 = "core.api_errors.server_error"

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/romanize", romanize_view, name="romanize"),
    path("api/v1/changesets", changeset_api.changesets, name="changesets"),
    path("api/v1/openapi.json", api_docs.openapi_json, name="openapi"),
    path("api/v1/", include("gazetteer.urls_open_data")),
    path("api/v1/", include("boundaries.urls")),
    path("api/v1/", include("gazetteer.urls")),
    path("api/v1/", include("tiles.urls_print")),
    path("tiles/", include("tiles.urls")),
    path("maps/print", web_views.print_page, name="print-maps"),
    path("admin/", admin.site.urls),
    path("api/docs", api_docs.api_docs_page, name="api-docs"),
    path("open-data", open_data_page, name="open-data"),
    path("", web_views.portal, name="home"),
    path("divisions", web_views.divisions, name="divisions"),
    re_path(r"^places/(?P<code>[0-9]{20})$", web_views.place_record, name="place-page"),
]
