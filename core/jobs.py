"""The background job queue: PostgreSQL only (core.models.Job), no Redis, no broker.

``enqueue`` adds a job and NOTIFYs the workers; a worker (``manage.py run_worker``, started by
scripts/serve.sh beside the web server) LISTENs, claims the oldest queued job with
``SELECT ... FOR UPDATE SKIP LOCKED`` and runs its handler, named by kind in settings.JOB_HANDLERS.
A handler is ``handler(job, progress) -> dict``; ``progress(percent, message)`` is written at once
(outside any transaction) so that a page can watch it. Tests run jobs inline with ``run_pending()``.
"""

from __future__ import annotations

import logging
import os
import select
import socket
import threading
import traceback
from collections.abc import Callable
from datetime import timedelta

import psycopg2
from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Job

log = logging.getLogger(__name__)

CHANNEL = "mdj_jobs"
WORKER_APPLICATION_NAME = "mdj-job-worker"
Progress = Callable[[int, str], None]


class JobError(Exception):
    """A handler's failure whose message is meant for the person who asked (no traceback needed)."""


class UnknownJobKind(ValueError):
    pass


class WorkerStopped(BaseException):  # a signal, like KeyboardInterrupt, not an error
    """Raised in the worker by SIGTERM/SIGINT: the job being run goes back to the queue, unharmed."""


def handler_for(kind: str) -> Callable[[Job, Progress], dict]:
    path = settings.JOB_HANDLERS.get(kind)
    if path is None:
        raise UnknownJobKind(f"no handler for jobs of kind {kind!r}; known: {', '.join(sorted(settings.JOB_HANDLERS))}")
    return import_string(path)


def enqueue(kind: str, params: dict, *, user=None, label: str = "") -> Job:
    handler_for(kind)  # refuse an unknown kind now, not in the worker
    job = Job.objects.create(
        kind=kind,
        params=params,
        requested_by=user if user is not None and user.is_authenticated else None,
        requested_label=label or (user.get_username() if user is not None and user.is_authenticated else "system"),
        message="排队中",
    )
    transaction.on_commit(_notify)
    return job


def _notify() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str | None = None) -> Job | None:
    """The oldest queued job, now marked running by this worker; None when the queue is empty."""
    with transaction.atomic():
        job = (
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.QUEUED)
            .order_by("created_at", "id")
            .first()
        )
        if job is None:
            return None
        now = timezone.now()
        job.status, job.started_at, job.heartbeat_at = Job.Status.RUNNING, now, now
        job.worker, job.message = worker or worker_name(), "开始"
        job.save(update_fields=["status", "started_at", "heartbeat_at", "worker", "message"])
        return job


def _progress_writer(job: Job) -> Progress:
    def progress(percent: int, message: str) -> None:
        percent = max(job.progress, min(100, int(percent)))  # never goes backwards
        job.progress, job.message = percent, message[:200]
        Job.objects.filter(pk=job.pk).update(progress=percent, message=job.message, heartbeat_at=timezone.now())

    return progress


def run(job: Job) -> Job:
    """Run a claimed job to its end; the job row says how it went. Never raises for the handler's errors."""
    try:
        result = handler_for(job.kind)(job, _progress_writer(job))
    except WorkerStopped:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.QUEUED, progress=0, message="排队中（工作进程已停止，将重新运行）", started_at=None
        )
        raise
    except JobError as error:
        _finish(job, Job.Status.FAILED, error=str(error))
    except Exception as error:  # a failed job is recorded, and the worker goes on
        log.exception("job %s (%s) failed", job.pk, job.kind)
        summary = "".join(traceback.format_exception_only(error)).strip()
        _finish(job, Job.Status.FAILED, error=f"internal error: {summary}")
    else:
        _finish(job, Job.Status.SUCCEEDED, result=result or {})
    return job


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    job.status, job.finished_at, job.heartbeat_at, job.error = status, now, now, error
    job.result = result or {}
    job.message = "完成" if status == Job.Status.SUCCEEDED else "失败"
    if status == Job.Status.SUCCEEDED:
        job.progress = 100
    job.save(update_fields=["status", "finished_at", "heartbeat_at", "error", "result", "message", "progress"])


def run_pending(limit: int | None = None) -> int:
    """Claim and run queued jobs until none is left (or ``limit`` ran); how many ran."""
    done = 0
    while limit is None or done < limit:
        job = claim()
        if job is None:
            break
        run(job)
        done += 1
    return done


def fail_stale() -> int:
    """Running jobs whose worker has not reported for JOB_STALE_AFTER_SECONDS: failed, with the reason."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    return Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
        status=Job.Status.FAILED,
        finished_at=timezone.now(),
        message="失败",
        error=f"the worker stopped reporting for over {settings.JOB_STALE_AFTER_SECONDS} s (stopped or crashed)",
    )


def cancel(job: Job) -> bool:
    """Cancel a job that has not started; False when it is already running or finished."""
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now(), message="已取消"
        )
    )


def work(stop: threading.Event, poll_seconds: float | None = None) -> None:
    """The worker loop: run what is queued, then wait for a NOTIFY (or the poll interval), until ``stop``."""
    poll = settings.JOB_POLL_SECONDS if poll_seconds is None else poll_seconds
    listening = False
    while not stop.is_set():
        try:
            if not listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                listening = True
            fail_stale()
            while not stop.is_set() and run_pending(limit=1):
                pass
            raw = connection.connection
            if select.select([raw], [], [], poll) != ([], [], []):
                raw.poll()
                raw.notifies.clear()
        except WorkerStopped:
            return
        except (DatabaseError, psycopg2.Error):  # the server restarted, or ended this session: connect again
            log.warning("database connection lost; the worker retries in %.0f s", max(poll, 1.0))
            connection.close()
            listening = False
            stop.wait(max(poll, 1.0))
