"""The event seam: a record's service announces each change; whoever keeps data derived from that
kind of record subscribes, from its own app's AppConfig.ready(). No service imports its consumers.

Two moments, because derived data is of two sorts:
- ``WITHIN`` the edit's transaction: data that must agree with the record the moment the edit is
  visible (the search index, the boundary lines drawn from the polygons, the dropped tile cache). A
  failure there undoes the edit, as it would if the service had written it itself.
- ``AFTER_COMMIT``: work too slow to hold the edit's locks (the generalised geometry of the tiles).
  Run once the edit has committed; a failure is logged and does not undo the edit. Handlers given a
  ``once_key`` run once per transaction however many records it changed (an import changes many).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from django.db import connection, transaction

logger = logging.getLogger(__name__)


class Moment(Enum):
    WITHIN = "within the edit's transaction"
    AFTER_COMMIT = "after the edit has committed"


@dataclass(frozen=True)
class RecordChanged:
    kind: str  # the record kind's name, as the kernel's registry knows it: "place", "unit", "application"
    record: object  # the record as saved
    changed: frozenset[str] = field(default_factory=frozenset)  # attribute names; empty: created
    created: bool = False

    def touches(self, *names: str) -> bool:
        return self.created or bool(self.changed & set(names))


Handler = Callable[[RecordChanged], object]


@dataclass(frozen=True)
class _Subscription:
    handler: Handler
    moment: Moment
    once_key: str | None
    when: Callable[[RecordChanged], bool] | None


_subscriptions: dict[str, list[_Subscription]] = defaultdict(list)


def subscribe(
    kind: str,
    handler: Handler,
    *,
    moment: Moment = Moment.WITHIN,
    once_key: str | None = None,
    when: Callable[[RecordChanged], bool] | None = None,
) -> None:
    """Call ``handler(event)`` on every change of a ``kind`` record (for which ``when(event)`` holds).
    Idempotent: subscribing the same handler twice (ready() may run twice) subscribes it once."""
    subscription = _Subscription(handler, moment, once_key, when)
    if subscription not in _subscriptions[kind]:
        _subscriptions[kind].append(subscription)


def subscribers(kind: str) -> list[Handler]:
    return [s.handler for s in _subscriptions[kind]]


def announce(event: RecordChanged) -> None:
    for subscription in _subscriptions[event.kind]:
        if subscription.when is not None and not subscription.when(event):
            continue
        if subscription.moment is Moment.WITHIN:
            subscription.handler(event)
        elif subscription.once_key is None or not _pending(subscription.once_key):
            _after_commit(subscription, event)


def _pending(once_key: str) -> bool:
    pending = connection.run_on_commit if connection.in_atomic_block else []
    return any(getattr(callback, "once_key", None) == once_key for _, callback, _ in pending)


def _after_commit(subscription: _Subscription, event: RecordChanged) -> None:
    def run() -> None:
        subscription.handler(event)

    run.once_key = subscription.once_key
    transaction.on_commit(run, robust=True)
