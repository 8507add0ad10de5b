"""Is the configured database fit for this system? Checked by the set-up before migrating."""

from __future__ import annotations

from django.db import connection

UNSUITABLE_CTYPES = {"C", "POSIX"}


class DatabaseUnsuitable(RuntimeError):
    pass


def ctype_problem(ctype: str) -> str | None:
    """Why a database with this LC_CTYPE cannot serve Chinese search, or None when it can."""
    if ctype.strip().upper() in UNSUITABLE_CTYPES:
        return (
            f"the database's ctype is {ctype!r}: with a C or POSIX ctype pg_trgm ignores Chinese characters "
            "(show_trgm('牡丹江市') is empty) and place-name search silently finds nothing. Create the database "
            "with a UTF-8 ctype, e.g. CREATE DATABASE ... TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    return None


def check_database() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT datctype, pg_encoding_to_char(encoding) FROM pg_database WHERE datname = current_database()"
        )
        ctype, encoding = cursor.fetchone()
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("SELECT extname, extversion FROM pg_extension")
        extensions = dict(cursor.fetchall())
    problem = ctype_problem(ctype)
    if problem:
        raise DatabaseUnsuitable(problem)
    if encoding != "UTF8":
        raise DatabaseUnsuitable(f"the database encoding is {encoding}, not UTF8")
    missing = [name for name in ("postgis", "pg_trgm") if name not in extensions]
    if missing:
        _create_extensions(missing)
    return {
        "PostgreSQL": version,
        "ctype": ctype,
        "PostGIS": extensions.get("postgis", "created"),
        "pg_trgm": extensions.get("pg_trgm", "created"),
    }


def _create_extensions(names: list[str]) -> None:
    try:
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"CREATE EXTENSION IF NOT EXISTS {connection.ops.quote_name(name)}")
    except Exception as exc:
        raise DatabaseUnsuitable(
            f"the extensions {', '.join(names)} are missing and could not be created ({exc}); "
            "ask the database administrator to run CREATE EXTENSION for them"
        ) from exc
