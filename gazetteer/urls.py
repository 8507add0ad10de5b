from django.urls import path

from gazetteer import api, api_io, api_naming, api_search

urlpatterns = [
    path("categories", api.categories, name="categories"),
    path("places", api.place_collection, name="place-list"),
    path("places/search", api_search.place_search, name="place-search"),
    path("places/suggest", api_search.place_suggest, name="place-suggest"),
    path("reverse", api_search.reverse, name="reverse"),
    path("places/import", api_io.place_import, name="place-import"),
    path("places/export", api_io.place_export, name="place-export"),
    path("places/<str:code>", api.place_detail, name="place-detail"),
    path("places/<str:code>/history", api.place_history, name="place-history"),
    path("places/<str:code>/names", api.place_names, name="place-names"),
    path("places/<str:code>/retire", api.place_retire, name="place-retire"),
    path("attachments/<path:name>", api_naming.attachment_file, name="attachment-file"),
    path("naming-applications", api_naming.application_collection, name="application-list"),
    path("naming-applications/<str:number>", api_naming.application_detail, name="application-detail"),
    path(
        "naming-applications/<str:number>/attachments",
        api_naming.application_attachments,
        name="application-attachments",
    ),
    path("naming-applications/<str:number>/notice.<str:fmt>", api_naming.application_notice, name="application-notice"),
    path("naming-applications/<str:number>/<str:step>", api_naming.application_step, name="application-step"),
]
