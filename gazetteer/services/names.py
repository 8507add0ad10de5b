"""What a place name may be, written once: the services, the API, the admin, the importers and the
naming procedure all ask ``name_problem`` before a name is romanized or stored."""

from __future__ import annotations

from gazetteer.romanization.engine import text_problem

# Longer than any real name (the longest village committee names run to about 30 characters), far
# below the column's 200: a name is refused before the romanizer or the search index sees it.
MAX_NAME_CHARS = 100


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a place name, or None when it can."""
    text = (name or "").strip()
    if len(text) > MAX_NAME_CHARS:
        return f"the name is longer than {MAX_NAME_CHARS} characters"
    return text_problem(text)
