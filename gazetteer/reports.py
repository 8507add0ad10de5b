"""The place records' lines of the summary printed after a load (core.reports): counts per category."""

from __future__ import annotations

from django.db.models import Count

from gazetteer.models import Place


def place_summary() -> list[str]:
    per_category = (
        Place.objects.values("category__code", "category__name_zh").annotate(n=Count("id")).order_by("category__code")
    )
    lines = [f"Place-name records: {Place.objects.count()}"]
    lines += [f"  {row['category__code']} {row['category__name_zh']}: {row['n']}" for row in per_category]
    return lines
