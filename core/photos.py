"""The one door through which the project takes a photo from outside (boundary markers, inspection checks).

An uploaded image is hostile input: a file named ``.jpg`` may be anything, a small PNG may declare
20,000 x 20,000 pixels of one colour (a decompression bomb: kilobytes on the wire, gigabytes once
decoded), a JPEG may be cut short, and its EXIF may be malformed. So a photo is taken only through
``check_photo``, which

1. refuses a file larger than settings.PHOTO_MAX_BYTES before reading it (``PhotoRefused.status`` 413);
2. decides the format by the first bytes alone (JPEG, PNG or WebP); the declared content type and the
   file's name are not looked at;
3. opens it with Pillow's plugin for that format only (``Image.open(..., formats=[...])``, as core.ogr
   opens a file with one GDAL driver), under the decompression-bomb limit settings.PHOTO_MAX_PIXELS
   (``Image.MAX_IMAGE_PIXELS``; Pillow's warning is an error here, and the declared size is checked
   again after opening, so the limit holds even where the warning filter is not in force); an animated
   image (several frames) is refused;
4. ``verify()``s the file, then opens it again and ``load()``s every pixel (a truncated file fails here);
5. reads from EXIF the time taken and the GPS position (``None`` where absent or malformed: malformed
   EXIF never raises);
6. makes the public copy: orientation applied first (``ImageOps.exif_transpose``), then the pixels
   alone re-encoded into a new image that carries no metadata at all (no EXIF, GPS, XMP, ICC profile,
   comments or text chunks).

Every refusal is ``PhotoRefused`` with a message that says what was wrong and never quotes the file.
Pillow's own messages go to the log. core/ imports no app: the callers store and serve the result.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import math
import warnings
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageFile, ImageOps

log = logging.getLogger(__name__)

JPEG, PNG, WEBP = "JPEG", "PNG", "WEBP"
FORMATS = (JPEG, PNG, WEBP)
EXTENSIONS = {JPEG: ".jpg", PNG: ".png", WEBP: ".webp"}
CONTENT_TYPES = {JPEG: "image/jpeg", PNG: "image/png", WEBP: "image/webp"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
JPEG_SIGNATURE = b"\xff\xd8\xff"
PUBLIC_QUALITY = 90  # JPEG and WebP quality of the public copy

# EXIF tags (CIPA DC-008): the sub-IFDs and what is read from them.
EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATE_TIME, DATE_TIME_ORIGINAL, DATE_TIME_DIGITIZED = 0x0132, 0x9003, 0x9004
OFFSET_TIME_ORIGINAL, OFFSET_TIME_DIGITIZED, OFFSET_TIME = 0x9011, 0x9012, 0x9010
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
EARLIEST_YEAR, LATEST_YEAR = 1900, 2200


class PhotoRefused(Exception):
    """A photo that is not taken; ``message`` says why, ``status`` is the HTTP answer (413 too large,
    else 400)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Position:
    """Where the EXIF says the photo was taken: signed decimal degrees (south and west negative), with
    the hemisphere letters as written (N/S, E/W). EXIF GPS is the receiver's WGS84, which the storage
    CRS (CGCS2000) equals to a few centimetres."""

    lon: float
    lat: float
    lon_ref: str
    lat_ref: str


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo that passed every check: the bytes as received (the original, kept for staff), what they
    are, and the public copy (re-encoded, no metadata). ``width``/``height`` are as the photo is seen
    (orientation applied), which is also the public copy's size."""

    original: bytes
    format: str
    sha256: str
    width: int
    height: int
    taken_at: dt.datetime | None
    position: Position | None
    public_copy: bytes

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]


# ---- size and first bytes ----------------------------------------------------------------------------


def max_bytes() -> int:
    return int(settings.PHOTO_MAX_BYTES)


def max_pixels() -> int:
    return int(settings.PHOTO_MAX_PIXELS)


def _too_large(size: int) -> PhotoRefused:
    limit = max_bytes()
    return PhotoRefused(
        f"the photo is {size / 2**20:.1f} MB, larger than the limit of {limit / 2**20:.1f} MB "
        "(settings.PHOTO_MAX_BYTES)",
        status=413,
    )


