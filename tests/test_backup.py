"""core.backup: pg_dump/pg_restore round trips on real databases of the test cluster.

The session fixture has loaded and committed the base data into the test database, so pg_dump (a
separate process) sees it although each test runs inside a rolled-back transaction. Scratch
databases are made and dropped through their own autocommit connections. MEDIA_ROOT is a tmp folder
in every test (the developer's var/media is never read or written).
"""

from __future__ import annotations

import io
import json
import os
import stat
import subprocess
import tarfile
import uuid
from pathlib import Path

import psycopg2
import pytest
from django.apps import apps
from django.db import connection
from psycopg2 import sql

from core import backup as backup_module
from core.backup import BackupError, backup, restore, restore_backup

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """MEDIA_ROOT of the test: an empty tmp folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


APPS = ("core", "boundaries", "gazetteer")


def _connect(dbname: str):
    """A psycopg2 autocommit connection to ``dbname`` with the test database's settings."""
    db = connection.settings_dict
    params = {"dbname": dbname, "host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"] or None}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value is not None})
    conn.autocommit = True
    return conn


def _query(dbname: str, statement, params=None) -> list[tuple]:
    conn = _connect(dbname)
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()
    finally:
        conn.close()


def _database_exists(name: str) -> bool:
    return bool(_query(connection.settings_dict["NAME"], "SELECT 1 FROM pg_database WHERE datname = %s", [name]))


def _drop_database(name: str) -> None:
    conn = _connect(connection.settings_dict["NAME"])
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()


@pytest.fixture
def scratch_databases():
    """Names for scratch databases; every one of them that exists is dropped at the end."""
    names: list[str] = []

    def make_name() -> str:
        name = f"{connection.settings_dict['NAME']}_scratch_{uuid.uuid4().hex[:10]}"
        names.append(name)
        return name

    yield make_name
    for name in names:
        _drop_database(name)
    assert not any(_database_exists(name) for name in names)


@pytest.fixture
def small_database(scratch_databases):
    """A scratch database with one table of three rows: a target whose contents can be checked."""
    name = scratch_databases()
    conn = _connect(connection.settings_dict["NAME"])
    try:
        with conn.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        conn.close()
    conn = _connect(name)
    try:
        with conn.cursor() as cursor:
            cursor.execute("CREATE TABLE note (id integer PRIMARY KEY, body text NOT NULL)")
            cursor.execute("INSERT INTO note VALUES (1, '牡丹江'), (2, '宁安'), (3, '海林')")
    finally:
        conn.close()
    return name


def _notes(dbname: str) -> list[tuple]:
    return _query(dbname, "SELECT id, body FROM note ORDER BY id")


