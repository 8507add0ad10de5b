"""The naming procedure (命名/更名/销名): application -> automatic checks -> expert review ->
public notice with comments -> decision -> effect on the effective date.

One application may carry many names (a batch: one decision, one notice). Its first name is the
batch's head, each other name a member application of its own (number, record, checks) pointing at
the head. Steps are taken on the head and run on every member too, all or none (take_step).

Each step checks the application's state, records who did it and when (ApplicationEvent), and bumps
the application's version so that two people acting on the same application at once cannot both
succeed. A new name gets a ``proposed`` place record at once (not public), so it shows in the
same-name checks of later applications; approval makes it ``in_use`` on the effective date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from boundaries.models import AdminUnit
from boundaries.services import geography
from core.events import RecordChanged, announce
from core.history import open_changeset
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number
from gazetteer.models import (
    ApplicationAttachment,
    ApplicationEvent,
    Category,
    ExpertOpinion,
    NamingApplication,
    NoticeComment,
    Place,
)
from gazetteer.services import places as place_service
from gazetteer.services import standing
from gazetteer.services.names import name_problem
from gazetteer.services.naming_checks import blocking, check_heritage, check_name

Status = NamingApplication.Status
FINAL = {Status.EFFECTIVE, Status.REJECTED, Status.WITHDRAWN}


class StepRefused(ValueError):
    """The step does not fit the application's state (or its data is incomplete)."""


def _number(county: AdminUnit, year: int) -> str:
    """受理编号 county-year-serial, e.g. 231084-2026-0007 (core.serials: two submissions at once never share one)."""
    try:
        return next_number("naming-application", NamingApplication.objects, "number", f"{county.code[:6]}-{year}-")
    except SerialsExhausted as exc:
        raise StepRefused(str(exc)) from None


def check_county(county: AdminUnit, *, place: Place | None = None, geom=None) -> None:
    """The county an application is filed in must be the record's own: a rename or abolition of a
    record in another county, or a new name whose location lies outside the county, is refused."""
    if place is not None:
        counties = place_service.place_counties(place)
        if counties and county.id not in counties:
            names = ", ".join(AdminUnit.objects.filter(id__in=counties).order_by("code").values_list("name", flat=True))
            raise StepRefused(f"{place.name} {place.code} lies in {names}, not in {county.name}: file it there")
    if geom is not None and county.id not in geography.counties_under(geom):
        raise StepRefused(f"the location lies outside {county.name}: file the application in the county it lies in")


def _event(application: NamingApplication, step: str, actor, note: str = "", **data) -> None:
    ApplicationEvent.objects.create(application=application, step=step, actor=actor, note=note, data=data)


def _lock(application: NamingApplication, expected_version: int | None, step: str) -> NamingApplication:
    """The application locked for ``step``, refused unless its status is one the step is open in (STEPS)."""
    locked = lock(NamingApplication.objects.all(), application.pk, expected_version)
    allowed = STEPS[step].open_in
    if locked.status not in allowed:
        raise StepRefused(
            f"application {locked.number} is {locked.get_status_display()}; "
            f"this step needs one of: {', '.join(sorted(allowed))}"
        )
    return locked


def _advance(application: NamingApplication, status: str, **fields) -> NamingApplication:
    """The next status of an application the caller has locked."""
    fields["status"] = status
    for name, value in fields.items():
        setattr(application, name, value)
    bump(application)
    application.refresh_from_db()
    announce(RecordChanged("application", application, frozenset(fields)))
    return application


