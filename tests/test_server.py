"""The production server: scripts/serve.sh runs gunicorn with WhiteNoise, DEBUG off, one server per var/."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from gunicorn.ctl.client import ControlClient

from tests.live_server import (
    CLEARED,
    PROJECT_DIR,
    PYTHON,
    YEAR,
    _database_url,
    _free_port,
    gunicorn_masters,
    http_get,
)

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


# ---- gunicorn's configuration: config/gunicorn.conf.py; workers recycled and capped ------------------------

GUNICORN_CONFIG = PROJECT_DIR / "config" / "gunicorn.conf.py"


def _config_module(env: dict[str, str]):
    """config/gunicorn.conf.py as gunicorn reads it, under ``env``."""
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)
    try:
        spec = importlib.util.spec_from_file_location("mdj_gunicorn_conf", GUNICORN_CONFIG)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _control(var_dir: Path, command: str) -> dict:
    """A command to the running master through its control socket (gunicornc), e.g. 'show config'."""
    with ControlClient(str(var_dir / "gunicorn.ctl"), timeout=10) as client:
        return client.send_command(command)


def _workers(master: int) -> set[int]:
    return {int(entry.name) for entry in Path("/proc").iterdir() if entry.name.isdigit() and _ppid(entry) == master}


def _ppid(entry: Path) -> int | None:
    try:
        return int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def _address_space_limit(pid: int) -> int | None:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max address space"):
            soft = line.split()[3]
            return None if soft == "unlimited" else int(soft)
    raise AssertionError("no address-space line in /proc/<pid>/limits")


def _wait_for(condition, timeout: float = 20.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def test_the_served_gunicorn_runs_with_the_config_files_values(server):
    master = int((server.var_dir / "gunicorn.pid").read_text())
    command = Path(f"/proc/{master}/cmdline").read_bytes().decode().split("\0")
    assert command[command.index("-c") + 1] == str(GUNICORN_CONFIG)
    conf = _config_module(server.env)
    running = _control(server.var_dir, "show config")
    assert running["bind"] == [f"127.0.0.1:{server.port}"]
    assert running["workers"] == conf.workers == 2  # WEB_WORKERS of the fixture
    assert running["threads"] == conf.threads
    assert running["timeout"] == conf.timeout == 120
    assert running["pidfile"] == str(server.var_dir / "gunicorn.pid")
    assert running["max_requests"] == conf.max_requests > 0
    assert running["max_requests_jitter"] == conf.max_requests_jitter > 0
    assert conf.worker_max_rss_mb > 0 and conf.worker_max_vm_mb > 0
    workers = _workers(master)
    assert len(workers) == 2
    for worker in workers:
        assert _address_space_limit(worker) == conf.worker_max_vm_mb * 1024 * 1024
    assert _address_space_limit(master) is None  # the master itself is not capped


@contextlib.contextmanager
def _own_server(tmp_path: Path, **extra: str):
    """scripts/serve.sh with settings of its own (no job worker) on the test database."""
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    shutil.copy(Path(settings.VAR_DIR) / "secret_key", var_dir / "secret_key")
    (var_dir / "local.env").write_text(f"DATABASE_URL={_database_url()}\n")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    env.update(MDJ_VAR_DIR=str(var_dir), PORT=str(port), MDJ_WORKER="0", **extra)
    log = var_dir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(PROJECT_DIR / "scripts" / "serve.sh")],
            cwd=PROJECT_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:

        def healthy() -> bool:
            assert process.poll() is None, log.read_text()
            try:
                return http_get(port, "/healthz", timeout=2)[0] == 200
            except OSError:
                return False

        _wait_for(healthy, timeout=60, what="the server's /healthz")
        yield port, int((var_dir / "gunicorn.pid").read_text()), log
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_a_worker_is_replaced_after_its_max_requests(tmp_path):
    limits = {"MDJ_WORKER_MAX_REQUESTS": "5", "MDJ_WORKER_MAX_REQUESTS_JITTER": "0"}
    with _own_server(tmp_path, WEB_WORKERS="1", WEB_THREADS="1", **limits) as (port, master, log):
        (first,) = _wait_for(lambda: _workers(master), what="the worker")
        statuses = [http_get(port, "/healthz")[0] for _ in range(4)]  # the fifth was the start-up check
        assert statuses == [200] * 4
        (second,) = _wait_for(lambda: _workers(master) - {first}, what="a new worker")
        assert http_get(port, "/healthz")[0] == 200
        assert second != first
        assert "Autorestarting worker after current request" in log.read_text()


def test_a_worker_over_the_memory_cap_answers_then_makes_way(tmp_path):
    # Every worker holds more than 1 MB: each one answers its request in full, then exits.
    with _own_server(tmp_path, WEB_WORKERS="1", WEB_THREADS="2", MDJ_WORKER_MAX_RSS_MB="1") as (port, master, log):
        seen = set()
        for _ in range(3):
            (worker,) = _wait_for(lambda: _workers(master) - seen, what="a fresh worker")
            seen.add(worker)
            status, _, body = http_get(port, "/healthz")
            assert (status, json.loads(body)) == (200, {"status": "ok", "database": "ok"})
            _wait_for(lambda: worker not in _workers(master), what=f"worker {worker} to exit")  # noqa: B023
        assert "over MDJ_WORKER_MAX_RSS_MB=1" in log.read_text()


CAPPED_PROBE = r"""
import importlib.util, json, os, sys, tempfile, threading
spec = importlib.util.spec_from_file_location("conf", sys.argv[1])
conf = importlib.util.module_from_spec(spec)
spec.loader.exec_module(conf)
conf.limit_address_space(conf.worker_max_vm_mb)  # as post_worker_init does in every worker
import mapnik  # the print renderer's library, its PROJ and fonts
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
import django
django.setup()
import numpy, pyogrio.raw, shapely, weasyprint
from django.contrib.gis.gdal import SpatialReference
out = tempfile.mkdtemp()
line = '{"type":"Feature","properties":{},"geometry":{"type":"LineString","coordinates":[[129,44],[130,45]]}}'
m = mapnik.Map(400, 300)
mapnik.load_map_from_string(m, f'''<Map srs="epsg:4326"><Style name="s"><Rule><LineSymbolizer stroke="black"/></Rule>
</Style><Layer name="l" srs="epsg:4326"><StyleName>s</StyleName><Datasource><Parameter name="type">geojson</Parameter>
<Parameter name="inline"><![CDATA[{line}]]></Parameter></Datasource></Layer></Map>''')
m.zoom_all()
mapnik.render_to_file(m, out + "/map.pdf", "pdf")
pyogrio.raw.write(out + "/p.gpkg", geometry=numpy.array([shapely.Point(129.6, 44.6).wkb], dtype=object),
                  field_data=[numpy.array([1])], fields=["n"], geometry_type="Point", crs="EPSG:4490", driver="GPKG")
