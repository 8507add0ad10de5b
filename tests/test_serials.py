"""core.serials: one allocator for every numbered record, safe when many ask at once.

The threads here use their own database connections and commit, as concurrent requests do; they write
only counter rows of scopes no record uses (a year far ahead), so the shared test data is untouched."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from boundaries.models import AdminUnit
from core.serials import SerialsExhausted, next_serial
from gazetteer.services import codes, naming

pytestmark = pytest.mark.django_db


def _in_own_transaction(allocate, hold_seconds: float = 0.05):
    """Allocate in a transaction of this thread's own connection and keep it open a moment, so that
    the other threads' allocations overlap it."""
    try:
        with transaction.atomic():
            number = allocate()
            time.sleep(hold_seconds)
        return number
    finally:
        connection.close()


def test_threads_allocating_at_once_get_distinct_numbers():
    scope = f"test:{uuid.uuid4().hex}"
    with ThreadPoolExecutor(max_workers=6) as pool:
        numbers = list(pool.map(lambda _: _in_own_transaction(lambda: next_serial(scope)), range(30)))
    assert sorted(numbers) == list(range(1, 31))


def test_the_first_number_follows_the_highest_in_use_and_a_restored_register_never_collides():
    scope = f"test:{uuid.uuid4().hex}"
    with transaction.atomic():
        assert next_serial(scope, floor=41) == 42
        assert next_serial(scope, floor=0) == 43  # the counter remembers
        assert next_serial(scope, floor=lambda: 100) == 101  # records appeared above it (a restore)


def test_a_scope_that_has_run_out_says_so():
    scope = f"test:{uuid.uuid4().hex}"
    with transaction.atomic():
        next_serial(scope, floor=8, maximum=9)
        with pytest.raises(SerialsExhausted):
            next_serial(scope, maximum=9)


def test_numbers_are_handed_out_only_inside_the_transaction_that_uses_them():
    def outside_any_transaction():
        try:
            next_serial(f"test:{uuid.uuid4().hex}")
        except RuntimeError as error:
            return str(error)
        finally:
            connection.close()
        return "allocated"

    with ThreadPoolExecutor(max_workers=1) as pool:  # a connection of its own, in autocommit
        assert "inside the transaction" in pool.submit(outside_any_transaction).result()


def test_application_numbers_submitted_at_once_never_collide():
    """Thirty applications three at a time collided on the number before (read without a lock)."""
    county = AdminUnit.objects.get(code="231084")
    with ThreadPoolExecutor(max_workers=3) as pool:
        numbers = list(pool.map(lambda _: _in_own_transaction(lambda: naming._number(county, 2999)), range(30)))
    assert len(set(numbers)) == 30
    assert all(n.startswith("231084-2999-") for n in numbers)


def test_place_codes_come_from_the_same_allocator():
    prefix = "231084999" + "99999"  # a township and category no record has
    barrier = threading.Barrier(4)

    def allocate():
        barrier.wait()
        return codes.allocate_place_code(prefix)

    with ThreadPoolExecutor(max_workers=4) as pool:
        found = list(pool.map(lambda _: _in_own_transaction(allocate), range(4)))
    assert len(set(found)) == 4 and all(len(code) == 20 and code.startswith(prefix) for code in found)
