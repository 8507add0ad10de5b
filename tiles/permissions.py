"""Who may make print maps, and whose jobs each may see: the bureau's staff (any role: cartographer,
officer, approver, administrator) make maps. A job, its progress, its file and its cancellation belong
to the one who asked for it; cartographers and administrators, who run the bureau's map production,
see, download and cancel everyone's. The public reads the web map and its tiles, which need no permission."""

from __future__ import annotations

from accounts.models import Role
from accounts.roles import roles


def may_make_maps(user) -> bool:
    return bool(roles(user))


def sees_every_job(user) -> bool:
    return bool(roles(user) & {Role.CARTOGRAPHER, Role.ADMINISTRATOR})


def may_handle_job(user, job) -> bool:
    """May the user see, download or cancel this job?"""
    return may_make_maps(user) and (sees_every_job(user) or job.requested_by_id == user.pk)
