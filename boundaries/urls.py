from django.urls import path

from boundaries import api

urlpatterns = [
    path("units", api.unit_list, name="unit-list"),
    path("units/<str:code>", api.unit_detail, name="unit-detail"),
    path("units/<str:code>/history", api.unit_history, name="unit-history"),
]