@transaction.atomic
def submit(
    *,
    kind: str,
    county: AdminUnit,
    submitted_by,
    applicant: str,
    reason: str,
    place: Place | None = None,
    proposed_name: str = "",
    category: Category | None = None,
    geom=None,
    meaning: str = "",
    origin: str = "",
    location_description: str = "",
    applicant_contact: str = "",
    batch: NamingApplication | None = None,
) -> NamingApplication:
    """Receive an application and run the automatic checks on it; with ``batch``, as a name of that
    batch (submit_batch)."""
    if kind in (NamingApplication.Kind.RENAME, NamingApplication.Kind.ABOLISH) and place is None:
        raise StepRefused("a rename or abolition names the record it changes")
    if kind == NamingApplication.Kind.NAME and place is not None:
        # Naming a candidate (an OpenStreetMap or GeoNames record, an officer's draft) keeps its record and code.
        standing.may_become_standard(place)
        proposed_name = proposed_name.strip() or place.name
        category, geom = category or place.category, geom or place.geom
    if kind != NamingApplication.Kind.ABOLISH and place is not None and place.is_synthetic:
        raise StepRefused(f"{place.name} {place.code} is synthetic demonstration data: never a standard name")
    if kind in (NamingApplication.Kind.NAME, NamingApplication.Kind.RENAME) and not proposed_name.strip():
        raise StepRefused("the proposed name is missing")
    if kind == NamingApplication.Kind.NAME and (category is None or (geom is None)):
        raise StepRefused("a new name needs its category and its location (the map of its four boundaries)")
    if not reason.strip() or not applicant.strip():
        raise StepRefused("the applicant and the reason are required")
    if proposed_name.strip():
        problem = name_problem(proposed_name)
        if problem:
            raise StepRefused(f"the proposed name: {problem}")
    check_county(county, place=place, geom=geom)
    if batch is not None:
        _may_join(batch, county)
    application = NamingApplication.objects.create(
        number=_number(county, place_service.today().year),
        kind=kind,
        county=county,
        place=place,
        proposed_name=proposed_name.strip(),
        category=category or (place.category if place else None),
        geom=geom,
        meaning=meaning,
        origin=origin,
        location_description=location_description,
        reason=reason,
        applicant=applicant,
        applicant_contact=applicant_contact,
        submitted_by=submitted_by,
        batch=batch,
    )
    _event(application, "submitted", submitted_by, reason)
    if batch is not None:
        _event(batch, "batch_member", submitted_by, f"{application.number} {_name_of(application)}".strip())
    if kind == NamingApplication.Kind.NAME and place is None:
        changeset = open_changeset(
            Changeset.Kind.EDIT, f"proposed name of application {application.number}", author=submitted_by
        )
        application.place = place_service.create_place(
            changeset=changeset,
            name=application.proposed_name,
            category=category,
            geom=geom,
            unit=None if geom is not None else county,
            status=Place.Status.PROPOSED,
            is_public=False,
            meaning=meaning,
            origin=origin,
            registered_by=submitted_by,
            registered_for=county,
        )
        application.save(update_fields=["place"])
    return run_checks(application, actor=submitted_by)


def _may_join(head: NamingApplication, county: AdminUnit) -> None:
    """A name joins a batch of its own county, led by a head that is no member itself, before the
    batch's first step (the names of a batch go through the steps together)."""
    head = lock(NamingApplication.objects.select_related("county", "batch"), head.pk)
    if head.batch_id is not None:
        raise StepRefused(f"application {head.number} is part of batch {head.batch.number}: add the name there")
    if head.county_id != county.id:
        raise StepRefused(f"batch {head.number} is of {head.county.name}: the names of a batch lie in one county")
    if head.status != Status.CHECKED:
        raise StepRefused(
            f"batch {head.number} is {head.get_status_display()}: names join a batch before its first step"
        )


def batch_of(application: NamingApplication) -> list[NamingApplication]:
    """Every name of the application's batch, head first then its members in the order submitted;
    an application of no batch alone."""
    head = application.batch if application.batch_id else application
    members = head.members.select_related("place__unit", "county", "category").order_by("pk")
    return [head, *members]


def _name_of(application: NamingApplication) -> str:
    return application.proposed_name or (application.place.name if application.place_id else "")


BATCH_MAX = 200  # names in one batch


@transaction.atomic
def submit_batch(
    *, county: AdminUnit, submitted_by, applicant: str, reason: str, names: list[dict], applicant_contact: str = ""
) -> NamingApplication:
    """Receive one application carrying many names (each a dict of submit's per-name inputs) and
    return its head, the first name. Every name is submitted and checked as on its own, and one
    refused refuses the batch. Two names of the batch that are one name (or change one record) are
    refused too: the checks would find them only once both were decided, with one decision."""
    if not 2 <= len(names) <= BATCH_MAX:
        raise StepRefused(f"a batch carries from 2 to {BATCH_MAX} names, not {len(names)}")
    _one_of_each(names)
    head = None
    for index, values in enumerate(names, 1):
        try:
            application = submit(
                county=county,
                submitted_by=submitted_by,
                applicant=applicant,
                reason=reason,
                applicant_contact=applicant_contact,
                batch=head,
                **values,
            )
        except (StepRefused, place_service.PlaceRuleError) as exc:
            raise StepRefused(f"name {index} of the batch ({_label(values)}): {exc}") from None
        head = head or application
    head.refresh_from_db()
    return head


