"""The place-name reading table (data/reference/place_readings.csv) and pinyin syllable helpers.

A row of the table fixes how characters are read in place names:

- ``word``: a word of two or more characters and one syllable per character, e.g. 穆棱 ``mù líng``.
  Words decide polyphonic characters in the names they occur in (穆棱市, 穆棱林业局).
- ``char``: one character and its place-name reading where no word entry decides it, e.g. 场 ``chǎng``.

Every row names its ``source`` (the basis of the reading) and may explain itself in ``note``.
Syllables carry tone marks; a neutral-tone syllable has none (``zi``, ``tou``).
The loader is strict: a malformed row stops the load with its line number.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "data" / "reference"
READINGS_CSV = REFERENCE_DIR / "place_readings.csv"
READING_COLUMNS = ["kind", "text", "pinyin_tones", "source", "note"]
READING_KINDS = ("word", "char")

_TONE_MARKED = {
    "ā": "a", "á": "a", "ǎ": "a", "à": "a",
    "ē": "e", "é": "e", "ě": "e", "è": "e",
    "ī": "i", "í": "i", "ǐ": "i", "ì": "i",
    "ō": "o", "ó": "o", "ǒ": "o", "ò": "o",
    "ū": "u", "ú": "u", "ǔ": "u", "ù": "u",
    "ǖ": "ü", "ǘ": "ü", "ǚ": "ü", "ǜ": "ü",
}  # fmt: skip
_FINALS = (
    "a|o|e|ai|ei|ao|ou|an|en|ang|eng|ong|er|i|ia|ie|iao|iu|ian|in|iang|ing|iong|"
    "u|ua|uo|uai|ui|uan|un|uang|ueng|ue|ü|üe|üan|ün"
)
_SYLLABLE = re.compile(rf"^(zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?({_FINALS})$")


class TableError(ValueError):
    """A reference table that cannot be loaded; the message names the file and line."""


def toneless(syllable: str) -> str:
    """The syllable without its tone mark (ü keeps its diaeresis: lǜ -> lü)."""
    return "".join(_TONE_MARKED.get(ch, ch) for ch in syllable)


def is_syllable(syllable: str) -> bool:
    """A lower-case Hanyu Pinyin syllable with at most one tone mark."""
    marks = sum(ch in _TONE_MARKED for ch in syllable)
    return marks <= 1 and bool(_SYLLABLE.match(toneless(syllable)))


def is_han(ch: str) -> bool:
    """A Chinese character (CJK unified ideographs, extensions and compatibility ideographs)."""
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


@dataclass(frozen=True)
class Reading:
    kind: str
    text: str
    syllables: tuple[str, ...]
    source: str
    note: str


@dataclass(frozen=True)
class ReadingTable:
    words: dict[str, Reading]
    chars: dict[str, Reading]

    @cached_property
    def longest_word(self) -> int:
        return max((len(word) for word in self.words), default=0)

    def longest_word_at(self, text: str, start: int) -> Reading | None:
        """The longest word entry that starts at ``text[start]``."""
        for end in range(min(len(text), start + self.longest_word), start + 1, -1):
            reading = self.words.get(text[start:end])
            if reading is not None:
                return reading
        return None

    def __len__(self) -> int:
        return len(self.words) + len(self.chars)


def parse_syllables(value: str, text: str, where: str) -> tuple[str, ...]:
    """Space-separated syllables, exactly one per character of ``text``."""
    syllables = tuple(value.split())
    if len(syllables) != len(text):
        raise TableError(f"{where}: {text!r} has {len(text)} characters but {len(syllables)} syllables")
    for syllable in syllables:
        if not is_syllable(syllable):
            raise TableError(f"{where}: {syllable!r} is not a pinyin syllable")
    return syllables


def read_rows(path: Path, columns: list[str]):
    """Yield (location, row) for each data row; the header must be exactly ``columns``."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != columns:
            raise TableError(f"{path}:1: header must be {','.join(columns)}, found {header}")
        for row in reader:
            where = f"{path}:{reader.line_num}"
            if len(row) != len(columns):
                raise TableError(f"{where}: expected {len(columns)} fields, found {len(row)}")
            yield where, dict(zip(columns, (field.strip() for field in row), strict=True))


def _reading_from_row(row: dict[str, str], where: str) -> Reading:
    kind, text = row["kind"], row["text"]
    if kind not in READING_KINDS:
        raise TableError(f"{where}: unknown kind {kind!r} (expected word or char)")
    if not text or not all(is_han(ch) for ch in text):
        raise TableError(f"{where}: text {text!r} must be Chinese characters only")
    if (kind == "char") != (len(text) == 1):
        raise TableError(f"{where}: a {kind} entry cannot have {len(text)} character(s): {text!r}")
    if not row["source"]:
        raise TableError(f"{where}: {text!r} has no source")
    return Reading(kind, text, parse_syllables(row["pinyin_tones"], text, where), row["source"], row["note"])


def load_readings(path: Path = READINGS_CSV) -> ReadingTable:
    """Load and check the reading table; raises TableError naming the line of the first problem."""
    words: dict[str, Reading] = {}
    chars: dict[str, Reading] = {}
    for where, row in read_rows(path, READING_COLUMNS):
        reading = _reading_from_row(row, where)
        entries = words if reading.kind == "word" else chars
        if reading.text in entries:
            raise TableError(f"{where}: duplicate {reading.kind} entry {reading.text!r}")
        entries[reading.text] = reading
    return ReadingTable(words=words, chars=chars)
