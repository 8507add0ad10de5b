"""Back up and restore everything users made: the database and the uploaded files, as one file.

A backup is an uncompressed tar, ``backups/<database>-<time>.tar``, holding
    database.dump   pg_dump --format=custom of the database (compressed by pg_dump)
    media/...       every regular file under MEDIA_ROOT: naming-application attachments
                    (media/applications/<year>/...) and rendered print maps (media/maps/<job>/...)
    manifest.json   format and version, the time (UTC), the database's name, its Django migration
                    state ({app: [applied migrations in order]}), and the count and bytes of media files.
The database is dumped before the files are read: a file uploaded meanwhile is in the archive without
a row that names it (harmless), never the other way round. The dump holds session keys and password
hashes, so the file is created with mode 0600 (and the folder kept at 0700) before a byte is written,
under a temporary name that becomes its own only once it is complete.

Restoring (``restore_backup``) checks the whole archive first and refuses it, touching nothing, when a
member is not a plain file or folder (links, devices, fifos), has an absolute path or ``..``, is not
one of the three parts above, or when the manifest is missing or does not match the files. The dump
is then restored into a scratch database; only when that succeeds is the current state backed up (a
full backup, database and files: the returned safety file), the database dropped and the scratch one
renamed in its place. Last, the archive's files are put back under MEDIA_ROOT: a file the archive
holds is written when it is missing or differs; a file the archive does not know (made after the
backup) is left where it is, never deleted; it is also in the safety backup. An old plain ``.dump``
(pg_dump custom format, from before archives) is still restored: the database only, files untouched.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import psycopg2
from django.conf import settings
from django.db import connections

PG_BIN = Path("/usr/lib/postgresql/15/bin")
FORMAT, VERSION = "mdj-backup", 1
MANIFEST, DUMP, MEDIA = "manifest.json", "database.dump", "media"
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700
MEDIA_FILE_MODE = 0o644
CUSTOM_DUMP_MAGIC = b"PGDMP"


class BackupError(RuntimeError):
    pass


@dataclass
class RestoreReport:
    safety: Path | None = None  # the state just before the restore (None: the database did not exist)
    legacy: bool = False  # an old plain dump: the database only
    media_written: int = 0
    media_unchanged: int = 0
    warnings: list[str] = field(default_factory=list)


# ---- PostgreSQL tools -------------------------------------------------------------------------------


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


def applied_migrations(database: str, alias: str = "default") -> dict[str, list[str]]:
    """{app: [migration names in the order applied]} of ``database``; {} when it has no Django tables."""
    db = settings.DATABASES[alias]
    params = {"dbname": database, "host": db.get("HOST"), "port": db.get("PORT"), "user": db.get("USER")}
    params["password"] = db.get("PASSWORD")
    conn = psycopg2.connect(**{key: value for key, value in params.items() if value})
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
            if not cursor.fetchone()[0]:
                return {}
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
            migrations: dict[str, list[str]] = {}
            for app, name in cursor.fetchall():
                migrations.setdefault(app, []).append(name)
            return migrations
    finally:
        conn.close()


# ---- making a backup ----------------------------------------------------------------------------------


def private_folder(folder: Path) -> Path:
    """``folder``, created if needed, readable by its owner only (it holds password hashes)."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    try:
        folder.chmod(PRIVATE_DIR)
    except PermissionError as exc:
        raise BackupError(f"cannot make {folder} private (mode 0700): {exc}") from exc
    return folder


def _backup_path(database: str, label: str = "") -> Path:
    folder = private_folder(Path(settings.BACKUP_DIR))
    return folder / f"{database}{label}-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.tar"


def _media_files(media_root: Path, exclude: Path) -> Iterator[tuple[Path, str]]:
    """(path, name under media/) of every regular file under ``media_root``; links are not followed,
    and the folder ``exclude`` (where backups are written, should it lie inside) is left out."""
    if not media_root.is_dir():
        return
    excluded = os.path.realpath(exclude)
    for folder, dirs, files in os.walk(media_root):
        dirs[:] = sorted(d for d in dirs if os.path.realpath(Path(folder) / d) != excluded)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path, path.relative_to(media_root).as_posix()