def _label(values: dict) -> str:
    place = values.get("place")
    return (values.get("proposed_name") or "").strip() or (f"{place.name} {place.code}" if place else "no name")


def _one_of_each(names: list[dict]) -> None:
    """No two names of a batch the same name (all lie in its county), nor two changing one record."""
    seen_names, seen_places = {}, {}
    for index, values in enumerate(names, 1):
        place = values.get("place")
        name = (values.get("proposed_name") or "").strip()
        if not name and place is not None and values.get("kind") == NamingApplication.Kind.NAME:
            name = place.name
        if name and values.get("kind") != NamingApplication.Kind.ABOLISH:
            if name in seen_names:
                raise StepRefused(
                    f"names {seen_names[name]} and {index} of the batch are both {name}: a name is given once "
                    "in a county"
                )
            seen_names[name] = index
        if place is not None:
            if place.pk in seen_places:
                raise StepRefused(
                    f"names {seen_places[place.pk]} and {index} of the batch both change {place.name} {place.code}"
                )
            seen_places[place.pk] = index


def run_checks(application: NamingApplication, *, actor=None) -> NamingApplication:
    findings = []
    if application.kind != NamingApplication.Kind.ABOLISH:
        findings = [
            f.as_dict() for f in check_name(application.proposed_name, application.county, exclude=application.place)
        ]
    if application.kind != NamingApplication.Kind.NAME:
        findings += [f.as_dict() for f in check_heritage(application.place)]
    _event(
        application, "checked", actor, f"{len(findings)} findings, {len(blocking(findings))} errors", findings=findings
    )
    return _advance(application, Status.CHECKED, checks=findings)


@transaction.atomic
def start_review(application, *, actor, expected_version=None, note: str = "") -> NamingApplication:
    locked = _lock(application, expected_version, "review")
    _event(locked, "review_started", actor, note)
    return _advance(locked, Status.IN_REVIEW)


@transaction.atomic
def record_opinion(
    application, *, actor, expert: str, verdict: str, comments: str = "", expected_version=None
) -> NamingApplication:
    locked = _lock(application, expected_version, "opinions")
    if verdict not in ExpertOpinion.Verdict.values:
        raise StepRefused(f"verdict must be one of {', '.join(ExpertOpinion.Verdict.values)}")
    ExpertOpinion.objects.create(
        application=locked, expert=expert, verdict=verdict, comments=comments, recorded_by=actor
    )
    _event(locked, "expert_opinion", actor, comments, expert=expert, verdict=verdict)
    return _advance(locked, Status.IN_REVIEW)


@transaction.atomic
def open_notice(
    application, *, actor, start: dt.date | None = None, days: int | None = None, expected_version=None
) -> NamingApplication:
    """Put the proposal out for public comment from ``start`` for ``days`` days (NAMING_NOTICE_DAYS)."""
    locked = _lock(application, expected_version, "notice")
    if not locked.opinions.exists():
        raise StepRefused("record at least one expert opinion before the public notice")
    today = place_service.today()
    start = start or today
    days = settings.NAMING_NOTICE_DAYS if days is None else days
    if start < today:
        raise StepRefused(f"the public notice cannot start in the past ({start}; today is {today})")
    if start > today + dt.timedelta(days=settings.NAMING_NOTICE_MAX_DAYS):
        raise StepRefused(f"the public notice must start within {settings.NAMING_NOTICE_MAX_DAYS} days")
    if not settings.NAMING_NOTICE_DAYS <= days <= settings.NAMING_NOTICE_MAX_DAYS:
        raise StepRefused(
            f"the public notice lasts from {settings.NAMING_NOTICE_DAYS} to {settings.NAMING_NOTICE_MAX_DAYS} days "
            f"(the city's rule), not {days}"
        )
    end = start + dt.timedelta(days=days - 1)
    _event(locked, "notice_opened", actor, f"{start} to {end}")
    return _advance(locked, Status.IN_NOTICE, notice_start=start, notice_end=end)


