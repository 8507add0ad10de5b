"""The print-map jobs' API (declared on ``router``; config.api mounts it under /api/v1/), which the print
page (web.views.print_page, /maps/print) calls: a cartographer picks the unit, paper and date, watches the
job, downloads.

POST /api/v1/map-jobs               {"unit", "paper", "orientation", "at", "format"} -> 202 the queued job
GET  /api/v1/map-jobs               the latest print-map jobs
GET  /api/v1/map-jobs/<id>          one job: status, progress, message, report, download link
POST /api/v1/map-jobs/<id>/cancel   cancel a job that has not started
GET  /api/v1/map-jobs/<id>/file     the finished map (PDF, PNG or SVG)
GET  /api/v1/map-jobs/files.zip?ids=1,2,3   finished maps as one zip (ids comma-separated or repeated)
"""

import pathlib
import tempfile
from typing import Annotated

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Path, Query, Router
from pydantic import Field

from core import jobs
from core.api import ApiError
from core.http import json_response
from core.models import Job
from core.restapi import FILE, Answer, Day, Json, OneOf, StrictSchema, Text, endpoint
from tiles.permissions import may_handle_job, may_make_maps, sees_every_job
from tiles.printing import jobs as map_jobs
from tiles.printing.exports import CONTENT_TYPES, FORMATS
from tiles.printing.papers import PAPER_SIZES_MM, Orientation
from tiles.printing.service import MapRequestError

router = Router()
MAPS = "maps"

RECENT_JOBS = 30
MAX_ZIP_JOBS = 50
JobNumber = Annotated[int, Path(description="Job number", examples=[1])]
STAFF = {"tag": MAPS, "login": True}  # any of the bureau's staff (tiles.permissions), authenticated as officers are


class MapRequest(StrictSchema):
    unit: Text(12, min_length=1, description="Code of the city or a county-level unit", examples=["231000"])
    paper: OneOf(PAPER_SIZES_MM, "Default A3") = "A3"
    orientation: OneOf(
        [map_jobs.AUTO, *(o.value for o in Orientation)], "auto (default): the one with the larger scale"
    ) = map_jobs.AUTO
    at: Annotated[Day | None, Field(description="Draw the divisions as they stood on this day; default today")] = None
    format: OneOf(FORMATS, "Default pdf (vector, CJK fonts embedded)") = "pdf"


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


def _finished_file(job: Job) -> pathlib.Path:
    """The finished map of a job, or 409 while it is not finished and 410 once its file was cleared."""
    path = map_jobs.result_file(job)
    if path is None:
        if job.status == Job.Status.SUCCEEDED:
            raise ApiError(410, f"the file of job {job.pk} is no longer on the server; render the map again")
        raise ApiError(409, f"job {job.pk} is {job.status}; only finished maps can be downloaded")
    return path


def _recent(request: HttpRequest) -> list[Job]:
    mine = None if sees_every_job(request.user) else request.user
    return map_jobs.recent_jobs(RECENT_JOBS, requested_by=mine)


def recent_jobs_json(request: HttpRequest) -> list[dict]:
    """The latest jobs the user may see, as GET /api/v1/map-jobs lists them (and the print page shows them)."""
    return jobs_json(_recent(request))


@endpoint(
    router,
    "GET",
    "/map-jobs",
    operation_id="listMapJobs",
    summary="The latest print-map jobs",
    answers=Answer("Jobs", "MapJobs"),
    errors=("401", "403"),
    url_name="map-jobs",
    **STAFF,
)
def map_jobs_view(request: HttpRequest):
    _allowed(request)
    return json_response({"jobs": recent_jobs_json(request)})


@endpoint(
    router,
    "POST",
    "/map-jobs",
    operation_id="requestMap",
    summary="Queue a print map of the city or a county-level unit",
    answers=Answer("The queued job (Location header); poll it until it ends", "MapJob", status="202"),
    errors=("400", "401", "403", "413", "415"),
    url_name="map-jobs-post",
    **STAFF,
)
def map_request_view(request: HttpRequest, body: Json[MapRequest]):
    _allowed(request)
    params = body.model_dump()
    params["at"] = body.at.isoformat() if body.at else None
    try:
        job = map_jobs.request_map(params, request.user)
    except MapRequestError as error:
        raise ApiError(400, str(error)) from None
    response = json_response(job_json(job), status=202)
    response["Location"] = reverse("map-job", args=[job.pk])
    return response