def _add_bytes(tar: tarfile.TarFile, name: str, path: Path) -> int | None:
    """Add the file at ``path`` as ``name``, with neutral owner and mode; None if it vanished."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        return None
    with handle:
        info = tar.gettarinfo(arcname=name, fileobj=handle)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        info.mode = MEDIA_FILE_MODE
        tar.addfile(info, handle)
    return info.size


def _add_manifest(tar: tarfile.TarFile, manifest: dict) -> None:
    data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size, info.mode, info.mtime = len(data), MEDIA_FILE_MODE, int(dt.datetime.now().timestamp())
    tar.addfile(info, fileobj=io.BytesIO(data))


def _write_archive(partial: Path, dump: Path, media_root: Path, manifest: dict, exclude: Path) -> None:
    """The archive at ``partial``, created with mode 0600 (never readable by others, not even briefly)."""
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    with os.fdopen(fd, "wb") as handle:
        with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
            _add_bytes(tar, DUMP, dump)
            count = size = 0
            for path, name in _media_files(media_root, exclude):
                added = _add_bytes(tar, f"{MEDIA}/{name}", path)
                if added is not None:
                    count, size = count + 1, size + added
            manifest["media"] = {"files": count, "bytes": size}
            _add_manifest(tar, manifest)
        handle.flush()
        os.fsync(handle.fileno())


def backup(
    path: Path | None = None,
    *,
    database: str | None = None,
    alias: str = "default",
    media_root: Path | None = None,
) -> Path:
    """Write a backup archive of ``database`` and the files under ``media_root`` (default MEDIA_ROOT)."""
    database = database or current_database(alias)
    path = Path(path) if path else _backup_path(database)
    path.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": database,
        "migrations": applied_migrations(database, alias),
    }
    work = Path(tempfile.mkdtemp(prefix=".backup-", dir=path.parent))  # mode 0700
    partial = path.with_name(f".{path.name}.partial")
    try:
        args, env = _libpq(alias)
        dump = work / DUMP
        _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", f"--file={dump}", database], env)
        _write_archive(partial, dump, media_root, manifest, exclude=path.parent)
        partial.rename(path)
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)
    return path


# ---- reading an archive ----------------------------------------------------------------------------------


def _member_problem(member: tarfile.TarInfo) -> str | None:
    """Why ``member`` may not be restored, or None."""
    name = member.name
    if member.type not in (tarfile.REGTYPE, tarfile.AREGTYPE, tarfile.DIRTYPE):
        return "is not a plain file or folder (a link, device or fifo)"
    if not name or name.startswith("/") or "\\" in name or "\x00" in name:
        return "has an absolute or unusable path"
    parts = PurePosixPath(name).parts
    if any(part in ("..", ".") for part in name.split("/")):
        return "has '..' or '.' in its path"
    if parts[0] == MEDIA:
        return None
    if name in (MANIFEST, DUMP) and member.isfile():
        return None
    return "is not part of a backup (manifest.json, database.dump, media/...)"


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo) -> dict:
    handle = tar.extractfile(member)
    try:
        manifest = json.loads(handle.read(1024 * 1024).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(f"the archive's {MANIFEST} is not JSON: {exc}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"the archive's {MANIFEST} is not that of a backup of this system")
    if manifest.get("version") != VERSION:
        raise BackupError(f"backup format version {manifest.get('version')} is not known (this code: {VERSION})")
    return manifest


def inspect_archive(tar: tarfile.TarFile) -> tuple[dict, tarfile.TarInfo, list[tarfile.TarInfo]]:
    """(manifest, the dump member, media file members) of a backup archive, every member checked."""
    try:
        members = tar.getmembers()
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"the archive is damaged or truncated: {exc}") from None
    seen: set[str] = set()
    for member in members:
        problem = _member_problem(member)
        if problem:
            raise BackupError(f"refused: the archive's member {member.name!r} {problem}")
        if member.name in seen:
            raise BackupError(f"refused: the archive holds {member.name!r} twice")
        seen.add(member.name)
    by_name = {member.name: member for member in members}
    if MANIFEST not in by_name or DUMP not in by_name:
        raise BackupError(f"not a complete backup: {MANIFEST} or {DUMP} is missing")
    manifest = _read_manifest(tar, by_name[MANIFEST])
    media = [member for member in members if member.isfile() and member.name.startswith(f"{MEDIA}/")]
    if manifest.get("media", {}).get("files") != len(media):
        raise BackupError(
            f"the manifest lists {manifest.get('media', {}).get('files')} files, the archive {len(media)}"
        )
    return manifest, by_name[DUMP], media


def _migration_warnings(manifest: dict) -> list[str]:
    """What differs between the backup's migration state and this code's migrations."""
    from django.db.migrations.loader import MigrationLoader

    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    applied = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    ours = {(app, name) for app, name in known if app in {a for a, _ in applied}}
    warnings = []
    if applied - known:
        names = ", ".join(sorted(f"{app}.{name}" for app, name in applied - known)[:5])
        warnings.append(f"the backup's database has migrations this code does not know ({names}): a newer version")
    if ours - applied:
        warnings.append(
            f"this code has {len(ours - applied)} migrations the backup's database had not applied: "
            "run 'manage.py migrate' (make run does)"
        )
    return warnings


# ---- restoring --------------------------------------------------------------------------------------------


def _restore_database(dump: Path, database: str, alias: str, safety_backup: Callable[[], Path]) -> Path | None:
    """Replace ``database`` with ``dump`` through a scratch database; returns the safety backup made
    just before the old database is dropped (None when there was none)."""
    args, env = _libpq(alias)
    _run([_tool("pg_restore"), "--list", str(dump)], env)  # refuse a file that is not a dump at all
    scratch = f"{database}__restoring"
    if _exists(scratch, alias):
        _drop(scratch, alias)
    _create(scratch, alias)
    try:
        _run([_tool("pg_restore"), *args, "--no-owner", "--exit-on-error", f"--dbname={scratch}", str(dump)], env)
    except BackupError:
        _drop(scratch, alias)
        raise
    safety = None
    if _exists(database, alias):
        safety = safety_backup()
        _drop(database, alias)
    _rename(scratch, database, alias)
    return safety


def _safe_folder(root: Path, parts: tuple[str, ...]) -> Path:
    """root/parts..., each folder made if missing; refused if one of them is a link or not a folder."""
    folder = root
    for part in parts:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            raise BackupError(f"refused: {folder} is a link or a file where the backup has a folder")
        folder.mkdir(exist_ok=True)
    return folder


def _check_media_targets(members: list[tarfile.TarInfo], media_root: Path) -> None:
    """Refuse, before anything is touched, an archive whose files would be written through a link
    (or over a folder) that is already under ``media_root``."""
    root = Path(os.path.realpath(media_root)) if media_root.exists() else None
    for member in members if root else []:
        path = root
        for part in PurePosixPath(member.name).parts[1:]:
            path = path / part
            if path.is_symlink():
                raise BackupError(f"refused: {path} is a link; the backup's {member.name} would be written through it")
            if not path.exists():
                break
        else:
            if path.is_dir():
                raise BackupError(f"cannot put back {member.name}: {path} is a folder")


def _same_file(path: Path, handle, size: int) -> bool:
    if not path.is_file() or path.is_symlink() or path.stat().st_size != size:
        return False
    with path.open("rb") as current:
        return hashlib.file_digest(current, "sha256").digest() == hashlib.file_digest(handle, "sha256").digest()


def _put_back(tar: tarfile.TarFile, member: tarfile.TarInfo, media_root: Path) -> bool:
    """Write one media file under ``media_root`` unless it is there already; True if written."""
    parts = PurePosixPath(member.name).parts[1:]
    target = _safe_folder(Path(os.path.realpath(media_root)), parts[:-1]) / parts[-1]
    if target.is_dir() and not target.is_symlink():
        raise BackupError(f"cannot put back {member.name}: {target} is a folder")
    if _same_file(target, tar.extractfile(member), member.size):
        return False
    fd, temporary = tempfile.mkstemp(prefix=".restoring-", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(tar.extractfile(member), out)
            os.fchmod(out.fileno(), MEDIA_FILE_MODE)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True


def _restore_media(tar: tarfile.TarFile, members: list[tarfile.TarInfo], media_root: Path, report: RestoreReport):
    media_root.mkdir(parents=True, exist_ok=True)
    for member in members:
        if _put_back(tar, member, media_root):
            report.media_written += 1
        else:
            report.media_unchanged += 1


def _extract_dump(tar: tarfile.TarFile, member: tarfile.TarInfo, folder: Path) -> Path:
    dump = folder / DUMP
    try:
        with dump.open("wb") as out:
            shutil.copyfileobj(tar.extractfile(member), out)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"the archive's {DUMP} cannot be read: {exc}") from None
    return dump


def _restore_archive(tar: tarfile.TarFile, database, alias, media_root: Path, safety_backup, report) -> None:
    manifest, dump_member, media = inspect_archive(tar)  # before anything is touched
    _check_media_targets(media, media_root)
    report.warnings += _migration_warnings(manifest)
    work = Path(tempfile.mkdtemp(prefix=".restore-", dir=private_folder(Path(settings.BACKUP_DIR))))
    try:
        dump = _extract_dump(tar, dump_member, work)
        report.safety = _restore_database(dump, database, alias, safety_backup)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    try:
        _restore_media(tar, media, media_root, report)
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(
            f"the database is restored, but putting back the files under {media_root} failed: {exc}; "
            f"the state before the restore is in {report.safety}"
        ) from exc


def _is_legacy_dump(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(CUSTOM_DUMP_MAGIC)) == CUSTOM_DUMP_MAGIC


def restore_backup(
    path: Path, *, database: str | None = None, alias: str = "default", media_root: Path | None = None
) -> RestoreReport:
    """Replace ``database`` (default: the application's) and put back the files of the backup at
    ``path`` under ``media_root`` (default MEDIA_ROOT); see the module's docstring."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"no backup file at {path}")
    database = database or current_database(alias)
    media_root = Path(media_root or settings.MEDIA_ROOT)
    report = RestoreReport()

    def safety_backup() -> Path:
        return backup(_backup_path(database, "-before-restore"), database=database, alias=alias, media_root=media_root)

    if _is_legacy_dump(path) or not tarfile.is_tarfile(path):
        # An old plain dump (or something that is neither: pg_restore --list refuses it).
        report.legacy = True
        report.safety = _restore_database(path, database, alias, safety_backup)
        return report
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed below; opening is what may fail)
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path} is not a backup archive: {exc}") from None
    with tar:
        _restore_archive(tar, database, alias, media_root, safety_backup, report)
    return report


def restore(path: Path, *, database: str | None = None, alias: str = "default", media_root: Path | None = None):
    """``restore_backup``, returning only the safety backup (None when nothing was replaced)."""
    return restore_backup(path, database=database, alias=alias, media_root=media_root).safety


# ---- databases ----------------------------------------------------------------------------------------------


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
