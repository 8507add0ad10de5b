"""core.dbcheck: which databases can serve Chinese place-name search, and the refusal of the others."""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings
from django.db import connection
from psycopg2 import sql

from core.dbcheck import check_database, ctype_problem

pytestmark = pytest.mark.django_db

PROJECT_DIR = Path(settings.BASE_DIR)
PYTHON = PROJECT_DIR / ".venv" / "bin" / "python"


@pytest.mark.parametrize("ctype", ["C", "POSIX", "c", " posix "])
def test_c_and_posix_ctypes_are_refused_with_the_reason(ctype):
    problem = ctype_problem(ctype)
    assert problem is not None
    assert "pg_trgm" in problem
    assert "Chinese" in problem
    assert repr(ctype) in problem  # names the ctype it found
    assert "LC_CTYPE 'C.UTF-8'" in problem  # and says how to create a suitable database


@pytest.mark.parametrize("ctype", ["C.UTF-8", "C.utf8", "en_US.UTF-8", "zh_CN.UTF-8"])
def test_utf8_ctypes_are_accepted(ctype):
    assert ctype_problem(ctype) is None


def _connect(dbname: str):
    db = connection.settings_dict
    params = {"dbname": dbname, "host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
    conn.autocommit = True
    return conn


def test_check_database_passes_on_the_test_database():
    facts = check_database()

    with connection.cursor() as cursor:
        cursor.execute("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
        postgis = cursor.fetchone()[0]
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ctype = cursor.fetchone()[0]
        cursor.execute("SELECT cardinality(show_trgm('牡丹江市'))")
        chinese_trigrams = cursor.fetchone()[0]
    assert facts["PostGIS"] == postgis
    assert re.fullmatch(r"\d+\.\d+(\.\d+)?\S*", facts["PostGIS"])
    assert facts["ctype"] == ctype
    assert facts["pg_trgm"] != ""
    assert re.match(r"\d+", facts["PostgreSQL"])
    assert chinese_trigrams > 0  # the premise of the check: this ctype lets pg_trgm see Chinese


@pytest.fixture
def c_ctype_database():
    """A scratch database created with the C ctype (with pg_trgm, so only the ctype is wrong)."""
    name = f"{connection.settings_dict['NAME']}_c_ctype_{uuid.uuid4().hex[:10]}"
    admin = _connect(connection.settings_dict["NAME"])
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'").format(
                    sql.Identifier(name)
                )
            )
        yield name
    finally:
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            assert cursor.fetchone() is None
        admin.close()


def _database_url(name: str) -> str:
    """postgres://USER@<percent-encoded socket folder>:PORT/NAME, as scripts/pg_cluster.sh writes it."""
    db = connection.settings_dict
    user = quote(db["USER"], safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{quote(db['HOST'], safe='')}{port}/{name}"


def test_check_database_command_refuses_a_c_ctype_database(c_ctype_database):
    conn = _connect(c_ctype_database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            cursor.execute("SELECT cardinality(show_trgm('牡丹江市')), cardinality(show_trgm('Mudanjiang'))")
            chinese, latin = cursor.fetchone()
    finally:
        conn.close()
    assert chinese == 0  # what the refusal is about: with a C ctype pg_trgm does not see Chinese
    assert latin > 0

    env = {key: value for key, value in os.environ.items() if key not in {"MDJ_TEST_DB_NAME"}}
    env["DATABASE_URL"] = _database_url(c_ctype_database)
    result = subprocess.run(
        [str(PYTHON), "manage.py", "check_database"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode != 0, result.stdout
    assert "pg_trgm ignores Chinese characters" in result.stderr
    assert "'C'" in result.stderr
    assert "Database:" not in result.stdout
    # The refusal came before anything was done to the database: no PostGIS was created in it.
    conn = _connect(c_ctype_database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'")
            assert cursor.fetchone()[0] == 0
    finally:
        conn.close()
