"""The print page as a cartographer uses it (headless Chromium against the production server and its job
worker): log in, pick the unit, paper and date, watch the job, download the map."""

from __future__ import annotations

import shutil

import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Role
from accounts.services import create_officer
from core.jobs import WORKER_APPLICATION_NAME
from core.models import Job
from tests.live_server import PROJECT_DIR

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PASSWORD = "print-page-test-password"


@pytest.fixture(scope="module")
def cartographer(django_db_blocker, server):
    """A committed account (module scope: outside the tests' transactions), so that the server sees it;
    removed with its jobs and files afterwards."""
    with django_db_blocker.unblock():
        user, _ = create_officer("browser_cartographer", role=Role.CARTOGRAPHER, password=PASSWORD)
    yield user
    with django_db_blocker.unblock():
        for job in Job.objects.filter(requested_by=user):
            shutil.rmtree(server.media_root / settings.MAP_OUTPUT_DIR / str(job.pk), ignore_errors=True)
            job.delete()
        user.delete()


def log_in(page, next_path: str) -> None:
    page.goto(page.origin + next_path)
    assert "/admin/login/" in page.url  # the page asks who you are first
    page.fill("#id_username", "browser_cartographer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(page.origin + next_path)


def end_worker_sessions() -> int:
    """As a database restart would: the worker must connect again by itself."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [WORKER_APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


def test_a_cartographer_orders_a_map_watches_it_and_downloads_it(page, cartographer, tmp_path):
    assert end_worker_sessions() == 1
    log_in(page, "/maps/print")
    page.select_option("#print-unit", "231004")
    page.select_option("#print-paper", "A4")
    page.select_option("#print-orientation", "landscape")
    page.fill("#print-at", "2025-06-30")
    statuses: list[str] = []
    page.on(
        "response",
        lambda response: "/api/v1/map-jobs/" in response.url and statuses.append(response.json()["status"]),
    )
    page.click("#print-submit")
    row = page.locator("#print-jobs tbody tr").first
    link = row.locator("a.job-download")
    link.wait_for(timeout=60_000)  # the server's worker draws the map
    assert row.get_attribute("data-status") == "succeeded"
    assert "已完成" in row.inner_text()
    assert "爱民区" in row.inner_text()
    assert "2025-06-30" in row.inner_text()
    assert "比例尺 1:" in row.inner_text()
    assert "注意：图中行政区域界线为现行界线" in row.inner_text()  # a map of a past day says what it shows
    assert statuses and statuses[-1] == "succeeded"  # the page polled the job until it ended
    page.screenshot(path=str(PROJECT_DIR / "var" / "screenshot-print.png"))

    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "231004_A4_landscape_2025-06-30.pdf"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    job = Job.objects.get(requested_by=cartographer)
    assert job.status == Job.Status.SUCCEEDED
    assert job.params == {"unit": "231004", "paper": "A4", "orientation": "landscape", "at": "2025-06-30",
                          "format": "pdf"}  # fmt: skip
    assert job.worker  # run by the worker beside the server, not inline


def test_a_map_that_cannot_be_made_is_explained_on_the_page(page, cartographer):
    log_in(page, "/maps/print")
    rows = page.locator("#print-jobs tbody tr").count()
    jobs = Job.objects.filter(kind="render_map").count()
    page.evaluate("document.getElementById('print-unit').add(new Option('999999 无此政区', '999999', true, true))")
    page.click("#print-submit")
    error = page.locator("#print-error")
    error.wait_for()
    assert "no city or county-level unit 999999" in error.inner_text()
    assert page.locator("#print-jobs tbody tr").count() == rows
    assert Job.objects.filter(kind="render_map").count() == jobs
    # the browser logs the refused request itself; that one is expected, any other error is not
    page.errors.remove("Failed to load resource: the server responded with a status of 400 (Bad Request)")


def test_the_plans_set_is_ordered_in_one_go(page, cartographer):
    log_in(page, "/maps/print")
    maps = Job.objects.filter(kind="render_map")  # the worker's periodic runs are jobs too
    before = set(maps.values_list("id", flat=True))
    page.select_option("#print-paper", "A4")
    page.click("#print-set")
    page.wait_for_function(
        "() => window.printPage.jobs().filter(job => job.status === 'succeeded').length >= 11 + " + str(len(before)),
        timeout=180_000,
    )
    ordered = maps.exclude(id__in=before)
    assert sorted(job.params["unit"] for job in ordered) == sorted(
        ["231000", "231002", "231003", "231004", "231005", "231025", "231081", "231083", "231084", "231085", "231086"]
    )
    assert {job.status for job in ordered} == {Job.Status.SUCCEEDED}
    assert page.locator("#print-jobs a.job-download").count() >= 11
