"""Boundary lines and markers in the public search: a small query path beside the place index.

Lines are public records (name, code, level, length): found by their name or part of it (林口县—海林市线,
林口县海林市, 林口 海林 界线) and by their code. Markers are found by their number (界桩号), also typed
without its dashes or in lower case (231025231083001q). No real marker is public
(boundaries.permissions.visible_markers): an anonymous search finds only the synthetic demonstration
markers, each labelled 示例; the staff's search (``public_only`` false, the same rule as for the places:
gazetteer.api.search) finds every marker, abolished ones too. Markers never enter the place index.

Each result has the place results' shape (so the type-ahead and the portal read it the same way) and a
``kind``: ``boundary_line`` or ``boundary_marker``; ``url`` is the line's page where one exists (else
null: the portal centres its map on ``lon``/``lat``). The cost: nothing for a query that cannot name a
line or a marker; else one read of the current lines (a few dozen rows) and, for a number, one of the
markers, by a key computed in the statement.
"""

from __future__ import annotations

import datetime as dt
import re

from django.contrib.auth.models import AnonymousUser
from django.contrib.gis.db.models import PointField
from django.db.models import F, Func, Q, Value
from django.urls import NoReverseMatch, reverse

from boundaries.levels import Tier
from boundaries.models import AdminUnit, BoundaryLine, BoundaryMarker
from boundaries.permissions import visible_markers
from core.srid import STORAGE_SRID
from gazetteer.search.answers import index_changed
from gazetteer.search.normalize import Query, hanzi_key

KINDS = ("boundary_line", "boundary_marker")
# Words that say "a boundary line" in a query; what is left of a word names the parties.
LINE_WORDS = ("行政区域界线", "行政界线", "边界线", "分界线", "界线", "边界", "线", "界")
LINE_PAGE = "boundary-line-page"  # the URL name of a line's page, when the project has one
# A number is compared without separators and case; a prefix needs this many characters.
NUMBER_PREFIX_MIN = 6
NOT_IN_NUMBER = "[^0-9A-Za-z\u3400-\u9fff]"
SYNTHETIC_NOTE = "示例界桩（合成演示数据），并非实地界桩"
LEVEL_NAMES = dict(BoundaryLine.Level.choices)
SCORE_WHOLE, SCORE_PART, SCORE_NUMBER, SCORE_NUMBER_PREFIX = 100.0, 85.0, 100.0, 80.0


def boundary_changed(event) -> None:
    """A line or marker changed: answers kept by the search (gazetteer.search.answers) are stale."""
    index_changed()


def number_key(text: str) -> str:
    """A marker number or line code as compared: characters, digits and letters, upper case."""
    return hanzi_key(text).upper()


def _today(at: dt.date | None) -> dt.date:
    return at or dt.date.today()


# ---- lines ---------------------------------------------------------------------------------------------


def _strip_line_words(token: str) -> tuple[str, bool]:
    """(the token without the line words at its end, whether it had one): 林口界线 -> (林口, True)."""
    found = False
    while word := next((w for w in LINE_WORDS if token.endswith(w)), None):
        token, found = token[: -len(word)], True
    return token, found


def line_terms(query: Query) -> tuple[list[str], bool] | None:
    """(the words that must be in a line's name, whether a line word was typed), or None where the
    query cannot name a line: one short word and no line word (宁安, 东京城镇) is a place's name."""
    if not query.hanzi:
        return None
    terms, said_line = [], False
    for token in query.tokens:
        rest, found = _strip_line_words(token)
        said_line |= found
        if rest:
            terms.append(rest)
    if not terms or not (said_line or len(terms) >= 2 or len(terms[0]) >= 5):
        return None
    return terms, said_line


def _parties(name: str) -> list[str]:
    return [hanzi_key(part) for part in re.split("[—–-]", name.removesuffix("线"))]


def line_matches(name: str, terms: list[str], said_line: bool) -> float | None:
    """The score of a line by its name, or None. Every word must be in the name; one word that lies
    inside one party's name (林口) names the line only with a line word (林口界线)."""
    key = hanzi_key(name)
    if not all(term in key for term in terms):
        return None
    parties = _parties(name)
    if len(terms) == 1 and not said_line and any(terms[0] in party for party in parties):
        return None
    whole = "".join(terms)
    return SCORE_WHOLE if whole in (key, key.removesuffix("线"), "".join(parties)) else SCORE_PART


def _current_lines(at: dt.date | None):
    day = _today(at)
    lines = BoundaryLine.objects.exclude(status=BoundaryLine.Status.ABOLISHED)
    return lines.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=day)
    )


def _in_unit(lines, unit_id: int | None):
    """Lines of the unit: it or one of its county-level units is a party (the city: every line)."""
    if unit_id is None:
        return lines
    unit = AdminUnit.objects.filter(pk=unit_id).only("tier").first()
    if unit is None or unit.tier == Tier.CITY:
        return lines
    return lines.filter(Q(party_rows__unit_id=unit_id) | Q(party_rows__unit__parent_id=unit_id)).distinct()


