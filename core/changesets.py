"""Changesets as the unit of work: one request edits many records of several kinds, all or nothing.

Each edit names a record (its kind and key), the version it was based on, and the attributes it
changes. The changeset is applied in one transaction: each edit is checked by its kind (rights and
values, as its single-record endpoint checks them); then every record is locked and its version
compared, and a stale base refuses the whole changeset with every conflicting record listed (kind, key,
your version, current version) so a map editor can show them all at once; then each edit is applied
by its kind's service, in order. Any refusal undoes everything.

Kinds register themselves (``register``) from their app's AppConfig.ready(): core knows no app. A
kind says how to find a record, how to read and authorise an edit (the same rules as its
single-record endpoint: it calls them, it does not copy them) and how to apply it.

The seam for proposals: a kind may say an edit ``needs_agreement`` (a shared boundary line takes effect
only when both parties approve). The whole changeset is then handed to the registered proposal keeper
instead of being applied; until one is registered such a changeset is refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

from core.api import ApiError
from core.history import VersionConflict, open_changeset
from core.models import Changeset

MAX_EDITS = 500


@dataclass(frozen=True)
class EditKind:
    name: str  # "place", "unit"
    find: Callable[[object, str], object | None]  # (user, key) -> the record the user may see, or None
    # (user, record, attributes as sent) -> checked changes; raises ApiError (400/403) as its endpoint does
    prepare: Callable[[object, object, dict], dict]
    # (record, changes, changeset, expected_version) -> the record after the change
    apply: Callable[[object, dict, Changeset, int], object]
    lock: Callable[[object, int], object]  # (record, expected_version) -> locked record, or VersionConflict
    describe: Callable[[object], dict]  # the record after the change, as the answer shows it
    needs_agreement: Callable[[object, dict], bool] = lambda record, changes: False


_kinds: dict[str, EditKind] = {}
_proposal_keeper: Callable[[object, str, list], dict] | None = None


def register(kind: EditKind) -> None:
    _kinds[kind.name] = kind


def kinds() -> dict[str, EditKind]:
    return dict(_kinds)


def keep_proposals_with(keeper: Callable[[object, str, list], dict]) -> None:
    """Install the keeper of changesets held as proposals: keeper(user, reason, edits) -> its answer."""
    global _proposal_keeper
    _proposal_keeper = keeper


@dataclass
class Edit:
    index: int
    kind: EditKind
    key: str
    version: int
    attributes: dict
    record: object = None
    changes: dict = field(default_factory=dict)


def _refuse(edit: Edit, error: ApiError) -> ApiError:
    return ApiError(
        error.status,
        f"edit {edit.index} ({edit.kind.name} {edit.key}): {error.message}",
        edit=edit.index,
        kind=edit.kind.name,
        key=edit.key,
        **error.details,
    )


def read_edits(user, requested: list[dict]) -> list[Edit]:
    """The edits of a changeset as sent ([{"kind", "key", "version", "changes": {...}}, ...], their
    shape checked by the API's schema, core.endpoints.ChangesetNew). Every record is looked up before
    anything is locked."""
    edits = []
    for index, item in enumerate(requested):
        kind = _kinds.get(item["kind"])
        if kind is None:
            raise ApiError(400, f"edit {index}: kind must be one of {', '.join(sorted(_kinds))}", edit=index)
        key, version, changes = item["key"], item["version"], item["changes"]
        record = kind.find(user, key)
        if record is None:
            message = f"edit {index}: no {kind.name} has the key {key!r}"
            raise ApiError(404, message, edit=index, kind=kind.name, key=key)
        edits.append(Edit(index, kind, key, version, changes, record))
    seen = set()
    for edit in edits:
        if (edit.kind.name, edit.record.pk) in seen:
            raise ApiError(400, f"edit {edit.index}: {edit.kind.name} {edit.key} is edited twice", edit=edit.index)
        seen.add((edit.kind.name, edit.record.pk))
    return edits


def _lock_all(edits: list[Edit]) -> None:
    conflicts = []
    for edit in sorted(edits, key=lambda e: (e.kind.name, e.record.pk)):  # one order: no deadlocks
        try:
            edit.record = edit.kind.lock(edit.record, edit.version)
        except VersionConflict as conflict:
            conflicts.append(
                {
                    "edit": edit.index,
                    "kind": edit.kind.name,
                    "key": edit.key,
                    "your_version": conflict.expected_version,
                    "current_version": conflict.current_version,
                }
            )
    if conflicts:
        raise ApiError(
            409,
            f"{len(conflicts)} of the records changed since your edits were based on them; nothing was applied",
            conflicts=sorted(conflicts, key=lambda c: c["edit"]),
        )


def _prepared(user, requested: list[dict]) -> list[Edit]:
    """The edits read, checked by their kinds and locked (refusals name the edit)."""
    edits = read_edits(user, requested)
    # Rights and values first, as the single-record endpoints do. They are judged on the record as read;
    # the lock then confirms it is still the version the edit was based on, so that is what was judged.
    for edit in edits:
        try:
            edit.changes = edit.kind.prepare(user, edit.record, edit.attributes)
        except ApiError as error:
            raise _refuse(edit, error) from None
    _lock_all(edits)
    return edits


def _apply(edits: list[Edit], changeset: Changeset) -> list[dict]:
    results = []
    for edit in edits:
        try:
            record = edit.kind.apply(edit.record, edit.changes, changeset, edit.version)
        except ApiError as error:
            raise _refuse(edit, error) from None
        results.append({"kind": edit.kind.name, "key": edit.key, **edit.kind.describe(record)})
    return results


@transaction.atomic
def apply_changeset(user, reason: str, requested: list[dict]) -> tuple[int, dict]:
    """(status, answer): 201 with the changeset and every record after it, 202 when held as a proposal."""
    edits = _prepared(user, requested)
    if any(edit.kind.needs_agreement(edit.record, edit.changes) for edit in edits):
        if _proposal_keeper is None:
            raise ApiError(400, "this changeset touches a shared record that needs the parties' agreement")
        return 202, _proposal_keeper(user, reason, edits)
    changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    return 201, {"changeset": changeset.pk, "reason": changeset.reason, "records": _apply(edits, changeset)}


@transaction.atomic
def apply_agreed(user, requested: list[dict], changeset: Changeset) -> list[dict]:
    """The edits a proposal held, applied once every party has agreed: checked again as ``user`` (who
    proposed them) and applied in ``changeset``, with no second call for agreement."""
    return _apply(_prepared(user, requested), changeset)
