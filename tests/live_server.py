"""A production server for tests: scripts/serve.sh (gunicorn + WhiteNoise, DEBUG off) on the test database.

The server gets its own var/ folder (MDJ_VAR_DIR) holding a local.env that points at the pytest test
database and a copy of var/secret_key, so that its pid file never clashes with a developer's running
server and it never reads the developer database. Requests go to 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

PROJECT_DIR = Path(settings.BASE_DIR)
PYTHON = PROJECT_DIR / ".venv" / "bin" / "python"
STARTUP_TIMEOUT = 60.0  # seconds; a loaded 2-core machine has been seen to need more than 20
YEAR = 365 * 24 * 3600
# Variables of the developer's shell that would change what is tested here.
CLEARED = ("DATABASE_URL", "DEBUG", "ALLOWED_HOSTS", "HTTPS", "SECRET_KEY", "HOST", "PORT", "MDJ_TEST_DB_NAME")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The test database, written as scripts/pg_cluster.sh writes var/local.env."""
    db = connection.settings_dict
    user = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{quote(db['HOST'], safe='')}{port}/{db['NAME']}"


def http_get(port: int, path: str, headers: dict[str, str] | None = None, timeout: float = 10.0):
    """(status, headers, body) of a GET to 127.0.0.1; error statuses are returned, not raised."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _collected_static_files() -> dict[str, str]:
    """The staticfiles manifest (name -> hashed name), collecting the static files first if needed."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.is_file() or "vendor/ol/ol.js" not in json.loads(manifest.read_text())["paths"]:
        subprocess.run(
            [str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v", "0"],
            cwd=PROJECT_DIR,
            check=True,
            timeout=300,
        )
    return json.loads(manifest.read_text())["paths"]


def gunicorn_masters(port: int) -> list[int]:
    """Pids of the gunicorn master processes bound to 127.0.0.1:port (workers are left out)."""
    bind = f"127.0.0.1:{port}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int(re.search(r"^PPid:\s+(\d+)", (entry / "status").read_text(), re.M).group(1))
        except (OSError, AttributeError):
            continue
        if any(b"gunicorn" in part for part in cmdline) and bind in cmdline:
            found[int(entry.name)] = ppid
    return sorted(pid for pid, ppid in found.items() if ppid not in found)


class Server:
    def __init__(self, port: int, var_dir: Path, env: dict[str, str], process: subprocess.Popen, log: Path):
        self.port, self.var_dir, self.env, self.process, self.log = port, var_dir, env, process, log
        self.media_root = Path(env["MDJ_MEDIA_DIR"])

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@pytest.fixture(scope="session")
def static_manifest():
    return _collected_static_files()


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker, static_manifest, tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("var")
    shutil.copy(Path(settings.VAR_DIR) / "secret_key", var_dir / "secret_key")
    (var_dir / "local.env").write_text(f"DATABASE_URL={_database_url()}\n")
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key not in CLEARED}
    # Its uploads and maps go to a folder of its own: job numbers of different test databases repeat.
    env.update(MDJ_VAR_DIR=str(var_dir), MDJ_MEDIA_DIR=str(var_dir / "media"), PORT=str(port), WEB_WORKERS="2")
    # The whole session's browser and HTTP tests are one anonymous client of this server: no limits (0),
    # so that none decides a test and the server commits no counts that the test client (also 127.0.0.1,
    # with the real limits) would then see. The limits have tests of their own, and a server of their own.
    env.update({f"MDJ_{kind}RATE_LIMIT_PER_MINUTE": "0" for kind in ("", "TILE_", "BULK_", "PAGE_")})
    env["MDJ_SEARCH_REFRESH_SECONDS"] = "0"  # the tests search right after they write
    env["MDJ_CREDENTIALS_REFRESH_SECONDS"] = "0"  # and use tokens right after they revoke them
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
    server = Server(port, var_dir, env, process, log)
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        health = None
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"scripts/serve.sh exited with {process.returncode}:\n{server.output()}")
            try:
                status, _, body = http_get(port, "/healthz", timeout=2)
                health = (status, json.loads(body))
                if health == (200, {"status": "ok", "database": "ok"}):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.2)
        else:
            pytest.fail(f"no healthy /healthz within {STARTUP_TIMEOUT:.0f} s (last: {health}):\n{server.output()}")
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)
        with django_db_blocker.unblock():
            _close_server_sessions()


def _close_server_sessions() -> None:
    """The stopped workers' database sessions linger a moment; end them so the test database can go."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
