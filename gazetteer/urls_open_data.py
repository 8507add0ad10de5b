"""Open data under /api/v1/: config/urls.py includes these with path("api/v1/", include(...)).
The page for people, /open-data, is gazetteer.api.open_data.open_data_page (a line of its own there)."""

from django.urls import path

from gazetteer.api import open_data

urlpatterns = [
    path("open-data", open_data.open_data_manifest, name="open-data-manifest"),
    path("open-data/places.csv", open_data.open_data_file, {"fmt": "csv"}, name="open-data-csv"),
    path("open-data/places.geojson", open_data.open_data_file, {"fmt": "geojson"}, name="open-data-geojson"),
    path("open-data/places.gpkg", open_data.open_data_file, {"fmt": "gpkg"}, name="open-data-gpkg"),
]
