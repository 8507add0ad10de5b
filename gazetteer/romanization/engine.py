"""Romanizing a place name: split it, decide each character's reading, spell the words."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import groupby

from pypinyin import Style, pinyin

from gazetteer.romanization.generics import (
    BRACKETS,
    GenericTable,
    Segment,
    load_generics,
    numeral_value,
    split_name,
    trailing_numeral,
)
from gazetteer.romanization.readings import ReadingTable, is_han, load_readings, toneless

HOW = ("word", "char", "rule", "single", "default")
WORD_SEPARATORS = frozenset(" \u3000·-")
NOUN_SUFFIX_ZI = "子"
APOSTROPHE_INITIALS = frozenset("aoe")
ALL_BRACKETS = frozenset(BRACKETS) | frozenset(BRACKETS.values())


@dataclass(frozen=True)
class Decision:
    """How one Chinese character of the name was read; ``how`` is one of HOW."""

    char: str
    reading: str
    how: str
    source: str


@dataclass(frozen=True)
class Part:
    text: str
    role: str
    romanization: str
    romanization_tones: str


@dataclass(frozen=True)
class Romanization:
    name: str
    romanization: str
    romanization_tones: str
    parts: tuple[Part, ...]
    decisions: tuple[Decision, ...]

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "romanization": self.romanization,
            "romanization_tones": self.romanization_tones,
            "parts": [
                {
                    "text": part.text,
                    "role": part.role,
                    "romanization": part.romanization,
                    "romanization_tones": part.romanization_tones,
                }
                for part in self.parts
            ],
        }


@dataclass(frozen=True)
class Tables:
    readings: ReadingTable
    generics: GenericTable


@cache
def default_tables() -> Tables:
    return Tables(load_readings(), load_generics())


def romanize(name: str, *, natural_settlement: bool = False, tables: Tables | None = None) -> Romanization:
    """The standard romanization of ``name``; raises ValueError for an empty or unwritable name.

    ``natural_settlement`` writes the whole name as one word, as the rules do for natural villages
    and towns (王村 Wangcun, 三岔河 Sanchahe); by default a final generic is written apart.
    """
    tables = tables or default_tables()
    text = _checked(name)
    segments = split_name(text, tables.generics, one_word=natural_settlement)
    decisions = decide_readings(text, segments, tables)
    parts = tuple(_part(segment, decisions) for segment in segments)
    return Romanization(
        name=text,
        romanization=" ".join(part.romanization for part in parts),
        romanization_tones=" ".join(part.romanization_tones for part in parts),
        parts=parts,
        decisions=tuple(decisions[index] for index in sorted(decisions)),
    )


def unwritable_characters(text: str) -> list[str]:
    """The characters of ``text`` a place name may not hold: anything but Chinese characters, ASCII
    letters and digits, word separators and brackets (so no '<', ':', '/', control or format marks)."""
    return [
        ch
        for ch in text
        if not (is_han(ch) or (ch.isascii() and ch.isalnum()) or ch in WORD_SEPARATORS or ch in ALL_BRACKETS)
    ]


def _brackets_problem(text: str) -> str | None:
    depth, empty = 0, False
    opened_at = -1
    for index, ch in enumerate(text):
        if ch in BRACKETS.values():
            depth, opened_at = depth + 1, index
        elif ch in BRACKETS:
            depth -= 1
            empty = empty or index == opened_at + 1
            if depth < 0:
                return "a closing bracket has no opening one"
    if depth:
        return "a bracket is opened and not closed"
    return "a pair of brackets holds nothing" if empty else None


def text_problem(name: str) -> str | None:
    """Why ``name`` cannot be written as a place name (and romanized), or None. The one rule the
    romanizer and gazetteer.services.names both apply."""
    text = name.strip()
    if not text:
        return "the name is empty"
    unwritable = unwritable_characters(text)
    if unwritable:
        shown = ", ".join(f"U+{ord(ch):04X}" if not ch.isprintable() else repr(ch) for ch in dict.fromkeys(unwritable))
        return f"the name holds characters that cannot be romanized (a place name may not have them): {shown}"
    if not any(is_han(ch) or ch.isalnum() for ch in text):
        return "the name has no Chinese character, letter or digit"
    if text[0] in WORD_SEPARATORS or text[-1] in WORD_SEPARATORS:
        return "the name begins or ends with a separator"
    unread = [ch for ch in dict.fromkeys(text) if is_han(ch) and not _has_reading(ch)]
    if unread:
        return f"no reading is known for {''.join(unread)}: add it to data/reference/place_readings.csv"
    return _brackets_problem(text)


def _has_reading(ch: str) -> bool:
    return ch in default_tables().readings.chars or bool(known_readings(ch))


def _checked(name: str) -> str:
    problem = text_problem(name)
    if problem:
        raise ValueError(problem)
    return name.strip()


# Readings ------------------------------------------------------------------------------------------


def decide_readings(text: str, segments: list[Segment], tables: Tables) -> dict[int, Decision]:
    """A decision for each Chinese character, by offset: the first of word entry, generic term,
    rule, char entry, pypinyin's only reading, pypinyin's default."""
    decisions: dict[int, Decision] = {}
    _decide_by_words(text, tables.readings, decisions)
    flat = list(_flatten(segments))
    for segment in flat:
        _decide_by_generic(segment, decisions)
    for segment in flat:
        _decide_by_rules(segment, decisions)
    for index, ch in enumerate(text):
        if is_han(ch) and index not in decisions:
            decisions[index] = _decide_by_char(text, index, tables.readings)
    return decisions


def _flatten(segments):
    for segment in segments:
        if segment.inner is not None:
            yield from _flatten(segment.inner)
        else:
            yield segment


def _decide_by_words(text: str, readings: ReadingTable, decisions: dict[int, Decision]) -> None:
    index = 0
    while index < len(text):
        word = readings.longest_word_at(text, index)
        if word is None:
            index += 1
            continue
        for offset, (ch, syllable) in enumerate(zip(word.text, word.syllables, strict=True)):
            decisions[index + offset] = Decision(ch, syllable, "word", word.source)
        index += len(word.text)


def _decide_by_generic(segment: Segment, decisions: dict[int, Decision]) -> None:
    term = segment.term
    if term is None:
        return
    source = f"generic term {term.term}: {term.note}"
    for offset, (ch, syllable) in enumerate(zip(term.term, term.syllables, strict=True)):
        decisions.setdefault(segment.start + offset, Decision(ch, syllable, "word", source))


def _decide_by_rules(segment: Segment, decisions: dict[int, Decision]) -> None:
    # 子 after another character of the same word is the noun suffix, neutral tone: 河子, 城子, 岗子.
    for offset, ch in enumerate(segment.text):
        index = segment.start + offset
        if ch == NOUN_SUFFIX_ZI and offset > 0 and is_han(segment.text[offset - 1]) and index not in decisions:
            decisions[index] = Decision(ch, "zi", "rule", "")


def _decide_by_char(text: str, index: int, readings: ReadingTable) -> Decision:
    ch = text[index]
    entry = readings.chars.get(ch)
    if entry is not None:
        return Decision(ch, entry.syllables[0], "char", entry.source)
    known = known_readings(ch)
    if not known:
        raise ValueError(f"no reading is known for {ch!r}")
    if len(known) == 1:
        return Decision(ch, known[0], "single", "")
    return Decision(ch, _default_reading(text, index), "default", "")


@cache
def known_readings(ch: str) -> tuple[str, ...]:
    """Every reading pypinyin lists for the character (empty when it has none)."""
    found = pinyin(ch, style=Style.TONE, heteronym=True, errors="ignore")
    return tuple(found[0]) if found else ()


def _default_reading(text: str, index: int) -> str:
    """pypinyin's reading of the character within its run of Chinese characters (phrase-aware)."""
    start = index
    while start > 0 and is_han(text[start - 1]):
        start -= 1
    end = index
    while end < len(text) and is_han(text[end]):
        end += 1
    return pinyin(text[start:end], style=Style.TONE)[index - start][0]


