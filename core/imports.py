"""Running an importer safely: one transaction, one changeset, one ImportRun with its report.

An importer is a function ``(ImportContext) -> None`` that reads its source and writes through the
services. If it raises, everything it wrote is rolled back, the previous data stays as it was, and
a failed ImportRun is recorded afterwards with the error.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from core.history import open_changeset
from core.models import Changeset, DataSource, ImportRun
from core.sources import SourceDefinition, register

log = logging.getLogger(__name__)


class ImportRefused(Exception):
    """The source failed a check (invalid geometry, wrong datum, broken tiling); nothing was written."""


class DryRunRollback(Exception):
    pass


@dataclass
class ImportReport:
    source_key: str
    counts: Counter = field(default_factory=Counter)
    facts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    figures: dict = field(default_factory=dict)

    def count(self, what: str, n: int = 1) -> None:
        self.counts[what] += n

    def fact(self, text: str) -> None:
        self.facts.append(text)

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def as_dict(self) -> dict:
        return {
            "source": self.source_key,
            "counts": dict(sorted(self.counts.items())),
            "facts": self.facts,
            "warnings": self.warnings,
            "figures": self.figures,
        }

    def lines(self) -> list[str]:
        out = [f"[{self.source_key}]"]
        out += [f"  {name}: {n}" for name, n in sorted(self.counts.items())]
        out += [f"  {name}: {value}" for name, value in self.figures.items()]
        out += [f"  fact: {text}" for text in self.facts]
        out += [f"  warning: {text}" for text in self.warnings]
        return out


@dataclass
class ImportContext:
    definition: SourceDefinition
    source: DataSource
    changeset: Changeset
    report: ImportReport


Importer = Callable[[ImportContext], None]


def already_applied(definition: SourceDefinition) -> bool:
    return ImportRun.objects.filter(
        source__key=definition.key,
        source__version=definition.version,
        source__package_sha256=definition.sha256,
        status__in=[ImportRun.Status.APPLIED, ImportRun.Status.UNCHANGED],
    ).exists()


def run_import(definition: SourceDefinition, importer: Importer, *, dry_run: bool = False) -> ImportReport:
    """Run ``importer`` over ``definition`` in one transaction; raise after recording a failure."""
    report = ImportReport(definition.key)
    try:
        with transaction.atomic():
            source = register(definition)
            changeset = open_changeset(
                Changeset.Kind.IMPORT,
                f"load {definition.title} ({definition.vintage or 'vintage unstated'})",
                label=f"import {definition.requirement}",
            )
            importer(ImportContext(definition, source, changeset, report))
            changed = sum(n for what, n in report.counts.items() if what.split(" ")[0] in CHANGE_WORDS)
            status = (
                ImportRun.Status.DRY_RUN
                if dry_run
                else (ImportRun.Status.APPLIED if changed else ImportRun.Status.UNCHANGED)
            )
            ImportRun.objects.create(source=source, changeset=changeset, status=status, report=report.as_dict())
            if dry_run:
                raise DryRunRollback
    except DryRunRollback:
        pass
    except Exception as exc:
        source = register(definition)
        report.warn(f"{type(exc).__name__}: {exc}")
        ImportRun.objects.create(source=source, status=ImportRun.Status.FAILED, report=report.as_dict())
        raise
    return report


# Count names that start with one of these words are changes; others ("unchanged ...", "checked ...") are not.
CHANGE_WORDS = {"created", "updated", "renamed", "recoded", "conflicts", "linked", "seated"}
