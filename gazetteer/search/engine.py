"""Place-name search: one SQL statement per query, every branch an index look-up.

The ranking rule (RANKING below, the one place it is written):
1. the whole name as typed (characters or full pinyin), or a name inside the administrative context
   typed before it, comes first;
2. then the names the query begins: proper part, prefix, proper pinyin, pinyin prefix, initials. Here
   the administrative level leads (city, county, township, village, other): 牡丹 finds 牡丹江市 before
   牡丹街道 and 牡丹村, djc finds 东京城镇 before 大碱村; within a level the stronger match;
3. then substring and fuzzy matches, by score.
Within each, a record with a location ranks above one without, then level, category, the shorter name.
Branches by kind of query:

characters (traditional converted): exact name (100), exact proper part (95: 宁安 -> 宁安市), prefix
(80), substring through the name's character bigrams (60), one character wrong or missing through
the deletion keys, verified by levenshtein (45);
pinyin (tones, spaces, apostrophes ignored): exact (90), exact proper part (88), prefix (75),
initials exact (70) and prefix (55), trigram similarity for typos (30 + similarity).

An administrative context before the name (宁安 东京城, 宁安东京城镇, ningan dongjingcheng) is found
by a dictionary of county and township names; places inside that unit get +20.
All values are bound parameters; the statement text depends only on which branches run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import time
from dataclasses import dataclass, field, replace

from django.db import connection

from gazetteer.search.boundaries import search_boundaries
from gazetteer.search.normalize import Query, bigrams, deletions, parse_query

LIMIT_PER_BRANCH = 60
CONTEXT_BONUS = 20
NEAR_BONUS = 10
NEAR_SCALE_KM = 25.0
CONTEXT_TTL_SECONDS = 60


@dataclass(frozen=True)
class SearchOptions:
    limit: int = 10
    public_only: bool = True
    unit_id: int | None = None
    category: str | None = None
    near: tuple[float, float] | None = None
    at: dt.date | None = None


@dataclass
class Compiled:
    sql: str
    params: dict
    branches: list[str] = field(default_factory=list)
    context: dict | None = None


# ---- administrative context -----------------------------------------------------------------------

_context_cache: dict = {"at": 0.0, "hanzi": {}, "pinyin": {}}


def _context_dictionary() -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """city, county and township names (whole and proper part) -> unit ids, in characters and pinyin."""
    if time.monotonic() - _context_cache["at"] > CONTEXT_TTL_SECONDS:
        hanzi: dict[str, list[int]] = {}
        pinyin: dict[str, list[int]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT hanzi, proper, pinyin, proper_pinyin, ancestors[array_length(ancestors, 1)] "
                "FROM gazetteer_searchentry WHERE tier IN (1, 2, 3) AND kind = 'standard' AND place_valid_to IS NULL"
            )
            for full, proper, full_pinyin, proper_pinyin, unit_id in cursor.fetchall():
                for key in {full, proper} - {""}:
                    if len(key) >= 2:
                        hanzi.setdefault(key, []).append(unit_id)
                for key in {full_pinyin, proper_pinyin} - {""}:
                    if len(key) >= 4:
                        pinyin.setdefault(key, []).append(unit_id)
        _context_cache.update(at=time.monotonic(), hanzi=hanzi, pinyin=pinyin)
    return _context_cache["hanzi"], _context_cache["pinyin"]


def forget_context() -> None:
    _context_cache["at"] = 0.0


def split_context(query: Query) -> tuple[str, list[int], str] | None:
    """(the name part, context unit ids, the context as typed), or None without a context."""
    hanzi_dict, pinyin_dict = _context_dictionary()
    words, table = (query.tokens, hanzi_dict) if query.hanzi else (query.tokens, pinyin_dict)
    if len(words) >= 2 and words[0] in table:
        return "".join(words[1:]), table[words[0]], words[0]
    if len(words) == 1:
        word = words[0]
        for cut in range(len(word) - 1, 1, -1):  # the longest known unit name at the start
            head, rest = word[:cut], word[cut:]
            if head in table and len(rest) >= (2 if query.hanzi else 3):
                return rest, table[head], head
    return None


# ---- the statement ----------------------------------------------------------------------------------

ENTRY = "gazetteer_searchentry"
DELETION = "gazetteer_searchdeletion"


# A string that sorts after every string starting with a given prefix (byte order, as ~<~ compares).
AFTER_PREFIX = "\U0010ffff"


def _hanzi_branches(term: str, k: str, p: dict, where: str, where_x: str) -> list[tuple[str, str]]:
    """Branches for a term of characters; ``k`` keeps the parameter names of two terms apart.
    Prefixes are index ranges (~>=~ .. ~<~), which stay index scans in a prepared statement."""
    p[f"q{k}"], p[f"qhi{k}"] = term, term + AFTER_PREFIX
    branches = [
        ("exact", f"SELECT id, 100.0 AS score, 'hanzi' AS form FROM {ENTRY} WHERE hanzi = %(q{k})s AND {where}"),
        ("proper", f"SELECT id, 95.0, 'hanzi' FROM {ENTRY} WHERE proper = %(q{k})s AND hanzi <> %(q{k})s AND {where}"),
        (
            "prefix",
            f"SELECT id, 80.0, 'hanzi' FROM {ENTRY} WHERE hanzi ~>~ %(q{k})s AND hanzi ~<~ %(qhi{k})s AND {where}",
        ),
    ]
    if len(term) < 2:
        return branches
    escaped = term.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    p[f"bigrams{k}"], p[f"contains{k}"] = bigrams(term), "%_" + escaped + "%"
    wrong = deletions(term) if len(term) >= 3 else []
    p[f"keys{k}"] = [term] + [key for _, key in wrong]
    p[f"positions{k}"] = [-1] + [position for position, _ in wrong]
    p[f"shorter{k}"] = [key for _, key in wrong]
    return [
        *branches,
        (
            "substring",
            f"SELECT id, 60.0, 'hanzi' FROM {ENTRY} WHERE bigrams @> %(bigrams{k})s::varchar[] "
            f"AND hanzi LIKE %(contains{k})s AND {where}",
        ),
        # one character missing from the query: the query is a key of the name (any position);
        # one character wrong at position i: the query's key at i is the name's key at i
        (
            "fuzzy",
            f"SELECT x.id, 45.0, 'fuzzy' FROM {DELETION} d "
            f"JOIN unnest(%(keys{k})s::varchar[], %(positions{k})s::int[]) AS u(key, position) "
            f"ON d.key = u.key AND (u.position < 0 OR d.position = u.position) "
            f"JOIN {ENTRY} x ON x.id = d.entry_id WHERE x.hanzi <> %(q{k})s AND {where_x}",
        ),
        # one character too many in the query: the name is one of the query's deletions
        (
            "fuzzy_extra",
            f"SELECT id, 45.0, 'fuzzy' FROM {ENTRY} WHERE hanzi = ANY(%(shorter{k})s::varchar[]) AND {where}",
        ),
    ]


def _pinyin_branches(term: str, k: str, p: dict, where: str, where_x: str) -> list[tuple[str, str]]:
    p[f"p{k}"], p[f"phi{k}"] = term, term + AFTER_PREFIX
    branches = [
        ("pinyin", f"SELECT id, 90.0 AS score, 'pinyin' AS form FROM {ENTRY} WHERE pinyin = %(p{k})s AND {where}"),
        (
            "proper_pinyin",
            f"SELECT id, 88.0, 'pinyin' FROM {ENTRY} WHERE proper_pinyin = %(p{k})s AND pinyin <> %(p{k})s AND {where}",
        ),
        (
            "pinyin_prefix",
            f"SELECT id, 75.0, 'pinyin' FROM {ENTRY} WHERE pinyin ~>~ %(p{k})s AND pinyin ~<~ %(phi{k})s AND {where}",
        ),
    ]
    if 2 <= len(term) <= 12:
        branches.append(
            (
                "initials",
                f"SELECT id, CASE WHEN initials = %(p{k})s THEN 70.0 ELSE 55.0 END, 'initials' "
                f"FROM {ENTRY} WHERE initials ~>=~ %(p{k})s AND initials ~<~ %(phi{k})s "
                f"AND {where}",
            )
        )
    if len(term) >= 4:
        branches.append(
            (
                "pinyin_fuzzy",
                f"SELECT id, 30.0 + 10.0 * similarity(pinyin, %(p{k})s), 'fuzzy' "
                f"FROM {ENTRY} WHERE pinyin %% %(p{k})s AND {where}",
            )
        )
    return branches


def _visible(options: SearchOptions, p: dict) -> str:
    """The visibility condition on an entry; ``$`` stands for a table alias where one is needed."""
    conditions = []
    if options.public_only:
        conditions.append("$is_public AND NOT $is_proposed")
    if options.at is None:
        p["today"] = dt.date.today()
        conditions.append("($place_valid_to IS NULL OR $place_valid_to > %(today)s)")
    else:
        p["at"] = options.at
        conditions.append(
            "($place_valid_from IS NULL OR $place_valid_from <= %(at)s) "
            "AND ($place_valid_to IS NULL OR $place_valid_to > %(at)s) "
            "AND ($name_valid_from IS NULL OR $name_valid_from <= %(at)s)"
        )
    if options.unit_id is not None:
        p["unit"] = [options.unit_id]
        conditions.append("$ancestors @> %(unit)s::bigint[]")
    if options.category:
        p["category"] = options.category
        conditions.append("($category_code = %(category)s OR $category_parent = %(category)s)")
    return " AND ".join(conditions) or "TRUE"


# Cheap branches run first; the others (substring, one character wrong, pinyin typos) only when the
# cheap ones found fewer results than asked for.
FAST_BRANCHES = {"exact", "proper", "prefix", "pinyin", "proper_pinyin", "pinyin_prefix", "initials"}
# The other branches run when the cheap ones found fewer results than this: for characters a few
# (they are index look-ups), for pinyin none (trigram similarity over a million names is not cheap).
FULL_PHASE_BELOW = {"hanzi": 3, "pinyin": 1}
# Inside an administrative context only whole names and proper parts count (宁安 东京城 -> 东京城镇).
CONTEXT_BRANCHES = {"exact", "proper", "pinyin", "proper_pinyin"}
# The ranking rule's bands (module docstring): 0 the whole name, 1 the names the query begins, 2 the rest.
WHOLE_NAME, BEGINS_NAME, ELSEWHERE = 0, 1, 2
BAND = {
    "exact": WHOLE_NAME,
    "pinyin": WHOLE_NAME,
    "proper": BEGINS_NAME,
    "prefix": BEGINS_NAME,
    "proper_pinyin": BEGINS_NAME,
    "pinyin_prefix": BEGINS_NAME,
    "initials": BEGINS_NAME,
}
RANKING = (
    f"band, CASE WHEN band = {BEGINS_NAME} THEN tier ELSE 0 END, score DESC, located DESC, "
    "tier, category_code, char_length(name), payload->>'code'"
)


def band_of(branch: str) -> int:
    return WHOLE_NAME if branch.startswith("context_") else BAND.get(branch, ELSEWHERE)


def _near_bonus(options: SearchOptions, p: dict) -> str:
    if options.near is None:
        return "0"
    p["near_lon"], p["near_lat"] = options.near
    return (
        f"CASE WHEN s.point IS NULL THEN 0 ELSE {NEAR_BONUS} * exp(-ST_Distance(s.point::geography, "
        f"ST_SetSRID(ST_MakePoint(%(near_lon)s, %(near_lat)s), ST_SRID(s.point))::geography) "
        f"/ 1000.0 / {NEAR_SCALE_KM}) END"
    )


def compile_search(query: Query, options: SearchOptions, *, full: bool = True) -> Compiled:
    p: dict = {"limit": options.limit, "per_branch": LIMIT_PER_BRANCH}
    visible = _visible(options, p)
    where, where_x = visible.replace("$", ""), visible.replace("$", "x.")
    make = _hanzi_branches if query.hanzi else _pinyin_branches
    branches = [
        (name, sql, "")
        for name, sql in make(query.hanzi or query.pinyin, "", p, where, where_x)
        if full or name in FAST_BRANCHES
    ]
    context = split_context(query)
    if context is not None:
        p["ctx_units"] = context[1]
        inside = " AND ancestors && %(ctx_units)s::bigint[]"
        branches += [
            (f"context_{name}", sql, "context")
            for name, sql in make(context[0], "_ctx", p, where + inside, where_x + inside)
            if name in CONTEXT_BRANCHES
        ]
    union = "\nUNION ALL\n".join(
        f"(SELECT c.*, '{flag}' AS via, {band_of(name)} AS band FROM ({sql}) c LIMIT %(per_branch)s)"
        for name, sql, flag in branches
    )
    sql = f"""
