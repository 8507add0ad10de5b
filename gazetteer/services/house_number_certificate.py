"""The house-number certificate (门牌证明) of a certified numbering request, as a PDF (one A4 page).

Its items are the 门牌证's printed fields (嘉兴's 门牌证, domain/names-addresses-books.md §1): 地址编码,
产权人, 区(县), 镇街道, 道路, 门牌号, 社区标准地址, 原地址, 发证年月日; and, as the 地址证明 does, the
property documents cited and the statement that the standard address governs for 户籍, property and
business registration and the post. The issuing authority is settings.HOUSE_NUMBER_AUTHORITY.

- 地址编码 (address code): the road's 20-digit place code, then the number in 5 digits and the
  sub-number in 2 (00: none): 23108410208100000001 + 00012 + 01 for 12-1号, 27 digits in all. It is
  read back from the number alone, never allocated, so it changes only when the road or the number does.
- 标准地址: the road's name and the number (太平路12-1号); 社区标准地址 puts the city, the county and
  the township (镇、街道) of the entrance before it.
- The romanization: the road's (its record's, GB/T 16159 without tones) and the number: Taiping Lu 12-1.

A certificate of a synthetic demonstration road says 示例 SYNTHETIC at its head and that it is not valid.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from boundaries.levels import Tier
from boundaries.services.geography import ancestor_at, township_of, unit_at
from core.pdf import DocumentInfo, html_to_pdf
from gazetteer.models import HouseNumber, NumberingRequest

STATEMENT = (
    "本证明所载标准地址为该建筑物经地名管理机关编制的法定门牌地址。户籍登记、不动产登记、"
    "市场主体（工商）登记及邮政投递等，均应以本标准地址为准。"
)
SYNTHETIC_STAMP = "示例数据：本证明依据系统生成的示意（合成）道路与门牌数据生成，不是有效证明，不得用于任何登记。"
NOT_VALID = "示例 SYNTHETIC · NOT VALID"


def address_code(house: HouseNumber) -> str:
    """The road's place code, the number in 5 digits and the sub-number in 2 (see the module's note)."""
    return f"{house.road.place.code}{house.number:05d}{house.suffix:02d}"


def number_text(house: HouseNumber) -> str:
    return f"{house.number}-{house.suffix}" if house.suffix else str(house.number)


def romanized_address(house: HouseNumber) -> str:
    """Taiping Lu 12-1: the road's romanization (its record's) and the number."""
    road = house.road.place
    return f"{road.romanization or road.name} {number_text(house)}"


def fields(request: NumberingRequest) -> dict:
    """The certificate's items, as printed (and as the tests read them back)."""
    house = request.house_number
    if house is None or request.certificate_number is None:
        raise ValueError(f"{request.number} has no certificate: it is not certified")
    unit = unit_at(house.geom) or request.road.place.unit
    county = request.county
    township = township_of(unit)
    city = ancestor_at(county, Tier.CITY)
    standard = house.label
    community = "".join(u.name for u in (city, county, township) if u is not None) + standard
    synthetic = request.road.place.is_synthetic or house.is_synthetic
    return {
        "certificate_number": request.certificate_number,
        "request_number": request.number,
        "address_code": address_code(house),
        "owner": request.applicant,
        "owner_kind": request.get_applicant_kind_display().split(" ", 1)[0],
        "county": county.name,
        "township": township.name if township else "—",
        "road": request.road.place.name,
        "house_number": house.number_label,
        "standard_address": standard,
        "community_address": community,
        "romanized": romanized_address(house),
        "former_address": request.former_address or "—",
        "building": request.building_name or (request.building.name if request.building_id else "—"),
        "documents": request.documents,
        "issued_on": request.certified_on,
        "authority": settings.HOUSE_NUMBER_AUTHORITY,
        "statement": STATEMENT,
        "synthetic": synthetic,
    }


def certificate_pdf(request: NumberingRequest) -> bytes:
    """The certificate as a PDF, drawn by WeasyPrint with the embedded CJK fonts (core.pdf)."""
    items = fields(request)
    title = f"门牌证明 {items['certificate_number']}"
    context = {"title": title, "c": items, "stamp": SYNTHETIC_STAMP, "not_valid": NOT_VALID}
    subject = f"{items['standard_address']}{' (synthetic 示例, not valid)' if items['synthetic'] else ''}"
    info = DocumentInfo(title=title, author=settings.HOUSE_NUMBER_AUTHORITY, subject=subject)
    return html_to_pdf(render_to_string("gazetteer/house_number_certificate.html", context), info)
