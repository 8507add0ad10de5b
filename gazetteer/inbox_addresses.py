"""Renumbering proposals in the staff's inbox (core.inbox), registered in gazetteer.apps: a pending
renumbering awaits the approvers (not its proposer); the count is the query form of
gazetteer.services.renumbering.awaiting."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import is_administrator
from core.inbox import Item, Provider
from gazetteer.models import RenumberingProposal
from gazetteer.services import renumbering

KIND = "门牌整顿 Renumbering"


def _items(user) -> list[Item]:
    return [
        Item(
            KIND,
            f"{p.number} {p.road.place.name}",
            f"审批 Approve or reject ({sum(1 for row in p.rows if row['changes'])} addresses change)",
            p.proposed_at,
            reverse("admin:gazetteer_renumberingproposal_change", args=[p.pk]),
        )
        for p in renumbering.awaiting(user)
    ]


def _count(user) -> int:
    if not renumbering.may_decide(user):
        return 0
    pending = RenumberingProposal.objects.filter(status=RenumberingProposal.Status.PENDING)
    return pending.count() if is_administrator(user) else pending.exclude(proposed_by_id=user.pk).count()


renumberings = Provider("renumberings", _items, _count)
