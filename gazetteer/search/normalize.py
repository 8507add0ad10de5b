"""Bringing names and queries to the forms search compares: simplified characters, toneless pinyin,
initials, and the deletion keys that find a name with one character wrong or missing."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_HAN = r"\u3400-\u9fff\U00020000-\U0002ffff"
_NOT_HAN_OR_ALNUM = re.compile(rf"[^{_HAN}0-9A-Za-z]+")
_HAN_CHAR = re.compile(rf"[{_HAN}]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MAX_QUERY_CHARS = 100


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    return _to_simplified().convert(text)


def hanzi_key(text: str) -> str:
    """Simplified characters, digits and letters only: 綏芬河 市 -> 绥芬河市."""
    return _NOT_HAN_OR_ALNUM.sub("", simplified(unicodedata.normalize("NFKC", text)))


def pinyin_key(text: str) -> str:
    """Toneless lowercase letters and digits: "Ning'an Shì" -> ningansh i -> "ninganshi"; ü as v."""
    text = unicodedata.normalize("NFKC", text).lower().replace("u:", "v").replace("ü", "v")
    text = "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]", "", text)


def bigrams(text: str) -> list[str]:
    return sorted({text[i : i + 2] for i in range(len(text) - 1)})


def deletions(text: str) -> list[tuple[int, str]]:
    """(position, the text with the character at that position left out), for each position."""
    return [(i, text[:i] + text[i + 1 :]) for i in range(len(text))] if len(text) > 1 else []


@dataclass(frozen=True)
class Query:
    raw: str
    hanzi: str  # simplified characters of the query, "" when it has none
    pinyin: str  # letters of a pinyin query, "" for a character query
    tokens: tuple[str, ...]  # the words of the query as typed (for administrative context)
    traditional: bool

    @property
    def empty(self) -> bool:
        return not (self.hanzi or self.pinyin)


class QueryTooLong(ValueError):
    pass


def parse_query(raw: str) -> Query:
    """Characters win: a query with any Chinese character is searched as characters (traditional
    converted), otherwise as pinyin (tones, spaces, apostrophes ignored)."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFKC", raw or "")).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"the query has {len(text)} characters; at most {MAX_QUERY_CHARS}")
    if _HAN_CHAR.search(text):
        converted = simplified(text)
        tokens = tuple(t for t in (hanzi_key(w) for w in converted.split()) if t)
        return Query(raw, "".join(tokens), "", tokens, converted != text)
    words = tuple(t for t in (pinyin_key(w) for w in re.split(r"[\s'’\-]+", text)) if t)
    return Query(raw, "", "".join(words), words, False)
