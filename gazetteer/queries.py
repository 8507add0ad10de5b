"""Filtering place records the same way wherever a list is asked for (API list, export, open data)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from boundaries.levels import Tier
from boundaries.models import AdminUnit
from gazetteer.models import Place
from gazetteer.permissions import Action, can


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


def with_record_relations(places: QuerySet[Place]) -> QuerySet[Place]:
    """What a full record (representation.feature) reads, fetched up front."""
    units = ("unit", *(f"unit{'__parent' * n}" for n in (1, 2, 3)), "registered_for", "admin_unit")
    return (
        places.select_related(
            "category", "unit__parent__parent__parent", "source", "registered_by", "registered_for", "admin_unit"
        )
        .defer(*(f"{unit}__geom" for unit in units))  # the units' polygons are not part of a record
        .prefetch_related("names")
    )


def visible_place(user, code: str) -> Place | None:
    """The record with this code if the user may see it, else None (unknown and hidden alike)."""
    place = with_record_relations(Place.objects.filter(code=code)).first()
    return place if place is not None and can(user, Action.VIEW, place) else None