# Spelling ------------------------------------------------------------------------------------------


def _part(segment: Segment, decisions: dict[int, Decision]) -> Part:
    words = _words(segment, decisions)
    return Part(
        text=segment.text,
        role=segment.role,
        romanization=" ".join(plain for plain, _ in words),
        romanization_tones=" ".join(toned for _, toned in words),
    )


def _words(segment: Segment, decisions: dict[int, Decision]) -> list[tuple[str, str]]:
    """The (toneless, tone-marked) words of a segment."""
    if segment.inner is not None:
        inner = [_part(s, decisions) for s in segment.inner]
        plain = " ".join(p.romanization for p in inner)
        toned = " ".join(p.romanization_tones for p in inner)
        return [(f"({plain})", f"({toned})")]
    if segment.role == "generic" and segment.term is not None:
        return _generic_words(segment, decisions)
    return _proper_words(segment, decisions)


def _generic_words(segment: Segment, decisions: dict[int, Decision]) -> list[tuple[str, str]]:
    words, start = [], segment.start
    for word in segment.term.words:
        words.append(spell([decisions[start + offset].reading for offset in range(len(word))]))
        start += len(word)
    return words


def _proper_words(segment: Segment, decisions: dict[int, Decision]) -> list[tuple[str, str]]:
    """One word of syllables; Latin letters and digits pass through as words of their own, and a
    street ordinal (经五路) is written in digits."""
    text = segment.text
    ordinal = trailing_numeral(text) if segment.street_ordinal else ""
    if len(ordinal) == len(text) or numeral_value(ordinal) is None:
        ordinal = ""
    words: list[tuple[str, str]] = []
    body = enumerate(text[: len(text) - len(ordinal)], start=segment.start)
    for kind, run in groupby(body, key=lambda item: _char_kind(item[1])):
        run = list(run)
        if kind == "han":
            words.append(spell([decisions[index].reading for index, _ in run]))
        elif kind == "latin":
            letters = "".join(ch for _, ch in run)
            words.append((letters, letters))
    if ordinal:
        digits = str(numeral_value(ordinal))
        words.append((digits, digits))
    return words


def _char_kind(ch: str) -> str:
    if is_han(ch):
        return "han"
    return "latin" if ch.isascii() and ch.isalnum() else "separator"


def spell(syllables: list[str]) -> tuple[str, str]:
    """One word, toneless and tone-marked: syllables joined, an apostrophe before a non-initial
    syllable starting with a, o or e (Xi'an, Dong'an), the first letter capitalised."""
    plain, toned = "", ""
    for index, syllable in enumerate(syllables):
        bare = toneless(syllable)
        separator = "'" if index and bare[0] in APOSTROPHE_INITIALS else ""
        plain += separator + bare
        toned += separator + syllable
    return plain[:1].upper() + plain[1:], toned[:1].upper() + toned[1:]
