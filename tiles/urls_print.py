from django.urls import path

from tiles import print_views

urlpatterns = [
    path("map-jobs", print_views.map_jobs_view, name="map-jobs"),
    path("map-jobs/<int:pk>", print_views.map_job_view, name="map-job"),
    path("map-jobs/<int:pk>/cancel", print_views.map_job_cancel_view, name="map-job-cancel"),
    path("map-jobs/<int:pk>/file", print_views.map_job_file_view, name="map-job-file"),
]
