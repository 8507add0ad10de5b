"""Boundary proposals in the staff's inbox (core.inbox), registered in boundaries.apps: a pending
proposal awaits each party whose approval is missing (boundaries.services.proposals.required): the
officers of the counties on its two sides, the bureau's approver, and on the city's outline the officer
who records the outside party's signed approval."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import CountyAssignment, Role
from accounts.roles import is_administrator, roles
from boundaries.models import BoundaryProposal, ProposalApproval
from boundaries.services import proposals
from core.inbox import Item, Provider

KIND = "界线变更 Boundary proposal"


def _awaiting(user) -> QuerySet | None:
    """The query form of proposals.awaiting (one query for the count)."""
    pending = BoundaryProposal.objects.filter(status=BoundaryProposal.Status.PENDING)
    if is_administrator(user):
        return pending
    wanted = Q(pk__in=[])
    if Role.APPROVER in roles(user):
        wanted |= ~Exists(ProposalApproval.objects.filter(proposal=OuterRef("pk"), party="bureau"))
    if Role.OFFICER in roles(user):
        mine = CountyAssignment.objects.filter(user_id=user.pk).values("county_id")
        given = ProposalApproval.objects.filter(proposal=OuterRef("pk"), party="county")
        wanted |= Q(edge__left_id__in=mine) & ~Exists(given.filter(unit_id=OuterRef("edge__left_id")))
        wanted |= Q(edge__right_id__in=mine) & ~Exists(given.filter(unit_id=OuterRef("edge__right_id")))
        outer = Q(edge__left__isnull=True) | Q(edge__right__isnull=True)
        recorded = ProposalApproval.objects.filter(proposal=OuterRef("pk"), party="outside")
        wanted |= outer & (Q(edge__left_id__in=mine) | Q(edge__right_id__in=mine)) & ~Exists(recorded)
    return pending.filter(wanted)


def _items(user) -> list[Item]:
    found = []
    for proposal in proposals.awaiting(user):
        awaited = "、".join(need.label for need in proposals.missing(proposal))
        found.append(
            Item(
                KIND,
                f"{proposal.number} {proposal.line.name}",
                f"批准 Approve ({awaited})",
                proposal.proposed_at,
                reverse("admin:boundaries_boundaryproposal_change", args=[proposal.pk]),
            )
        )
    return found


def _count(user) -> int:
    awaiting = _awaiting(user)
    return 0 if awaiting is None else awaiting.count()


boundary_proposals = Provider("boundary proposals", _items, _count)