WITH candidates AS (
{union}
),
scored AS (
  SELECT DISTINCT ON (s.place_id)
         s.place_id, s.name, s.kind, s.tier, s.category_code, s.payload, c.band,
         (s.payload->>'lon') IS NOT NULL AS located,
         c.score + (CASE WHEN c.via = 'context' THEN {CONTEXT_BONUS} ELSE 0 END) + {_near_bonus(options, p)} AS score,
         CASE WHEN c.via = 'context' THEN 'context' ELSE c.form END AS form
  FROM candidates c JOIN {ENTRY} s ON s.id = c.id
  ORDER BY s.place_id, c.band, score DESC, s.kind = 'standard' DESC
)
SELECT payload, name, kind, form, round(score::numeric, 2) AS score
FROM scored ORDER BY {RANKING}
LIMIT %(limit)s"""
    return Compiled(
        sql=sql,
        params=p,
        branches=[name for name, _, _ in branches],
        context={"typed": context[2], "units": context[1]} if context else None,
    )


def _positional(sql: str, params: dict) -> tuple[str, list]:
    """%(name)s placeholders to $1..$n (for PREPARE), with the values in that order."""
    names: list[str] = []

    def number(match: re.Match) -> str:
        if match.group(1) not in names:
            names.append(match.group(1))
        return f"${names.index(match.group(1)) + 1}"

    text = re.sub(r"%\((\w+)\)s", number, sql).replace("%%", "%")
    return text, [params[name] for name in names]


# Statements prepared in each database session, by (connection object, server process id): a new
# session never inherits an old one's entry, even if Python reuses the object's address.
_PREPARED: dict[tuple[int, int], set[str]] = {}


def execute(cursor, compiled: Compiled) -> list[tuple]:
    """Run the statement as a prepared statement of this session (planning a dozen-branch UNION
    costs more than running it), prepared once per statement shape."""
    text, values = _positional(compiled.sql, compiled.params)
    name = "mdj_search_" + hashlib.sha1(text.encode()).hexdigest()[:16]  # noqa: S324 (a name, not security)
    raw = connection.connection
    prepared = _PREPARED.setdefault((id(raw), raw.get_backend_pid()), set())
    if name not in prepared:
        cursor.execute(f"PREPARE {name} AS {text}")
        prepared.add(name)
    cursor.execute(f"EXECUTE {name}({', '.join(['%s'] * len(values))})", values)
    return cursor.fetchall()


def run(compiled: Compiled) -> list[dict]:
    with connection.cursor() as cursor:
        rows = execute(cursor, compiled)
    return [
        {**json.loads(payload), "score": float(score), "matched": {"name": name, "kind": kind, "form": form}}
        for payload, name, kind, form, score in rows
    ]


def full_phase_below(query: Query) -> int:
    return FULL_PHASE_BELOW["hanzi" if query.hanzi else "pinyin"]


def search(query: Query, options: SearchOptions) -> tuple[list[dict], Compiled]:
    """The cheap branches first; all of them when those found fewer results than asked for. Boundary
    lines and markers the query names (gazetteer.search.boundaries: their own small query path) come
    before the places; a category filter is about places only. A query that reads as an address
    (gazetteer.search.addresses: 太平路12号, taipinglu 12) finds the addresses first, then the places
    its road part names (the road itself, also when the number does not exist)."""
    from gazetteer.search.addresses import find_addresses, parse_address

    address = None if options.category else parse_address(query.raw)
    found, roads = find_addresses(address, options) if address is not None else ([], [])
    if not found and not options.category:  # a query that names an address names no line or marker
        found = search_boundaries(
            query, public_only=options.public_only, at=options.at, unit_id=options.unit_id, limit=options.limit
        )
    if address is not None:
        road = parse_query(address.road)
        if found and roads:  # the roads of the addresses found follow them (no second look-up)
            return (found + roads)[: options.limit], compile_search(road, options, full=False)
        named, compiled = _places(road, replace(options, limit=options.limit - len(found)), full_below=1)
        if named:
            return found + named, compiled
    limit = options.limit - len(found)
    results, compiled = _places(query, replace(options, limit=max(limit, 1)))
    return found + results[: max(limit, 0)], compiled


def _places(query: Query, options: SearchOptions, full_below: int | None = None) -> tuple[list[dict], Compiled]:
    """The cheap branches, then all when they found fewer than ``full_below`` (the query kind's rule)."""
    compiled = compile_search(query, options, full=False)
    results = run(compiled)
    below = full_phase_below(query) if full_below is None else full_below
    if len(results) < min(options.limit, below):
        compiled = compile_search(query, options, full=True)
        results = run(compiled)
    return results, compiled
