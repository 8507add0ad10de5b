"""Addresses in the public search and the reverse look-up: a road's name plus a house number.

A query that ends in a number (太平路12号, taipinglu 12, 太平路12-1, 太平路12号3号楼2单元301室, Taiping Lu
No. 12, 太平路十二号) is read as an address (``parse_address``): the road part is looked up among the
road names of the search index (SearchEntry rows of category 08100, through partial indexes that hold
road names only, migration 0013), the number in the house-number register itself.

Why addresses are not SearchEntry rows: there will be 10-100 times more of them than names, and an
entry per address would repeat the road's name in every form (characters, pinyin, initials, bigrams,
a deletion key per character, trigrams) for each number, while the number is an exact value. Here the
road is found once (a few hundred road names, whatever the number of addresses), then its numbers by
an equality look-up in the register's own index (road, number, ... where not retired), so the cost
does not grow with the number of addresses, the register keeps no copy of itself, and a renamed road
is found with its addresses at once (bench/address_search_bench.py measures both ways).

Ranking: addresses come before places; among them the road as matched (whole name 100, proper part
95, its start 80; pinyin 90/88/75, initials 70, one character wrong 45), then the parts typed (a
sub-number, building, unit, room that equal what was typed; none typed: the bare number first).
Numbers are current when issued or in use (staff: proposed too); a retired number is never found as
current, only on a day before it was retired (``at``). Synthetic numbers and numbers on synthetic
roads say so (``is_synthetic``, standing ``synthetic``, ``synthetic_note``).

The cost of one query is bounded: the parse reads at most MAX_QUERY_CHARS, a number has at most six
digits, at most ROADS roads are taken and LIMIT_PER_BRANCH names per branch, and the statement is one
index look-up per branch (prepared once per session, as the name search's).
"""

# ruff: noqa: S608 (the statements are assembled from fixed fragments; every value is a bound parameter)
from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, replace

from django.db import connection
from django.urls import NoReverseMatch, reverse

from core.srid import STORAGE_SRID
from gazetteer.search.answers import index_changed
from gazetteer.search.engine import (
    AFTER_PREFIX,
    DELETION,
    ENTRY,
    LIMIT_PER_BRANCH,
    Compiled,
    SearchOptions,
    _visible,
    execute,
)
from gazetteer.search.normalize import MAX_QUERY_CHARS, deletions, hanzi_key, pinyin_key, simplified

ROAD_CATEGORY = "08100"  # 道路、街、巷: the partial indexes of migration 0013 hold these names only
ROADS = 20  # roads an address query may name (太平 -> 太平路, 太平街, ...)
ROAD_SCORES = {"exact": 100.0, "proper": 95.0, "prefix": 80.0, "pinyin": 90.0, "proper_pinyin": 88.0}
ROAD_SCORES |= {"pinyin_prefix": 75.0, "initials": 70.0, "fuzzy": 45.0}
# Below the road's score: each part that differs from what was typed (typed or not).
# A sub-number weighs more than every part inside a compound together: 太平路12号 lists 12号's buildings
# before 12-1号; all together stay below the gap between two ways of matching a road (5).
PART_PENALTY = {"suffix": 2.5, "building_no": 1.0, "unit_no": 0.6, "room_no": 0.4}
CURRENT = ("issued", "in_use")
STAFF_CURRENT = ("proposed", "issued", "in_use")
RETIRED = "retired"
SYNTHETIC_NOTE = "示例门牌（合成演示数据），并非实际门牌"
NEAREST_WITHIN_M = 200.0  # the reverse look-up's address: the nearest entrance within this distance
NEAREST_WINDOW = 32  # entrances read nearest first before the road's visibility is asked
METRES_PER_DEGREE = 111_320.0

# ---- the query ---------------------------------------------------------------------------------------

_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"
_NUMBER = rf"\d{{1,6}}(?!\d)|[{_CN}]{{1,6}}(?=\s*号)"
ADDRESS = re.compile(
    r"(?P<road>.*?[^\d\s\-#])\s*(?:no\.?\s*|#\s*)?"
    rf"(?P<number>{_NUMBER})\s*(?:号|hao)?"
    rf"(?:\s*(?:-|之|zhi)\s*(?P<suffix>\d{{1,3}}(?!\d)|[{_CN}]{{1,3}})\s*(?:号|hao)?)?"
    r"(?:\s*(?P<building>\d{1,4}(?!\d))\s*(?:号楼|栋|幢|楼|haolou|dong|lou))?"
    r"(?:\s*(?P<unit>\d{1,3}(?!\d))\s*(?:单元|danyuan))?"
    r"(?:\s*(?P<room>\d{1,6})\s*(?:室|户|号|shi|hu|hao)?)?",
    re.IGNORECASE,
)
_DASHES = str.maketrans({"—": "-", "–": "-", "‑": "-", "‐": "-", "－": "-", "﹣": "-"})


