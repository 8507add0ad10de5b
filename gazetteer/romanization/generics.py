"""The generic-term table (通名, data/reference/generic_terms.csv).

Columns: ``term, pinyin_tones, kind, note``. A multi-word generic marks its word breaks with a space
in ``term`` (``居民 委员会`` is written ``Jumin Weiyuanhui``); the term is matched without the spaces.
``pinyin_tones`` has one syllable per character; ``note`` gives the basis of the reading and spelling.
Kinds: ``admin`` (省 市 县 区 镇 乡 街道 …), ``village`` (村 社区 居委会 …), ``ethnic`` (朝鲜族 满族 …,
written as their own word before the generic), ``natural`` (山 河 湖 沟 …), ``street`` (路 街 巷 …) and
``facility`` (林场 农场 站 公园 …).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from gazetteer.romanization.readings import REFERENCE_DIR, TableError, is_han, parse_syllables, read_rows

GENERICS_CSV = REFERENCE_DIR / "generic_terms.csv"
GENERIC_COLUMNS = ["term", "pinyin_tones", "kind", "note"]
GENERIC_KINDS = ("admin", "village", "ethnic", "natural", "street", "facility")


@dataclass(frozen=True)
class GenericTerm:
    term: str
    words: tuple[str, ...]
    syllables: tuple[str, ...]
    kind: str
    note: str

    def word_syllables(self) -> list[tuple[str, ...]]:
        """The syllables grouped by the term's words."""
        groups, start = [], 0
        for word in self.words:
            groups.append(self.syllables[start : start + len(word)])
            start += len(word)
        return groups


@dataclass(frozen=True)
class GenericTable:
    terms: dict[str, GenericTerm]

    def longest_suffix(self, text: str, kinds: Collection[str] | None = None) -> GenericTerm | None:
        """The longest term (of the given kinds) that ``text`` ends with."""
        matches = [
            term for term in self.terms.values() if text.endswith(term.term) and (kinds is None or term.kind in kinds)
        ]
        return max(matches, key=lambda term: len(term.term), default=None)

    def __len__(self) -> int:
        return len(self.terms)


def _term_from_row(row: dict[str, str], where: str) -> GenericTerm:
    words = tuple(row["term"].split())
    term = "".join(words)
    if not term or not all(is_han(ch) for ch in term):
        raise TableError(f"{where}: term {row['term']!r} must be Chinese characters (and spaces between words)")
    if row["kind"] not in GENERIC_KINDS:
        raise TableError(f"{where}: unknown kind {row['kind']!r} (expected one of {', '.join(GENERIC_KINDS)})")
    if not row["note"]:
        raise TableError(f"{where}: {term!r} has no note giving the basis of its reading")
    return GenericTerm(term, words, parse_syllables(row["pinyin_tones"], term, where), row["kind"], row["note"])


def load_generics(path: Path = GENERICS_CSV) -> GenericTable:
    """Load and check the generic-term table; raises TableError naming the line of the first problem."""
    terms: dict[str, GenericTerm] = {}
    for where, row in read_rows(path, GENERIC_COLUMNS):
        term = _term_from_row(row, where)
        if term.term in terms:
            raise TableError(f"{where}: duplicate term {term.term!r}")
        terms[term.term] = term
    return GenericTable(terms=terms)


# Splitting a name into proper and generic segments -------------------------------------------------

INNER_KINDS = frozenset({"admin", "village", "street", "facility"})
ONE_CHARACTER_INNER_KINDS = frozenset({"admin", "village"})
NUMERALS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
ORDINAL_PREFIX = "第"
BRACKETS = {"）": "（", ")": "("}


@dataclass(frozen=True)
class Segment:
    """A stretch of the name written as one part: ``start`` is its offset in the whole name.

    ``term`` is the generic term of a generic segment (or of a proper segment that is a generic word
    used as a name, 农场村委会); ``street_ordinal`` marks a proper part before a street generic whose
    trailing numeral is written in digits; ``inner`` holds the segments of a parenthesised name.
    """

    text: str
    start: int
    role: str
    term: GenericTerm | None = None
    street_ordinal: bool = False
    inner: tuple[Segment, ...] | None = None


def numeral_value(text: str) -> int | None:
    """The value of a Chinese numeral up to 99 (五 5, 十二 12, 二十三 23), else None."""
    if not text or any(ch not in NUMERALS for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(NUMERALS[ch]) for ch in text)) if len(text) == 1 else None
    tens, _, units = text.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (NUMERALS[tens] if tens else 1) * 10 + (NUMERALS[units] if units else 0)


