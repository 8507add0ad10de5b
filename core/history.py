"""Changesets: every change is made inside one, which says who, when and why."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser

from core.models import Changeset


class ReasonRequired(ValueError):
    pass


def open_changeset(kind: str, reason: str, *, author: AbstractBaseUser | None = None, label: str = "") -> Changeset:
    """A new changeset. ``reason`` is required; ``label`` names a non-user author (an importer)."""
    if not (reason or "").strip():
        raise ReasonRequired("every change needs a reason")
    if author is None and not label:
        raise ValueError("a changeset needs an author or an author label")
    return Changeset.objects.create(
        kind=kind, reason=reason.strip(), author=author, author_label=label or author.get_username()
    )


@dataclass
class VersionConflict(Exception):
    """A change based on a version the object has moved on from: the second of two concurrent edits."""

    what: str  # e.g. "place 23108400007200000001"
    expected_version: int
    current_version: int

    def __str__(self) -> str:
        return (
            f"{self.what} is at version {self.current_version}, "
            f"but the change was based on version {self.expected_version}"
        )
