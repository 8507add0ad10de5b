"""The background job queue: PostgreSQL only (core.models.Job), no Redis, no broker.

``enqueue`` adds a job and NOTIFYs the workers; a worker (``manage.py run_worker``, started by
scripts/serve.sh beside the web server) LISTENs, claims the oldest due queued job with
``SELECT ... FOR UPDATE SKIP LOCKED`` and runs its handler, named by kind in settings.JOB_HANDLERS (or
registered with a periodic task). A handler is ``handler(job, progress) -> dict``; ``progress(percent,
message)`` is written at once (outside any transaction) so that a page can watch it. A queued job can be
cancelled; a running job whose worker stops reporting for JOB_STALE_AFTER_SECONDS is taken from it (the
stale-worker rule). Tests run jobs inline with ``run_pending()``.

Retries. A kind declares its attempts and back-off on its handler, ``@retry(attempts=3, backoff=60)``
(undeclared: one attempt). An attempt that raises, or whose worker goes silent, is recorded in
``attempt_errors`` and the job goes back to the queue, not claimed before ``run_after`` (back-off ×
factor^(n-1) after the n-th failure); the last failure is final, its error in ``error``. A JobError says
the job cannot be done as asked: final at once. A stopped worker's attempt does not count. The outcome of
an attempt that the stale-worker rule already took away is dropped (and logged): the rule's word stands.

Periodic tasks. Apps declare them from AppConfig.ready() with ``register_periodic`` (this module imports
no app). On each pass the worker queues the current period's run of every task as an ordinary job whose
``period`` names it; a unique constraint on (kind, period) lets one insert through, so a task runs at most
once per period however many workers there are, and its run is recorded, retried and cancellable like any
job. No cron. A period that passed with no worker running is not made up: the tasks catch up by what they
do (apply every decision due up to today, prune every file older than N days).

Why not django-tasks (the backport of Django 6's tasks, 0.12, with its database backend django-tasks-db
0.13; both install from PyPI here, support Django 5.2 and run on psycopg2): its task results have no
progress, no cancel and no heartbeat (a task whose worker died stays "running" for ever), and it has
neither retries with back-off nor periodic tasks. Those are what this queue needs; grafting them on would
mean a second table beside its own. Its worker also polls, where this one wakes on NOTIFY. So the queue stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import select
import socket
import threading
import traceback
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import timedelta

import psycopg2
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import Error as DatabaseError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from core.models import Job

log = logging.getLogger(__name__)

CHANNEL = "mdj_jobs"
WORKER_APPLICATION_NAME = "mdj-job-worker"
ONE_RUN_PER_PERIOD = "job_one_run_per_period"  # the constraint's name (core.models.Job)
Progress = Callable[[int, str], None]
Handler = Callable[[Job, Progress], dict]


class JobError(Exception):
    """A handler's failure whose message is meant for the person who asked (no traceback needed).
    Final: the job cannot be done as asked, so it is not retried."""


class UnknownJobKind(ValueError):
    pass


class WorkerStopped(BaseException):  # a signal, like KeyboardInterrupt, not an error
    """Raised in the worker by SIGTERM/SIGINT: the job being run goes back to the queue, unharmed."""


# ---- kinds and their retries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Retry:
    """How often a kind is tried: ``attempts`` in all; after the n-th failure it waits
    ``backoff`` × ``factor`` ** (n - 1)."""

    attempts: int = 1
    backoff: timedelta = timedelta(seconds=60)
    factor: float = 2.0

    def __post_init__(self):
        if self.attempts < 1 or self.backoff < timedelta(0) or self.factor < 1:
            raise ValueError(f"attempts >= 1, backoff >= 0 and factor >= 1, not {self}")

    def delay(self, failed_attempt: int) -> timedelta:
        return self.backoff * self.factor ** max(failed_attempt - 1, 0)


ONCE = Retry()
_KINDS: dict[str, str] = {}  # kinds registered by the apps (periodic tasks), beside settings.JOB_HANDLERS


def retry(attempts: int, backoff: float | timedelta, factor: float = 2.0) -> Callable[[Handler], Handler]:
    """Declare a kind's retries on its handler: ``@retry(attempts=3, backoff=60)`` (seconds or a timedelta)."""
    policy = Retry(attempts, backoff if isinstance(backoff, timedelta) else timedelta(seconds=backoff), factor)

    def declare(handler: Handler) -> Handler:
        handler.job_retry = policy
        return handler

    return declare


def handler_for(kind: str) -> Handler:
    path = settings.JOB_HANDLERS.get(kind) or _KINDS.get(kind)
    if path is None:
        known = ", ".join(sorted({*settings.JOB_HANDLERS, *_KINDS}))
        raise UnknownJobKind(f"no handler for jobs of kind {kind!r}; known: {known}")
    return import_string(path)


def retry_policy(kind: str) -> Retry:
    try:
        return getattr(handler_for(kind), "job_retry", ONCE)
    except UnknownJobKind:
        return ONCE