def find_lines(query: Query, at: dt.date | None, unit_id: int | None) -> list[tuple[float, BoundaryLine]]:
    terms = line_terms(query)
    key = number_key(query.raw)
    by_code = any(ch.isdigit() for ch in key) and len(key) >= NUMBER_PREFIX_MIN
    if terms is None and not by_code:
        return []
    scored: dict[int, float] = {}
    for pk, code, name in _in_unit(_current_lines(at), unit_id).values_list("pk", "code", "name"):
        score = line_matches(name, *terms) if terms else None
        if by_code and number_key(code) == key:
            score = SCORE_NUMBER
        if score is not None:
            scored[pk] = score
    if not scored:
        return []
    on_line = Func(F("geom"), function="ST_PointOnSurface", output_field=PointField(srid=STORAGE_SRID))
    lines = BoundaryLine.objects.filter(pk__in=scored).annotate(point=on_line)
    return sorted(((scored[line.pk], line) for line in lines), key=lambda found: (-found[0], found[1].code))


def line_page(code: str) -> str | None:
    try:
        return reverse(LINE_PAGE, args=[code])
    except NoReverseMatch:
        return None


def line_result(line: BoundaryLine, score: float) -> dict:
    level = LEVEL_NAMES.get(line.level, line.level)
    return {
        "kind": "boundary_line",
        "id": line.pk,
        "code": line.code,
        "name": line.name,
        "romanization": "",
        "category": {
            "code": "boundary_line",
            "name": f"行政区域界线（{level}）",
            "name_en": f"boundary line ({line.level})",
        },
        "unit_path": [],
        "lon": round(line.point.x, 6) if line.point else None,
        "lat": round(line.point.y, 6) if line.point else None,
        "is_synthetic": False,
        "standing": "standard",
        "level": line.level,
        "length_km": round(line.length_km, 3) if line.length_km is not None else None,
        "url": line_page(line.code),
        "score": score,
        "matched": {"name": line.name, "kind": "standard", "form": "hanzi"},
    }


# ---- markers -------------------------------------------------------------------------------------------


def searchable_markers(public_only: bool, at: dt.date | None):
    """The markers a search may show: the public's are what an anonymous reader may see, standing."""
    if not public_only:
        return BoundaryMarker.objects.all()
    markers = visible_markers(AnonymousUser(), BoundaryMarker.objects.all())
    if at is None:
        return markers.exclude(status=BoundaryMarker.Status.ABOLISHED)
    standing = Q(abolished_on__isnull=True) & ~Q(status=BoundaryMarker.Status.ABOLISHED) | Q(abolished_on__gt=at)
    return markers.filter(Q(set_on__isnull=True) | Q(set_on__lte=at)).filter(standing)


def find_markers(query: Query, public_only: bool, at: dt.date | None, lines, limit: int):
    key = number_key(query.raw)
    if not any(ch.isdigit() for ch in key) or len(key) < 4:
        return []
    compared = Func(
        Func(F("number"), Value(NOT_IN_NUMBER), Value(""), Value("g"), function="regexp_replace"), function="upper"
    )
    markers = searchable_markers(public_only, at).annotate(key=compared).filter(line__in=lines)
    # A short number is compared whole; a longer one as the start of a number (the line's prefix and more).
    markers = markers.filter(key__startswith=key) if len(key) >= NUMBER_PREFIX_MIN else markers.filter(key=key)
    found = markers.select_related("line").order_by("number")[:limit]
    return sorted(
        ((SCORE_NUMBER if marker.key == key else SCORE_NUMBER_PREFIX, marker) for marker in found),
        key=lambda pair: (-pair[0], pair[1].number),
    )


def marker_result(marker: BoundaryMarker, score: float) -> dict:
    label = "界桩（示例）" if marker.is_synthetic else "界桩"
    result = {
        "kind": "boundary_marker",
        "id": marker.pk,
        "code": marker.number,
        "name": marker.number,
        "romanization": "",
        "category": {
            "code": "boundary_marker",
            "name": label,
            "name_en": "boundary marker (synthetic demonstration)" if marker.is_synthetic else "boundary marker",
        },
        "unit_path": [],
        "lon": round(marker.geom.x, 6),
        "lat": round(marker.geom.y, 6),
        "is_synthetic": marker.is_synthetic,
        "standing": "synthetic" if marker.is_synthetic else "standard",
        "line": {"code": marker.line.code, "name": marker.line.name},
        "status": marker.status,
        "url": line_page(marker.line.code),
        "score": score,
        "matched": {"name": marker.number, "kind": "standard", "form": "number"},
    }
    if marker.is_synthetic:
        result["synthetic_note"] = SYNTHETIC_NOTE
    return result


def search_boundaries(query: Query, *, public_only: bool, at=None, unit_id=None, limit: int = 10) -> list[dict]:
    """Lines and markers the query names, best first (at most ``limit``)."""
    if query.empty:
        return []
    results = [line_result(line, score) for score, line in find_lines(query, at, unit_id)]
    lines = _in_unit(_current_lines(at), unit_id) if public_only or unit_id else BoundaryLine.objects.all()
    results += [marker_result(m, score) for score, m in find_markers(query, public_only, at, lines, limit)]
    results.sort(key=lambda result: -result["score"])
    return results[:limit]
