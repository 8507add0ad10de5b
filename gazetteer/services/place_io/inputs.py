"""The files of an import: size limit, zip archives, shapefile parts and the format they make.

Files arrive as a path, several paths, or uploaded files (anything with ``name`` and ``read`` or
``chunks``). They are gathered into one working folder with lower-case extensions (GDAL looks for a
shapefile's parts by name), after the total size has been checked against settings.IMPORT_MAX_BYTES.

An uploaded file's name must be a plain file name: at most 255 bytes in UTF-8, no folder, no NUL or
other control character. A zip member keeps only its last name part (so "../../x.csv" and
"/etc/x.csv" land in the working folder as x.csv); an archive is refused when the sizes its members
declare, or the bytes actually unpacked, pass the limit, or when it holds more than MAX_MEMBERS files.
"""

from __future__ import annotations

import glob
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.conf import settings

from core import ogr
from gazetteer.services.place_io.report import FileRefused, Refusal

FORMAT_NAMES = {
    "csv": "csv",
    "census": "csv",
    "geojson": "geojson",
    "json": "geojson",
    "shp": "shp",
    "shapefile": "shp",
    "zip": "shp",
    "gpkg": "gpkg",
    "geopackage": "gpkg",
}
DATASET_SUFFIXES = {".csv": "csv", ".geojson": "geojson", ".json": "geojson", ".shp": "shp", ".gpkg": "gpkg"}
SHAPEFILE_REQUIRED = (".shx", ".dbf")
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
IGNORED_MEMBERS = ("__MACOSX/", ".DS_Store")
MAX_NAME_BYTES = 255
MAX_MEMBERS = 1000
COPY_CHUNK = 1 << 20


@dataclass(frozen=True)
class InputFiles:
    format: str
    datasets: list[Path]  # one file, or one .shp per layer
    folder: Path

    def sibling(self, dataset: Path, suffix: str) -> Path | None:
        path = dataset.with_suffix(suffix)
        return path if path.exists() else None


def normalise_format(value: str | None) -> str | None:
    if value in (None, ""):
        return None
    try:
        return FORMAT_NAMES[value.strip().lower()]
    except KeyError:
        raise FileRefused(
            f"unknown format {value!r}; use csv, geojson, shp or gpkg", kind=Refusal.BAD_OPTION, field="format"
        ) from None


def _size(item) -> int:
    if isinstance(item, str | os.PathLike):
        if not Path(item).is_file():
            raise FileRefused(f"no such file: {item}")
        return Path(item).stat().st_size
    if getattr(item, "size", None) is not None:
        return item.size
    position = item.tell()
    item.seek(0, os.SEEK_END)
    size = item.tell()
    item.seek(position)
    return size


def _check_size(total: int, what: str) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if total > limit:
        raise FileRefused(
            f"{what} {total:,} bytes, more than the limit of {limit:,} bytes "
            "(settings.IMPORT_MAX_BYTES); split the file",
            kind=Refusal.TOO_LARGE,
        )


def _shown(name: str) -> str:
    text = repr(str(name))
    return text if len(text) <= 60 else text[:60] + "…"


def _name_problem(name: str) -> str | None:
    if len(name.encode("utf-8", errors="surrogatepass")) > MAX_NAME_BYTES:
        return f"is longer than {MAX_NAME_BYTES} bytes"
    if any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Zl", "Zp"} for ch in name):
        return "holds a control character"
    if "/" in name or "\\" in name:
        return "names a folder; send the file itself"
    if name.strip(" .") == "":
        return "is not a file name"
    return None


def _local_name(name: str) -> str:
    """The name of an uploaded file in the working folder, refused unless it is a plain file name."""
    text = str(name)
    problem = _name_problem(text)
    if problem:
        raise FileRefused(f"the file name {_shown(text)} {problem}")
    path = PurePosixPath(text)
    return path.stem + path.suffix.lower()


def _member_name(archive: Path, member: str) -> str:
    """A zip member's last name part: its folders, absolute or '..', do not matter."""
    base = PurePosixPath(member.replace("\\", "/")).name
    problem = _name_problem(base)
    if problem:
        raise FileRefused(f"{archive.name} holds a file whose name {_shown(base)} {problem}")
    path = PurePosixPath(base)
    return path.stem + path.suffix.lower()


def _target(folder: Path, local_name: str) -> Path:
    target = folder / local_name
    if target.parent != folder:
        raise FileRefused(f"the file name {_shown(local_name)} is not a plain file name")
    if target.exists():
        raise FileRefused(f"two files are named {target.name}")
    return target


def _place(item, folder: Path) -> Path:
    """Put one input into the working folder: a link for a path, a copy of an upload."""
    if isinstance(item, str | os.PathLike):
        source = Path(item)
        if not source.is_file():
            raise FileRefused(f"no such file: {source}")
        target = _target(folder, _local_name(source.name))
        target.symlink_to(source.resolve())
        return target
    target = _target(folder, _local_name(item.name))
    with target.open("wb") as out:
        if hasattr(item, "chunks"):
            for chunk in item.chunks():
                out.write(chunk)
        else:
            item.seek(0)
            _copy(item, out, settings.IMPORT_MAX_BYTES, f"{target.name} has")
    return target