@transaction.atomic
def record_comment(
    application, *, actor, commenter: str, comment: str, received_on: dt.date, contact: str = "", expected_version=None
) -> NamingApplication:
    locked = _lock(application, expected_version, "comments")
    if not (locked.notice_start <= received_on <= locked.notice_end):
        raise StepRefused(
            f"the notice ran from {locked.notice_start} to {locked.notice_end}; "
            f"a comment received on {received_on} is outside it"
        )
    NoticeComment.objects.create(
        application=locked,
        commenter=commenter,
        contact=contact,
        comment=comment,
        received_on=received_on,
        recorded_by=actor,
    )
    _event(locked, "comment", actor, comment, commenter=commenter)
    return _advance(locked, Status.IN_NOTICE)


@transaction.atomic
def answer_comment(
    application, *, actor, comment_number: int, response: str, expected_version=None
) -> NamingApplication:
    """The bureau's answer to a comment on the notice (by its number on the application's page); a
    comment is answered once, and an answered one leaves the staff's inbox."""
    locked = _lock(application, expected_version, "answer")
    found = NoticeComment.objects.select_for_update().filter(application=locked, pk=comment_number).first()
    if found is None:
        raise StepRefused(f"application {locked.number} has no comment number {comment_number}")
    if found.response:
        raise StepRefused(f"comment {comment_number} was answered already")
    if not response.strip():
        raise StepRefused("an answer says something")
    found.response = response.strip()
    found.save(update_fields=["response"])
    _event(locked, "comment_answered", actor, response.strip(), comment=comment_number)
    return _advance(locked, locked.status)


@transaction.atomic
def close_notice(application, *, actor, today: dt.date | None = None, expected_version=None) -> NamingApplication:
    locked = _lock(application, expected_version, "close-notice")
    today = today or place_service.today()
    if today <= locked.notice_end:
        raise StepRefused(f"the public notice runs until {locked.notice_end}")
    _event(locked, "notice_closed", actor, f"{locked.comments.count()} comments")
    return _advance(locked, Status.NOTICE_CLOSED)


@transaction.atomic
def approve(
    application,
    *,
    actor,
    authority: str,
    decision_date: dt.date,
    document_number: str,
    effective_date: dt.date,
    heritage_reason: str = "",
    expected_version=None,
) -> NamingApplication:
    locked = _lock(application, expected_version, "approve")
    if not authority.strip() or not document_number.strip():
        raise StepRefused("the approving authority and the document number are required")
    if effective_date < decision_date:
        raise StepRefused("the effective date cannot precede the decision")
    changes_heritage = (
        locked.kind != NamingApplication.Kind.NAME and locked.place is not None and locked.place.is_heritage
    )
    if changes_heritage and not heritage_reason.strip():
        raise StepRefused(
            f"{locked.place.name} is listed as place-name heritage: give heritage_reason, why it may change"
        )
    _event(
        locked,
        "approved",
        actor,
        f"{authority} {document_number}",
        decision_date=decision_date.isoformat(),
        effective_date=effective_date.isoformat(),
        **({"heritage_reason": heritage_reason.strip()} if changes_heritage else {}),
    )
    locked = _advance(
        locked,
        Status.APPROVED,
        authority=authority.strip(),
        decision_date=decision_date,
        document_number=document_number.strip(),
        effective_date=effective_date,
    )
    return _write_effect(locked, actor)


@transaction.atomic
def reject(application, *, actor, reason: str, expected_version=None) -> NamingApplication:
    locked = _lock(application, expected_version, "reject")
    if not reason.strip():
        raise StepRefused("a rejection carries its reason")
    _event(locked, "rejected", actor, reason)
    _end_proposed_record(locked, actor, f"application {locked.number} rejected: {reason}")
    return _advance(locked, Status.REJECTED, rejection_reason=reason.strip())


@transaction.atomic
def withdraw(application, *, actor, reason: str, expected_version=None) -> NamingApplication:
    locked = _lock(application, expected_version, "withdraw")
    _event(locked, "withdrawn", actor, reason)
    _end_proposed_record(locked, actor, f"application {locked.number} withdrawn: {reason}")
    return _advance(locked, Status.WITHDRAWN, rejection_reason=reason.strip())


