"""Sign production orders in the staff's inbox (core.inbox), registered in gazetteer.apps: an open order
awaits the officers of the counties its signs stand in (and the administrators) until every sign on it
is accepted or dropped (gazetteer.services.sign_campaigns)."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.urls import reverse

from accounts.models import CountyAssignment, Role
from accounts.roles import is_administrator, roles
from core.inbox import Item, Provider
from gazetteer.models_signs import ProductionOrder, RenewalItem

KIND = "标志订单 Sign production order"
FINAL = (RenewalItem.Step.ACCEPTED, RenewalItem.Step.DROPPED)


def _awaiting(user) -> QuerySet:
    orders = ProductionOrder.objects.filter(status=ProductionOrder.Status.OPEN)
    if is_administrator(user):
        return orders
    if Role.OFFICER not in roles(user):
        return orders.none()
    mine = CountyAssignment.objects.filter(user_id=user.pk).values("county_id")
    return orders.filter(items__county_id__in=mine).distinct()


def _items(user) -> list[Item]:
    waiting = Count("items", filter=~Q(items__step__in=FINAL), distinct=True)
    found = []
    for order in _awaiting(user).select_related("campaign").annotate(waiting=waiting):
        found.append(
            Item(
                KIND,
                f"{order.number} {order.maker} ({order.campaign.number})",
                f"登记进度 Record progress ({order.waiting} signs: made, installed, accepted)",
                order.created_at,
                reverse("admin:gazetteer_productionorder_change", args=[order.pk]),
            )
        )
    return found


open_orders = Provider("sign production orders", _items, lambda user: _awaiting(user).count())
