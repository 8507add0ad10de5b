"""The job queue (core.jobs) and the print-map jobs, commands and page (tiles.printing.jobs, tiles.print_views).

The maps themselves are checked in test_printing.py; here: queueing, running inline, progress, failure,
cancelling, a stopped worker, the API's permissions and errors, the download, and the commands."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Role
from accounts.services import create_officer
from core import jobs
from core.models import Job
from tiles.printing import jobs as map_jobs

pytestmark = pytest.mark.django_db

CITY = "231000"
DONGAN = "231002"
PLAN = {"231000", "231002", "231003", "231004", "231005", "231025", "231081", "231083", "231084", "231085", "231086"}
seen_progress: list[tuple[int, str, int]] = []


def recording_handler(job, progress):
    """A test handler: reports progress and reads back what the queue stored of it."""
    for percent, message in [(10, "一"), (60, "二"), (40, "倒退"), (90, "三")]:
        progress(percent, message)
        seen_progress.append((percent, message, Job.objects.get(pk=job.pk).progress))
    return {"echo": job.params}


def failing_handler(job, progress):
    progress(30, "半途")
    if job.params.get("clear"):
        raise jobs.JobError("the unit has no polygon on that day")
    raise ZeroDivisionError("division by zero")


def stopping_handler(job, progress):
    progress(50, "画到一半")
    raise jobs.WorkerStopped


@pytest.fixture
def test_handlers(settings):
    settings.JOB_HANDLERS = {
        **settings.JOB_HANDLERS,
        "record": "tests.test_print_jobs.recording_handler",
        "fail": "tests.test_print_jobs.failing_handler",
        "stop": "tests.test_print_jobs.stopping_handler",
    }
    seen_progress.clear()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def cartographer():
    user, key = create_officer("cartographer_one", role=Role.CARTOGRAPHER, with_token=True)
    return user, {"HTTP_AUTHORIZATION": f"Token {key}"}


def test_a_job_runs_inline_with_its_progress_written_as_it_goes(test_handlers):
    job = jobs.enqueue("record", {"a": 1}, label="tests")
    assert (job.status, job.progress, job.requested_label) == (Job.Status.QUEUED, 0, "tests")
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED
    assert job.result == {"echo": {"a": 1}}
    assert (job.progress, job.message) == (100, "完成")
    assert job.started_at <= job.finished_at
    # each report was stored before the handler went on, and progress never went backwards
    assert seen_progress == [(10, "一", 10), (60, "二", 60), (40, "倒退", 60), (90, "三", 90)]
    assert jobs.run_pending() == 0


def test_jobs_run_oldest_first_and_a_claimed_job_is_not_claimed_again(test_handlers):
    first = jobs.enqueue("record", {"n": 1})
    second = jobs.enqueue("record", {"n": 2})
    with CaptureQueriesContext(connection) as queries:
        claimed = jobs.claim("worker-a")
    assert claimed.pk == first.pk
    assert any("FOR UPDATE SKIP LOCKED" in query["sql"] for query in queries.captured_queries)
    assert jobs.claim("worker-b").pk == second.pk
    assert jobs.claim("worker-c") is None
    first.refresh_from_db()
    assert (first.status, first.worker) == (Job.Status.RUNNING, "worker-a")


def test_an_unknown_kind_is_refused_when_queued():
    with pytest.raises(jobs.UnknownJobKind, match="no handler for jobs of kind 'nope'"):
        jobs.enqueue("nope", {})
    assert not Job.objects.filter(kind="nope").exists()


def test_a_failing_job_is_recorded_and_the_queue_goes_on(test_handlers):
    clear = jobs.enqueue("fail", {"clear": True})
    crash = jobs.enqueue("fail", {})
    after = jobs.enqueue("record", {})
    assert jobs.run_pending() == 3
    for job in (clear, crash, after):
        job.refresh_from_db()
    assert (clear.status, clear.error, clear.progress) == (Job.Status.FAILED, "the unit has no polygon on that day", 30)
    assert crash.status == Job.Status.FAILED
    assert crash.error == "internal error: ZeroDivisionError: division by zero"
    assert after.status == Job.Status.SUCCEEDED


def test_a_stopped_worker_puts_its_job_back_in_the_queue(test_handlers):
    job = jobs.enqueue("stop", {})
    with pytest.raises(jobs.WorkerStopped):
        jobs.run_pending()
    job.refresh_from_db()
    assert (job.status, job.progress, job.started_at) == (Job.Status.QUEUED, 0, None)
    assert "重新运行" in job.message


def test_a_running_job_whose_worker_went_silent_is_failed(test_handlers, settings):
    settings.JOB_STALE_AFTER_SECONDS = 60
    silent = jobs.enqueue("record", {})
    alive = jobs.enqueue("record", {})
    jobs.claim()
    jobs.claim()
    Job.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert jobs.fail_stale() == 1
    silent.refresh_from_db()
    alive.refresh_from_db()
    assert silent.status == Job.Status.FAILED and "stopped reporting" in silent.error
    assert alive.status == Job.Status.RUNNING


def test_only_a_queued_job_can_be_cancelled(test_handlers):
    queued = jobs.enqueue("record", {})
    running = jobs.enqueue("record", {})
    assert jobs.cancel(queued)
    jobs.claim()
    assert not jobs.cancel(running)
    queued.refresh_from_db()
    assert queued.status == Job.Status.CANCELLED
    assert jobs.run_pending() == 0  # the cancelled job is never run


def test_run_worker_once_runs_what_is_queued(test_handlers, capsys):
    jobs.enqueue("record", {})
    jobs.enqueue("record", {})
    call_command("run_worker", "--once")
    assert "2 job(s) run" in capsys.readouterr().out
    assert set(Job.objects.filter(kind="record").values_list("status", flat=True)) == {Job.Status.SUCCEEDED}


# ---- print maps through the API --------------------------------------------------------------------


def post_job(client: Client, headers: dict, body) -> tuple[int, dict]:
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post("/api/v1/map-jobs", data, content_type="application/json", **headers)
    return response.status_code, response.json()


def test_a_cartographer_queues_a_map_watches_it_and_downloads_the_pdf(cartographer, media):
    user, headers = cartographer
    client = Client()
    status, body = post_job(client, headers, {"unit": DONGAN, "paper": "A4", "orientation": "auto"})
    assert status == 202, body
    assert body["status"] == "queued" and body["download"] is None
    assert body["unit_name"] == "东安区" and body["cancel"] == f"/api/v1/map-jobs/{body['id']}/cancel"
    assert body["params"] == {"unit": DONGAN, "paper": "A4", "orientation": "portrait", "at": None, "format": "pdf"}
    job = Job.objects.get(pk=body["id"])
    assert job.requested_by == user

    assert jobs.run_pending() == 1
    watched = client.get(body["url"], **headers).json()
    assert (watched["status"], watched["progress"], watched["error"]) == ("succeeded", 100, None)
    assert watched["cancel"] is None
    report = watched["report"]
    assert report["unit"]["name"] == "东安区"
    assert report["scale"]["fraction"].startswith("1:")
    assert report["labels"]["missing"] == []
    assert report["output"] == f"{DONGAN}_A4_portrait.pdf"
    assert "/" not in report["output"] and str(media) not in json.dumps(watched)  # no server paths

    download = client.get(watched["download"], **headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert f'filename="{DONGAN}_A4_portrait.pdf"' in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert data.startswith(b"%PDF") and len(data) == report["bytes"]

    listed = client.get("/api/v1/map-jobs", **headers).json()["jobs"]
    assert listed[0]["id"] == body["id"]


def test_an_svg_job_downloads_as_svg(cartographer, media):
    _, headers = cartographer
    client = Client()
    status, body = post_job(client, headers, {"unit": "231004", "paper": "A4", "format": "svg"})
    assert status == 202
    jobs.run_pending()
    watched = client.get(body["url"], **headers).json()
    download = client.get(watched["download"], **headers)
    assert download["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(download.streaming_content)[:500]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"unit": "999999", "paper": "A3"}, "no city or county-level unit 999999"),
        ({"unit": "231084102", "paper": "A3"}, "no city or county-level unit 231084102"),
        ({"unit": CITY, "paper": "A5"}, "paper must be one of A0, A1, A2, A3, A4"),
        ({"unit": CITY, "orientation": "sideways"}, "orientation must be one of auto, portrait, landscape"),
        ({"unit": CITY, "format": "tiff"}, "format must be one of pdf, png, svg"),
        ({"unit": CITY, "at": "2024-13-45"}, "'at' must be a date YYYY-MM-DD"),
        ('{"unit": ', "malformed JSON"),
    ],
)
def test_a_map_that_cannot_be_made_is_refused_with_the_reason_and_nothing_is_queued(cartographer, body, message):
    _, headers = cartographer
    before = Job.objects.count()
    status, answer = post_job(Client(), headers, body)
    assert status == 400
    assert message in answer["error"]["message"]
    assert Job.objects.count() == before


def test_only_the_bureau_staff_make_maps(accounts):
    client = Client()
    assert client.post("/api/v1/map-jobs", "{}", content_type="application/json").status_code == 401
    assert client.get("/api/v1/map-jobs").status_code == 401
    plain = get_user_model().objects.create_user("plain_member")
    client.force_login(plain)
    status, answer = post_job(client, {}, {"unit": CITY})
    assert status == 403 and "bureau's staff" in answer["error"]["message"]
    for role in (Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR, Role.CARTOGRAPHER):
        plain.groups.set([Group.objects.get_or_create(name=role)[0]])
        fresh = get_user_model().objects.get(pk=plain.pk)  # roles are cached on the user object
        client.force_login(fresh)
        assert client.get("/api/v1/map-jobs").status_code == 200, role


def test_a_session_user_needs_the_csrf_token(cartographer):
    user, _ = cartographer
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/map-jobs", json.dumps({"unit": CITY}), content_type="application/json")
    assert response.status_code == 403
    assert not Job.objects.filter(kind=map_jobs.KIND).exists()


def test_job_endpoints_answer_unknown_unfinished_and_cancelled_jobs(cartographer, media):
    _, headers = cartographer
    client = Client()
    assert client.get("/api/v1/map-jobs/987654", **headers).status_code == 404
    _, body = post_job(client, headers, {"unit": CITY, "paper": "A4"})
    response = client.get(f"/api/v1/map-jobs/{body['id']}/file", **headers)
    assert response.status_code == 409 and "queued" in response.json()["error"]["message"]
    cancelled = client.post(f"/api/v1/map-jobs/{body['id']}/cancel", **headers)
    assert (cancelled.status_code, cancelled.json()["status"]) == (200, "cancelled")
    again = client.post(f"/api/v1/map-jobs/{body['id']}/cancel", **headers)
    assert again.status_code == 409
    assert jobs.run_pending() == 0


def test_a_vanished_file_is_gone_not_a_crash(cartographer, media):
    _, headers = cartographer
    client = Client()
    _, body = post_job(client, headers, {"unit": "231005", "paper": "A4"})
    jobs.run_pending()
    job = Job.objects.get(pk=body["id"])
    (Path(media) / job.result["file"]).unlink()
    response = client.get(f"/api/v1/map-jobs/{job.pk}/file", **headers)
    assert response.status_code == 410
    assert client.get(body["url"], **headers).json()["download"] is None


# ---- a set of maps as one zip --------------------------------------------------------------------------

ZIP = "/api/v1/map-jobs/files.zip"


def finished_job(user, unit: str, content: bytes, *, suffix: str = "pdf", status=Job.Status.SUCCEEDED) -> Job:
    """A job as the worker leaves it, with its file written (the maps themselves: test_printing.py)."""
    job = Job.objects.create(
        kind=map_jobs.KIND,
        params={"unit": unit, "paper": "A4", "orientation": "portrait", "at": None, "format": suffix},
        status=status,
        requested_by=user,
        requested_label=user.username,
    )
    relative = f"{settings.MAP_OUTPUT_DIR}/{job.pk}/{unit}_A4_portrait.{suffix}"
    if status == Job.Status.SUCCEEDED:
        path = Path(settings.MEDIA_ROOT) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        job.result = {"file": relative, "bytes": len(content), "output": path.name}
        job.save(update_fields=["result"])
    return job


def zip_of(response) -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_a_set_of_finished_maps_downloads_as_one_zip(cartographer, media):
    user, headers = cartographer
    client = Client()
    _, body = post_job(client, headers, {"unit": DONGAN, "paper": "A4", "orientation": "portrait"})
    jobs.run_pending()
    rendered = Job.objects.get(pk=body["id"])
    drawn = finished_job(user, "231004", b"<svg xmlns='http://www.w3.org/2000/svg'/>", suffix="svg")

    response = client.get(f"{ZIP}?ids={rendered.pk},{drawn.pk}", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/zip"
    day = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''" + quote(f"牡丹江市地图-{day}.zip")
    zipped = zip_of(response)
    assert zipped.namelist() == [f"{DONGAN}_A4_portrait.pdf", "231004_A4_portrait.svg"]
    assert zipped.read(f"{DONGAN}_A4_portrait.pdf") == (Path(media) / rendered.result["file"]).read_bytes()
    assert zipped.read("231004_A4_portrait.svg").startswith(b"<svg")
    assert zipped.testzip() is None

    repeated = client.get(ZIP, {"ids": [str(drawn.pk), str(rendered.pk), str(drawn.pk)]}, **headers)
    assert repeated.status_code == 200
    assert zip_of(repeated).namelist() == ["231004_A4_portrait.svg", f"{DONGAN}_A4_portrait.pdf"]  # once each


def test_the_same_map_twice_keeps_both_files(cartographer, media):
    user, headers = cartographer
    first = finished_job(user, "231004", b"%PDF-1 first")
    second = finished_job(user, "231004", b"%PDF-1 second")
    zipped = zip_of(Client().get(f"{ZIP}?ids={first.pk},{second.pk}", **headers))
    assert zipped.namelist() == ["231004_A4_portrait.pdf", f"231004_A4_portrait_job{second.pk}.pdf"]
    assert zipped.read(f"231004_A4_portrait_job{second.pk}.pdf") == b"%PDF-1 second"


def test_the_zip_holds_only_the_users_own_finished_maps(media):
    ningan, ningan_key = create_officer("zip_officer_ningan", role=Role.OFFICER, counties=["231084"], with_token=True)
    hailin, _ = create_officer("zip_officer_hailin", role=Role.OFFICER, counties=["231083"], with_token=True)
    _, carto_key = create_officer("zip_cartographer", role=Role.CARTOGRAPHER, with_token=True)
    mine = finished_job(ningan, "231084", b"%PDF-1 ningan")
    theirs = finished_job(hailin, "231083", b"%PDF-1 hailin")
    queued = finished_job(ningan, "231004", b"", status=Job.Status.QUEUED)
    client = Client()

    def get(key, ids):
        return client.get(f"{ZIP}?ids={ids}", HTTP_AUTHORIZATION=f"Token {key}")

    assert get(ningan_key, mine.pk).status_code == 200
    refused = get(ningan_key, f"{mine.pk},{theirs.pk}")  # another officer's job: as unknown as a missing one
    assert refused.status_code == 404 and f"no print-map job {theirs.pk} of yours" in refused.json()["error"]["message"]
    assert get(ningan_key, 987654).status_code == 404
    unfinished = get(ningan_key, f"{mine.pk},{queued.pk}")
    assert unfinished.status_code == 409 and "only finished maps" in unfinished.json()["error"]["message"]
    (Path(media) / mine.result["file"]).unlink()
    assert get(ningan_key, mine.pk).status_code == 410
    # a cartographer sees every job (tiles.permissions.sees_every_job)
    assert zip_of(get(carto_key, theirs.pk)).namelist() == ["231083_A4_portrait.pdf"]
    assert Client().get(f"{ZIP}?ids={theirs.pk}").status_code == 401
    plain = get_user_model().objects.create_user("zip_plain_member")
    client.force_login(plain)
    assert client.get(f"{ZIP}?ids={theirs.pk}").status_code == 403


@pytest.mark.parametrize(
    "ids", ["", ",", "abc", "1;2", "-1", "0", "1.5", "9" * 19, "1,x", "１", ",".join(str(n) for n in range(1, 52))]
)
def test_bad_job_numbers_for_the_zip_are_a_400_naming_ids(cartographer, ids):
    _, headers = cartographer
    response = Client().get(ZIP, {"ids": ids}, **headers)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error.get("parameter") == "ids" or "ids" in error["message"]


def test_the_zip_needs_ids(cartographer):
    _, headers = cartographer
    response = Client().get(ZIP, **headers)
    assert response.status_code == 400 and "ids" in json.dumps(response.json())


# ---- the page -----------------------------------------------------------------------------------------


def test_the_print_page_sends_visitors_to_log_in_and_offers_staff_the_plan_units(cartographer):
    anonymous = Client().get("/maps/print")
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/?next=/maps/print")
    user, _ = cartographer
    client = Client()
    client.force_login(user)
    page = client.get("/maps/print")
    assert page.status_code == 200
    html = page.content.decode()
    offered = {unit.code for unit in map_jobs.plan_units()}
    assert offered == PLAN
    for code in PLAN:
        assert f'<option value="{code}">' in html
    for paper in ("A0", "A1", "A2", "A3", "A4"):
        assert f'<option value="{paper}"' in html
    assert 'href="/maps/print"' in html  # the staff's navigation links the page
    assert 'id="print-zip"' in html and "全部下载" in html and "Download all (zip)" in html


def test_a_member_without_a_role_may_not_open_the_print_page(db):
    client = Client()
    client.force_login(get_user_model().objects.create_user("visitor_account"))
    response = client.get("/maps/print")
    assert response.status_code == 403
    assert "制图仅限" in response.content.decode()


# ---- the commands ---------------------------------------------------------------------------------


def test_render_map_command_writes_the_file_and_its_report(tmp_path, capsys):
    output, report = tmp_path / "dongning.png", tmp_path / "report.json"
    call_command("render_map", "231086", "--paper", "A4", "--landscape", "-o", str(output), "--report", str(report))
    assert output.read_bytes().startswith(b"\x89PNG")
    written = json.loads(report.read_text())
    assert written["unit"]["name"] == "东宁市"
    assert (written["paper"]["orientation"], written["format"]) == ("landscape", "png")
    assert "东宁市 (231086) A4 landscape" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["999999", "-o", "x.pdf"], "no city or county-level unit 999999"),
        ([CITY, "-o", "x.doc"], "cannot tell the format of x.doc"),
        ([CITY, "--at", "yesterday", "-o", "x.pdf"], "'at' must be a date"),
    ],
)
def test_render_map_command_refuses_bad_input_clearly(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_map", *[str(tmp_path / a) if a.startswith("x.") else a for a in args])


def test_make_maps_renders_the_plan_set_into_one_folder(tmp_path, capsys):
    folder = tmp_path / "maps"
    call_command("render_plan_maps", "--output", str(folder), "--paper", "A4")
    pdfs = sorted(folder.glob("*.pdf"))
    assert len(pdfs) == 11
    assert {pdf.name.split("_")[0] for pdf in pdfs} == PLAN
    assert all(pdf.read_bytes().startswith(b"%PDF") for pdf in pdfs)
    report = json.loads((folder / "report.json").read_text())
    assert {entry["unit"]["code"] for entry in report["maps"]} == PLAN
    assert all(entry["render_seconds"] > 0 for entry in report["maps"])
    captured = capsys.readouterr()
    assert "11/11" in captured.err  # the progress bar
    assert "11 maps in" in captured.out


def test_old_map_files_are_pruned_and_their_jobs_kept(cartographer, media, capsys):
    _, headers = cartographer
    client = Client()
    _, old = post_job(client, headers, {"unit": "231004", "paper": "A4"})
    _, recent = post_job(client, headers, {"unit": "231005", "paper": "A4"})
    jobs.run_pending()
    Job.objects.filter(pk=old["id"]).update(finished_at=timezone.now() - timedelta(days=31))

    call_command("prune_map_files", "--older-than", "30", "--dry-run")
    assert "1 file(s) would remove" in capsys.readouterr().out
    assert client.get(old["url"], **headers).json()["download"] is not None

    call_command("prune_map_files", "--older-than", "30")
    assert f"removed the file of job {old['id']}" in capsys.readouterr().out
    gone = Job.objects.get(pk=old["id"])
    assert gone.status == Job.Status.SUCCEEDED and "file_removed_at" in gone.result
    assert client.get(f"{old['url']}/file", **headers).status_code == 410
    assert client.get(f"{recent['url']}/file", **headers).status_code == 200
