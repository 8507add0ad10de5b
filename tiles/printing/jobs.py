"""Print maps as background jobs: asking for one (the print page, the API) and the worker's handler.

The file of job N is MEDIA_ROOT/maps/N/<unit>_<paper>_<orientation>[_<day>].<format>; the job's result
is the renderer's report plus ``file`` (relative to MEDIA_ROOT) and ``bytes``."""

from __future__ import annotations

import shutil
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.utils import timezone

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from core import jobs
from core.models import Job
from tiles.printing.papers import Orientation
from tiles.printing.service import MapRequest, MapRequestError, best_orientation, render_map

KIND = "render_map"
AUTO = "auto"


def map_request(params: dict) -> MapRequest:
    """A checked request from a form or JSON; orientation ``auto`` picks the one with the larger scale."""
    params = dict(params)
    if str(params.get("orientation") or AUTO) == AUTO:
        probe = MapRequest.from_params({**params, "orientation": Orientation.LANDSCAPE})
        params["orientation"] = best_orientation(probe.unit_code, probe.paper.name, probe.day)
    return MapRequest.from_params(params)


def request_map(params: dict, user) -> Job:
    """Queue a print map; MapRequestError (with the reason) when it cannot be made as asked."""
    return jobs.enqueue(KIND, map_request(params).params(), user=user)


def output_path(job: Job, request: MapRequest) -> Path:
    return Path(settings.MEDIA_ROOT) / settings.MAP_OUTPUT_DIR / str(job.pk) / request.file_name()


def result_file(job: Job) -> Path | None:
    """The finished map of a job, when it succeeded and the file is still there."""
    if job.kind != KIND or job.status != Job.Status.SUCCEEDED or not job.result.get("file"):
        return None
    path = Path(settings.MEDIA_ROOT) / job.result["file"]
    return path if path.is_file() else None


def run_render_map(job: Job, progress: jobs.Progress) -> dict:
    """The worker's handler for ``render_map`` jobs."""
    try:
        request = MapRequest.from_params(job.params)
    except MapRequestError as error:  # e.g. the unit lost its polygon since the job was queued
        raise jobs.JobError(str(error)) from None
    output = output_path(job, request)
    report = render_map(request, output, progress)
    report["file"] = str(output.relative_to(settings.MEDIA_ROOT))
    report["bytes"] = output.stat().st_size
    report["output"] = output.name  # the server's paths are not the requester's business
    return report


def zip_name() -> str:
    """The name of a set of maps downloaded as one zip: 牡丹江市地图-2026-12-03.zip (the territory's
    name today, the day of the download)."""
    city = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE).values_list("name", flat=True).first()
    return f"{city or settings.TERRITORY_CODE}地图-{timezone.localdate().isoformat()}.zip"


def write_zip(files: list[tuple[Job, Path]], target: BinaryIO) -> None:
    """Finished maps into one zip, read from disk a piece at a time; each keeps the name it downloads
    with alone (the same map made twice: the second gets _job<N>). PDF and PNG are compressed already
    and go in as they are; SVG is deflated."""
    taken: set[str] = set()
    with zipfile.ZipFile(target, "w") as zipped:
        for job, path in files:
            name = path.name if path.name not in taken else f"{path.stem}_job{job.pk}{path.suffix}"
            taken.add(name)
            method = zipfile.ZIP_DEFLATED if path.suffix == ".svg" else zipfile.ZIP_STORED
            zipped.write(path, name, compress_type=method)


def recent_jobs(count: int, *, requested_by=None) -> list[Job]:
    """The latest print-map jobs; only one person's when ``requested_by`` is given."""
    jobs_ = Job.objects.filter(kind=KIND)
    if requested_by is not None:
        jobs_ = jobs_.filter(requested_by=requested_by)
    return list(jobs_.order_by("-created_at", "-id")[:count])


def unit_names(jobs_: list[Job]) -> dict[str, str]:
    """code -> today's name of the units these jobs draw, in one query (the report gives the name as
    of the map's day)."""
    codes = {job.params.get("unit", "") for job in jobs_}
    return dict(AdminUnit.objects.current().filter(code__in=codes).values_list("code", "name"))


def plan_units() -> list:
    """The plan's set of maps: the city, then its county-level units and urban districts, by code."""
    city = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE).exclude(geom__isnull=True).first()
    if city is None:
        return []
    children = (
        AdminUnit.objects.current().filter(parent=city, tier=Tier.COUNTY).exclude(geom__isnull=True).order_by("code")
    )
    return [city, *children]


def prune_files(older_than_days: int, *, dry_run: bool = False) -> list[Job]:
    """Remove the files of map jobs finished more than ``older_than_days`` ago (a map can always be
    made again); the jobs stay, as the record of who asked for what, and say when the file went."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    pruned = []
    for job in Job.objects.filter(kind=KIND, status=Job.Status.SUCCEEDED, finished_at__lt=cutoff).order_by("id"):
        path = result_file(job)
        if path is None:
            continue
        pruned.append(job)
        if not dry_run:
            shutil.rmtree(path.parent, ignore_errors=True)
            job.result["file_removed_at"] = timezone.now().isoformat()
            job.save(update_fields=["result"])
    return pruned
