"""One allocator for every numbered record: application numbers now, place codes, boundary-marker,
house and order numbers later. Safe under concurrency: the counter row of a scope is taken with one
INSERT ... ON CONFLICT DO UPDATE, which locks it until the caller's transaction ends, so two
transactions can never be handed the same number, and a rolled-back one leaves no hole behind it
except its own number (numbers are never reused).

A scope's first number follows the highest number already in use (``floor``), so a register that
existed before its counter, or was restored from a backup, never collides with itself.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection, transaction


class SerialsExhausted(ValueError):
    """A scope has handed out its last number (e.g. 999999 serials under a place-code prefix)."""


def next_serial(scope: str, *, floor: int | Callable[[], int] = 0, maximum: int | None = None) -> int:
    """The next number in ``scope``: one more than both the last one handed out and ``floor`` (the
    highest number in use, or a function that finds it). Must run inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_serial runs inside the transaction that uses the number")
    in_use = floor() if callable(floor) else floor
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO core_serial (scope, last, updated_at) VALUES (%s, %s, now()) "
            "ON CONFLICT (scope) DO UPDATE SET last = GREATEST(core_serial.last, EXCLUDED.last - 1) + 1, "
            "updated_at = now() RETURNING last",
            [scope, in_use + 1],
        )
        number = cursor.fetchone()[0]
    if maximum is not None and number > maximum:
        raise SerialsExhausted(f"no number left in {scope} (the last is {maximum})")
    return number


def next_number(scope: str, queryset, field: str, prefix: str, *, width: int = 4) -> str:
    """``prefix`` and the next serial of ``width`` digits in ``scope`` (231084-2026-0007, BJ-2026-0001),
    after the highest such number the records in ``queryset`` already carry in ``field``."""

    def highest_in_use() -> int:
        numbers = queryset.filter(**{f"{field}__startswith": prefix}).order_by(f"-{field}")
        last = numbers.values_list(field, flat=True).first()
        return int(last[-width:]) if last else 0

    serial = next_serial(f"{scope}:{prefix}", floor=highest_in_use, maximum=10**width - 1)
    return f"{prefix}{serial:0{width}d}"
