"""Summaries printed after a load: counts per level and the area check."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, Sum


def territory_summary() -> list[str]:
    from boundaries.models import AdminUnit, DivisionChange
    from gazetteer.models import Place

    lines = ["Units per level (current):"]
    counts = AdminUnit.objects.current().values("level").annotate(n=Count("id")).order_by("level")
    lines += [f"  {row['level']}: {row['n']}" for row in counts]
    city = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE).first()
    if city is not None and city.area_km2:
        counties = AdminUnit.objects.current().filter(parent=city, tier=2).aggregate(total=Sum("area_km2"))["total"]
        lines.append(
            f"Area: city {city.area_km2:,.1f} km2, counties together {counties or 0:,.1f} km2 "
            f"(difference {(counties or 0) - city.area_km2:+.4f} km2)"
        )
    events = DivisionChange.objects.aggregate(total=Count("id"), noise=Count("id", filter=Q(is_noise=True)))
    lines.append(f"Division-change events: {events['total']} ({events['noise']} flagged as noise)")
    per_category = (
        Place.objects.values("category__code", "category__name_zh").annotate(n=Count("id")).order_by("category__code")
    )
    lines.append(f"Place-name records: {Place.objects.count()}")
    lines += [f"  {row['category__code']} {row['category__name_zh']}: {row['n']}" for row in per_category]
    return lines
