"""Reference tables shipped with the code (data/reference/), synchronised at set-up."""

from __future__ import annotations

import csv
from pathlib import Path

from django.conf import settings

from gazetteer.models import Category

CATEGORIES_CSV = Path(settings.BASE_DIR) / "data" / "reference" / "categories.csv"


def sync_categories(path: Path = CATEGORIES_CSV) -> int:
    """Create or update every category of the table; returns how many rows changed."""
    changed = 0
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:  # parents precede children in the file
        parent = Category.objects.get(code=row["parent"]) if row["parent"] else None
        values = {"parent": parent, "name_zh": row["name_zh"], "name_en": row["name_en"], "geometry": row["geometry"]}
        category, created = Category.objects.get_or_create(code=row["code"], defaults=values)
        if not created and any(getattr(category, k) != v for k, v in values.items()):
            Category.objects.filter(pk=category.pk).update(**values)
            changed += 1
        changed += created
    return changed