done = []
threads = [threading.Thread(target=lambda: done.append(len(bytearray(16 << 20)))) for _ in range(32)]
[t.start() for t in threads]; [t.join() for t in threads]
facts = {"map": os.path.getsize(out + "/map.pdf"), "gpkg": len(pyogrio.raw.read(out + "/p.gpkg")[2]),
         "srs": SpatialReference(4511).name, "pdf": len(weasyprint.HTML(string="<p>牡丹江</p>").write_pdf()),
         "threads": len(done)}
try:
    bytearray(conf.worker_max_vm_mb << 20)
    facts["over"] = "allocated"
except MemoryError:
    facts["over"] = "MemoryError"
print(json.dumps(facts))
"""


def test_the_address_space_cap_leaves_mapnik_gdal_weasyprint_and_threads_working():
    result = subprocess.run(
        [str(PYTHON), "-c", CAPPED_PROBE, str(GUNICORN_CONFIG)],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={key: value for key, value in os.environ.items() if not key.startswith("MDJ_WORKER_MAX")},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    facts = json.loads(result.stdout.strip().splitlines()[-1])
    assert facts["map"] > 0 and facts["gpkg"] == 1 and facts["pdf"] > 0
    assert "Gauss-Kruger" in facts["srs"]
    assert facts["threads"] == 32
    assert facts["over"] == "MemoryError"  # the backstop holds
