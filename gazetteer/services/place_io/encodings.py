"""Text encodings of bureau files: declared by a .cpg, by the user, or found by trying.

Chinese GIS files are often GBK (CP936) with no .cpg, and GDAL then reads them as Latin-1, which never
fails and turns every name into mojibake. So an undeclared file is decoded strictly as UTF-8 first,
then as GBK, then as GB18030 (its superset), and the report says which one worked.

Only text encodings are accepted (TEXT_CODECS): Python also has codecs such as rot13, hex or zlib,
which are not what a file can be written in. Files are decoded in chunks (``first_error``,
``open_text``), never read whole.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import TextIO

CANDIDATES = ("UTF-8", "GBK", "GB18030")
CHUNK_BYTES = 1 << 20
# Names GIS software writes into a .cpg, and the Python codec each means.
CPG_CODES = {
    "65001": "UTF-8",
    "936": "GBK",
    "54936": "GB18030",
    "950": "BIG5",
    "88591": "ISO-8859-1",
    "1252": "CP1252",
    "437": "CP437",
}
# The codecs a place file may be in (Python's codec names), and how the report names them. GB 2312
# is read as GBK, its superset, so that files labelled GB2312 with GBK-only characters still read.
TEXT_CODECS = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8",
    "ascii": "ASCII",
    "gbk": "GBK",
    "gb2312": "GBK",
    "gb18030": "GB18030",
    "big5": "BIG5",
    "big5hkscs": "BIG5HKSCS",
    "iso8859-1": "ISO-8859-1",
    "cp1252": "CP1252",
    "cp437": "CP437",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16-LE",
    "utf-16-be": "UTF-16-BE",
}
ACCEPTED = "UTF-8, GBK, GB18030, GB2312, BIG5, ISO-8859-1 (Latin-1), CP1252, UTF-16"


class UnknownEncoding(ValueError):
    pass


def canonical(name: str) -> str:
    """A display name for a text encoding ("utf8" -> "UTF-8", "cp936" -> "GBK")."""
    raw = str(name).strip().strip("\ufeff")
    raw = CPG_CODES.get(raw, raw)
    try:
        codec = codecs.lookup(raw).name if raw and "\x00" not in raw else None
    except LookupError:
        codec = None
    if codec is None:
        raise UnknownEncoding(f"unknown encoding {_shown(name)}; use one of {ACCEPTED}")
    if codec not in TEXT_CODECS:
        raise UnknownEncoding(f"{_shown(name)} is not a text encoding of place files; use one of {ACCEPTED}")
    return TEXT_CODECS[codec]


def _shown(name: str) -> str:
    text = str(name)
    return repr(text if len(text) <= 40 else text[:40] + "…")


def from_cpg(text: str) -> str:
    return canonical(text.splitlines()[0] if text.strip() else "")


def _codec(encoding: str) -> str:
    """What Python decodes with: a UTF-8 file may start with a byte-order mark, which is dropped."""
    return "utf-8-sig" if encoding == "UTF-8" else encoding


def starts_with_bom(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8


def first_error(path: Path, encoding: str) -> str | None:
    """Why the file is not ``encoding`` (the first undecodable byte), or None: decoded in chunks."""
    decoder = codecs.getincrementaldecoder(_codec(encoding))(errors="strict")
    offset = 0
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(CHUNK_BYTES)
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as exc:
                return f"{exc.reason} at byte {max(offset - pending + exc.start, 0):,}"
            except UnicodeError as exc:  # UTF-16 without a byte-order mark
                return str(exc)
            if not chunk:
                return None
            offset += len(chunk)


def detect(path: Path, declared: str | None) -> str:
    """The encoding to read a text file with: a UTF-8 byte-order mark wins, then the declared
    encoding (which must decode the whole file), else the first candidate that does."""
    if starts_with_bom(path):
        return "UTF-8"
    for encoding in [declared] if declared else CANDIDATES:
        problem = first_error(path, encoding)
        if problem is None:
            return encoding
        if declared:
            raise UnknownEncoding(f"the file is not {declared}: {problem}")
    raise UnknownEncoding(f"the file is neither {' nor '.join(CANDIDATES)}: declare its encoding")


def read_text(path: Path, declared: str | None) -> tuple[str, str]:
    """A whole text file (GeoJSON, parsed as one document) and its encoding, as ``detect`` finds it."""
    used = detect(path, declared)
    return path.read_text(encoding=_codec(used), errors="strict"), used


def open_text(path: Path, encoding: str) -> TextIO:
    """The file as text, decoded strictly as it is read (for the csv module: no newline translation)."""
    return path.open(encoding=_codec(encoding), errors="strict", newline="")


def decode_bytes(values: list[bytes], declared: str | None) -> tuple[list[str], str]:
    """Texts of a dBase table, decoded together: the declared encoding, else the first candidate in
    which every one of them decodes strictly."""
    for encoding in [declared] if declared else CANDIDATES:
        try:
            return [v.decode(_codec(encoding)) for v in values], encoding
        except UnicodeError as exc:
            if declared:
                raise UnknownEncoding(f"the file is not {declared}: {getattr(exc, 'reason', exc)}") from None
    raise UnknownEncoding(f"the file is neither {' nor '.join(CANDIDATES)}: declare its encoding")
