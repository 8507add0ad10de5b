"""Recent search answers, kept in each server process until the search index changes.

People type the same names again and again (a type-ahead sends every prefix), and the index changes
only when a record does, so an answer is kept in memory under the index's generation: a number the
index writers raise (a database sequence, so every server process, and every server sharing the
database, sees the same number). They raise it twice: at once, so that their own session searches the
new entries, and again once their transaction has committed, which is what keeps the cache honest: an
answer read before the commit can only be stored under a number no one asks for afterwards.

A process reads the number at most every SEARCH_REFRESH_SECONDS (settings; 1 s, Elasticsearch's
default refresh interval): a change shows in other sessions' searches within that time, and a search
costs no database round trip at all when its answer is kept. Answers also depend on the day (names
take effect and end on dates), so the day is in the key.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db import connection, transaction

GENERATION_SEQUENCE = "gazetteer_search_generation"
ENTRIES_PER_PROCESS = 4096


def generation() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {GENERATION_SEQUENCE}")  # noqa: S608 (a constant)
        return cursor.fetchone()[0]


def _advance() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT nextval('{GENERATION_SEQUENCE}')")
    answers.forget_generation()


def index_changed() -> None:
    """Call in the transaction that writes the index (a sequence is not rolled back: a change that
    is undone only costs the kept answers)."""
    _advance()
    transaction.on_commit(_advance)


class AnswerCache:
    """A bounded least-recently-used map, safe for the server's threads."""

    def __init__(self, size: int = ENTRIES_PER_PROCESS):
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self._generation = (0, -1.0)  # (number, monotonic time it was read)

    def generation(self) -> int:
        number, read_at = self._generation
        now = time.monotonic()
        if now - read_at >= settings.SEARCH_REFRESH_SECONDS:
            number = generation()
            self._generation = (number, now)
        return number

    def forget_generation(self) -> None:
        self._generation = (0, -1.0)

    def get_or_make(self, key: Hashable, make: Callable[[], object]) -> object:
        key = (self.generation(), dt.date.today(), key)
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        value = make()
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
        self.forget_generation()


answers = AnswerCache()
