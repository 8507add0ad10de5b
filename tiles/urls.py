from django.urls import path

from tiles import views

urlpatterns = [
    path("tiles.json", views.tilejson, name="tilejson"),
    path("style.json", views.style, name="tile-style"),
    path("<int:z>/<int:x>/<int:y>.mvt", views.tile, name="tile"),
]
