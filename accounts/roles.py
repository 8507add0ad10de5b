"""Who someone is to the register: their roles (Django groups named after accounts.models.Role) and
the counties they work for. Every app asks these; what a role may do with a kind of record is decided
by that kind's rights (gazetteer.permissions, tiles.permissions), which build on them."""

from __future__ import annotations

from collections.abc import Iterable

from accounts.models import CountyAssignment, Role

_ROLES = "_register_roles"


def remember_roles(user, group_names: Iterable[str]) -> None:
    """Set the roles of a user whose group names were read with it (one query instead of two)."""
    found = set(group_names) & set(Role.values)
    if user.is_superuser:
        found.add(Role.ADMINISTRATOR)
    setattr(user, _ROLES, found)


def roles(user) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    if getattr(user, _ROLES, None) is None:
        remember_roles(user, user.groups.values_list("name", flat=True))
    return getattr(user, _ROLES)


def is_administrator(user) -> bool:
    return Role.ADMINISTRATOR in roles(user)


def is_staff_reader(user) -> bool:
    """Officers, approvers, cartographers and administrators read non-public records too."""
    return bool(roles(user))


def assigned_counties(user) -> set[int]:
    if not user.is_authenticated:
        return set()
    return set(CountyAssignment.objects.filter(user=user).values_list("county_id", flat=True))


def may_write_in(user, counties: set[int]) -> bool:
    """May the user create or change a record touching these counties? Administrators anywhere;
    officers where one of the counties is theirs (a river crossing counties is any of them's)."""
    if is_administrator(user):
        return True
    return Role.OFFICER in roles(user) and bool(counties & assigned_counties(user))