def read_limited(source) -> bytes:
    """The bytes of ``source`` (bytes, or an uploaded or open file), refused when larger than the limit
    before anything is decoded: a file's declared size is asked first, and no more than the limit plus
    one byte is ever read."""
    limit = max_bytes()
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > limit:
            raise _too_large(len(data))
        return data
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > limit:
        raise _too_large(declared)
    if hasattr(source, "seek"):
        source.seek(0)
    data = source.read(limit + 1)
    if len(data) > limit:
        raise _too_large(max(len(data), declared or 0))
    return data


def sniff(head: bytes) -> str | None:
    """The format the first bytes say (JPEG, PNG, WEBP), or None."""
    if head.startswith(JPEG_SIGNATURE):
        return JPEG
    if head.startswith(PNG_SIGNATURE):
        return PNG
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


# ---- decoding under the limits -----------------------------------------------------------------------


def _open(data: bytes, fmt: str) -> Image.Image:
    """Pillow's one plugin for ``fmt`` on ``data``, its declared size checked against the limit."""
    limit = max_pixels()
    Image.MAX_IMAGE_PIXELS = limit  # process-wide; this module is the door every upload goes through
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=[fmt])
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _bomb(None, limit) from None
    width, height = image.size
    if width * height > limit:
        raise _bomb((width, height), limit)
    return image


def _bomb(size: tuple[int, int] | None, limit: int) -> PhotoRefused:
    declared = f"{size[0]:,} x {size[1]:,} pixels, more" if size else "more pixels"
    return PhotoRefused(
        f"the image declares {declared} than the limit of {limit:,} pixels "
        "(settings.PHOTO_MAX_PIXELS): refused as a possible decompression bomb"
    )


def _decoded(data: bytes, fmt: str) -> Image.Image:
    """The image verified and with every pixel loaded, or PhotoRefused."""
    # WeasyPrint switches Pillow's truncation check off for the whole process when it is imported (any PDF
    # endpoint does): a photo is decoded with the check on, and the switch is put back as it was. (A PDF
    # drawn in another thread meanwhile would see the check on: the PDFs embed only the system's own images.)
    truncated_ok, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
    try:
        return _decoded_strictly(data, fmt)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = truncated_ok


def _decoded_strictly(data: bytes, fmt: str) -> Image.Image:
    try:
        probe = _open(data, fmt)
        frames = getattr(probe, "n_frames", 1)
        if frames != 1:
            raise PhotoRefused(f"the {fmt} file holds {frames} frames (an animation), not one photo")
        probe.verify()
        image = _open(data, fmt)  # verify() leaves the image unusable: open it again to decode it
        image.load()
    except PhotoRefused:
        raise
    except Exception as exc:  # Pillow's decoders fail in many types; none of their text is shown
        log.warning("a %s photo could not be decoded: %s: %s", fmt, type(exc).__name__, exc)
        raise PhotoRefused(f"the file starts like a {fmt} image but cannot be decoded (damaged or cut short)") from None
    return image


# ---- EXIF ---------------------------------------------------------------------------------------------


def _text(value) -> str:
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    return str(value).replace("\x00", "").strip()


def _exif_time(text: str, offset: str, zone: dt.tzinfo) -> dt.datetime | None:
    try:
        naive = dt.datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    if not EARLIEST_YEAR <= naive.year <= LATEST_YEAR:
        return None
    if offset:
        try:
            return dt.datetime.fromisoformat(naive.isoformat() + offset)
        except ValueError:
            pass
    return naive.replace(tzinfo=zone)


def taken_at(exif: Image.Exif) -> dt.datetime | None:
    """DateTimeOriginal (else DateTimeDigitized, else DateTime), with its EXIF offset where one is
    written, else in settings.TIME_ZONE (a camera's clock keeps local time); None when absent or not a
    time."""
    try:
        sub = exif.get_ifd(EXIF_IFD)
        candidates = (
            (sub.get(DATE_TIME_ORIGINAL), sub.get(OFFSET_TIME_ORIGINAL)),
            (sub.get(DATE_TIME_DIGITIZED), sub.get(OFFSET_TIME_DIGITIZED)),
            (exif.get(DATE_TIME), sub.get(OFFSET_TIME)),
        )
        zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        for value, offset in candidates:
            if value is not None:
                found = _exif_time(_text(value), _text(offset) if offset is not None else "", zone)
                if found is not None:
                    return found
    except Exception as exc:  # malformed EXIF never stops a photo; it only has no time
        log.info("EXIF time not readable: %s: %s", type(exc).__name__, exc)
    return None


