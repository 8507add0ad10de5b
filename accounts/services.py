"""Creating officers and giving them roles and counties."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import ApiToken, CountyAssignment, Role

STAFF_ROLES = {Role.OFFICER, Role.APPROVER, Role.ADMINISTRATOR, Role.CARTOGRAPHER}
# The tier of county-level units (boundaries.levels.Tier.COUNTY), which accounts does not import.
COUNTY_TIER = 2


class AccountError(ValueError):
    pass


def county_by_code(code: str):
    """The county-level unit with this code: the current unit that has it, else the unit that had it as
    a former or statistical code (as boundaries.services.queries.unit_by_code finds it).

    accounts sits below boundaries and imports nothing from it (tests/test_layers.py): the unit model is
    the one CountyAssignment.county points at (by the name "boundaries.AdminUnit"), and the lookup is made
    with that model's own queryset methods (current, by_any_code)."""
    units = CountyAssignment._meta.get_field("county").related_model.objects
    unit = units.current().filter(code=code).first() or units.by_any_code(code).first()
    if unit is None:
        raise AccountError(f"no administrative unit has the code {code}")
    if unit.tier != COUNTY_TIER:
        raise AccountError(f"{code} {unit.name} is not a county-level unit")
    return unit


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
    units = [county_by_code(code) for code in counties]
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
