"""Boundary proposals and marker events in the staff's inbox (core.inbox), registered in
boundaries.apps: a pending proposal or marker event awaits each party whose approval is missing
(boundaries.services.agreement): the officers of the counties that are its parties, the bureau's
approver where it is one, and on the city's outline the officer who records the outside party's signed
approval. The counts are the query form of proposals.awaiting and marker_events.awaiting."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from accounts.models import CountyAssignment, Role
from accounts.roles import is_administrator, roles
from boundaries.models import BoundaryProposal, LineParty, MarkerEvent, MarkerEventApproval, ProposalApproval
from boundaries.services import marker_events, proposals
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
        # A township edge: its county's approval, and the townships' signatures its officers record.
        signed = ProposalApproval.objects.filter(proposal=OuterRef("pk"), party="township")
        township_missing = ~Exists(signed.filter(unit_id=OuterRef("edge__left_id"))) | ~Exists(
            signed.filter(unit_id=OuterRef("edge__right_id"))
        )
        county_missing = ~Exists(given.filter(unit_id=OuterRef("edge__within_id")))
        wanted |= Q(edge__within_id__in=mine) & (township_missing | county_missing)
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


MARKER_KIND = "界桩事项 Marker event"


def _awaiting_events(user) -> QuerySet:
    """The query form of marker_events.awaiting (one query for the count)."""
    pending = MarkerEvent.objects.filter(status=MarkerEvent.Status.PENDING)
    if is_administrator(user):
        return pending
    approvals = MarkerEventApproval.objects.filter(event=OuterRef("pk"))
    wanted = Q(pk__in=[])
    if Role.APPROVER in roles(user):
        wanted |= Q(needs_bureau=True) & ~Exists(approvals.filter(party="bureau"))
    mine = CountyAssignment.objects.filter(user_id=user.pk).values("county_id")
    parties = MarkerEvent.counties.through.objects.filter(markerevent_id=OuterRef("pk"), adminunit_id__in=mine)
    given = MarkerEventApproval.objects.filter(
        event_id=OuterRef("markerevent_id"), party="county", unit_id=OuterRef("adminunit_id")
    )
    wanted |= Exists(parties.exclude(Exists(given)))
    if Role.OFFICER in roles(user):
        recorded = MarkerEventApproval.objects.filter(
            event_id=OuterRef(OuterRef("pk")), party="outside", outside_id=OuterRef("outside_id")
        )
        unsigned = LineParty.objects.filter(line_id=OuterRef("line_id"), outside__isnull=False).exclude(
            Exists(recorded)
        )
        wanted |= Exists(parties) & Exists(unsigned)
    return pending.filter(wanted)


def _event_items(user) -> list[Item]:
    found = []
    for event in marker_events.awaiting(user):
        awaited = "、".join(need.label for need in marker_events.missing(event))
        found.append(
            Item(
                MARKER_KIND,
                f"{event.number} {event.get_kind_display()} {event.marker or event.line.name}",  # a demo one: 示例
                f"批准 Approve ({awaited})",
                event.proposed_at,
                reverse("admin:boundaries_markerevent_change", args=[event.pk]),
            )
        )
    return found


marker_events_awaiting = Provider("marker events", _event_items, lambda user: _awaiting_events(user).count())
