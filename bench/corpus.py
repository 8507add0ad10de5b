"""A synthetic corpus of place names for the search benchmark, written straight into the search
index of a separate database. Every record it makes is flagged synthetic (standing synthetic, and
"is_synthetic": true in the search payload) and named as such in its source.

Names are built from the characters and readings of the real loaded names (so that readings are
right without running the romanization engine a million times): a two- or three-character proper
part and a generic (村, 屯, 沟, 路, 街, 社区, 小区, ...), e.g. 宁兴沟, 东岭社区.
"""

from __future__ import annotations

import io
import json
import random

from django.db import connection, transaction

from core.srid import STORAGE_SRID
from gazetteer.models import Category, Place, SearchEntry
from gazetteer.search.answers import index_changed
from gazetteer.search.normalize import bigrams, deletions, pinyin_key

GENERICS = [
    ("村", "cun"),
    ("屯", "tun"),
    ("沟", "gou"),
    ("路", "lu"),
    ("街", "jie"),
    ("社区", "shequ"),
    ("小区", "xiaoqu"),
    ("桥", "qiao"),
    ("山", "shan"),
    ("河", "he"),
    ("泡", "pao"),
    ("岭", "ling"),
    ("站", "zhan"),
    ("公园", "gongyuan"),
    ("广场", "guangchang"),
]
SYNTHETIC_CODE_PREFIX = "99"  # no real county code starts with 99
CATEGORY = "07200"


def reading_pool(source_rows) -> dict[str, str]:
    """character -> toneless reading, from real names and their decided readings."""
    pool: dict[str, str] = {}
    for name, readings in source_rows:
        for char, reading in zip(name, readings, strict=False):
            pool.setdefault(char, pinyin_key(reading))
    return {c: r for c, r in pool.items() if r}


def make_names(count: int, pool: dict[str, str], seed: int = 2026) -> list[tuple[str, str, str, str]]:
    """(name, pinyin, initials, proper pinyin), distinct names."""
    rng = random.Random(seed)
    chars = sorted(pool)
    names: dict[str, tuple[str, str, str]] = {}
    while len(names) < count:
        proper = "".join(rng.choice(chars) for _ in range(rng.choice((2, 2, 3))))
        generic, generic_pinyin = rng.choice(GENERICS)
        name = proper + generic
        if name in names:
            continue
        readings = [pool[c] for c in proper]
        proper_pinyin = "".join(readings)
        names[name] = (
            proper_pinyin + generic_pinyin,
            "".join(r[0] for r in readings) + generic_pinyin[0],
            proper_pinyin,
        )
    return [(name, *forms) for name, forms in names.items()]


def _copy(table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    for row in rows:
        buffer.write(
            "\t".join("\\N" if v is None else str(v).replace("\\", "\\\\").replace("\t", " ") for v in row) + "\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_from(buffer, table, columns=columns)


PLACE_COLUMNS = [
    "id",
    "code",
    "name",
    "category_id",
    "status",
    "is_public",
    "standing",
    "version",
    "romanization",
    "romanization_tones",
    "meaning",
    "origin",
    "history",
    "description",
    "sources_text",
    "survey_method",
    "unit_overridden",
    "romanization_overridden",
    "registered_at",
    "updated_at",
    "source_ref",
    "standard_basis",
    "decision_authority",
    "decision_document",
]
ENTRY_COLUMNS = [
    "id",
    "place_id",
    "name",
    "kind",
    "is_public",
    "is_proposed",
    "hanzi",
    "proper",
    "pinyin",
    "proper_pinyin",
    "initials",
    "bigrams",
    "tier",
    "category_code",
    "category_parent",
    "ancestors",
    "point",
    "payload",
]
PROPER_END = set("村屯沟路街桥山河泡岭站")


@transaction.atomic
def load(names: list[tuple[str, str, str, str]], *, seed: int = 7) -> int:
    """Insert synthetic places and their search entries for ``names``; returns how many."""
    index_changed()  # written straight into the index: answers kept by running servers go
    rng = random.Random(seed)
    category = Category.objects.get(code=CATEGORY)
    first_place = (Place.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    first_entry = (SearchEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    places, entries, dels = [], [], []
    for i, (name, pinyin, initials, proper_pinyin) in enumerate(names):
        pid, eid = first_place + i, first_entry + i
        code = f"{SYNTHETIC_CODE_PREFIX}{pid:018d}"
        lon, lat = round(rng.uniform(128.0, 131.3), 6), round(rng.uniform(43.4, 46.0), 6)
        places.append(
            (
                pid,
                code,
                name,
                category.id,
                "in_use",
                "t",
                "synthetic",
                1,
                pinyin.capitalize(),
                "",
                "",
                "",
                "",
                "",
                "synthetic benchmark corpus",
                "",
                "f",
                "f",
                "2026-11-28 00:00:00+08",
                "2026-11-28 00:00:00+08",
                "synthetic",
                "",
                "",
                "",
            )
        )
        payload = {
            "id": pid,
            "code": code,
            "name": name,
            "romanization": pinyin.capitalize(),
            "category": {"code": CATEGORY, "name": category.name_zh, "name_en": category.name_en},
            "unit_path": [],
            "lon": lon,
            "lat": lat,
            "is_synthetic": True,
            "standing": "synthetic",
        }
        proper = name[:-1] if name[-1] in PROPER_END else name[:-2]
        entries.append(
            (
                eid,
                pid,
                name,
                "standard",
                "t",
                "f",
                name,
                proper,
                pinyin,
                proper_pinyin,
                initials,
                "{" + ",".join(bigrams(name)) + "}",
                5,
                CATEGORY,
                "07000",
                "{}",
                f"SRID={STORAGE_SRID};POINT({lon} {lat})",
                json.dumps(payload, ensure_ascii=False),
            )
        )
        dels += [(eid, key, position) for position, key in deletions(name)]
    _copy("gazetteer_place", PLACE_COLUMNS, places)
    _copy("gazetteer_searchentry", ENTRY_COLUMNS, entries)
    _copy("gazetteer_searchdeletion", ["entry_id", "key", "position"], dels)
    with connection.cursor() as cursor:
        for table in ("gazetteer_place", "gazetteer_searchentry", "gazetteer_searchdeletion"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE gazetteer_place")
        cursor.execute("ANALYZE gazetteer_searchentry")
        cursor.execute("ANALYZE gazetteer_searchdeletion")
    return len(places)