def _end_proposed_record(application: NamingApplication, actor, why: str) -> None:
    """A new name that will not be: its proposed record ends (a candidate that was to be named stays as it was)."""
    place = application.place
    if application.kind == NamingApplication.Kind.NAME and place is not None and place.status == Place.Status.PROPOSED:
        changeset = open_changeset(Changeset.Kind.DECISION, why, author=actor)
        place_service.retire_place(place, changeset=changeset, valid_to=place_service.today())


@transaction.atomic
def file_upward(
    application,
    *,
    actor,
    filed_on: dt.date,
    filed_with: str,
    filing_reference: str,
    expected_version=None,
) -> NamingApplication:
    """备案: the decision reported to the authority above (the province's civil-affairs department),
    once, on or after the day it was made and not in the future. The procedure ends with it."""
    locked = _lock(application, expected_version, "file")
    if locked.filed_on is not None:
        raise StepRefused(f"application {locked.number} was filed on {locked.filed_on} ({locked.filing_reference})")
    if locked.decision_date and filed_on < locked.decision_date:
        raise StepRefused(f"a decision is filed on or after the day it was made ({locked.decision_date})")
    if filed_on > place_service.today():
        raise StepRefused(f"the filing date {filed_on} is still to come")
    _event(locked, "filed", actor, f"{filed_with} {filing_reference}", filed_on=filed_on.isoformat())
    return _advance(
        locked,
        locked.status,
        filed_on=filed_on,
        filed_with=filed_with.strip(),
        filing_reference=filing_reference.strip(),
    )


def _write_effect(application: NamingApplication, actor) -> NamingApplication:
    """Write the decision into the register, dated by the effective date. A decision dated today or
    earlier is effective at once; a later one is made current by apply_due (run daily)."""
    changeset = open_changeset(
        Changeset.Kind.DECISION,
        f"{application.get_kind_display()} approved: {application.authority} {application.document_number}, "
        f"effective {application.effective_date}",
        author=actor,
    )
    place, day = application.place, application.effective_date
    decision = standing.Decision(application.authority, application.document_number, application.decision_date)
    if application.kind == NamingApplication.Kind.NAME and place.status == Place.Status.PROPOSED:
        place.names.filter(kind="standard", valid_to__isnull=True).update(valid_from=day)
        place_service.update_place(
            place, changeset=changeset, changes={"valid_from": day, "named_on": application.decision_date}
        )
        if day <= place_service.today():
            _put_in_use(place, changeset)
    elif application.kind == NamingApplication.Kind.NAME:  # a candidate named: its record, its name if changed
        place_service.update_place(place, changeset=changeset, changes={"named_on": application.decision_date})
        if application.proposed_name != place.name:
            _renamed(application, changeset)
    elif application.kind == NamingApplication.Kind.RENAME:
        _renamed(application, changeset)
    else:
        place_service.abolish_place(place, changeset=changeset, valid_to=day)
    if application.kind != NamingApplication.Kind.ABOLISH:
        standing.made_standard_by_procedure(application.place, decision, changeset=changeset)
    if day <= place_service.today():
        _event(application, "effective", actor, f"effective {day}")
        return _advance(application, Status.EFFECTIVE)
    return application


def _renamed(application: NamingApplication, changeset: Changeset) -> None:
    place_service.rename_place(
        application.place,
        application.proposed_name,
        changeset=changeset,
        effective=application.effective_date,
        note=f"{application.authority} {application.document_number}",
    )


def _put_in_use(place: Place, changeset: Changeset) -> None:
    place_service.update_place(place, changeset=changeset, changes={"status": Place.Status.IN_USE, "is_public": True})


@transaction.atomic
def apply_due(day: dt.date | None = None) -> list[NamingApplication]:
    """Approved applications whose effective day has come: make the names current (run daily)."""
    day = day or place_service.today()
    place_service.apply_due_renames(day)
    done = []
    due = NamingApplication.objects.filter(status=Status.APPROVED, effective_date__lte=day)
    for application in due.select_for_update(of=("self",)).order_by("pk"):
        if application.kind == NamingApplication.Kind.NAME:
            changeset = open_changeset(
                Changeset.Kind.DECISION, f"application {application.number} takes effect", label="scheduled: apply_due"
            )
            _put_in_use(application.place, changeset)
        _event(application, "effective", None, f"effective {application.effective_date}")
        done.append(_advance(application, Status.EFFECTIVE))
    return done