def _copy(source, out, limit: int, what: str) -> int:
    """Copies in chunks, refusing as soon as more than ``limit`` bytes came (a zip member's declared
    size can lie)."""
    written = 0
    while chunk := source.read(COPY_CHUNK):
        written += len(chunk)
        if written > limit:
            raise FileRefused(
                f"{what} more than the limit of {settings.IMPORT_MAX_BYTES:,} bytes "
                "(settings.IMPORT_MAX_BYTES); split the file",
                kind=Refusal.TOO_LARGE,
            )
        out.write(chunk)
    return written


def _unzip(archive: Path, folder: Path) -> list[Path]:
    try:
        ogr.check_zip(archive)
    except ogr.UnreadableFile as exc:
        raise FileRefused(exc.message) from None
    try:
        with zipfile.ZipFile(archive) as zipped:
            paths = _extract(zipped, archive, folder)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, ValueError):
        raise FileRefused(f"{archive.name} is not a readable zip archive") from None
    except RuntimeError:  # an encrypted member
        raise FileRefused(f"{archive.name} holds an encrypted file; send it unencrypted") from None
    if not paths:
        raise FileRefused(f"{archive.name} is empty")
    return paths


def _extract(zipped: zipfile.ZipFile, archive: Path, folder: Path) -> list[Path]:
    members = [m for m in zipped.infolist() if not m.is_dir() and not any(bad in m.filename for bad in IGNORED_MEMBERS)]
    if len(members) > MAX_MEMBERS:
        raise FileRefused(f"{archive.name} holds {len(members):,} files, more than {MAX_MEMBERS:,}")
    _check_size(sum(m.file_size for m in members), f"{archive.name} unpacks to")
    names = [_member_name(archive, m.filename) for m in members]
    if len(set(names)) != len(names):
        raise FileRefused(f"{archive.name} holds two files of the same name in different folders")
    paths, room = [], settings.IMPORT_MAX_BYTES
    for member, name in zip(members, names, strict=True):
        target = _target(folder, name)
        with zipped.open(member) as src, target.open("wb") as out:
            room -= _copy(src, out, room, f"{archive.name} unpacks to")
        paths.append(target)
    return paths


def gather(path_or_files, folder: Path, format: str | None = None) -> InputFiles:
    """The inputs laid out in ``folder``, refused before any reading when they are too large."""
    items = list(path_or_files) if isinstance(path_or_files, list | tuple) else [path_or_files]
    if not items:
        raise FileRefused("no file was given")
    items = _with_shapefile_parts(items)
    _check_size(sum(_size(item) for item in items), "the upload has")
    paths = []
    for item in items:
        placed = _place(item, folder)
        paths += _unzip(placed, folder) if placed.suffix == ".zip" else [placed]
    return _datasets(paths, folder, normalise_format(format))


def _with_shapefile_parts(items: list) -> list:
    """A path to a .shp brings the parts beside it (.shx, .dbf, .prj, .cpg) unless they were named too."""
    paths = {Path(i).resolve() for i in items if isinstance(i, str | os.PathLike)}
    extra = []
    for item in items:
        if isinstance(item, str | os.PathLike) and Path(item).suffix.lower() == ".shp":
            for sibling in Path(item).parent.glob(f"{glob.escape(Path(item).stem)}.*"):
                if sibling.suffix.lower() in SHAPEFILE_PARTS and sibling.resolve() not in paths:
                    paths.add(sibling.resolve())
                    extra.append(sibling)
    return items + extra


def _datasets(paths: list[Path], folder: Path, format: str | None) -> InputFiles:
    found = sorted(
        p for p in paths if DATASET_SUFFIXES.get(p.suffix) and (format is None or DATASET_SUFFIXES[p.suffix] == format)
    )
    kinds = {DATASET_SUFFIXES[p.suffix] for p in found}
    if not found:
        wanted = f"a {format} file" if format else "a .csv, .geojson, .shp (with its parts) or .gpkg file"
        raise FileRefused(f"found no dataset among {', '.join(p.name for p in paths)}: expected {wanted}")
    if len(kinds) > 1:
        raise FileRefused(f"the upload mixes formats ({', '.join(sorted(kinds))}); send one dataset, or say `format`")
    kind = kinds.pop()
    if kind != "shp" and len(found) > 1:
        raise FileRefused(f"send one {kind} file at a time (got {', '.join(p.name for p in found)})")
    for shp in found if kind == "shp" else ():
        missing = [s for s in SHAPEFILE_REQUIRED if not shp.with_suffix(s).exists()]
        if missing:
            raise FileRefused(
                f"the shapefile {shp.stem} lacks its {' and '.join(missing)}: send .shp, .shx, .dbf, "
                ".prj and .cpg together, or all of them in one .zip"
            )
    return InputFiles(kind, found, folder)
