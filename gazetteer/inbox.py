"""The naming procedure's items in the staff's inbox (core.inbox), registered in gazetteer.apps.

Who waits for what is read from the procedure's declaration (gazetteer.services.naming.STEPS: the
statuses each step is open in, the steps the procedure waits for, which are the approver's) and the
rights (gazetteer.permissions.may_take_step): an officer sees the applications of their counties that
await an officer's step (send for review, open the notice, close it once it has ended), an approver
those that await a decision, an administrator all of them. A batch (one application carrying many
names) waits once, as its head: its steps are taken there (naming.take_step).

Comments on a notice: a ``NoticeComment`` whose ``response`` is empty is a comment to answer, for the
officers of the application's county, while the application is not closed. Nothing writes a response
yet (no step or form of the procedure records one): until one does, such a comment stays in the inbox
until the application is decided or withdrawn. Recording the answer into ``response`` takes it out.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone

from accounts.models import CountyAssignment, Role
from accounts.roles import is_administrator, roles
from core.inbox import Item, Provider
from gazetteer.models import ApplicationEvent, ExpertOpinion, NamingApplication, NoticeComment
from gazetteer.permissions import Action, can
from gazetteer.services import naming
from gazetteer.services.places import today

Status = NamingApplication.Status
APPLICATION = "命名申请 Naming application"
COMMENT = "公示意见 Comment on a notice"
ANSWER = "答复意见 Answer the comment"


def awaited_steps() -> dict[str, naming.Step]:
    """Status -> the step the procedure waits for in it (naming.STEPS: ``awaited`` and ``open_in``)."""
    return {status: step for step in naming.STEPS.values() if step.awaited for status in step.open_in}


def _counties_run_by(user) -> Q | None:
    """The applications whose officer's steps the user may take, as a filter: the query form of
    gazetteer.permissions.can_run_application (accounts.roles.may_write_in): administrators all,
    officers those of their assigned counties (a subquery, not a query of its own); None for others."""
    if is_administrator(user):
        return Q()
    if Role.OFFICER in roles(user):
        return Q(county_id__in=CountyAssignment.objects.filter(user_id=user.pk).values("county_id"))
    return None


def _awaiting(user) -> QuerySet | None:
    """The applications awaiting a step the user takes (may_take_step), or None when there can be none."""
    counties, decides = _counties_run_by(user), can(user, Action.DECIDE)
    waiting = None
    for status, step in awaited_steps().items():
        if (step.by_approver and not decides) or (not step.by_approver and counties is None):
            continue
        wanted = Q(status=status) if step.by_approver else Q(status=status) & counties
        if step.name == "close-notice":  # naming.close_notice: only once the notice has ended
            wanted &= Q(notice_end__lt=today())
        if step.name == "file":  # naming.file_upward: once
            wanted &= Q(filed_on__isnull=True)
        waiting = wanted if waiting is None else waiting | wanted
    return None if waiting is None else NamingApplication.objects.filter(waiting, batch__isnull=True)


def _change_page(application_id: int) -> str:
    return reverse("admin:gazetteer_namingapplication_change", args=[application_id])


def _title(application: NamingApplication, names_besides: int = 0) -> str:
    name = application.proposed_name or (application.place.name if application.place else "")
    if names_besides:
        name = f"{name} 等{names_besides + 1}处地名"
    return f"{application.number} {name}".strip()


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _step_items(user) -> list[Item]:
    applications = _awaiting(user)
    if applications is None:
        return []
    last_event = ApplicationEvent.objects.filter(application=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    members = NamingApplication.objects.filter(batch=OuterRef("pk")).values("batch").annotate(n=Count("pk"))
    applications = applications.select_related("county", "place").annotate(
        last_event=Subquery(last_event),
        has_opinion=Exists(ExpertOpinion.objects.filter(application=OuterRef("pk"))),
        names_besides=Subquery(members.values("n")[:1]),
    )
    awaited, items = awaited_steps(), []
    for application in applications:
        step = awaited[application.status]
        since = application.last_event or application.submitted_at
        if step.name == "notice" and not application.has_opinion:
            step = naming.STEPS["opinions"]  # naming.open_notice: an expert's opinion comes first
        if step.name == "close-notice":  # it waits from the day after the notice's last day
            since = _start_of(application.notice_end + dt.timedelta(days=1))
        items.append(
            Item(
                APPLICATION,
                _title(application, application.names_besides or 0),
                step.label,
                since,
                _change_page(application.pk),
                application.county.name,
            )
        )
    return items


def _step_count(user) -> int:
    applications = _awaiting(user)
    return 0 if applications is None else applications.count()


naming_steps = Provider("naming steps", _step_items, _step_count)


def _unanswered(user) -> QuerySet | None:
    counties = _counties_run_by(user)
    if counties is None:
        return None
    open_applications = NamingApplication.objects.exclude(status__in=naming.FINAL).filter(counties)
    return NoticeComment.objects.filter(response="", application__in=open_applications)


def _comment_items(user) -> list[Item]:
    comments = _unanswered(user)
    if comments is None:
        return []
    return [
        Item(
            COMMENT,
            _title(comment.application),
            f"{ANSWER}: {comment.commenter}",
            comment.recorded_at,
            _change_page(comment.application_id) + "#comments-group",
            comment.application.county.name,
        )
        for comment in comments.select_related("application__county", "application__place")
    ]


def _comment_count(user) -> int:
    comments = _unanswered(user)
    return 0 if comments is None else comments.count()


notice_comments = Provider("comments to answer", _comment_items, _comment_count)