# ---- queueing, claiming, running ------------------------------------------------------------------------


def enqueue(kind: str, params: dict, *, user=None, label: str = "") -> Job:
    handler = handler_for(kind)  # refuse an unknown kind now, not in the worker
    job = Job.objects.create(
        kind=kind,
        params=params,
        requested_by=user if user is not None and user.is_authenticated else None,
        requested_label=label or (user.get_username() if user is not None and user.is_authenticated else "system"),
        message="排队中",
        max_attempts=getattr(handler, "job_retry", ONCE).attempts,
    )
    transaction.on_commit(_notify)
    return job


def _notify() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify(%s, '')", [CHANNEL])


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(worker: str | None = None, *, kinds: Collection[str] | None = None) -> Job | None:
    """The oldest queued job that is due (its retry's back-off over), now marked running by this worker
    as its next attempt; None when there is none. ``kinds`` limits it to those kinds."""
    now = timezone.now()
    with transaction.atomic():
        due = Job.objects.select_for_update(skip_locked=True).filter(
            Q(run_after__isnull=True) | Q(run_after__lte=now), status=Job.Status.QUEUED
        )
        if kinds is not None:
            due = due.filter(kind__in=list(kinds))
        job = due.order_by("created_at", "id").first()
        if job is None:
            return None
        job.status, job.started_at, job.heartbeat_at, job.run_after = Job.Status.RUNNING, now, now, None
        job.attempts += 1
        job.worker = worker or worker_name()
        job.message = "开始" if job.attempts == 1 else f"开始第 {job.attempts} 次尝试（共 {job.max_attempts} 次）"
        job.save(update_fields=["status", "started_at", "heartbeat_at", "run_after", "attempts", "worker", "message"])
        return job


def _this_attempt(job: Job):
    """The job's row while this attempt still holds it (the stale-worker rule may have taken it away)."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts, worker=job.worker)


def _progress_writer(job: Job) -> Progress:
    def progress(percent: int, message: str) -> None:
        percent = max(job.progress, min(100, int(percent)))  # never goes backwards
        job.progress, job.message = percent, message[:200]
        _this_attempt(job).update(progress=percent, message=job.message, heartbeat_at=timezone.now())

    return progress


def run(job: Job) -> Job:
    """Run a claimed job's attempt to its end; the job row says how it went (done, failed, or queued
    again for its next attempt). Never raises for the handler's errors."""
    try:
        result = handler_for(job.kind)(job, _progress_writer(job))
    except WorkerStopped:
        _this_attempt(job).update(
            status=Job.Status.QUEUED,
            progress=0,
            message="排队中（工作进程已停止，将重新运行）",
            started_at=None,
            attempts=F("attempts") - 1,  # an interrupted attempt is not a failed one
        )
        raise
    except JobError as error:
        _attempt_failed(job, str(error), final=True)
    except Exception as error:  # a failed attempt is recorded, and the worker goes on
        log.exception("job %s (%s) attempt %s failed", job.pk, job.kind, job.attempts)
        summary = "".join(traceback.format_exception_only(error)).strip()
        _attempt_failed(job, f"internal error: {summary}")
    else:
        _finish(job, Job.Status.SUCCEEDED, result=result or {})
    return job


def _save_attempt(job: Job, fields: list[str]) -> None:
    if not _this_attempt(job).update(**{name: getattr(job, name) for name in fields}):
        log.warning(
            "job %s: attempt %s was taken from worker %s (stale); its outcome is dropped",
            *(job.pk, job.attempts, job.worker),
        )


def _attempt_failed(job: Job, error: str, *, final: bool = False) -> None:
    """Record the failed attempt; queue the job again after its back-off, or fail it for good."""
    now = timezone.now()
    entry = {"attempt": job.attempts, "error": error, "worker": job.worker, "at": now.isoformat()}
    job.attempt_errors = [*job.attempt_errors, entry]
    if final or job.attempts >= job.max_attempts:
        _finish(job, Job.Status.FAILED, error=error)
        return
    delay = retry_policy(job.kind).delay(job.attempts)
    job.status, job.run_after, job.started_at, job.progress = Job.Status.QUEUED, now + delay, None, 0
    job.message = f"第 {job.attempts} 次尝试失败，{delay.total_seconds():.0f} 秒后重试（共 {job.max_attempts} 次）"
    _save_attempt(job, ["status", "run_after", "started_at", "progress", "message", "attempt_errors"])


def _finish(job: Job, status: str, *, result: dict | None = None, error: str = "") -> None:
    now = timezone.now()
    job.status, job.finished_at, job.heartbeat_at, job.error = status, now, now, error
    job.result = result or {}
    job.message = "完成" if status == Job.Status.SUCCEEDED else "失败"
    if status == Job.Status.SUCCEEDED:
        job.progress = 100
    fields = ["status", "finished_at", "heartbeat_at", "error", "result", "message", "progress", "attempt_errors"]
    _save_attempt(job, fields)


