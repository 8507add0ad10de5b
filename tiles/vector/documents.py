"""The TileJSON and style documents, built once per generation of the data and kept in the process.

Building them takes ~10 ms of queries (the territory's extent, the sources of what is drawn); they
change only when records change. Every change is a changeset, and every rebuild of the generalised
geometry a GeneralisationBuild, so the newest of each names the generation."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection

from tiles.vector.style import style
from tiles.vector.tilejson import tilejson

_BUILDERS: dict[str, Callable[[str], dict]] = {
    "tilejson": tilejson,
    "style": lambda base_url: style(base_url, document("tilejson", base_url)),  # the kept TileJSON
}
_kept: dict[tuple, dict] = {}


def generation() -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT coalesce(max(id), 0) FROM core_changeset),"
            " (SELECT coalesce(max(id), 0) FROM tiles_generalisationbuild)"
        )
        return cursor.fetchone()


def document(kind: str, base_url: str) -> dict:
    key = (kind, base_url, *generation())
    found = _kept.get(key)
    if found is None:
        stale = [k for k in _kept if k[:2] == key[:2]]
        for old in stale:
            del _kept[old]
        found = _kept[key] = _BUILDERS[kind](base_url)
    return found