def _job_numbers(values: list[str]) -> list[int]:
    """``ids=1,2,3`` or ``ids=1&ids=2``: the job numbers, each once, in the order given."""
    numbers: list[int] = []
    for part in (p.strip() for value in values for p in value.split(",")):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or len(part) > 18 or int(part) < 1:
            shown = part if len(part) <= 20 else part[:20] + "…"
            raise ApiError(400, f"'ids' must be job numbers separated by commas, not {shown!r}", parameter="ids")
        if int(part) not in numbers:
            numbers.append(int(part))
    if not numbers:
        raise ApiError(400, "'ids' names no job: give the numbers of finished jobs, e.g. ids=1,2,3", parameter="ids")
    if len(numbers) > MAX_ZIP_JOBS:
        raise ApiError(400, f"'ids' names {len(numbers)} jobs; at most {MAX_ZIP_JOBS} in one zip", parameter="ids")
    return numbers


@endpoint(
    router,
    "GET",
    "/map-jobs/files.zip",
    operation_id="downloadMaps",
    summary="Finished maps as one zip",
    answers=Answer(
        "The maps (one file each, named as they download one by one) as a zip attachment",
        FILE,
        "application/zip",
        headers=(("Content-Disposition", "attachment; filename*=UTF-8''牡丹江市地图-<day>.zip"),),
    ),
    errors=("400", "401", "403", "404", "409", "410"),
    description=(
        "Every job named must be one the user may see (their own; a cartographer's or administrator's, "
        "anyone's), else 404 as for a missing job, and finished with its file still on the server, else "
        f"409 (not finished) or 410 (file cleared away). At most {MAX_ZIP_JOBS} jobs."
    ),
    url_name="map-jobs-zip",
    **STAFF,
)
def map_jobs_zip_view(
    request: HttpRequest,
    # Plain text items: _job_numbers reads and bounds each (naming `ids`); NUL is refused before any view.
    ids: list[str] = Query(
        ..., description="Job numbers, comma-separated (ids=1,2,3) or repeated (ids=1&ids=2)", examples=["1,2,3"]
    ),
):
    _allowed(request)
    files = []
    for pk in _job_numbers(ids):
        job = _job(request, pk)
        files.append((job, _finished_file(job)))
    # Built in a temporary file, a map at a time; the file goes when the response closes it.
    archive = tempfile.TemporaryFile(prefix="maps-", suffix=".zip")  # noqa: SIM115 (the response closes it)
    try:
        map_jobs.write_zip(files, archive)
    except BaseException:
        archive.close()
        raise
    archive.seek(0)
    return FileResponse(archive, as_attachment=True, filename=map_jobs.zip_name(), content_type="application/zip")


@endpoint(
    router,
    "GET",
    "/map-jobs/{pk}",
    operation_id="getMapJob",
    summary="A job: status, progress, report",
    answers=Answer("The job", "MapJob"),
    errors=("401", "403", "404"),
    url_name="map-job",
    **STAFF,
)
def map_job_view(request: HttpRequest, pk: JobNumber):
    _allowed(request)
    return json_response(job_json(_job(request, pk)))


@endpoint(
    router,
    "POST",
    "/map-jobs/{pk}/cancel",
    operation_id="cancelMapJob",
    summary="Cancel a job that has not started",
    answers=Answer("The job", "MapJob"),
    errors=("401", "403", "404", "409"),
    url_name="map-job-cancel",
    **STAFF,
)
def map_job_cancel_view(request: HttpRequest, pk: JobNumber):
    _allowed(request)
    job = _job(request, pk)
    if not jobs.cancel(job):
        raise ApiError(409, f"job {pk} is {job.status}; only a queued job can be cancelled")
    job.refresh_from_db()
    return json_response(job_json(job))


@endpoint(
    router,
    "GET",
    "/map-jobs/{pk}/file",
    operation_id="downloadMap",
    summary="The finished map",
    answers=Answer("The map as an attachment", FILE, tuple(CONTENT_TYPES[f] for f in FORMATS)),
    errors=("401", "403", "404", "409", "410"),
    url_name="map-job-file",
    **STAFF,
)
def map_job_file_view(request: HttpRequest, pk: JobNumber):
    _allowed(request)
    path = _finished_file(_job(request, pk))
    fmt = path.suffix.lstrip(".")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type=CONTENT_TYPES[fmt])
