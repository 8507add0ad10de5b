"""Kept in memory until something changes: a generation is a number in a database sequence that the
writers of some data raise, and a process keeps what it derived from that data under the number it
read. Every server process (and every server sharing the database) sees the same number.

Writers raise it twice: at once, so their own session sees its change, and again once their
transaction has committed; that second raise is what keeps the caches honest, because whatever was
read before the commit can only have been kept under a number no one asks for afterwards. A rolled-back
change (a sequence is not rolled back) only costs the kept entries.

A process reads the number at most every ``refresh_setting`` seconds (settings): a change shows in
other processes within that time, and a hit costs no database round trip.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.conf import settings
from django.db import connection, transaction


class Generation:
    def __init__(self, sequence: str, refresh_setting: str):
        self.sequence = sequence
        self.refresh_setting = refresh_setting
        self._read = (0, -1.0)  # (number, monotonic time it was read)

    def read(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT last_value FROM {self.sequence}")  # noqa: S608 (a constant)
            return cursor.fetchone()[0]

    def current(self) -> int:
        number, read_at = self._read
        now = time.monotonic()
        if now - read_at >= getattr(settings, self.refresh_setting):
            number = self.read()
            self._read = (number, now)
        return number

    def forget(self) -> None:
        self._read = (0, -1.0)

    def _raise_now(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval('{self.sequence}')")
        self.forget()

    def advance(self) -> None:
        """Call in the transaction that changes the data (once after the commit, however many changes)."""
        self._raise_now()
        pending = connection.run_on_commit if connection.in_atomic_block else []
        if not any(callback == self._raise_now for _, callback, _ in pending):
            transaction.on_commit(self._raise_now)


class Kept:
    """A bounded least-recently-used map of what was derived under a generation; safe for threads.
    ``make`` may raise: nothing is kept then."""

    def __init__(self, generation: Generation, size: int):
        self.generation = generation
        self.size = size
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get_or_make(self, key: Hashable, make: Callable[[], object]) -> object:
        key = (self.generation.current(), key)
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
        self.generation.forget()
