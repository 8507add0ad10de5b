"""Text the database can store: what every input path (API bodies, query strings, imported files) checks."""

from __future__ import annotations

import unicodedata


def text_problem(value: str) -> str | None:
    """Why a string cannot be stored as text: a NUL, or half of a surrogate pair."""
    if "\x00" in value:
        return "holds a NUL character"
    if any("\ud800" <= ch <= "\udfff" for ch in value):
        return "holds an unpaired surrogate (not valid Unicode)"
    return None


def first_unstorable(value) -> tuple[str, str] | None:
    """(where, problem) of the first key or string in a parsed JSON value that cannot be stored, or None.
    Walks without recursion, so a deeply nested document cannot exhaust the stack."""
    stack = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return where or "a value", problem
        elif isinstance(item, dict):
            for key, member in item.items():
                problem = text_problem(str(key))
                if problem:
                    return "a member name", problem
                stack.append((member, key if isinstance(key, str) else where))
        elif isinstance(item, list):
            stack.extend((member, where) for member in item)
    return None


def has_control_character(value: str, *, multiline: bool = False) -> bool:
    """Whether text typed into a form holds a control character (line breaks and tabs allowed in a
    multi-line text); such text is refused where people write (comments), not silently cleaned."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    return any(unicodedata.category(ch) == "Cc" and ch not in allowed for ch in value)