# ---- the steps, declared once: the service, the API parser, the admin form, the OpenAPI document and
# the staff's inbox read their names, their inputs, who takes them and in which statuses from here.

TEXT, DATE, INT = "text", "date", "int"


@dataclass(frozen=True)
class StepInput:
    name: str
    kind: str = TEXT  # how it is read: TEXT, DATE or INT
    required: bool = False
    column: tuple[type, str] | None = None  # text stored in a column of its own is no longer than it
    label: str = ""  # as the officer's form shows it


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable
    inputs: tuple[StepInput, ...] = ()
    by_approver: bool = False  # approve and reject are the approver's; the others the county officer's
    label: str = ""  # as the pages show it (never the slug)
    open_in: frozenset[str] = frozenset()  # the statuses it may be taken from (the service refuses the others)
    # The procedure waits for it where it is open (the staff's inbox, gazetteer.inbox); the others are
    # taken when something happens (an expert's opinion, a comment, a refusal, a withdrawal).
    awaited: bool = False
    # Taken on a batch's head, it runs on every name of the batch; the others (the notice's comments,
    # which are the batch's one notice's) on the head only.
    whole_batch: bool = True

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.inputs if i.required)


UNDECIDED = frozenset(Status.values) - FINAL - {Status.APPROVED}  # may still be refused or withdrawn

STEPS = {
    step.name: step
    for step in (
        Step(
            "review",
            start_review,
            (StepInput("note", label="审查说明 Note"),),
            label="送审 Send for review",
            open_in=frozenset({Status.CHECKED}),
            awaited=True,
        ),
        Step(
            "opinions",
            record_opinion,
            (
                StepInput("expert", required=True, column=(ExpertOpinion, "expert"), label="专家 Expert"),
                StepInput("verdict", required=True, label="意见 Verdict"),
                StepInput("comments", label="论证意见 Comments"),
            ),
            label="记录专家论证意见 Record an expert opinion",
            open_in=frozenset({Status.IN_REVIEW}),
        ),
        Step(
            "notice",
            open_notice,
            (StepInput("start", DATE, label="公示开始 First day"), StepInput("days", INT, label="公示天数 Days")),
            label="公示 Open the public notice",
            open_in=frozenset({Status.IN_REVIEW}),
            awaited=True,
        ),
        Step(
            "comments",
            record_comment,
            (
                StepInput("commenter", required=True, column=(NoticeComment, "commenter"), label="意见人 Commenter"),
                StepInput("comment", required=True, label="意见 Comment"),
                StepInput("received_on", DATE, required=True, label="收到日期 Received on"),
                StepInput("contact", column=(NoticeComment, "contact"), label="联系方式 Contact"),
            ),
            label="记录公示意见 Record a comment on the notice",
            open_in=frozenset({Status.IN_NOTICE}),
            whole_batch=False,
        ),
        Step(
            "answer",
            answer_comment,
            (
                StepInput("comment_number", INT, required=True, label="意见编号 Comment no."),
                StepInput("response", required=True, label="答复 Answer"),
            ),
            label="答复公示意见 Answer a comment on the notice",
            open_in=frozenset({Status.IN_NOTICE, Status.NOTICE_CLOSED}),
            whole_batch=False,
        ),
        Step(
            "close-notice",
            close_notice,
            label="结束公示 Close the notice",
            open_in=frozenset({Status.IN_NOTICE}),
            awaited=True,
        ),
        Step(
            "approve",
            approve,
            (
                StepInput(
                    "authority", required=True, column=(NamingApplication, "authority"), label="批准机关 Authority"
                ),
                StepInput("decision_date", DATE, required=True, label="批准日期 Decision date"),
                StepInput(
                    "document_number",
                    required=True,
                    column=(NamingApplication, "document_number"),
                    label="批准文号 Document number",
                ),
                StepInput("effective_date", DATE, required=True, label="生效日期 Effective date"),
                StepInput("heritage_reason", label="更改地名文化遗产的理由 Why a heritage name may change"),
            ),
            by_approver=True,
            label="批准 Approve",
            open_in=frozenset({Status.NOTICE_CLOSED}),
            awaited=True,
        ),
        Step(
            "file",
            file_upward,
            (
                StepInput("filed_on", DATE, required=True, label="备案日期 Filed on"),
                StepInput(
                    "filed_with", required=True, column=(NamingApplication, "filed_with"), label="备案机关 Filed with"
                ),
                StepInput(
                    "filing_reference",
                    required=True,
                    column=(NamingApplication, "filing_reference"),
                    label="备案文号 Filing reference",
                ),
            ),
            by_approver=True,
            label="备案 File with the authority above",
            open_in=frozenset({Status.APPROVED, Status.EFFECTIVE}),
            awaited=True,
        ),
        Step(
            "reject",
            reject,
            (StepInput("reason", required=True, label="不予批准理由 Reason"),),
            by_approver=True,
            label="不予批准 Reject",
            open_in=UNDECIDED,
        ),
        Step(
            "withdraw",
            withdraw,
            (StepInput("reason", required=True, label="撤回理由 Reason"),),
            label="撤回 Withdraw",
            open_in=UNDECIDED,
        ),
    )
}


