"""Fill the database in DATABASE_URL with a synthetic corpus of N names (labelled synthetic).

DATABASE_URL=... python bench/build_corpus.py --names 1000000 --readings-from bench/readings.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from bench import corpus  # noqa: E402
from gazetteer.models import SearchEntry  # noqa: E402
from gazetteer.reference import sync_categories  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--names", type=int, required=True)
    parser.add_argument("--readings-from", required=True, help="JSON list of [name, [readings...]]")
    args = parser.parse_args()
    sync_categories()
    have = SearchEntry.objects.filter(payload__is_synthetic=True).count()
    if have >= args.names:
        print(f"corpus ready: {have} synthetic names")
        return
    pool = corpus.reading_pool(json.loads(Path(args.readings_from).read_text()))
    started = time.monotonic()
    names = corpus.make_names(args.names - have, pool, seed=args.names + have)
    loaded = corpus.load(names)
    with connection.cursor() as cursor:  # outside the load's transaction: VACUUM cannot run inside one
        cursor.execute("VACUUM ANALYZE gazetteer_searchentry")
        cursor.execute("VACUUM ANALYZE gazetteer_searchdeletion")
    print(f"loaded {loaded} synthetic names in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
