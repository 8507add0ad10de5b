"""Retries of the job queue (core.jobs): a kind declares its attempts and back-off on its handler; a
failed attempt is queued again after the back-off, each attempt's error is kept, the last failure is
final; a JobError is final at once, a stopped worker's attempt does not count, and the stale-worker rule
counts as a failed attempt."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import jobs
from core.models import Job

pytestmark = pytest.mark.django_db

calls: list[int] = []


@jobs.retry(attempts=3, backoff=30)
def flaky_handler(job, progress):
    """Fails until its attempt number reaches ``succeed_on`` (never when absent)."""
    calls.append(job.attempts)
    progress(40, "半途")
    if job.attempts < job.params.get("succeed_on", 99):
        raise ConnectionError(f"the network went away on attempt {job.attempts}")
    return {"attempt": job.attempts}


@jobs.retry(attempts=3, backoff=30)
def refusing_handler(job, progress):
    calls.append(job.attempts)
    raise jobs.JobError("the unit has no polygon on that day")


@jobs.retry(attempts=2, backoff=0)
def stopping_handler(job, progress):
    calls.append(job.attempts)
    raise jobs.WorkerStopped


@jobs.retry(attempts=2, backoff=0)
def instant_retry_handler(job, progress):
    calls.append(job.attempts)
    if job.attempts == 1:
        raise ValueError("first time unlucky")
    return {}


@pytest.fixture(autouse=True)
def handlers(settings):
    settings.JOB_HANDLERS = {
        **settings.JOB_HANDLERS,
        "flaky": "tests.test_job_retries.flaky_handler",
        "refuse": "tests.test_job_retries.refusing_handler",
        "stop": "tests.test_job_retries.stopping_handler",
        "instant": "tests.test_job_retries.instant_retry_handler",
        "plain": "tests.test_print_jobs.recording_handler",
    }
    calls.clear()


def let_the_backoff_pass(job: Job) -> None:
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(seconds=1))


def test_the_kind_declares_its_attempts_and_an_undeclared_kind_has_one():
    assert jobs.retry_policy("flaky") == jobs.Retry(3, timedelta(seconds=30), 2.0)
    assert jobs.retry_policy("plain") == jobs.ONCE
    assert [jobs.retry_policy("flaky").delay(n) for n in (1, 2)] == [timedelta(seconds=30), timedelta(seconds=60)]
    assert jobs.enqueue("flaky", {}).max_attempts == 3
    assert jobs.enqueue("plain", {}).max_attempts == 1
    with pytest.raises(ValueError, match="attempts >= 1"):
        jobs.retry(attempts=0, backoff=1)


def test_a_job_failing_twice_then_succeeding_ends_done_with_three_attempts():
    job = jobs.enqueue("flaky", {"succeed_on": 3})
    for attempt in (1, 2):
        before = timezone.now()
        assert jobs.run_pending() == 1
        job.refresh_from_db()
        assert (job.status, job.attempts, job.progress, job.error) == (Job.Status.QUEUED, attempt, 0, "")
        backoff = timedelta(seconds=30 * 2 ** (attempt - 1))
        assert before + backoff <= job.run_after <= timezone.now() + backoff
        assert "重试" in job.message
        assert jobs.run_pending() == 0  # not before its back-off has passed
        let_the_backoff_pass(job)
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.progress, job.message) == (Job.Status.SUCCEEDED, 3, 100, "完成")
    assert job.result == {"attempt": 3} and job.error == ""
    assert [(e["attempt"], e["error"]) for e in job.attempt_errors] == [
        (1, "internal error: ConnectionError: the network went away on attempt 1"),
        (2, "internal error: ConnectionError: the network went away on attempt 2"),
    ]
    assert all(e["worker"] and e["at"] for e in job.attempt_errors)
    assert calls == [1, 2, 3]


def test_a_job_failing_three_times_with_three_attempts_ends_failed():
    job = jobs.enqueue("flaky", {})
    for _ in range(3):
        let_the_backoff_pass(job)
        assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.message) == (Job.Status.FAILED, 3, "失败")
    assert job.error == "internal error: ConnectionError: the network went away on attempt 3"
    assert [e["attempt"] for e in job.attempt_errors] == [1, 2, 3]
    assert job.finished_at is not None and job.progress == 40
    let_the_backoff_pass(job)
    assert jobs.run_pending() == 0  # final
    assert calls == [1, 2, 3]


def test_a_zero_backoff_retries_at_once():
    job = jobs.enqueue("instant", {})
    assert jobs.run_pending() == 2
    job.refresh_from_db()
    assert (job.status, job.attempts, len(job.attempt_errors)) == (Job.Status.SUCCEEDED, 2, 1)


def test_a_job_error_is_final_at_once():
    job = jobs.enqueue("refuse", {})
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == (Job.Status.FAILED, 1, "the unit has no polygon on that day")
    assert [e["error"] for e in job.attempt_errors] == ["the unit has no polygon on that day"]


def test_a_stopped_workers_attempt_does_not_count():
    job = jobs.enqueue("stop", {})
    with pytest.raises(jobs.WorkerStopped):
        jobs.run_pending()
    job.refresh_from_db()
    assert (job.status, job.attempts, job.attempt_errors) == (Job.Status.QUEUED, 0, [])


def test_a_job_waiting_for_its_next_attempt_can_be_cancelled():
    job = jobs.enqueue("flaky", {})
    jobs.run_pending()
    assert jobs.cancel(job)
    let_the_backoff_pass(job)
    assert jobs.run_pending() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_a_silent_worker_costs_an_attempt_and_its_late_outcome_is_dropped(settings):
    settings.JOB_STALE_AFTER_SECONDS = 60
    job = jobs.enqueue("flaky", {"succeed_on": 1})
    claimed = jobs.claim("worker-a")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert jobs.fail_stale() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.QUEUED, 1)
    assert "stopped reporting" in job.attempt_errors[0]["error"] and job.attempt_errors[0]["worker"] == "worker-a"

    jobs.run(claimed)  # worker-a wakes up and finishes: the rule's word stands
    job.refresh_from_db()
    assert (job.status, job.progress, job.result) == (Job.Status.QUEUED, 0, {})

    let_the_backoff_pass(job)
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts, job.result) == (Job.Status.SUCCEEDED, 2, {"attempt": 2})


def test_the_stale_rule_fails_the_last_attempt_for_good(settings):
    settings.JOB_STALE_AFTER_SECONDS = 60
    job = jobs.enqueue("flaky", {})
    Job.objects.filter(pk=job.pk).update(attempts=2)
    jobs.claim("worker-b")
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert jobs.fail_stale() == 1
    job.refresh_from_db()
    assert (job.status, job.attempts) == (Job.Status.FAILED, 3)
    assert "stopped reporting" in job.error
