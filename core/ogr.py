"""The one door through which the project opens a file with GDAL.

GDAL guesses a file's format from its content, and some of its drivers read other files or URLs that
the file names: a VRT text renamed ``places.gpkg`` reads ``/etc/passwd`` or requests a URL. So an
uploaded file reaches GDAL only through this module, which

1. checks the file's first bytes against its declared kind (``check_*``) before GDAL sees it;
2. takes only a plain local path (no ``/vsi…`` prefix, no URL, no ``DRIVER:`` prefix);
3. opens it with fiona and the one driver its kind allows (``GPKG``, ``ESRI Shapefile``): fiona passes
   the driver to GDALOpenEx as the only allowed one, so no other driver can claim the file (pyogrio's
   reader and ``fiona.listlayers`` cannot restrict drivers, see tests/test_upload_safety.py);
4. never puts GDAL's own messages, which can quote the file's content, into what it raises: they go
   to the server log, and ``UnreadableFile.message`` says only what the file was expected to be.

config/geoenv.py also switches off, for the whole process, the GDAL drivers and network access that
would matter should some code path forget this door. tests/test_upload_safety.py fails when a module
other than this one opens files through pyogrio, fiona or GeoDjango's DataSource.
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import shapely
import shapely.geometry

log = logging.getLogger(__name__)

GEOPACKAGE, SHAPEFILE = "gpkg", "shp"
DRIVERS = {GEOPACKAGE: "GPKG", SHAPEFILE: "ESRI Shapefile"}
KIND_LABELS = {GEOPACKAGE: "a GeoPackage", SHAPEFILE: "a shapefile"}
# Open options: a GeoPackage is read as it is, without its -wal/-shm siblings and without locking.
OPEN_OPTIONS = {GEOPACKAGE: {"IMMUTABLE": "YES"}, SHAPEFILE: {}}
MAX_LAYERS = 100

SQLITE_HEADER = b"SQLite format 3\x00"
SHAPEFILE_CODE = 9994  # big-endian, first 4 bytes of a .shp and its .shx
SHAPEFILE_VERSION = 1000  # little-endian, bytes 28-31
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; the end record of an empty archive
# dBase version bytes seen in shapefile .dbf files: dBase III/IV/5, FoxPro, Visual FoxPro, with or
# without memo.
DBASE_VERSIONS = {0x02, 0x03, 0x04, 0x05, 0x30, 0x31, 0x32, 0x43, 0x63, 0x83, 0x8B, 0x8E, 0xCB, 0xE5, 0xF5, 0xFB}
DBASE_FIELD_END = 0x0D


class UnreadableFile(Exception):
    """The file is not what its kind says, or GDAL could not read it. ``message`` names the file and
    what was expected, and never quotes the file's content."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# ---- what the first bytes say ------------------------------------------------------------------------


def _head(path: Path, size: int) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def check_geopackage(path: Path) -> None:
    if _head(path, len(SQLITE_HEADER)) != SQLITE_HEADER:
        raise UnreadableFile(f"{path.name} is not a GeoPackage (it does not start with the SQLite header)")


def _check_shape_header(path: Path, what: str) -> None:
    head = _head(path, 100)
    if len(head) < 100 or struct.unpack(">i", head[:4])[0] != SHAPEFILE_CODE:
        raise UnreadableFile(f"{path.name} is not {what} (it does not start with the shapefile file code 9994)")
    if struct.unpack("<i", head[28:32])[0] != SHAPEFILE_VERSION:
        raise UnreadableFile(f"{path.name} is not {what} (its header gives no shapefile version 1000)")


def _dbase_problem(head: bytes, size: int) -> str | None:
    if len(head) < 33:
        return "it is shorter than a dBase header"
    if head[0] not in DBASE_VERSIONS:
        return "its first byte is no dBase version"
    month, day = head[2], head[3]
    if month > 12 or day > 31:
        return "its header date is not a date"
    header_length, record_length = struct.unpack("<HH", head[8:12])
    if header_length < 33 or record_length < 1 or header_length > size:
        return "its header and record lengths do not fit the file"
    ends = [offset for offset in range(32, min(header_length, len(head)), 32) if head[offset] == DBASE_FIELD_END]
    if not ends:
        return "its field list has no end mark"
    return None


def check_dbase(path: Path) -> None:
    problem = _dbase_problem(_head(path, 64 * 1024), path.stat().st_size)
    if problem:
        raise UnreadableFile(f"{path.name} is not a dBase table ({problem})")


def check_shapefile(shp: Path) -> None:
    """The .shp, its .shx and its .dbf, each by its own header."""
    _check_shape_header(shp, "a shapefile")
    _check_shape_header(shp.with_suffix(".shx"), "a shapefile index (.shx)")
    check_dbase(shp.with_suffix(".dbf"))


def check_zip(path: Path) -> None:
    if _head(path, 4) not in ZIP_SIGNATURES:
        raise UnreadableFile(f"{path.name} is not a zip archive (it does not start with a zip signature)")


