from django.contrib import admin
from django.urls import include, path

from core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", include("boundaries.urls")),
    path("admin/", admin.site.urls),
    path("", core_views.home, name="home"),
]
