from django.contrib import admin
from django.urls import include, path

from core import views as core_views
from gazetteer.api_romanize import romanize_view

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/romanize", romanize_view, name="romanize"),
    path("api/v1/", include("boundaries.urls")),
    path("api/v1/", include("gazetteer.urls")),
    path("admin/", admin.site.urls),
    path("", core_views.home, name="home"),
]