CHECKS = {GEOPACKAGE: check_geopackage, SHAPEFILE: check_shapefile}


def _local(path: Path, kind: str) -> Path:
    """A plain local path of a regular file: nothing GDAL would read as a virtual file system, a URL
    or a ``DRIVER:`` prefixed name."""
    text = str(path)
    if kind not in DRIVERS:
        raise ValueError(f"no GDAL driver for the kind {kind!r}")
    if (
        not Path(text).is_absolute()
        or text.startswith("/vsi")
        or "://" in text
        or any(ord(ch) < 32 for ch in text)
        or not Path(text).is_file()
    ):
        raise UnreadableFile(f"{Path(text).name} is not a local file")
    try:
        CHECKS[kind](Path(text))
    except OSError as exc:  # a shapefile part that is missing or cannot be read
        log.warning("could not check %s as %s: %s", text, kind, exc)
        raise UnreadableFile(f"{Path(text).name} could not be read as {KIND_LABELS[kind]}") from None
    return Path(text)


# ---- reading -------------------------------------------------------------------------------------------


@dataclass
class Layer:
    name: str
    fields: list[str]
    crs: str | None  # WKT, as GDAL reads it from the file
    length: int | None  # as the file's metadata says; the features themselves are counted by the reader
    features: Iterator[tuple[dict, shapely.Geometry | None]]


def _unreadable(path: Path, kind: str, exc: BaseException, layer=None) -> UnreadableFile:
    where = f" (layer {layer})" if layer not in (None, "") else ""
    log.warning("GDAL could not read %s as %s%s: %s: %s", path, kind, where, type(exc).__name__, exc)
    return UnreadableFile(f"{path.name}{where} could not be read as {KIND_LABELS[kind]}")


def _open(path: Path, kind: str, layer, encoding: str | None):
    import fiona  # here, after the filter below is in place: fiona registers its drivers on import

    options = {"encoding": encoding} if encoding else {}
    return fiona.open(path, "r", driver=DRIVERS[kind], layer=layer, **options, **OPEN_OPTIONS[kind])


def layer_names(path: Path, kind: str) -> list[str]:
    """The layers of the file, in GDAL's order, each found by opening it with the kind's driver."""
    path = _local(path, kind)
    names = []
    for index in range(MAX_LAYERS + 1):
        try:
            # fiona reads layer=0 as "the layer named like the file": the first layer is layer=None.
            with _open(path, kind, None if index == 0 else index, None) as collection:
                names.append(str(collection.name))
        except ValueError as exc:
            if "Null layer" in str(exc) and index > 0:
                return names
            raise _unreadable(path, kind, exc) from None
        except Exception as exc:  # GDAL's errors come in many types; none of their text is shown
            raise _unreadable(path, kind, exc) from None
    raise UnreadableFile(f"{path.name} has more than {MAX_LAYERS} layers")


def _shape(geometry) -> shapely.Geometry | None:
    if geometry is None:
        return None
    return shapely.force_2d(shapely.geometry.shape(geometry))


@contextmanager
def open_layer(path: Path, kind: str, *, layer: str | None = None, encoding: str | None = None) -> Iterator[Layer]:
    """One layer of a GeoPackage or shapefile, its features read as they are iterated: (attributes,
    shapely geometry in the file's CRS, 2D). ``encoding`` is how the driver decodes text; ISO-8859-1
    hands over the bytes unchanged (as code points 0-255) for the caller to decode."""
    path = _local(path, kind)
    try:
        collection = _open(path, kind, layer, encoding)
    except Exception as exc:
        raise _unreadable(path, kind, exc, layer) from None
    with collection:
        try:
            fields = [str(name) for name in collection.schema["properties"]]
            crs = collection.crs_wkt or None
            name = str(collection.name)
            try:
                length = len(collection)
            except TypeError:
                length = None
        except Exception as exc:
            raise _unreadable(path, kind, exc, layer) from None
        yield Layer(name, fields, crs, length, _features(collection, path, kind, layer))


def _features(collection, path: Path, kind: str, layer) -> Iterator[tuple[dict, shapely.Geometry | None]]:
    try:
        iterator = iter(collection)
    except Exception as exc:
        raise _unreadable(path, kind, exc, layer) from None
    while True:
        try:
            feature = next(iterator)
        except StopIteration:
            return
        except Exception as exc:
            raise _unreadable(path, kind, exc, layer) from None
        try:
            geometry = _shape(feature.geometry)
        except (ValueError, TypeError, AttributeError, shapely.errors.GEOSException) as exc:
            raise _unreadable(path, kind, exc, layer) from None
        yield dict(feature.properties), geometry


class _SkipNotice(logging.Filter):
    """config/geoenv.py names drivers that fiona's smaller GDAL build does not have; GDAL then says so
    at every open. That notice is expected and not worth a log line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "to unload from GDAL_SKIP" not in record.getMessage()


logging.getLogger("fiona._env").addFilter(_SkipNotice())
