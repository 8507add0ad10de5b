"""The 20-digit place code: 6-digit county + 3-digit township + 5-digit category + 6-digit serial.

The township digits are the civil-affairs township code at creation, ``000`` when unknown. The code
is allocated once and never recomputed: it survives renames, moves and reclassification."""

from __future__ import annotations

from boundaries.models import AdminUnit
from core.serials import SerialsExhausted, next_serial
from gazetteer.models import Category, Place

UNKNOWN_TOWNSHIP = "000"


def place_code_prefix(county: AdminUnit, township: AdminUnit | None, category: Category) -> str:
    township_part = township.code[6:9] if township is not None and len(township.code) >= 9 else UNKNOWN_TOWNSHIP
    return f"{county.code[:6]}{township_part}{category.code}"


def allocate_place_code(prefix: str) -> str:
    """The next 6-digit serial under ``prefix`` (core.serials: safe under concurrency, never reused)."""

    def highest_in_use() -> int:
        last = Place.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
        return int(last[-6:]) if last else 0

    try:
        serial = next_serial(f"place-code:{prefix}", floor=highest_in_use, maximum=999_999)
    except SerialsExhausted:
        raise ValueError(f"no serial left under {prefix}") from None
    return f"{prefix}{serial:06d}"
