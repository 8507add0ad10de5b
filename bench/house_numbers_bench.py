"""House-numbering benchmark: numbering a road of 500 entrance points (the engine and the service's
writes: versions, events), 50 later buildings inserted one by one (free numbers and sub-numbers), and a
renumbering proposal for the whole road (the before/after table) and its approval (every changed
address rewritten in one changeset). A synthetic 10 km street in 西安区, all in a transaction rolled back.

Run by scripts/bench.sh (make bench, BENCH_KINDS=numbering), or directly:
    DATABASE_URL=... python bench/house_numbers_bench.py --runs 3
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import shapely  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402

from core.geometry import to_geos  # noqa: E402
from core.history import open_changeset  # noqa: E402
from core.metric import to_lonlat, to_metric  # noqa: E402
from core.models import Changeset  # noqa: E402
from gazetteer.models import Category  # noqa: E402
from gazetteer.services import house_numbers, places, renumbering  # noqa: E402
from gazetteer.services.house_numbers import Entrance  # noqa: E402

WEST = (129.40, 44.50)  # inside 西安区
LENGTH_M = 5_000
DOORS = 500
INSERTED = 50


class Rollback(Exception):
    pass


def _point(along: float, side: int) -> shapely.Point:
    west = to_metric(shapely.Point(WEST))
    return to_lonlat(shapely.Point(west.x + along, west.y + 6 * side))


def _officers():
    users = get_user_model().objects
    proposer, _ = users.get_or_create(username="mdj-bench-numbering", defaults={"is_superuser": True})
    approver, _ = users.get_or_create(username="mdj-bench-approver", defaults={"is_superuser": True})
    return proposer, approver


def one_run(figures: dict[str, list[float]]) -> None:
    proposer, approver = _officers()
    try:
        with transaction.atomic():
            changeset = open_changeset(Changeset.Kind.EDIT, "benchmark street (synthetic, rolled back)", label="bench")
            west = to_metric(shapely.Point(WEST))
            line = to_lonlat(shapely.LineString([(west.x, west.y), (west.x + LENGTH_M, west.y)]))
            place = places.create_place(
                changeset=changeset,
                name="示例测速大街",
                category=Category.objects.get(code="08100"),
                geom=to_geos(line),
                synthetic=True,
            )
            road = place.road
            # One door per 20 m frontage slot on both sides: no spare numbers, so later ones take sub-numbers.
            doors = [Entrance(_point(20 * (i // 2) + 7, 1 if i % 2 else -1)) for i in range(DOORS)]
            started = time.perf_counter()
            house_numbers.number_entrances(road, doors, changeset=changeset)
            figures["number 500 entrances"].append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            for j in range(INSERTED):  # a door squeezed beside an existing one: mostly sub-numbers
                house_numbers.number_entrances(road, [Entrance(_point(40 * j + 9, 1))], changeset=changeset)
            figures["insert 50 buildings one by one (each)"].append((time.perf_counter() - started) * 1000 / INSERTED)
            started = time.perf_counter()
            proposal = renumbering.propose(road, user=proposer, reason="benchmark")
            figures["renumbering proposal (before/after table)"].append((time.perf_counter() - started) * 1000)
            changed = sum(len(row["records"]) for row in proposal.rows if row["changes"])
            started = time.perf_counter()
            renumbering.approve(proposal, user=approver)
            figures.setdefault(f"approve it ({changed} addresses rewritten)", []).append(
                (time.perf_counter() - started) * 1000
            )
            raise Rollback
    except Rollback:
        pass


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    figures: dict[str, list[float]] = {
        "number 500 entrances": [],
        "insert 50 buildings one by one (each)": [],
        "renumbering proposal (before/after table)": [],
    }
    for _ in range(runs):
        one_run(figures)
    print(f"house numbering: a {LENGTH_M / 1000:g} km street, {DOORS} entrances, {INSERTED} inserted later")
    for name, values in figures.items():
        print(f"  {name:<50} median {statistics.median(values):9.1f} ms   min {min(values):9.1f} ms   ({runs} runs)")
    get_user_model().objects.filter(username__startswith="mdj-bench-").filter(is_superuser=True).delete()


if __name__ == "__main__":
    main()
