"""Joint inspections in the staff's inbox (core.inbox), registered in boundaries.apps: the open repair
and re-survey tasks whose owner is one of the officer's counties, and the joint reports that await the
signature of one of them. Administrators see every open task and every report awaiting a signature."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from accounts.models import CountyAssignment
from accounts.roles import is_administrator
from boundaries.models import InspectionCampaign, InspectionSignature, InspectionTask, LineParty
from core.inbox import Item, Provider

TASK_KIND = "联检事项 Inspection task"
REPORT_KIND = "联检报告 Inspection report"


def _tasks(user):
    found = InspectionTask.objects.filter(status=InspectionTask.Status.OPEN)
    if is_administrator(user):
        return found
    return found.filter(owner_id__in=CountyAssignment.objects.filter(user_id=user.pk).values("county_id"))


def _reports(user):
    """Reports drawn up whose line has a county side of the user's that has not signed."""
    reported = InspectionCampaign.objects.filter(status=InspectionCampaign.Status.REPORTED)
    unsigned = LineParty.objects.filter(line_id=OuterRef("line_id"), unit__isnull=False).exclude(
        Exists(InspectionSignature.objects.filter(campaign_id=OuterRef(OuterRef("pk")), unit_id=OuterRef("unit_id")))
    )
    if not is_administrator(user):
        unsigned = unsigned.filter(unit_id__in=CountyAssignment.objects.filter(user_id=user.pk).values("county_id"))
    return reported.filter(Exists(unsigned))


def _items(user) -> list[Item]:
    found = []
    for task in _tasks(user).select_related("campaign__line", "marker", "owner").order_by("due_on"):
        what = f"{task.get_kind_display()}{f' {task.marker.number}' if task.marker_id else ''}"
        found.append(
            Item(
                TASK_KIND,
                f"{task.campaign.number} {task.campaign.line.name}",
                f"{what}，{task.due_on:%Y-%m-%d} 前 (due)",
                task.changeset.created_at,
                reverse("admin:boundaries_inspectioncampaign_change", args=[task.campaign_id]),
                task.owner.name if task.owner_id else "",
            )
        )
    for campaign in _reports(user).select_related("line"):
        found.append(
            Item(
                REPORT_KIND,
                f"{campaign.number} {campaign.line.name}",
                "签署联检报告 Sign the joint report",
                campaign.created_at,
                reverse("admin:boundaries_inspectioncampaign_change", args=[campaign.pk]),
            )
        )
    return found


def _count(user) -> int:
    """Open tasks plus reports awaiting a signature, in one query."""
    reports = _reports(user).order_by().values("status").annotate(n=Count("pk")).values("n")[:1]
    return _tasks(user).aggregate(n=Count("pk") + Coalesce(Subquery(reports), 0))["n"]


inspection_work = Provider("inspection tasks and reports", _items, _count)
