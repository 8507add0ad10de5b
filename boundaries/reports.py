"""The units' lines of the summary printed after a load (core.reports): counts per level, the area
check and the division-change events."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, Q, Sum

from boundaries.levels import Tier
from boundaries.models import AdminUnit, DivisionChange


def unit_summary() -> list[str]:
    lines = ["Units per level (current):"]
    counts = AdminUnit.objects.current().values("level").annotate(n=Count("id")).order_by("level")
    lines += [f"  {row['level']}: {row['n']}" for row in counts]
    city = AdminUnit.objects.current().filter(code=settings.TERRITORY_CODE).first()
    if city is not None and city.area_km2:
        counties = (
            AdminUnit.objects.current().filter(parent=city, tier=Tier.COUNTY).aggregate(total=Sum("area_km2"))["total"]
        )
        lines.append(
            f"Area: city {city.area_km2:,.1f} km2, counties together {counties or 0:,.1f} km2 "
            f"(difference {(counties or 0) - city.area_km2:+.4f} km2)"
        )
    events = DivisionChange.objects.aggregate(total=Count("id"), noise=Count("id", filter=Q(is_noise=True)))
    lines.append(f"Division-change events: {events['total']} ({events['noise']} flagged as noise)")
    return lines
