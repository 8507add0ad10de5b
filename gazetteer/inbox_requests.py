"""Numbering requests in the staff's inbox (core.inbox), registered in gazetteer.apps: a request that
waits for a step (numbering_requests.AWAITED: the site check, the number, the certificate) awaits the
officers of the county its entrance lies in, and administrators. The count is one query."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import CountyAssignment, Role
from accounts.roles import is_administrator, roles
from core.inbox import Item, Provider
from gazetteer.models import NumberingRequest
from gazetteer.services.numbering_requests import AWAITED

KIND = "门牌申请 Numbering request"


def _awaiting(user) -> QuerySet | None:
    waiting = NumberingRequest.objects.filter(status__in=list(AWAITED))
    if is_administrator(user):
        return waiting
    if Role.OFFICER in roles(user):
        mine = CountyAssignment.objects.filter(user_id=user.pk).values("county_id")
        return waiting.filter(Q(county_id__in=mine))
    return None


def _items(user) -> list[Item]:
    waiting = _awaiting(user)
    if waiting is None:
        return []
    found = []
    for request in waiting.select_related("road__place", "county"):
        synthetic = "（示例）" if request.road.place.is_synthetic else ""
        what = request.building_name or request.road.place.name
        found.append(
            Item(
                KIND,
                f"{request.number} {what}{synthetic}",
                AWAITED[request.status].label,
                request.stepped_at,
                reverse("admin:gazetteer_numberingrequest_change", args=[request.pk]),
                request.county.name,
            )
        )
    return found


def _count(user) -> int:
    waiting = _awaiting(user)
    return 0 if waiting is None else waiting.count()


numbering_requests = Provider("numbering requests", _items, _count)
