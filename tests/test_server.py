"""The production server: scripts/serve.sh runs gunicorn with WhiteNoise, DEBUG off, one server per var/."""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.live_server import PROJECT_DIR, YEAR, gunicorn_masters, http_get

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(server):
    status, headers, body = http_get(server.port, "/healthz")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "database": "ok"}
    assert "no-cache" in headers.get("Cache-Control", "") or "max-age=0" in headers.get("Cache-Control", "")


def test_server_is_gunicorn_with_its_pid_file_in_mdj_var_dir(server):
    _, headers, _ = http_get(server.port, "/healthz")
    assert "WSGIServer" not in headers.get("Server", "")
    assert "gunicorn" in headers.get("Server", "").lower()
    pidfile = server.var_dir / "gunicorn.pid"
    assert pidfile.is_file(), "serve.sh should keep its pid file in MDJ_VAR_DIR"
    master = int(pidfile.read_text())
    assert gunicorn_masters(server.port) == [master]
    assert _parent_of(master) == server.process.pid  # serve.sh looks after gunicorn and the job worker


def _parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_the_job_worker_runs_beside_the_server(server):
    pidfile = server.var_dir / "worker.pid"
    assert pidfile.is_file(), "serve.sh should start the job worker and keep its pid file in MDJ_VAR_DIR"
    worker = int(pidfile.read_text())
    command = Path(f"/proc/{worker}/cmdline").read_bytes().split(b"\0")
    assert b"run_worker" in command
    assert _parent_of(worker) == server.process.pid


def test_versioned_static_file_is_served_with_a_long_cache_header(server, static_manifest):
    hashed = static_manifest["vendor/ol/ol.js"]
    assert hashed != "vendor/ol/ol.js"
    status, headers, body = http_get(server.port, f"/static/{hashed}")
    assert status == 200
    assert body == (Path(settings.STATIC_ROOT) / hashed).read_bytes()
    assert "javascript" in headers.get("Content-Type", "")
    cache = headers.get("Cache-Control", "")
    max_age = re.search(r"max-age=(\d+)", cache)
    assert max_age and int(max_age.group(1)) >= YEAR, cache
    assert "immutable" in cache


def test_static_file_is_served_compressed_when_asked(server, static_manifest):
    hashed = static_manifest["vendor/ol/ol.js"]
    status, headers, body = http_get(server.port, f"/static/{hashed}", headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert len(body) < (Path(settings.STATIC_ROOT) / hashed).stat().st_size


def test_unversioned_static_name_is_served_too(server):
    status, _, body = http_get(server.port, "/static/vendor/ol/ol.js")
    assert status == 200
    assert body == (Path(settings.STATIC_ROOT) / "vendor/ol/ol.js").read_bytes()


def test_unknown_page_is_a_plain_404_without_the_debug_page(server):
    status, _, body = http_get(server.port, f"/no-such-page-{uuid.uuid4().hex}")
    assert status == 404
    text = body.decode(errors="replace")
    assert "DEBUG = True" not in text
    assert "URLconf" not in text
    assert "Traceback" not in text
    assert "config.urls" not in text


def test_unknown_host_is_refused(server):
    status, _, body = http_get(server.port, "/healthz", headers={"Host": "evil.example"})
    assert status == 400
    assert b"DisallowedHost" not in body


@pytest.mark.parametrize("script", ["serve.sh", "run.sh"])
def test_second_start_says_already_serving_and_starts_nothing(server, script):
    started = time.monotonic()
    result = subprocess.run(
        [str(PROJECT_DIR / "scripts" / script)],
        cwd=PROJECT_DIR,
        env=server.env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert time.monotonic() - started < 10
    assert "Already serving" in result.stdout
    master = int((server.var_dir / "gunicorn.pid").read_text())
    assert f"pid {master}" in result.stdout
    assert f":{server.port}" in result.stdout
    assert "Installing" not in result.stdout + result.stderr  # run.sh did not go on to the set-up
    assert gunicorn_masters(server.port) == [master]
    assert int((server.var_dir / "worker.pid").read_text()) != master
    assert server.process.poll() is None
    status, _, body = http_get(server.port, "/healthz")
    assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