def chinese_number(text: str) -> int | None:
    """十二 -> 12, 一百零五 -> 105, 二三 -> 23 (digit by digit); None for what is not a number."""
    if text.isdigit():
        return int(text)
    if not any(ch in _CN_UNIT for ch in text):
        return int("".join(str(_CN_DIGIT[ch]) for ch in text)) if all(ch in _CN_DIGIT for ch in text) else None
    total, digit = 0, None
    for ch in text:
        if ch in _CN_DIGIT:
            digit = _CN_DIGIT[ch]
        elif ch in _CN_UNIT:
            total += (1 if digit is None else digit) * _CN_UNIT[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


@dataclass(frozen=True)
class AddressQuery:
    road: str  # the road part as typed
    hanzi: str  # its characters ("" for a pinyin road)
    pinyin: str  # its pinyin letters ("" for a road in characters)
    number: int
    suffix: int = 0
    building_no: str = ""
    unit_no: str = ""
    room_no: str = ""


def parse_address(raw: str) -> AddressQuery | None:
    """The query as an address, or None when it does not end in a house number after a road's name."""
    text = unicodedata.normalize("NFKC", raw or "").translate(_DASHES).strip()
    if not text or len(text) > MAX_QUERY_CHARS or not any(ch.isdigit() or ch in _CN for ch in text):
        return None
    match = ADDRESS.fullmatch(simplified(text))
    if match is None:
        return None
    road = match["road"].strip()
    hanzi = hanzi_key(road) if re.search(r"[\u3400-\u9fff]", road) else ""
    pinyin = "" if hanzi else pinyin_key(road)
    number = chinese_number(match["number"])
    suffix = chinese_number(match["suffix"]) if match["suffix"] else 0
    if len(hanzi or pinyin) < 2 or not number or suffix is None or number > 999_999:
        return None
    return AddressQuery(
        road=road,
        hanzi=hanzi,
        pinyin=pinyin,
        number=number,
        suffix=suffix,
        building_no=match["building"] or "",
        unit_no=match["unit"] or "",
        room_no=match["room"] or "",
    )


# ---- the statement -------------------------------------------------------------------------------------


def _road_branches(address: AddressQuery, p: dict, visible: str, *, fuzzy: bool) -> list[str]:
    """The road names the road part matches: one index look-up each (partial indexes over road names).
    ``visible`` is the name search's visibility condition, ``$`` where a table alias goes."""
    road = f"category_code = '{ROAD_CATEGORY}' AND {visible.replace('$', '')}"
    road_x = f"x.category_code = '{ROAD_CATEGORY}' AND {visible.replace('$', 'x.')}"
    columns = "place_id, kind, name, payload"
    if address.hanzi:
        t = p["road"] = address.hanzi
        p["road_hi"] = t + AFTER_PREFIX
        branches = [
            f"SELECT {columns}, {ROAD_SCORES['exact']} AS score, 'hanzi' AS form FROM {ENTRY} "
            f"WHERE hanzi = %(road)s AND {road}",
            f"SELECT {columns}, {ROAD_SCORES['proper']}, 'hanzi' FROM {ENTRY} WHERE proper = %(road)s AND {road}",
            f"SELECT {columns}, {ROAD_SCORES['prefix']}, 'hanzi' FROM {ENTRY} "
            f"WHERE hanzi ~>~ %(road)s AND hanzi ~<~ %(road_hi)s AND {road}",
        ]
        if fuzzy and len(t) >= 3:
            wrong = deletions(t)
            p["road_keys"] = [t] + [key for _, key in wrong]
            p["road_positions"] = [-1] + [position for position, _ in wrong]
            branches.append(
                f"SELECT x.place_id, x.kind, x.name, x.payload, {ROAD_SCORES['fuzzy']}, 'fuzzy' FROM {DELETION} d "
                f"JOIN unnest(%(road_keys)s::varchar[], %(road_positions)s::int[]) AS u(key, position) "
                f"ON d.key = u.key AND (u.position < 0 OR d.position = u.position) "
                f"JOIN {ENTRY} x ON x.id = d.entry_id WHERE {road_x}"
            )
        return branches
    t = p["road"] = address.pinyin
    p["road_hi"] = t + AFTER_PREFIX
    return [
        f"SELECT {columns}, {ROAD_SCORES['pinyin']} AS score, 'pinyin' AS form FROM {ENTRY} "
        f"WHERE pinyin = %(road)s AND {road}",
        f"SELECT {columns}, {ROAD_SCORES['proper_pinyin']}, 'pinyin' FROM {ENTRY} "
        f"WHERE proper_pinyin = %(road)s AND {road}",
        f"SELECT {columns}, {ROAD_SCORES['pinyin_prefix']}, 'pinyin' FROM {ENTRY} "
        f"WHERE pinyin ~>~ %(road)s AND pinyin ~<~ %(road_hi)s AND {road}",
        f"SELECT {columns}, {ROAD_SCORES['initials']}, 'initials' FROM {ENTRY} WHERE initials = %(road)s AND {road}",
    ]


def _numbers_visible(options: SearchOptions, p: dict) -> str:
    statuses = list(CURRENT if options.public_only else STAFF_CURRENT)
    if options.at is None:
        p["statuses"] = statuses
        return "h.status = ANY(%(statuses)s::varchar[])"
    p["statuses"] = [*statuses, RETIRED]
    p["numbers_at"] = options.at
    return (
        "h.status = ANY(%(statuses)s::varchar[]) AND (h.issued_on IS NULL OR h.issued_on <= %(numbers_at)s) "
        "AND (h.retired_on IS NULL OR h.retired_on > %(numbers_at)s)"
    )


def compile_addresses(address: AddressQuery, options: SearchOptions, *, fuzzy: bool = False) -> Compiled:
    p: dict = {"limit": options.limit, "per_branch": LIMIT_PER_BRANCH, "roads": ROADS, "number": address.number}
    visible = _visible(replace(options, category=None), p)  # roads are chosen by their category here
    branches = _road_branches(address, p, visible, fuzzy=fuzzy)
    union = "\nUNION ALL\n".join(f"(SELECT * FROM ({sql}) b LIMIT %(per_branch)s)" for sql in branches)
    penalty = []
    for part, weight in PART_PENALTY.items():
        p[part] = getattr(address, part)
        penalty.append(f"(CASE WHEN h.{part} = %({part})s THEN 0 ELSE {weight} END)")
    sql = f"""
WITH matched AS (
{union}
),
roads AS (
  SELECT * FROM (
    SELECT DISTINCT ON (place_id) * FROM matched ORDER BY place_id, score DESC, kind = 'standard' DESC
  ) m ORDER BY score DESC, payload->>'code' LIMIT %(roads)s
)
SELECT m.payload, m.name, m.kind, m.form, m.score - ({" + ".join(penalty)}) AS score,
       h.id, h.number, h.suffix, h.building_no, h.unit_no, h.room_no, h.status, h.is_synthetic,
       ST_X(h.geom), ST_Y(h.geom), m.score AS road_score
FROM roads m
JOIN gazetteer_road r ON r.place_id = m.place_id
JOIN gazetteer_housenumber h ON h.road_id = r.id AND h.number = %(number)s
WHERE {_numbers_visible(options, p)}
ORDER BY m.score DESC, score DESC, h.suffix, h.building_no, h.unit_no, h.room_no, m.payload->>'code', h.id
LIMIT %(limit)s"""
    return Compiled(sql=sql, params=p, branches=[f"road_{i}" for i in range(len(branches))])


# ---- results -------------------------------------------------------------------------------------------


def number_label(number: int, suffix: int) -> str:
    return f"{number}-{suffix}号" if suffix else f"{number}号"


def inside_label(building_no: str, unit_no: str, room_no: str) -> str:
    return (
        (f"{building_no}号楼" if building_no else "")
        + (f"{unit_no}单元" if unit_no else "")
        + (f"{room_no}室" if room_no else "")
    )


def _road_page(code: str) -> str | None:
    try:
        return reverse("place-page", args=[code])
    except NoReverseMatch:
        return None


def address_result(row: tuple) -> dict:
    payload, matched_name, kind, form, score, pk, number, suffix, building_no, unit_no, room_no = row[:11]
    status, synthetic, lon, lat = row[11:15]
    road = json.loads(payload) if isinstance(payload, str) else payload
    synthetic = synthetic or road["is_synthetic"]
    inside = inside_label(building_no, unit_no, room_no)
    numbered = number_label(number, suffix)
    plain = f"{number}-{suffix}" if suffix else str(number)
    result = {
        "kind": "address",
        "id": pk,
        "code": f"{road['code']}/{numbered}{inside}",
        "name": f"{road['name']}{numbered}{inside}",
        "romanization": f"{road['romanization']} {plain}".strip(),
        "category": {
            "code": "address",
            "name": "门牌地址（示例）" if synthetic else "门牌地址",
            "name_en": "address (synthetic demonstration)" if synthetic else "address",
        },
        "unit_path": road["unit_path"],
        "lon": round(lon, 6),
        "lat": round(lat, 6),
        "is_synthetic": synthetic,
        "standing": "synthetic" if synthetic else road["standing"],
        "address": {
            "road": {"code": road["code"], "name": road["name"], "romanization": road["romanization"]},
            "number": number,
            "suffix": suffix,
            "number_label": numbered,
            "building_no": building_no,
            "unit_no": unit_no,
            "room_no": room_no,
        },
        "status": status,
        "url": _road_page(road["code"]),
        "score": round(float(score), 2),
        "matched": {"name": f"{matched_name}{numbered}{inside}", "kind": kind, "form": form},
    }
    if synthetic:
        result["synthetic_note"] = SYNTHETIC_NOTE
    return result


def road_result(row: tuple) -> dict:
    """The road of an address row as a place result (the name search's shape)."""
    payload, matched_name, kind, form = row[:4]
    road = json.loads(payload) if isinstance(payload, str) else payload
    return {**road, "score": float(row[-1]), "matched": {"name": matched_name, "kind": kind, "form": form}}


def find_addresses(address: AddressQuery, options: SearchOptions) -> tuple[list[dict], list[dict]]:
    """(the addresses the query names, best first; their roads as place results, in the same order).
    One character wrong in the road only when its name as typed finds no road with that number."""
    with connection.cursor() as cursor:
        rows = execute(cursor, compile_addresses(address, options))
        if not rows and address.hanzi and len(address.hanzi) >= 3:
            rows = execute(cursor, compile_addresses(address, options, fuzzy=True))
    roads = {}
    for row in rows:
        result = road_result(row)
        roads.setdefault(result["code"], result)
    return [address_result(row) for row in rows], list(roads.values())


def search_addresses(address: AddressQuery, options: SearchOptions) -> list[dict]:
    return find_addresses(address, options)[0]


# ---- the reverse look-up -------------------------------------------------------------------------------

NEAREST_SQL = f"""
SELECT p.code, p.name, p.romanization, p.standing, h.number, h.suffix, h.building_no, h.unit_no, h.room_no,
       h.status, h.is_synthetic, ST_X(h.geom), ST_Y(h.geom),
       ST_Distance(h.geom::geography, ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), {STORAGE_SRID})::geography) AS metres
FROM (
  SELECT * FROM gazetteer_housenumber
  WHERE status = ANY(%(statuses)s::varchar[])
    AND geom && ST_Expand(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), {STORAGE_SRID}), %(degrees)s)
  ORDER BY geom <-> ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), {STORAGE_SRID})
  LIMIT %(window)s
) h
JOIN gazetteer_road r ON r.id = h.road_id
JOIN gazetteer_place p ON p.id = r.place_id
WHERE (p.valid_to IS NULL OR p.valid_to > CURRENT_DATE)
  AND (NOT %(public_only)s OR (p.is_public AND p.status <> 'proposed'))
ORDER BY metres, h.suffix, h.building_no, h.unit_no, h.room_no
LIMIT 1
"""


def _degrees(metres: float, lat: float) -> float:
    """A box half-width in degrees that holds every point within ``metres`` (longitude shrinks north)."""
    return metres / (METRES_PER_DEGREE * max(math.cos(math.radians(min(abs(lat), 89.0))), 0.01))


def nearest_address(lon: float, lat: float, *, public_only: bool, within_m: float = NEAREST_WITHIN_M) -> dict | None:
    """The nearest current address within ``within_m`` metres of the point, or None."""
    params = {
        "lon": lon,
        "lat": lat,
        "statuses": list(CURRENT if public_only else STAFF_CURRENT),
        "degrees": _degrees(within_m, lat),
        "window": NEAREST_WINDOW,
        "public_only": public_only,
    }
    with connection.cursor() as cursor:
        cursor.execute(NEAREST_SQL, params)
        row = cursor.fetchone()
    if row is None or row[-1] > within_m:
        return None
    code, road_name, roman, standing, number, suffix, building_no, unit_no, room_no = row[:9]
    status, synthetic, x, y, metres = row[9:]
    synthetic = synthetic or standing == "synthetic"
    numbered = number_label(number, suffix)
    plain = f"{number}-{suffix}" if suffix else str(number)
    found = {
        "name": f"{road_name}{numbered}{inside_label(building_no, unit_no, room_no)}",
        "romanization": f"{roman} {plain}".strip(),
        "road": {"code": code, "name": road_name, "romanization": roman},
        "number_label": numbered,
        "lon": round(x, 6),
        "lat": round(y, 6),
        "distance_m": round(metres, 1),
        "status": status,
        "is_synthetic": synthetic,
        "standing": "synthetic" if synthetic else standing,
    }
    if synthetic:
        found["synthetic_note"] = SYNTHETIC_NOTE
    return found


# ---- keeping answers in step ---------------------------------------------------------------------------


def house_number_changed(event) -> None:
    """Subscribed to "house-number" (gazetteer.apps): a number issued, moved, retired or renumbered
    makes the answers kept by the search stale. The addresses themselves are read from the register,
    and a renamed road's names from the index, which the "place" subscription keeps (index.place_event)."""
    index_changed()
