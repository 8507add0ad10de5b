"""Creating officers and giving them roles and counties."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import ApiToken, CountyAssignment, Role
from boundaries.levels import Tier
from boundaries.services.queries import unit_by_code

STAFF_ROLES = {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR, Role.CARTOGRAPHER}


class AccountError(ValueError):
    pass


@transaction.atomic
def create_officer(
    username: str,
    *,
    role: str,
    counties: list[str] = (),
    password: str | None = None,
    full_name: str = "",
    with_token: bool = False,
):
    """Create or update an account with one role and its counties; returns (user, token key or None)."""
    if role not in Role.values:
        raise AccountError(f"role must be one of {', '.join(Role.values)}")
    units = []
    for code in counties:
        unit = unit_by_code(code)
        if unit.tier != Tier.COUNTY:
            raise AccountError(f"{code} {unit.name} is not a county-level unit")
        units.append(unit)
    if role == Role.OFFICER and not units:
        raise AccountError("a place-name officer works for at least one county (--county CODE)")
    user, _ = get_user_model().objects.get_or_create(username=username)
    user.is_staff = role in STAFF_ROLES  # the admin site is theirs; what they may do there depends on the role
    user.first_name = full_name or user.first_name
    if password:
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.save()
    user.groups.remove(*Group.objects.filter(name__in=Role.values))
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    for unit in units:
        CountyAssignment.objects.get_or_create(user=user, county=unit)
    key = ApiToken.issue(user, label="created with the account")[1] if with_token else None
    return user, key
