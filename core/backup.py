"""Dump and restore the application database with pg_dump/pg_restore (custom format).

Restoring replaces a whole database, so the current one is dumped first: a restore loses nothing
that cannot be restored again.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections

PG_BIN = Path("/usr/lib/postgresql/15/bin")


class BackupError(RuntimeError):
    pass


def _tool(name: str) -> str:
    found = PG_BIN / name if (PG_BIN / name).exists() else shutil.which(name)
    if not found:
        raise BackupError(f"{name} not found: install postgresql-client-15")
    return str(found)


def _libpq(alias: str = "default") -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES[alias]
    args = []
    if db.get("HOST"):
        args += ["-h", db["HOST"]]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", db["USER"]]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


def current_database(alias: str = "default") -> str:
    return connections[alias].settings_dict["NAME"]


def _backup_path(database: str, label: str = "") -> Path:
    settings.BACKUP_DIR.mkdir(parents=True, exist_ok=True)
    return settings.BACKUP_DIR / f"{database}{label}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.dump"


def backup(path: Path | None = None, *, database: str | None = None, alias: str = "default") -> Path:
    database = database or current_database(alias)
    path = path or _backup_path(database)
    args, env = _libpq(alias)
    _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={path}", database], env)
    return path


def restore(path: Path, *, database: str | None = None, alias: str = "default") -> Path | None:
    """Replace ``database`` (default: the application's) with the dump at ``path``.

    The dump is restored into a scratch database first; only when that succeeds is the current
    database dumped (the returned safety dump), dropped, and the scratch one renamed in its place.
    A broken or truncated dump therefore leaves the current database untouched."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no dump file at {path}")
    database = database or current_database(alias)
    args, env = _libpq(alias)
    _run([_tool("pg_restore"), "--list", str(path)], env)  # refuse a file that is not a dump at all
    scratch = f"{database}__restoring"
    if _exists(scratch, alias):
        _drop(scratch, alias)
    _create(scratch, alias)
    try:
        _run([_tool("pg_restore"), *args, "--no-owner", "--exit-on-error", f"--dbname={scratch}", str(path)], env)
    except BackupError:
        _drop(scratch, alias)
        raise
    safety = None
    if _exists(database, alias):
        safety = backup(database=database, alias=alias, path=_backup_path(database, "-before-restore"))
        _drop(database, alias)
    _rename(scratch, database, alias)
    return safety


def _admin_cursor(alias: str):
    connection = connections[alias]
    connection.ensure_connection()
    return connection.cursor()


def _exists(database: str, alias: str) -> bool:
    with _admin_cursor(alias) as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
        return cursor.fetchone() is not None


def _drop(database: str, alias: str) -> None:
    if database == current_database(alias):
        connections[alias].close()
    args, env = _libpq(alias)
    _run([_tool("dropdb"), *args, "--force", database], env)


def _rename(old: str, new: str, alias: str) -> None:
    """ALTER DATABASE ... RENAME in its own session (it cannot run inside the caller's transaction)."""
    args, env = _libpq(alias)
    quote = connections[alias].ops.quote_name
    _run(
        [
            _tool("psql"),
            *args,
            "--no-psqlrc",
            "-v",
            "ON_ERROR_STOP=1",
            "--dbname=postgres",
            "-c",
            f"ALTER DATABASE {quote(old)} RENAME TO {quote(new)}",
        ],
        env,
    )


def _create(database: str, alias: str) -> None:
    args, env = _libpq(alias)
    _run([_tool("createdb"), *args, "--template=template0", "--encoding=UTF8", "--locale=C.UTF-8", database], env)
