"""What an import did, or would do: counts, per-row problems and the coordinate facts it used."""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_LISTED = 1000  # problems of each kind listed in a report; the counts count them all


class Refusal:
    """Why a whole file was refused before any row was looked at (``ImportReport.refused``)."""

    TOO_LARGE = "too_large"
    UNREADABLE = "unreadable"
    NO_CRS = "no_crs"
    BAD_OPTION = "bad_option"
    ROWS = "rows"  # the file was read, but at least one row was refused


class FileRefused(Exception):
    """The file cannot be imported at all; the message says why and what to do."""

    def __init__(self, message: str, *, kind: str = Refusal.UNREADABLE, field: str = "file"):
        super().__init__(message)
        self.message, self.kind, self.field = message, kind, field


@dataclass(frozen=True)
class Problem:
    row: int | None  # 1 = the first record (the line after a CSV's header); None = the whole file
    field: str
    message: str
    layer: str | None = None

    def as_dict(self) -> dict:
        data = {"row": self.row, "field": self.field, "message": self.message}
        if self.layer:
            data["layer"] = self.layer
        return data


@dataclass
class ImportReport:
    dry_run: bool
    format: str = ""
    crs: str = ""
    datum: str = ""
    encoding: str = ""
    layers: list[str] = field(default_factory=list)
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    # {row, action, code, name, standing[, from_version, to_version]}
    records: list[dict] = field(default_factory=list)
    refused: str | None = None  # a Refusal value when nothing was (or would be) written
    changeset: int | None = None
    unlisted_errors: int = 0
    unlisted_warnings: int = 0

    def error(self, row: int | None, field: str, message: str, layer: str | None = None) -> None:
        if len(self.errors) < MAX_LISTED:
            self.errors.append(Problem(row, field, message, layer))
        else:
            self.unlisted_errors += 1

    def warn(self, row: int | None, field: str, message: str, layer: str | None = None) -> None:
        if len(self.warnings) < MAX_LISTED:
            self.warnings.append(Problem(row, field, message, layer))
        else:
            self.unlisted_warnings += 1

    @property
    def ok(self) -> bool:
        return self.refused is None and not self.errors

    @property
    def committed(self) -> bool:
        return self.ok and not self.dry_run and self.changeset is not None

    def as_dict(self) -> dict:
        return {
            "dry_run": self.dry_run,
            "committed": self.committed,
            "refused": self.refused,
            "format": self.format,
            "crs": self.crs,
            "datum": self.datum,
            "encoding": self.encoding,
            "layers": self.layers,
            "counts": {
                "rows_read": self.rows_read,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "errors": len(self.errors) + self.unlisted_errors,
                "warnings": len(self.warnings) + self.unlisted_warnings,
            },
            "errors": _listed(self.errors, self.unlisted_errors, "errors"),
            "warnings": _listed(self.warnings, self.unlisted_warnings, "warnings"),
            "records": self.records,
            "changeset": self.changeset,
        }

    def lines(self) -> list[str]:
        """The report as text, for the management command."""
        state = "refused" if not self.ok else ("dry run: nothing written" if self.dry_run else "committed")
        out = [
            f"import {self.format or '?'} ({state})",
            f"  crs: {self.crs or '-'}  datum: {self.datum or '-'}  encoding: {self.encoding or '-'}",
        ]
        counts = self.as_dict()["counts"]
        out += [f"  {name}: {n}" for name, n in counts.items()]
        would = "" if self.committed else "would "  # the codes of a run rolled back were provisional
        out += [
            f"  {would if r['action'] != 'unchanged' else ''}{r['action']}: row {r['row']} {r['code']} {r['name']}"
            f" ({r['standing']})"
            for r in self.records
        ]
        out += [f"  error: {_where(p)}{p.field}: {p.message}" for p in self.errors]
        out += [f"  warning: {_where(p)}{p.field}: {p.message}" for p in self.warnings]
        for unlisted, what in ((self.unlisted_errors, "errors"), (self.unlisted_warnings, "warnings")):
            if unlisted:
                out.append(f"  ... and {unlisted:,} more {what}")
        if self.changeset:
            out.append(f"  changeset: #{self.changeset}")
        return out


def _listed(problems: list[Problem], unlisted: int, what: str) -> list[dict]:
    listed = [p.as_dict() for p in problems]
    if unlisted:
        listed.append(Problem(None, "file", f"{unlisted:,} more {what} are not listed").as_dict())
    return listed


def _where(problem: Problem) -> str:
    layer = f"{problem.layer} " if problem.layer else ""
    return f"{layer}row {problem.row}: " if problem.row is not None else layer
