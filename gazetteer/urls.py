from django.urls import path

from gazetteer.api import io, naming, places, search

urlpatterns = [
    path("categories", places.categories, name="categories"),
    path("places", places.place_collection, name="place-list"),
    path("places/search", search.place_search, name="place-search"),
    path("places/suggest", search.place_suggest, name="place-suggest"),
    path("reverse", search.reverse, name="reverse"),
    path("places/import", io.place_import, name="place-import"),
    path("places/export", io.place_export, name="place-export"),
    path("places/<str:code>", places.place_detail, name="place-detail"),
    path("places/<str:code>/history", places.place_history, name="place-history"),
    path("places/<str:code>/names", places.place_names, name="place-names"),
    path("places/<str:code>/retire", places.place_retire, name="place-retire"),
    path("attachments/<path:name>", naming.attachment_file, name="attachment-file"),
    path("naming-applications", naming.application_collection, name="application-list"),
    path("naming-applications/<str:number>", naming.application_detail, name="application-detail"),
    path(
        "naming-applications/<str:number>/attachments",
        naming.application_attachments,
        name="application-attachments",
    ),
    path("naming-applications/<str:number>/notice.<str:fmt>", naming.application_notice, name="application-notice"),
    path("naming-applications/<str:number>/<str:step>", naming.application_step, name="application-step"),
]
