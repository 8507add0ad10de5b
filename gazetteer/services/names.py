"""What a place name may be, written once: the services, the API, the admin, the importers and the
naming procedure all ask ``name_problem`` before a name is romanized or stored."""

from __future__ import annotations

from gazetteer.romanization.engine import unwritable_characters

# Longer than any real name (the longest village committee names run to about 30 characters), far
# below the column's 200: a name is refused before the romanizer or the search index sees it.
MAX_NAME_CHARS = 100


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a place name, or None when it can."""
    text = (name or "").strip()
    if not text:
        return "the name is empty"
    if len(text) > MAX_NAME_CHARS:
        return f"the name is longer than {MAX_NAME_CHARS} characters"
    unwritable = unwritable_characters(text)
    if unwritable:
        shown = ", ".join(f"U+{ord(ch):04X}" if not ch.isprintable() else repr(ch) for ch in dict.fromkeys(unwritable))
        return f"the name holds characters a place name may not have: {shown}"
    return None
