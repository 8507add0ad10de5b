"""Recent search answers, kept in each server process until the search index changes.

People type the same names again and again (a type-ahead sends every prefix), and the index changes
only when a record does, so an answer is kept under the index's generation (core.generations), which
the index writers raise (gazetteer.search.index). A process reads it at most every
SEARCH_REFRESH_SECONDS (settings; 1 s, Elasticsearch's default refresh interval): a change shows in
other sessions' searches within that time. Answers also depend on the day (names take effect and end
on dates), so the day is in the key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable

from core.generations import Generation, Kept

GENERATION_SEQUENCE = "gazetteer_search_generation"
ENTRIES_PER_PROCESS = 4096

generation = Generation(GENERATION_SEQUENCE, "SEARCH_REFRESH_SECONDS")


def index_changed() -> None:
    """Call in the transaction that writes the index."""
    generation.advance()


class AnswerCache(Kept):
    def get_or_make(self, key: Hashable, make: Callable[[], object]) -> object:
        return super().get_or_make((dt.date.today(), key), make)


answers = AnswerCache(generation, ENTRIES_PER_PROCESS)
