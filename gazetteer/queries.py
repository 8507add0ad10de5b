"""Filtering place records the same way wherever a list is asked for (API list, export, open data)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from gazetteer.models import Place


def units_under(unit: AdminUnit) -> list[int]:
    """The unit and every unit below it."""
    ids, frontier = [unit.id], [unit.id]
    for _ in range(Tier.VILLAGE):
        frontier = list(AdminUnit.objects.filter(parent_id__in=frontier).values_list("id", flat=True))
        ids += frontier
    return ids


def filter_places(
    places: QuerySet[Place],
    *,
    category: str | None = None,
    unit: AdminUnit | None = None,
    status: str | None = None,
    name: str | None = None,
) -> QuerySet[Place]:
    """``category`` matches the class or any of its sub-classes; ``unit`` the unit and all below it."""
    if category:
        places = places.filter(Q(category__code=category) | Q(category__parent__code=category))
    if unit is not None:
        places = places.filter(unit_id__in=units_under(unit))
    if status:
        places = places.filter(status=status)
    if name:
        places = places.filter(Q(name__contains=name) | Q(names__name__contains=name)).distinct()
    return places