def _degrees(value, maximum: float) -> float | None:
    parts = value if isinstance(value, tuple | list) else (value,)
    if not 1 <= len(parts) <= 3:
        return None
    numbers = [float(part) for part in parts]
    if not all(math.isfinite(n) and n >= 0 for n in numbers):
        return None
    if any(n > 60 for n in numbers[1:]):
        return None
    degrees = sum(n / 60**i for i, n in enumerate(numbers))
    return degrees if degrees <= maximum else None


def position(exif: Image.Exif) -> Position | None:
    """The GPS IFD's latitude and longitude with their N/S and E/W references, signed; None when absent,
    incomplete or out of range (0, 0 is what receivers without a fix write: taken as absent)."""
    try:
        gps = exif.get_ifd(GPS_IFD)
        if not gps:
            return None
        lat_ref, lon_ref = _text(gps.get(GPS_LATITUDE_REF, "")).upper(), _text(gps.get(GPS_LONGITUDE_REF, "")).upper()
        if lat_ref not in ("N", "S") or lon_ref not in ("E", "W"):
            return None
        lat, lon = _degrees(gps.get(GPS_LATITUDE), 90), _degrees(gps.get(GPS_LONGITUDE), 180)
        if lat is None or lon is None or (lat == 0 and lon == 0):
            return None
        return Position(
            lon=-lon if lon_ref == "W" else lon, lat=-lat if lat_ref == "S" else lat, lon_ref=lon_ref, lat_ref=lat_ref
        )
    except Exception as exc:  # malformed EXIF never stops a photo; it only has no position
        log.info("EXIF GPS not readable: %s: %s", type(exc).__name__, exc)
        return None


def _exif(image: Image.Image) -> Image.Exif:
    try:
        return image.getexif()
    except Exception as exc:
        log.info("EXIF not readable: %s: %s", type(exc).__name__, exc)
        return Image.Exif()


# ---- the public copy ----------------------------------------------------------------------------------

SAVE_MODES = {JPEG: ("L", "RGB"), PNG: ("1", "L", "LA", "I", "I;16", "RGB", "RGBA"), WEBP: ("RGB", "RGBA")}


def _oriented(image: Image.Image) -> Image.Image:
    try:
        return ImageOps.exif_transpose(image)
    except Exception as exc:  # an orientation that cannot be read: the pixels as stored
        log.info("EXIF orientation not applied: %s: %s", type(exc).__name__, exc)
        return image.copy()


def public_copy(image: Image.Image, fmt: str) -> tuple[bytes, tuple[int, int]]:
    """The photo as seen (orientation applied), its pixels alone in a new image of the same format:
    nothing of the original's metadata can ride along. Returns the encoded bytes and the size."""
    oriented = _oriented(image)
    if oriented.mode not in SAVE_MODES[fmt]:
        alpha = oriented.mode in ("RGBA", "LA", "PA") or "transparency" in oriented.info
        oriented = oriented.convert("RGBA" if alpha and fmt != JPEG else "RGB")
    bare = Image.frombytes(oriented.mode, oriented.size, oriented.tobytes())  # no info, no exif, no palette
    out = io.BytesIO()
    if fmt == PNG:
        bare.save(out, format=PNG)
    else:
        bare.save(out, format=fmt, quality=PUBLIC_QUALITY)
    return out.getvalue(), bare.size


# ---- the door -----------------------------------------------------------------------------------------


def check_photo(source) -> CheckedPhoto:
    """Take a photo from ``source`` (bytes, or an uploaded or open file) or refuse it (PhotoRefused)."""
    data = read_limited(source)
    if not data:
        raise PhotoRefused("the file is empty")
    fmt = sniff(data[:16])
    if fmt is None:
        raise PhotoRefused(
            "the file is not a JPEG, PNG or WebP image (its first bytes carry none of their signatures; "
            "the file's name and declared type are not taken as proof)"
        )
    image = _decoded(data, fmt)
    exif = _exif(image)
    try:
        copy, (width, height) = public_copy(image, fmt)
    except Exception as exc:
        log.warning("the public copy of a %s photo could not be made: %s: %s", fmt, type(exc).__name__, exc)
        raise PhotoRefused(f"the {fmt} image could not be re-encoded") from None
    return CheckedPhoto(
        original=data,
        format=fmt,
        sha256=hashlib.sha256(data).hexdigest(),
        width=width,
        height=height,
        taken_at=taken_at(exif),
        position=position(exif),
        public_copy=copy,
    )
