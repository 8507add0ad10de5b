"""Text encodings of bureau files: declared by a .cpg, by the user, or found by trying.

Chinese GIS files are often GBK (CP936) with no .cpg, and GDAL then reads them as Latin-1, which never
fails and turns every name into mojibake. So an undeclared file is decoded strictly as UTF-8 first,
then as GBK, then as GB18030 (its superset), and the report says which one worked.
"""

from __future__ import annotations

import codecs

CANDIDATES = ("UTF-8", "GBK", "GB18030")
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
DISPLAY = {
    "utf-8": "UTF-8",
    "gbk": "GBK",
    "gb18030": "GB18030",
    "gb2312": "GBK",
    "big5": "BIG5",
    "latin-1": "ISO-8859-1",
    "iso8859-1": "ISO-8859-1",
}


class UnknownEncoding(ValueError):
    pass


def canonical(name: str) -> str:
    """A display name for an encoding ("utf8" -> "UTF-8", "cp936" -> "GBK"); GB 2312 is read as GBK,
    its superset, so that files labelled GB2312 with GBK-only characters still read."""
    raw = name.strip().strip("\ufeff")
    raw = CPG_CODES.get(raw, raw)
    try:
        codec = codecs.lookup(raw).name
    except LookupError:
        raise UnknownEncoding(f"unknown encoding {name!r}") from None
    return DISPLAY.get(codec, "GBK" if codec in {"cp936", "gbk"} else codec.upper())


def from_cpg(text: str) -> str:
    return canonical(text.splitlines()[0] if text.strip() else "")


def has_replacement(values) -> bool:
    return any(isinstance(v, str) and "\ufffd" in v for v in values)


def decode(raw: bytes, declared: str | None) -> tuple[str, str]:
    """The text of a file and the encoding used: the declared one, else the first candidate that
    decodes strictly. A UTF-8 byte-order mark is dropped."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[len(codecs.BOM_UTF8) :].decode("utf-8"), "UTF-8"
    for encoding in [declared] if declared else CANDIDATES:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            if declared:
                raise UnknownEncoding(f"the file is not {declared}: {exc.reason} at byte {exc.start}") from None
    raise UnknownEncoding(f"the file is neither {' nor '.join(CANDIDATES)}: declare its encoding")
