"""Who may do what with place records and naming applications.

Roles (accounts.models.Role, as Django groups):
- the public (anonymous or no role): reads public records;
- place-name officer: reads every record; creates, edits and retires records that touch a county
  assigned to them (a river or road that crosses counties is editable by an officer of any county
  it touches); submits and runs naming applications of their counties;
- approver: reads every record; decides (approves or rejects) naming applications;
- cartographer: reads every record; makes print maps (tiles.permissions);
- administrator (or superuser): everything, everywhere.
The API and the admin ask the same functions.
"""

from __future__ import annotations

from enum import StrEnum

from accounts.models import Role
from accounts.roles import is_administrator, is_staff_reader, may_write_in, roles
from gazetteer.models import NamingApplication, Place
from gazetteer.services.places import place_counties


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    UPDATE = "update"
    RETIRE = "retire"
    APPLY = "apply"  # submit and take a naming application through its steps
    DECIDE = "decide"  # approve or reject
    IMPORT = "import"


def can_view(user, place: Place) -> bool:
    return place.is_public or is_staff_reader(user)


def can(user, action: Action, place: Place | None = None, *, counties: set[int] | None = None) -> bool:
    if action == Action.VIEW:
        return place is None or can_view(user, place)
    if action == Action.DECIDE:
        return is_administrator(user) or Role.APPROVER in roles(user)
    if counties is None:
        counties = place_counties(place) if place is not None else set()
    if action in (Action.CREATE, Action.UPDATE, Action.RETIRE, Action.APPLY, Action.IMPORT):
        return may_write_in(user, counties)
    return False


def can_run_application(user, application: NamingApplication) -> bool:
    return can(user, Action.APPLY, counties={application.county_id})


def may_take_step(user, application: NamingApplication, step) -> bool:
    """Approvers decide (approve, reject); the county's officers take the other steps. ``step`` is a
    gazetteer.services.naming.Step. The API and the admin both ask this."""
    return can(user, Action.DECIDE) if step.by_approver else can_run_application(user, application)


def visible_places(user, queryset):
    return queryset if is_staff_reader(user) else queryset.filter(is_public=True)
