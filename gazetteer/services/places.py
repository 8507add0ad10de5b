"""Creating place records: the 20-digit code and the first history row."""

from __future__ import annotations

from django.db import connection

from boundaries.models import AdminUnit
from core.models import Changeset
from gazetteer.models import Category, Place, PlaceVersion

UNKNOWN_TOWNSHIP = "000"


def place_code_prefix(county: AdminUnit, township: AdminUnit | None, category: Category) -> str:
    """6-digit county + 3-digit township (``000`` when unknown) + 5-digit category."""
    township_part = township.code[6:9] if township is not None and len(township.code) >= 9 else UNKNOWN_TOWNSHIP
    return f"{county.code[:6]}{township_part}{category.code}"


def allocate_place_code(prefix: str) -> str:
    """The next free 6-digit serial under ``prefix``; serialised by an advisory lock on the prefix."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [prefix])
    last = Place.objects.filter(code__startswith=prefix).order_by("-code").values_list("code", flat=True).first()
    serial = int(last[-6:]) + 1 if last else 1
    if serial > 999_999:
        raise ValueError(f"no serial left under {prefix}")
    return f"{prefix}{serial:06d}"


def snapshot(place: Place) -> dict:
    return {
        "code": place.code,
        "name": place.name,
        "category": place.category.code,
        "unit": place.unit.code if place.unit_id else None,
        "status": place.status,
        "valid_from": place.valid_from.isoformat() if place.valid_from else None,
        "valid_to": place.valid_to.isoformat() if place.valid_to else None,
        "is_public": place.is_public,
        "is_synthetic": place.is_synthetic,
        "source": place.source.key if place.source_id else None,
        "source_ref": place.source_ref,
    }


def create_place(
    *, changeset: Changeset, county: AdminUnit, category: Category, township: AdminUnit | None = None, **fields
) -> Place:
    code = allocate_place_code(place_code_prefix(county, township, category))
    place = Place.objects.create(code=code, category=category, version=1, **fields)
    PlaceVersion.objects.create(place=place, version=1, changeset=changeset, data=snapshot(place), geom=place.geom)
    return place
