"""The automatic checks of a proposed name, run when an application is submitted.

Findings, not verdicts: each has a severity ("error" blocks approval until the reviewers have seen
it, "warning" is for the reviewers) and a message. The rules of the trade: one place, one name, no
repeat or same-sounding name in the same county or city; standard characters only; no names of
companies; not overlong (the limit is configuration, NAMING_MAX_LENGTH).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Q

from boundaries.models import AdminUnit
from gazetteer.models import Place, PlaceName
from gazetteer.services.places import computed_romanization

COMPANY_WORDS = ("公司", "集团", "有限", "股份", "企业", "商贸", "置业", "地产", "实业", "控股", "商行")
_HAN = re.compile(r"[\u3400-\u9fff\U00020000-\U0002ffff]")


@dataclass(frozen=True)
class Finding:
    check: str
    severity: str  # "error" or "warning"
    message: str
    places: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        data = asdict(self)
        data["places"] = list(self.places)
        return data


def _pinyin_key(romanization: str) -> str:
    return re.sub(r"[^a-zü]", "", romanization.lower())


def _current_names(exclude: Place | None):
    names = PlaceName.objects.filter(
        kind=PlaceName.Kind.STANDARD, valid_to__isnull=True, place__valid_to__isnull=True
    ).select_related("place")
    return names.exclude(place=exclude) if exclude is not None else names


def _in_area(names, area: AdminUnit):
    county = area.code[:6]
    return names.filter(Q(place__code__startswith=county))


def check_name(name: str, county: AdminUnit, *, exclude: Place | None = None) -> list[Finding]:
    findings = []
    names = _current_names(exclude)
    city_code = county.parent.code[:4] if county.parent else county.code[:4]
    city_names = names.filter(place__code__startswith=city_code)
    same_county = _in_area(names, county).filter(name=name)
    same_city = city_names.filter(name=name).exclude(pk__in=same_county)
    if same_county.exists():
        findings.append(
            Finding(
                "same_name_county",
                "error",
                f"{name} is already a standard name in {county.name}",
                tuple(same_county.values_list("place__code", flat=True)),
            )
        )
    if same_city.exists():
        findings.append(
            Finding(
                "same_name_city",
                "error",
                f"{name} is already a standard name in the city",
                tuple(same_city.values_list("place__code", flat=True)),
            )
        )
    key = _pinyin_key(computed_romanization(name)[0])
    sounding = [
        n
        for n in city_names.exclude(name=name).only("name", "romanization", "place__code")
        if n.romanization and _pinyin_key(n.romanization) == key
    ]
    for row in sounding:
        in_county = row.place.code.startswith(county.code[:6])
        findings.append(
            Finding(
                "same_pinyin_county" if in_county else "same_pinyin_city",
                "error",
                f"{name} sounds the same as {row.name} ({row.romanization}) "
                f"{'in ' + county.name if in_county else 'in the city'}",
                (row.place.code,),
            )
        )
    findings += _character_findings(name)
    if any(word in name for word in COMPANY_WORDS):
        findings.append(
            Finding("company_name", "error", f"{name} looks like a company's name; place names honour no company")
        )
    if len(name) > settings.NAMING_MAX_LENGTH:
        findings.append(
            Finding("overlong", "warning", f"{name} has {len(name)} characters, more than {settings.NAMING_MAX_LENGTH}")
        )
    return findings


def _character_findings(name: str) -> list[Finding]:
    """Characters outside the simplified standard set. The 通用规范汉字表 is not available as a
    package here; GB 2312 (6,763 characters) is used as its core: a traditional or variant form
    (綏, 寧) or a rare character is flagged for the reviewers to check."""
    findings = []
    odd = [ch for ch in name if _HAN.match(ch) and not _encodes(ch, "gb2312")]
    if odd:
        findings.append(
            Finding(
                "non_standard_characters", "error", f"characters outside the standard simplified set: {''.join(odd)}"
            )
        )
    other = [ch for ch in name if not _HAN.match(ch) and not ch.isdigit() and unicodedata.category(ch)[0] != "L"]
    if other:
        findings.append(Finding("punctuation", "warning", f"non-character symbols in the name: {''.join(other)}"))
    return findings


def _encodes(ch: str, codec: str) -> bool:
    try:
        ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def blocking(findings: list[dict]) -> list[dict]:
    return [f for f in findings if f["severity"] == "error"]


def check_heritage(place: Place | None) -> list[Finding]:
    """A rename or abolition of a name listed as place-name heritage (地名文化遗产) is flagged; the
    approver must then say why (gazetteer.services.naming.approve: heritage_reason)."""
    if place is None or not place.is_heritage:
        return []
    reason = f" ({place.heritage_reason})" if place.heritage_reason else ""
    return [
        Finding(
            "heritage",
            "error",
            f"{place.name} is listed as place-name heritage since {place.heritage_listed_on}{reason}: "
            "changing it needs an explicit reason at the decision",
            (place.code,),
        )
    ]