def trailing_numeral(text: str) -> str:
    """The run of numeral characters at the end of ``text`` (possibly empty)."""
    end = len(text)
    while end > 0 and text[end - 1] in NUMERALS:
        end -= 1
    return text[end:]


def split_name(text: str, generics: GenericTable, *, one_word: bool = False, offset: int = 0) -> list[Segment]:
    """Proper and generic segments of a place name, in order (see the package docstring for the rules)."""
    if one_word:
        return _head(text, offset, generics)
    tail: list[Segment] = []
    rest = _take_brackets(text, offset, generics, tail)
    final = generics.longest_suffix(rest)
    if final is None or len(final.term) == len(rest):
        return _head(rest, offset, generics) + tail
    rest = _take(rest, final, "generic", offset, tail)
    rest = _take_ethnic(rest, offset, generics, tail)
    before_inner = len(tail)
    rest = _take_inner(rest, offset, generics, tail)
    street_ordinal = final.kind == "street" and len(tail) == before_inner
    return _head(rest, offset, generics, street_ordinal=street_ordinal) + tail


def _take(rest: str, term: GenericTerm, role: str, offset: int, tail: list[Segment]) -> str:
    start = len(rest) - len(term.term)
    tail.insert(0, Segment(term.term, offset + start, role, term))
    return rest[:start]


def _take_ethnic(rest: str, offset: int, generics: GenericTable, tail: list[Segment]) -> str:
    while (term := generics.longest_suffix(rest, {"ethnic"})) is not None and len(term.term) < len(rest):
        rest = _take(rest, term, "generic", offset, tail)
    return rest


def _take_inner(rest: str, offset: int, generics: GenericTable, tail: list[Segment]) -> str:
    """Units named inside units: 七峰林场生活区 -> 七峰 | 林场 | 生活区; natural generics stay proper."""
    while rest:
        if rest[-1] in BRACKETS:
            rest = _take_brackets(rest, offset, generics, tail)
            continue
        numeral = trailing_numeral(rest)
        ordinal = ORDINAL_PREFIX + numeral
        if numeral and rest.endswith(ordinal) and len(ordinal) < len(rest):
            start = len(rest) - len(ordinal)
            tail.insert(0, Segment(ordinal, offset + start, "proper"))
            rest = rest[:start]
            continue
        term = generics.longest_suffix(rest, INNER_KINDS)
        if term is None or not _splits_inside(term, len(rest) - len(term.term)):
            return rest
        rest = _take_ethnic(_take(rest, term, "generic", offset, tail), offset, generics, tail)
    return rest


def _splits_inside(term: GenericTerm, remainder: int) -> bool:
    if len(term.term) >= 2:
        return remainder >= 1
    # 山市镇 Shanshi Zhen and 一村村委会 Yicun Cunweihui keep their 市/村; 海林市农委 splits it off.
    return term.kind in ONE_CHARACTER_INNER_KINDS and remainder >= 2


def _take_brackets(rest: str, offset: int, generics: GenericTable, tail: list[Segment]) -> str:
    """Split off parenthesised names at the end of ``rest``, each romanized as a name of its own."""
    while rest and rest[-1] in BRACKETS:
        start = _opening_bracket(rest)
        inner = split_name(rest[start + 1 : -1], generics, offset=offset + start + 1)
        tail.insert(0, Segment(rest[start:], offset + start, "proper", inner=tuple(inner)))
        rest = rest[:start]
    return rest


def _opening_bracket(text: str) -> int:
    depth = 0
    for index in range(len(text) - 1, -1, -1):
        if text[index] in BRACKETS:
            depth += 1
        elif text[index] in BRACKETS.values():
            depth -= 1
            if depth == 0:
                return index
    raise ValueError(f"unbalanced brackets in {text!r}")


def _head(text: str, offset: int, generics: GenericTable, *, street_ordinal: bool = False) -> list[Segment]:
    """The proper name: one segment, or several when parenthesised names stand inside it."""
    if not text:
        return []
    close = max((text.rfind(bracket) for bracket in BRACKETS), default=-1)
    if close >= 0:
        start = _opening_bracket(text[: close + 1])
        inner = split_name(text[start + 1 : close], generics, offset=offset + start + 1)
        bracketed = Segment(text[start : close + 1], offset + start, "proper", inner=tuple(inner))
        after = _head(text[close + 1 :], offset + close + 1, generics, street_ordinal=street_ordinal)
        return [*_head(text[:start], offset, generics), bracketed, *after]
    return [Segment(text, offset, "proper", generics.terms.get(text), street_ordinal)]