@transaction.atomic
def take_step(
    application: NamingApplication, step: str, *, actor, expected_version: int | None = None, **values
) -> NamingApplication:
    """Run one step by name with the values it takes; missing required values are refused. A batch's
    steps are taken on its head (``expected_version`` is the head's) and run on its members too
    (Step.whole_batch), all or none; a step taken on a member is refused."""
    if step not in STEPS:
        raise StepRefused(f"unknown step {step!r}; one of {', '.join(STEPS)}")
    missing = [name for name in STEPS[step].required if values.get(name) in (None, "")]
    if missing:
        raise StepRefused(f"the step '{step}' needs: {', '.join(missing)}")
    values = {k: v for k, v in values.items() if v not in (None, "")}
    if application.batch_id is not None:
        head = NamingApplication.objects.values_list("number", flat=True).get(pk=application.batch_id)
        raise StepRefused(f"application {application.number} is part of batch {head}: take the step there")
    declared = STEPS[step]
    head = declared.run(application, actor=actor, expected_version=expected_version, **values)
    if declared.whole_batch:
        _run_on_members(declared, head, actor=actor, values=values)
    return head


def _run_on_members(step: Step, head: NamingApplication, *, actor, values: dict) -> None:
    """The step just taken on ``head``, on each member still under way (and on an ended one the step
    is open in: the filing of an effective decision). A member that refuses refuses the whole step."""
    members = head.members.exclude(status__in=FINAL - step.open_in).order_by("pk")
    for member in members.select_related("place"):
        try:
            step.run(member, actor=actor, **values)
        except (StepRefused, place_service.PlaceRuleError) as exc:
            raise StepRefused(f"{member.number} {_name_of(member)} of batch {head.number}: {exc}") from None


ATTACHMENT_TYPES = {
    ".pdf",
    ".jpg",
    ".jpeg",
    ".png",
    ".tif",
    ".tiff",
    ".doc",
    ".docx",
    ".xls",
    ".xlsx",
    ".zip",
    ".shp",
    ".dwg",
    ".txt",
}
ATTACHMENT_MAX_BYTES = 50 * 1024 * 1024


def attach(application: NamingApplication, *, actor, title: str, upload) -> ApplicationAttachment:
    """Keep a document of the application (the map of its four boundaries, letters, minutes)."""
    if len(upload.name.encode("utf-8")) > 255 or any(not ch.isprintable() for ch in upload.name):
        raise StepRefused("the file's name is longer than 255 bytes or holds control characters: rename it")
    extension = Path(upload.name).suffix.lower()
    if extension not in ATTACHMENT_TYPES:
        raise StepRefused(
            f"attachments of type {extension or 'none'} are not accepted; one of {', '.join(sorted(ATTACHMENT_TYPES))}"
        )
    if upload.size > ATTACHMENT_MAX_BYTES:
        raise StepRefused(f"the attachment is larger than {ATTACHMENT_MAX_BYTES // (1024 * 1024)} MB")
    if application.status in FINAL:
        raise StepRefused(f"application {application.number} is closed")
    attachment = ApplicationAttachment.objects.create(
        application=application, title=title or upload.name, file=upload, uploaded_by=actor
    )
    _event(application, "attachment", actor, attachment.title)
    return attachment
