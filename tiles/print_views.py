"""The print-map jobs' API, which the print page (web.views.print_page, /maps/print) calls: a cartographer
picks the unit, paper and date, watches the job, downloads.

POST /api/v1/map-jobs               {"unit", "paper", "orientation", "at", "format"} -> 202 the queued job
GET  /api/v1/map-jobs               the latest print-map jobs
GET  /api/v1/map-jobs/<id>          one job: status, progress, message, report, download link
POST /api/v1/map-jobs/<id>/cancel   cancel a job that has not started
GET  /api/v1/map-jobs/<id>/file     the finished map (PDF, PNG or SVG)
"""

from __future__ import annotations

from django.http import FileResponse, HttpRequest
from django.urls import reverse

from core import jobs
from core.api import ApiError, api_view, json_body, only
from core.http import json_response
from core.models import Job
from tiles.permissions import may_handle_job, may_make_maps, sees_every_job
from tiles.printing import jobs as map_jobs
from tiles.printing.exports import CONTENT_TYPES
from tiles.printing.service import MapRequestError

RECENT_JOBS = 30
MAP_REQUEST_FIELDS = ("unit", "paper", "orientation", "at", "format")
REPORT_KEYS = ("unit", "at", "paper", "format", "scale", "labels", "legend", "warnings", "synthetic_layers",
               "approval_number", "render_seconds", "timings", "bytes", "output")  # fmt: skip


def _allowed(request: HttpRequest) -> None:
    if not request.user.is_authenticated:
        raise ApiError(401, "log in or send 'Authorization: Token <key>'")
    if not may_make_maps(request.user):
        raise ApiError(
            403, "print maps are made by the bureau's staff: cartographers, officers, approvers, administrators"
        )


def jobs_json(jobs_: list[Job]) -> list[dict]:
    names = map_jobs.unit_names(jobs_)
    return [job_json(job, names) for job in jobs_]


def job_json(job: Job, names: dict[str, str] | None = None) -> dict:
    done = map_jobs.result_file(job) is not None
    unit = job.params.get("unit", "")
    return {
        "id": job.pk,
        "unit_name": (names if names is not None else map_jobs.unit_names([job])).get(unit, ""),
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "params": job.params,
        "requested_by": job.requested_label,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
        "error": job.error or None,
        "report": {key: job.result[key] for key in REPORT_KEYS if key in job.result},
        "download": reverse("map-job-file", args=[job.pk]) if done else None,
        "url": reverse("map-job", args=[job.pk]),
        "cancel": reverse("map-job-cancel", args=[job.pk]) if job.status == Job.Status.QUEUED else None,
    }


def _job(request: HttpRequest, pk: int) -> Job:
    """The job, if it is the user's to see (tiles.permissions); another's is as unknown as a missing one."""
    job = Job.objects.filter(pk=pk, kind=map_jobs.KIND).first()
    if job is None or not may_handle_job(request.user, job):
        raise ApiError(404, f"no print-map job {pk} of yours")
    return job


def _recent(request: HttpRequest) -> list[Job]:
    mine = None if sees_every_job(request.user) else request.user
    return map_jobs.recent_jobs(RECENT_JOBS, requested_by=mine)


def recent_jobs_json(request: HttpRequest) -> list[dict]:
    """The latest jobs the user may see, as GET /api/v1/map-jobs lists them (and the print page shows them)."""
    return jobs_json(_recent(request))


@api_view("GET", "POST")
def map_jobs_view(request: HttpRequest):
    _allowed(request)
    if request.method == "GET":
        return json_response({"jobs": recent_jobs_json(request)})
    try:
        body = only(json_body(request), MAP_REQUEST_FIELDS)
        wrong = [key for key, value in body.items() if value is not None and not isinstance(value, str)]
        if wrong:
            raise ApiError(400, f'\'{wrong[0]}\' must be text, e.g. "unit": "231004"', field=wrong[0])
        job = map_jobs.request_map(body, request.user)
    except MapRequestError as error:
        raise ApiError(400, str(error)) from None
    response = json_response(job_json(job), status=202)
    response["Location"] = reverse("map-job", args=[job.pk])
    return response


@api_view("GET")
def map_job_view(request: HttpRequest, pk: int):
    _allowed(request)
    return json_response(job_json(_job(request, pk)))


@api_view("POST")
def map_job_cancel_view(request: HttpRequest, pk: int):
    _allowed(request)
    job = _job(request, pk)
    if not jobs.cancel(job):
        raise ApiError(409, f"job {pk} is {job.status}; only a queued job can be cancelled")
    job.refresh_from_db()
    return json_response(job_json(job))


@api_view("GET")
def map_job_file_view(request: HttpRequest, pk: int):
    _allowed(request)
    job = _job(request, pk)
    path = map_jobs.result_file(job)
    if path is None:
        if job.status == Job.Status.SUCCEEDED:
            raise ApiError(410, f"the file of job {pk} is no longer on the server; render the map again")
        raise ApiError(409, f"job {pk} is {job.status}; there is no file to download")
    fmt = path.suffix.lstrip(".")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[fmt])