def run_pending(limit: int | None = None, *, kinds: Collection[str] | None = None) -> int:
    """Claim and run due jobs until none is left (or ``limit`` attempts ran); how many attempts ran."""
    done = 0
    while limit is None or done < limit:
        job = claim(kinds=kinds)
        if job is None:
            break
        run(job)
        done += 1
    return done


def fail_stale() -> int:
    """The stale-worker rule: a running job whose worker has not reported for JOB_STALE_AFTER_SECONDS
    has failed that attempt, with the reason; it is queued again if attempts remain. How many."""
    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    error = f"the worker stopped reporting for over {settings.JOB_STALE_AFTER_SECONDS} s (stopped or crashed)"
    with transaction.atomic():
        stale = list(
            Job.objects.select_for_update(skip_locked=True).filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff)
        )
        for job in stale:
            _attempt_failed(job, error)
    return len(stale)


def cancel(job: Job) -> bool:
    """Cancel a job that has not started (or waits for its next attempt); False when it is running or finished."""
    return bool(
        Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
            status=Job.Status.CANCELLED, finished_at=timezone.now(), message="已取消"
        )
    )


# ---- periodic tasks -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Daily:
    """Once a day in the bureau's time zone, due from ``at``: a period runs from one day's ``at`` to the next."""

    at: dt.time | str = dt.time(0, 0)  # or "HH:MM"

    def __post_init__(self):
        if isinstance(self.at, str):
            object.__setattr__(self, "at", dt.time.fromisoformat(self.at))

    def period(self, now: dt.datetime) -> str:
        local = timezone.localtime(now)
        day = local.date() if local.time() >= self.at else local.date() - timedelta(days=1)
        return day.isoformat()

    def __str__(self) -> str:
        return f"daily at {self.at:%H:%M}"


@dataclass(frozen=True)
class PeriodicTask:
    kind: str  # also the kind of its runs' jobs
    handler: str  # dotted path of a handler(job, progress) -> dict
    schedule: Daily
    params: dict = field(default_factory=dict)


_PERIODIC: dict[str, PeriodicTask] = {}


def register_periodic(kind: str, handler: str, schedule: Daily, *, params: dict | None = None) -> PeriodicTask:
    """Declare a task that the worker runs once per period (call it from AppConfig.ready())."""
    if settings.JOB_HANDLERS.get(kind, handler) != handler:
        raise ImproperlyConfigured(f"periodic task {kind!r}: settings.JOB_HANDLERS names another handler")
    task = PeriodicTask(kind, handler, schedule, dict(params or {}))
    _PERIODIC[kind] = task
    _KINDS[kind] = handler
    return task


def periodic_tasks() -> dict[str, PeriodicTask]:
    return dict(_PERIODIC)


def schedule_due(now: dt.datetime | None = None, *, seen: dict[str, str] | None = None) -> list[Job]:
    """Queue the current period's run of each periodic task that has none yet; the runs this call
    queued. ``seen`` (kind -> period) is a worker's memory of the periods already queued, so that it does
    not ask the database about each task on every pass."""
    now = now or timezone.now()
    queued = []
    for task in list(_PERIODIC.values()):
        period = task.schedule.period(now)
        if seen is not None and seen.get(task.kind) == period:
            continue
        job = _queue_run(task, period)
        if job is not None:
            queued.append(job)
        if seen is not None:
            seen[task.kind] = period
    return queued


def _queue_run(task: PeriodicTask, period: str) -> Job | None:
    """The period's run, queued by this call; None when some worker already queued it."""
    if Job.objects.filter(kind=task.kind, period=period).exists():
        return None
    try:
        with transaction.atomic():
            return Job.objects.create(
                kind=task.kind,
                params=task.params,
                period=period,
                requested_label=f"schedule ({task.schedule})",
                message="排队中",
                max_attempts=retry_policy(task.kind).attempts,
            )
    except IntegrityError as error:  # another worker's insert came first (it waited for that one to commit)
        if getattr(getattr(error.__cause__, "diag", None), "constraint_name", None) != ONE_RUN_PER_PERIOD:
            raise
        return None


# ---- the worker loop ------------------------------------------------------------------------------------


def work(stop: threading.Event, poll_seconds: float | None = None, *, periodic: bool = True) -> None:
    """The worker loop: queue the periodic tasks that are due, run what is queued, then wait for a NOTIFY
    (or the poll interval), until ``stop``."""
    poll = settings.JOB_POLL_SECONDS if poll_seconds is None else poll_seconds
    listening = False
    seen: dict[str, str] = {}
    while not stop.is_set():
        try:
            if not listening:
                with connection.cursor() as cursor:
                    cursor.execute(f"LISTEN {CHANNEL}")
                listening = True
            fail_stale()
            if periodic:
                schedule_due(seen=seen)
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
            seen.clear()
            stop.wait(max(poll, 1.0))
