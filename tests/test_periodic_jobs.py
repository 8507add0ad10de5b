"""Periodic tasks run by the job worker itself (core.jobs; no cron): the apps' registry, the daily
period, at most one run per period however many workers race for it (the database decides), and the
runs recorded, retried and reported like any job."""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from core import jobs
from core.models import Job

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
runs: list[int] = []
runs_lock = threading.Lock()


def counting_handler(job, progress):
    with runs_lock:
        runs.append(job.pk)
    time.sleep(0.3)  # long enough for the other worker to try too
    return {"period": job.period}


@jobs.retry(attempts=2, backoff=0)
def failing_handler(job, progress):
    raise RuntimeError("the disk is full")


@pytest.fixture
def registry(monkeypatch):
    """A registry of the test's own tasks only; the apps' registry comes back afterwards."""
    monkeypatch.setattr(jobs, "_PERIODIC", {})
    monkeypatch.setattr(jobs, "_KINDS", dict(jobs._KINDS))
    runs.clear()

    def register(handler: str = "tests.test_periodic_jobs.counting_handler", at: str = "00:00") -> str:
        kind = f"test_periodic_{uuid.uuid4().hex[:10]}"
        jobs.register_periodic(kind, handler, jobs.Daily(at))
        return kind

    return register


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_the_registry_has_both_daily_tasks_of_the_apps():
    tasks = jobs.periodic_tasks()
    assert {"apply_due_decisions", "prune_map_files"} <= set(tasks)
    for kind in ("apply_due_decisions", "prune_map_files"):
        assert isinstance(tasks[kind].schedule, jobs.Daily)
        assert callable(jobs.handler_for(kind))  # the kind is known to the queue without settings
        assert jobs.retry_policy(kind).attempts > 1
    assert tasks["apply_due_decisions"].schedule.at == dt.time(0, 5)


def test_a_daily_period_runs_from_one_days_time_to_the_next():
    daily = jobs.Daily("00:05")
    assert daily.period(local(2026, 11, 28, 0, 4)) == "2026-11-27"
    assert daily.period(local(2026, 11, 28, 0, 5)) == "2026-11-28"
    assert daily.period(local(2026, 11, 28, 23, 59)) == "2026-11-28"
    # the bureau's day, whatever the clock's zone: 2026-11-27 20:00 UTC is 04:00 on the 28th in Shanghai
    assert daily.period(dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)) == "2026-11-28"
    assert str(daily) == "daily at 00:05"


def test_two_workers_in_turn_run_a_due_task_once_per_period(registry):
    kind = registry()
    now = local(2026, 11, 28, 9, 0)
    first, second = {}, {}  # each worker's memory of the periods it has queued
    [queued] = jobs.schedule_due(now, seen=first)
    assert (queued.kind, queued.period, queued.requested_label) == (kind, "2026-11-28", "schedule (daily at 00:00)")
    assert jobs.schedule_due(now, seen=second) == []
    assert jobs.schedule_due(now, seen={}) == []
    assert jobs.run_pending(kinds=[kind]) == 1
    assert jobs.schedule_due(now + dt.timedelta(hours=10), seen=second) == []  # the same day
    assert jobs.run_pending(kinds=[kind]) == 0
    assert runs == [queued.pk]
    queued.refresh_from_db()
    assert (queued.status, queued.result) == (Job.Status.SUCCEEDED, {"period": "2026-11-28"})

    [tomorrow] = jobs.schedule_due(now + dt.timedelta(days=1), seen=second)
    assert tomorrow.period == "2026-11-29"


def test_a_failed_run_is_retried_in_its_period_and_then_waits_for_the_next(registry):
    kind = registry("tests.test_periodic_jobs.failing_handler")
    now = local(2026, 11, 28, 9, 0)
    [run] = jobs.schedule_due(now)
    assert run.max_attempts == 2
    assert jobs.run_pending(kinds=[kind]) == 2
    run.refresh_from_db()
    assert (run.status, run.attempts, len(run.attempt_errors)) == (Job.Status.FAILED, 2, 2)
    assert jobs.schedule_due(now) == []
    assert len(jobs.schedule_due(now + dt.timedelta(days=1))) == 1


def _worker_pass(kind: str, now: dt.datetime, start: threading.Barrier, errors: list) -> None:
    """One pass of a worker in its own thread, so on its own database session (committed, as in life)."""
    try:
        start.wait(timeout=10)
        jobs.schedule_due(now, seen={})
        jobs.run_pending(kinds=[kind])
    except Exception as error:  # reported to the test
        errors.append(error)
    finally:
        connection.close()


def _delete_committed(kind: str) -> None:
    def delete():
        try:
            Job.objects.filter(kind=kind).delete()
        finally:
            connection.close()

    thread = threading.Thread(target=delete)
    thread.start()
    thread.join()


def test_two_workers_racing_for_a_due_task_run_it_once(registry):
    kind = registry()
    now = timezone.now()
    start, errors = threading.Barrier(2), []
    workers = [threading.Thread(target=_worker_pass, args=(kind, now, start, errors)) for _ in range(2)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
        assert errors == []
        # the workers committed; this test's own session reads what they left
        rows = list(Job.objects.filter(kind=kind))
        assert len(rows) == 1
        assert (rows[0].status, rows[0].attempts, rows[0].period) == (
            Job.Status.SUCCEEDED,
            1,
            jobs.Daily().period(now),
        )
        assert runs == [rows[0].pk]
    finally:
        _delete_committed(kind)


def test_the_worker_loop_queues_and_runs_a_due_task_once(registry):
    kind = registry()
    stop = threading.Event()
    timer = threading.Timer(0.8, stop.set)
    timer.start()
    jobs.work(stop, poll_seconds=0.05)  # many passes in 0.8 s
    timer.join()
    [run] = Job.objects.filter(kind=kind)
    assert run.status == Job.Status.SUCCEEDED
    assert runs == [run.pk]


def test_the_apps_tasks_run_as_recorded_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    kinds = ["apply_due_decisions", "prune_map_files"]
    far = local(2099, 1, 1, 12, 0)  # a period no committed run of the test database has
    queued = [job for job in jobs.schedule_due(far) if job.kind in kinds]
    assert sorted(job.kind for job in queued) == kinds
    assert jobs.run_pending(kinds=kinds) == 2
    done = {job.kind: job for job in Job.objects.filter(kind__in=kinds, period="2099-01-01")}
    assert {job.status for job in done.values()} == {Job.Status.SUCCEEDED}
    assert done["apply_due_decisions"].requested_label == "schedule (daily at 00:05)"
    assert set(done["apply_due_decisions"].result) == {"applied", "count"}
    assert done["prune_map_files"].result == {"older_than_days": 30, "removed": []}


def test_a_worker_that_loses_the_insert_race_queues_nothing(registry, monkeypatch):
    """Both workers found no run and both insert: the unique (kind, period) constraint lets one through."""
    kind = registry()
    now = local(2026, 11, 28, 9, 0)
    [first] = jobs.schedule_due(now)
    with monkeypatch.context() as patch:
        patch.setattr("django.db.models.query.QuerySet.exists", lambda self: False)  # it looked too early
        assert jobs.schedule_due(now) == []
    assert list(Job.objects.filter(kind=kind).values_list("pk", flat=True)) == [first.pk]