def _app_tables() -> dict[str, str]:
    """db_table -> primary key column of every concrete table of the apps core, boundaries, gazetteer."""
    tables = {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            if model._meta.managed and not model._meta.proxy:
                tables[model._meta.db_table] = model._meta.pk.column
    return tables


def _fingerprint(dbname: str, tables: dict[str, str]) -> dict[str, tuple]:
    """Per table: row count and an md5 of every row's text, in primary key order."""
    conn = _connect(dbname)
    result = {}
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'UTC'")
            for table, pk in sorted(tables.items()):
                cursor.execute(
                    sql.SQL(
                        "SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.{pk}), '')) FROM {table} t"
                    ).format(pk=sql.Identifier(pk), table=sql.Identifier(table))
                )
                result[table] = cursor.fetchone()
            cursor.execute(
                "SELECT md5(string_agg(code || '|' || name, E'\\n' ORDER BY code, id)),"
                " md5(string_agg(encode(ST_AsBinary(geom), 'hex'), E'\\n' ORDER BY code, id))"
                " FROM boundaries_adminunit"
            )
            result["adminunit code||name, ST_AsBinary(geom)"] = cursor.fetchone()
            cursor.execute("SELECT md5(string_agg(code || '|' || name, E'\\n' ORDER BY code, id)) FROM gazetteer_place")
            result["place code||name"] = cursor.fetchone()
            cursor.execute(
                "SELECT schemaname, sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = 'public' ORDER BY sequencename"
            )
            result["sequences"] = tuple(cursor.fetchall())
    finally:
        conn.close()
    return result


def test_backup_and_restore_round_trip_keeps_every_row(settings, tmp_path, scratch_databases):
    settings.BACKUP_DIR = tmp_path
    source = connection.settings_dict["NAME"]
    tables = _app_tables()
    assert {"core_datasource", "boundaries_adminunit", "gazetteer_place"} <= set(tables)

    path = backup()

    assert path.parent == tmp_path
    assert path.name.startswith(f"{source}-")
    assert path.suffix == ".tar"
    assert path.stat().st_size > 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o700

    target = scratch_databases()
    assert not _database_exists(target)
    safety = restore(path, database=target)

    assert safety is None  # nothing existed to be replaced
    assert _database_exists(target)
    before, after = _fingerprint(source, tables), _fingerprint(target, tables)
    assert before["boundaries_adminunit"][0] > 0, "the session fixture should have loaded the base data"
    assert before["core_datasource"][0] > 0
    for key in before:
        assert after[key] == before[key], f"{key} differs after the round trip"
    extensions = dict(_query(target, "SELECT extname, extversion FROM pg_extension"))
    assert extensions["postgis"] == dict(_query(source, "SELECT extname, extversion FROM pg_extension"))["postgis"]
    ctype = _query(target, "SELECT datctype FROM pg_database WHERE datname = current_database()")[0][0]
    assert ctype.upper() not in {"C", "POSIX"}


def _plain_sql_dump(database: str, path: Path) -> Path:
    """A plain-format (SQL text) dump: valid for psql, but not a file pg_restore reads."""
    args, env = backup_module._libpq()
    subprocess.run(
        [backup_module._tool("pg_dump"), *args, "--format=plain", f"--file={path}", database], env=env, check=True
    )
    return path


@pytest.mark.parametrize("kind", ["text", "plain-sql", "empty", "missing"])
def test_restore_refuses_a_file_that_is_not_a_dump_and_leaves_the_target_alone(
    settings, tmp_path, small_database, kind
):
    settings.BACKUP_DIR = tmp_path / "backups"
    path = tmp_path / "not-a-dump.dump"
    if kind == "text":
        path.write_text("this is not a pg_dump archive\n" * 50)
    elif kind == "plain-sql":
        _plain_sql_dump(small_database, path)
        assert "CREATE TABLE" in path.read_text()
    elif kind == "empty":
        path.write_bytes(b"")
    before = _notes(small_database)
    assert len(before) == 3

    with pytest.raises(BackupError):
        restore(path, database=small_database)

    assert _database_exists(small_database)
    assert _notes(small_database) == before
    assert not settings.BACKUP_DIR.exists() or not any(settings.BACKUP_DIR.iterdir()), "no safety dump for a refusal"


def test_restore_over_an_existing_database_first_dumps_it(settings, tmp_path, small_database, scratch_databases):
    # A folder that does not exist yet, as backups/ in a fresh checkout.
    settings.BACKUP_DIR = tmp_path / "backups"
    dump = backup(tmp_path / "three-notes.tar", database=small_database)
    conn = _connect(small_database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES (4, '穆棱'), (5, '东宁')")
    finally:
        conn.close()
    assert len(_notes(small_database)) == 5

    safety = restore(dump, database=small_database)

    assert safety is not None
    assert safety.is_file()
    assert safety.parent == settings.BACKUP_DIR
    assert safety.name.startswith(f"{small_database}-before-restore-")
    assert stat.S_IMODE(safety.stat().st_mode) == 0o600
    assert [row[0] for row in _notes(small_database)] == [1, 2, 3]
    # The safety dump holds the database as it was just before the restore: five notes.
    copy = scratch_databases()
    assert restore(safety, database=copy) is None
    assert [row[0] for row in _notes(copy)] == [1, 2, 3, 4, 5]


def _legacy_dump(database: str, path: Path) -> Path:
    """A plain pg_dump custom-format file, as `make backup` wrote before backups were archives."""
    args, env = backup_module._libpq()
    subprocess.run(
        [backup_module._tool("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={path}", database],
        env=env,
        check=True,
    )
    return path


@pytest.mark.parametrize("kind", ["archive", "legacy dump"])
def test_a_truncated_backup_leaves_the_target_database_untouched(
    settings, tmp_path, small_database, scratch_databases, kind
):
    settings.BACKUP_DIR = tmp_path / "backups"
    source = scratch_databases()
    restore(backup(tmp_path / "full.tar", database=small_database), database=source)
    _query_write = _connect(source)
    try:
        with _query_write.cursor() as cursor:
            cursor.execute("INSERT INTO note SELECT g, repeat('地名', 200) FROM generate_series(10, 5000) g")
    finally:
        _query_write.close()
    if kind == "archive":
        full = backup(tmp_path / "big.tar", database=source)
    else:
        full = _legacy_dump(source, tmp_path / "big.dump")
    truncated = tmp_path / f"truncated{full.suffix}"
    truncated.write_bytes(full.read_bytes()[: full.stat().st_size // 2])
    before = _notes(small_database)

    with pytest.raises(BackupError):
        restore(truncated, database=small_database)

    assert _notes(small_database) == before
    assert not _database_exists(f"{small_database}__restoring")


# ---- the archive: one private file, with the uploaded files and a manifest ------------------------------------

ATTACHMENT = "applications/2026/现场照片_宁安.pdf"
MAP_FILE = "maps/7/231000_A3_landscape.pdf"


def _user_files(media_root: Path) -> dict[str, bytes]:
    """An attachment and a print map, as the application stores them under MEDIA_ROOT."""
    files = {ATTACHMENT: b"%PDF-1.7 attachment " + os.urandom(2000), MAP_FILE: b"%PDF-1.7 map " + os.urandom(5000)}
    for name, data in files.items():
        (media_root / name).parent.mkdir(parents=True, exist_ok=True)
        (media_root / name).write_bytes(data)
    return files


def test_the_backup_is_private_from_the_first_byte(settings, tmp_path, small_database, monkeypatch):
    settings.BACKUP_DIR = tmp_path / "backups"
    settings.BACKUP_DIR.mkdir(mode=0o755)  # an existing folder others could read is made private
    seen = []
    add = backup_module._add_bytes

    def watching(tar, name, path):  # the modes of everything in the folder while the archive is written
        seen.extend(stat.S_IMODE(entry.lstat().st_mode) for entry in settings.BACKUP_DIR.iterdir() if entry.is_file())
        return add(tar, name, path)

    monkeypatch.setattr(backup_module, "_add_bytes", watching)
    old_umask = os.umask(0)  # even under a careless umask
    try:
        path = backup(database=small_database)
    finally:
        os.umask(old_umask)

    assert seen and set(seen) == {0o600}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(settings.BACKUP_DIR.stat().st_mode) == 0o700
    assert [entry.name for entry in settings.BACKUP_DIR.iterdir()] == [path.name]  # no work files left


def test_the_archive_holds_the_dump_the_files_and_a_manifest(settings, tmp_path, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    files = _user_files(media_root)

    path = backup()

    with tarfile.open(path) as tar:
        names = tar.getnames()
        manifest = json.load(tar.extractfile("manifest.json"))
        assert tar.extractfile(f"media/{MAP_FILE}").read() == files[MAP_FILE]
    assert set(names) == {"database.dump", "manifest.json", *(f"media/{name}" for name in files)}
    assert manifest["database"] == connection.settings_dict["NAME"]
    assert manifest["media"] == {"files": 2, "bytes": sum(len(data) for data in files.values())}
    recorded = _query(manifest["database"], "SELECT app, name FROM django_migrations ORDER BY applied, id")
    assert manifest["migrations"]["gazetteer"] == [name for app, name in recorded if app == "gazetteer"]
    assert manifest["created"].endswith("+00:00")


def test_deleted_attachment_and_map_are_restored_and_newer_files_kept(settings, tmp_path, small_database, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    files = _user_files(media_root)
    path = backup(database=small_database)
    for name in files:
        (media_root / name).unlink()
    newer = media_root / "maps/8/231084_A4_portrait.pdf"  # made after the backup: the backup does not know it
    newer.parent.mkdir(parents=True)
    newer.write_bytes(b"%PDF-1.7 newer map")

    report = restore_backup(path, database=small_database)

    for name, data in files.items():
        assert (media_root / name).read_bytes() == data, name
    assert newer.read_bytes() == b"%PDF-1.7 newer map"
    assert (report.media_written, report.media_unchanged, report.legacy) == (2, 0, False)
    assert [row[0] for row in _notes(small_database)] == [1, 2, 3]
    # The state before the restore (without the two files, with the newer one) was backed up first.
    with tarfile.open(report.safety) as tar:
        assert {name for name in tar.getnames() if name.startswith("media/")} == {"media/maps/8/231084_A4_portrait.pdf"}
    assert restore_backup(path, database=small_database).media_unchanged == 2  # a second restore rewrites nothing


def test_an_old_plain_dump_is_still_restored_and_leaves_the_files_alone(settings, tmp_path, small_database, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    dump = _legacy_dump(small_database, tmp_path / "old.dump")
    _user_files(media_root)
    conn = _connect(small_database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("DELETE FROM note WHERE id = 1")
    finally:
        conn.close()

    report = restore_backup(dump, database=small_database)

    assert report.legacy
    assert [row[0] for row in _notes(small_database)] == [1, 2, 3]
    assert (media_root / ATTACHMENT).is_file() and (media_root / MAP_FILE).is_file()
    assert report.safety.suffix == ".tar"


def _hostile_member(kind: str) -> tuple[tarfile.TarInfo, bytes]:
    data = b"owned"
    info = tarfile.TarInfo({"absolute": "/tmp/mdj-owned", "dotdot": "media/../../mdj-owned"}.get(kind, "media/x"))
    if kind == "unknown":
        info.name = "etc/passwd"
    elif kind == "symlink":
        info.type, info.linkname, data = tarfile.SYMTYPE, "/etc/passwd", b""
    elif kind == "hardlink":
        info.type, info.linkname, data = tarfile.LNKTYPE, "database.dump", b""
    elif kind == "device":
        info.type, info.devmajor, info.devminor, data = tarfile.CHRTYPE, 1, 3, b""
    elif kind == "fifo":
        info.type, data = tarfile.FIFOTYPE, b""
    info.size = len(data)
    return info, data


@pytest.mark.parametrize("kind", ["absolute", "dotdot", "symlink", "hardlink", "device", "fifo", "unknown"])
def test_a_hostile_archive_is_refused_and_nothing_is_touched(settings, tmp_path, small_database, media_root, kind):
    settings.BACKUP_DIR = tmp_path / "backups"
    good = backup(tmp_path / "good.tar", database=small_database)
    hostile = tmp_path / "hostile.tar"
    with tarfile.open(good) as source, tarfile.open(hostile, "w") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member))
        info, data = _hostile_member(kind)
        out.addfile(info, io.BytesIO(data))
    conn = _connect(small_database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES (4, '穆棱')")
    finally:
        conn.close()

    with pytest.raises(BackupError, match="refused"):
        restore(hostile, database=small_database)

    assert [row[0] for row in _notes(small_database)] == [1, 2, 3, 4]
    assert not _database_exists(f"{small_database}__restoring")
    assert not any(media_root.iterdir())
    assert not Path("/tmp/mdj-owned").exists() and not (tmp_path / "mdj-owned").exists()
    assert not settings.BACKUP_DIR.exists() or not any(settings.BACKUP_DIR.iterdir()), "no safety backup"


def test_files_are_never_written_through_a_link_in_media_root(settings, tmp_path, small_database, media_root):
    settings.BACKUP_DIR = tmp_path / "backups"
    _user_files(media_root)
    path = backup(database=small_database)
    (media_root / MAP_FILE).unlink()
    (media_root / "maps/7").rmdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (media_root / "maps/7").symlink_to(outside)

    with pytest.raises(BackupError, match="link"):
        restore(path, database=small_database)

    assert not any(outside.iterdir())
    assert not any(p.name.startswith(f"{small_database}-before-restore") for p in settings.BACKUP_DIR.iterdir())
