"""The project's PDFs, written one way: the naming notice (gazetteer/services/notices.py) and the
print-map sheet (tiles/printing/sheet.py).

Both are HTML drawn by WeasyPrint (``html_to_pdf``); the print map then has its Mapnik frames placed on
the sheet with pypdf, which writes the file once more (``write_pdf``). What they share:

- the CJK fonts, from one folder (Debian's fonts-noto-cjk): Mapnik registers it (``font_dir``) and
  WeasyPrint's fontconfig is given the same files (``font_config``), so both draw with the same faces,
  and a missing package is one clear error rather than boxes in a PDF;
- the document information (``DocumentInfo``): title, author (the publisher), subject, creator,
  producer, creation date and language, the same keys whichever library writes the file;
- the write itself (``atomic_path``): to a temporary file beside the destination, flushed to disk, then
  renamed over it, so that a reader (the download view, a browser) never sees half a file.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import NameObject, create_string_object

FONT_DIR = Path("/usr/share/fonts/opentype/noto")  # Debian's fonts-noto-cjk
FONT_FILES = ("NotoSansCJK-Regular.ttc", "NotoSansCJK-Bold.ttc", "NotoSerifCJK-Regular.ttc", "NotoSerifCJK-Bold.ttc")
LANGUAGE = "zh-Hans"
LIBRARY_NAMES = {"weasyprint": "WeasyPrint", "pypdf": "pypdf"}

_fonts = threading.local()  # one WeasyPrint font configuration per thread (Pango's font maps are not shared)


class FontsMissing(RuntimeError):
    pass


def font_dir() -> Path:
    """The folder of the CJK fonts both renderers use; FontsMissing (saying what to install) without them."""
    missing = [name for name in FONT_FILES if not (FONT_DIR / name).is_file()]
    if missing:
        raise FontsMissing(f"{', '.join(missing)} not in {FONT_DIR}: install Debian's fonts-noto-cjk")
    return FONT_DIR


def font_config():
    """A WeasyPrint font configuration that holds the files of ``font_dir()`` (as Mapnik does), whatever
    fontconfig's own folders are. Made once per thread."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.ffi import ffi, fontconfig, pangoft2
        from weasyprint.text.fonts import FontConfiguration

        config = FontConfiguration()
        for name in FONT_FILES:
            # FontConfiguration's own fontconfig handle, as its @font-face support uses it (weasyprint 70).
            if not fontconfig.FcConfigAppFontAddFile(config._config, str(font_dir() / name).encode()):
                raise FontsMissing(f"fontconfig cannot read {font_dir() / name}")
        pangoft2.pango_fc_font_map_config_changed(ffi.cast("PangoFcFontMap *", config.font_map))
        _fonts.config = config
    return config


@dataclass(frozen=True)
class DocumentInfo:
    """What a PDF says about itself (its Info dictionary); ``author`` is the publisher."""

    title: str
    author: str
    subject: str = ""
    created: dt.datetime = field(default_factory=timezone.now)
    language: str = LANGUAGE

    @property
    def creator(self) -> str:
        return settings.GAZETTEER_PUBLISHER

    def entries(self, producer: str) -> dict[str, str]:
        """The Info dictionary as pypdf writes it."""
        stamp = pdf_date(self.created)
        entries = {"/Title": self.title, "/Author": self.author, "/Subject": self.subject, "/Creator": self.creator}
        entries |= {"/Producer": producer, "/CreationDate": stamp, "/ModDate": stamp}
        return {key: value for key, value in entries.items() if value}


def pdf_date(moment: dt.datetime) -> str:
    """A PDF date in the bureau's time zone: D:20261128093000+08'00'."""
    local = timezone.localtime(moment)
    offset = local.strftime("%z")
    return f"D:{local:%Y%m%d%H%M%S}{offset[:3]}'{offset[3:]}'"


def producer(*libraries: str) -> str:
    """'WeasyPrint 70.0, pypdf 7.1.1': the libraries that wrote the file, by their own names."""
    return ", ".join(f"{LIBRARY_NAMES.get(name, name)} {version(name)}" for name in libraries)


def html_to_pdf(html: str, info: DocumentInfo, *, base_url: str | None = None) -> bytes:
    """The HTML as a PDF drawn by WeasyPrint with the shared fonts and this document information (which
    replaces what the HTML's own <title> and <meta> would give)."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=base_url).render(font_config=font_config())
    metadata = document.metadata
    metadata.title, metadata.description = info.title, info.subject or None
    metadata.authors = [info.author] if info.author else None
    metadata.generator, metadata.lang = info.creator, info.language
    # Written after WeasyPrint's own entries, so in their place: the producer, and the dates as pypdf's.
    stamp = pdf_date(info.created)
    metadata.custom = {"Producer": producer("weasyprint"), "CreationDate": stamp, "ModDate": stamp}
    return document.write_pdf(custom_metadata=True)


def write_pdf(writer: PdfWriter, destination: Path, info: DocumentInfo) -> Path:
    """Write a pypdf ``PdfWriter`` (here: a WeasyPrint sheet with maps placed on it) to ``destination``
    atomically, with this document information."""
    writer.add_metadata(info.entries(producer("weasyprint", "pypdf")))
    writer.root_object[NameObject("/Lang")] = create_string_object(info.language)
    with atomic_path(destination) as part, part.open("wb") as handle:
        writer.write(handle)
    return destination


@contextmanager
def atomic_path(destination: Path) -> Iterator[Path]:
    """A path beside ``destination`` to write the file to; when the block ends without an error, the
    file is flushed to disk and renamed over ``destination`` in one step. On an error it is removed."""
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    part = destination.with_name(f".{destination.name}.{uuid.uuid4().hex[:12]}.part")
    try:
        yield part
        with part.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(part, destination)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
