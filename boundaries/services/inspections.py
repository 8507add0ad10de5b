"""Joint boundary inspections (界线联检): the only writer of campaigns, field checks, tasks and the
report's signatures (boundaries.models_inspections).

The steps, in order: raise a campaign (a line's five-yearly one, or ad hoc with its cause) → file the
plan (dates, both sides' teams; due 31 May) → the office review against the agreement → field checks of
every standing marker and of stretches (sent from the phone with an id made there, so a check sent twice
is one row) → the joint report → each side's signature. Findings raise tasks at once. When the last side
signs, the states the report found are written to the marker register in one changeset: the report
signed by both sides is the two sides' agreement to those events (条例 第12条: the results are filed
jointly). Officers of the line's counties do the work; the city signs through the bureau's approver.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import shapely
from django.conf import settings
from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import Role
from accounts.roles import assigned_counties, is_administrator, may_write_in, roles
from boundaries.levels import Tier
from boundaries.models import (
    AdminUnit,
    BoundaryLine,
    BoundaryMarker,
    ContextArea,
    InspectionCampaign,
    InspectionCampaignVersion,
    InspectionSignature,
    InspectionTask,
    MarkerCheck,
    StretchCheck,
)
from boundaries.services import line_records, marker_photos
from boundaries.services import markers_registry as registry
from core.events import RecordChanged, announce
from core.geometry import from_geos
from core.history import open_changeset
from core.metric import to_metric
from core.models import Changeset
from core.records import bump, lock
from core.serials import SerialsExhausted, next_number

Status = InspectionCampaign.Status
Occasion = InspectionCampaign.Occasion
Found = MarkerCheck.Found
Condition = StretchCheck.Condition
TaskKind = InspectionTask.Kind

INTERVAL_YEARS = 5  # 条例 第12条: every line jointly inspected every five years
PLAN_DUE = (5, 31)  # plans are due in May (domain/boundaries.md §4)

# What a finding asks for (the county-level scheme in domain/boundaries.md §4, "Handling findings").
MARKER_TASKS = {Found.DAMAGED: TaskKind.REPAIR, Found.LOST: TaskKind.REMAKE, Found.MOVED: TaskKind.RESTORE}
STRETCH_TASKS = {
    Condition.FEATURES_CHANGED: TaskKind.RESURVEY_LINE,
    Condition.ILLEGIBLE: TaskKind.RESURVEY_LINE,
    Condition.ENCROACHED: TaskKind.STOP_WORKS,
}
# The register's state for what the field found (a report signed by both sides writes it).
REGISTER_STATUS = {
    Found.INTACT: BoundaryMarker.Status.INTACT,
    Found.DAMAGED: BoundaryMarker.Status.DAMAGED,
    Found.LOST: BoundaryMarker.Status.LOST,
    Found.MOVED: BoundaryMarker.Status.MOVED,
}
YEARS = range(1990, 2101)  # the inspection years the register takes (the first rounds were in the 2000s)
OPEN = (Status.PLANNED, Status.OFFICE_REVIEW, Status.FIELD, Status.REPORTED)


class InspectionRefused(ValueError):
    """The step does not fit the campaign's state, the data or the user's part."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# ---- when a line is due -----------------------------------------------------------------------------------


def last_inspected(line: BoundaryLine) -> dt.date | None:
    return line.inspections.filter(status=Status.CLOSED).aggregate(last=Max("closed_on"))["last"]


def due_year(line: BoundaryLine) -> int | None:
    """The year the line's next regular inspection is due: five years after the last one closed, or after
    its agreement was signed; None when neither is known (never inspected: due now)."""
    last = last_inspected(line) or line.agreement_date
    return last.year + INTERVAL_YEARS if last else None


def due_lines(year: int) -> list[dict]:
    """The lines the bureau manages whose regular inspection falls due by ``year`` and has no campaign
    for it yet: [{line, last_inspected, due_year}]."""
    found = []
    lines = BoundaryLine.objects.filter(read_only=False, valid_to__isnull=True).order_by("code")
    for line in lines:
        due = due_year(line)
        if due is not None and due > year:
            continue
        if line.inspections.filter(occasion=Occasion.REGULAR, year=year).exclude(status=Status.CANCELLED).exists():
            continue
        found.append({"line": line, "last_inspected": last_inspected(line), "due_year": due})
    return found


# ---- who does what -----------------------------------------------------------------------------------------


def may_work_on(user, line: BoundaryLine) -> bool:
    """An officer of a county along the line (or an administrator)."""
    return may_write_in(user, line_records.counties_of(line))


def sides_of(line: BoundaryLine) -> list:
    """The line's parties: AdminUnit or ContextArea rows, in the line's order."""
    return [row.party for row in line.party_rows.select_related("unit", "outside")]


def may_sign_for(user, campaign: InspectionCampaign, side) -> bool:
    if isinstance(side, ContextArea):  # recorded, with the document, by an officer along the line
        return may_work_on(user, campaign.line)
    if side.tier == Tier.COUNTY:
        return side.pk in assigned_counties(user) or is_administrator(user)
    return is_administrator(user) or Role.APPROVER in roles(user)  # the city signs through its approver


def _refuse_unless(user, line: BoundaryLine) -> None:
    if not may_work_on(user, line):
        raise InspectionRefused(f"only the officers of the counties along {line.name} work on its inspection")


# ---- the campaign -----------------------------------------------------------------------------------------


def snapshot(campaign: InspectionCampaign) -> dict:
    def day(value):
        return value.isoformat() if value else None

    return {
        "number": campaign.number,
        "line": campaign.line.code,
        "year": campaign.year,
        "occasion": campaign.occasion,
        "cause": campaign.cause,
        "lead": campaign.lead.code if campaign.lead_id else None,
        "plan_due": day(campaign.plan_due),
        "planned_start": day(campaign.planned_start),
        "planned_end": day(campaign.planned_end),
        "teams": campaign.teams,
        "office_review": campaign.office_review,
        "report_summary": campaign.report_summary,
        "filing_reference": campaign.filing_reference,
        "status": campaign.status,
        "closed_on": day(campaign.closed_on),
    }


def _record(campaign: InspectionCampaign, changeset: Changeset, changed: frozenset[str]) -> None:
    InspectionCampaignVersion.objects.create(
        campaign=campaign, version=campaign.version, changeset=changeset, data=snapshot(campaign)
    )
    announce(RecordChanged("inspection", campaign, changed, created=campaign.version == 1))


def _number(year: int) -> str:
    try:
        return next_number("inspection", InspectionCampaign.objects, "number", f"LJ-{year}-")
    except SerialsExhausted as exc:
        raise InspectionRefused(str(exc)) from None


@transaction.atomic
def raise_campaign(
    line: BoundaryLine, *, user, year: int, reason: str, occasion: str = Occasion.REGULAR, cause: str = ""
) -> InspectionCampaign:
    """A line's inspection of ``year``: the regular one (one per line and year) or an ad-hoc one, which
    says its cause."""
    if year not in YEARS:
        raise InspectionRefused(f"an inspection's year lies between {YEARS.start} and {YEARS.stop - 1}", "year")
    line = BoundaryLine.objects.select_for_update().get(pk=line.pk)
    if line.read_only:
        raise InspectionRefused(f"{line.name} is inspected by the national authorities, not the bureau", "line")
    _refuse_unless(user, line)
    if occasion == Occasion.REGULAR:
        taken = line.inspections.filter(occasion=Occasion.REGULAR, year=year).exclude(status=Status.CANCELLED)
        if taken.exists():
            raise InspectionRefused(f"{line.name} has its {year} inspection already: {taken.first().number}", "year")
    elif not cause.strip():
        raise InspectionRefused("an ad-hoc inspection says its cause (which flood, which works)", "cause")
    counties = [side for side in sides_of(line) if isinstance(side, AdminUnit) and side.tier == Tier.COUNTY]
    campaign = InspectionCampaign.objects.create(
        number=_number(year),
        line=line,
        year=year,
        occasion=occasion,
        cause=cause.strip(),
        lead=counties[0] if counties else None,
        plan_due=dt.date(year, *PLAN_DUE),
        created_by=user,
    )
    _record(campaign, open_changeset(Changeset.Kind.EDIT, reason, author=user), frozenset({"status"}))
    return campaign


def _locked(campaign: InspectionCampaign, expected_version: int | None) -> InspectionCampaign:
    return lock(InspectionCampaign.objects.select_related("line", "lead"), campaign.pk, expected_version)


def _check_teams(line: BoundaryLine, teams: list[dict]) -> list[dict]:
    """Both sides' teams, each side by its code with at least one named member."""
    codes = {side.code: side for side in sides_of(line)}
    cleaned, seen = [], set()
    for team in teams:
        code = str(team.get("side", ""))
        if code not in codes:
            raise InspectionRefused(f"{code!r} is not a side of {line.name} (sides: {', '.join(codes)})", "teams")
        members = [
            {"name": str(m.get("name", "")).strip(), "role": str(m.get("role", "")).strip()}
            for m in team.get("members", [])
        ]
        members = [m for m in members if m["name"]]
        if not members:
            raise InspectionRefused(f"the team of {codes[code].name} names at least one member", "teams")
        cleaned.append({"side": code, "name": codes[code].name, "members": members})
        seen.add(code)
    absent = [codes[code].name for code in codes if code not in seen]
    if absent:
        raise InspectionRefused(f"a joint inspection has both sides' teams: missing {', '.join(absent)}", "teams")
    return cleaned


@transaction.atomic
def file_plan(
    campaign: InspectionCampaign,
    *,
    user,
    start: dt.date,
    end: dt.date,
    teams: list[dict],
    reason: str,
    lead: AdminUnit | None = None,
    expected_version: int | None = None,
) -> InspectionCampaign:
    """The plan (实施方案): dates and both sides' teams. Filed after 31 May it is late, and says so."""
    locked = _locked(campaign, expected_version)
    _refuse_unless(user, locked.line)
    if locked.status not in (Status.PLANNED, Status.OFFICE_REVIEW):
        raise InspectionRefused(f"{locked.number} is {locked.get_status_display()}: its plan is settled", "status")
    if end < start:
        raise InspectionRefused(f"the plan ends ({end}) before it starts ({start})", "end")
    if start.year != locked.year:
        raise InspectionRefused(f"{locked.number} is the {locked.year} inspection: it starts that year", "start")
    if lead is not None and lead not in sides_of(locked.line):
        raise InspectionRefused(f"{lead.name} is not a side of {locked.line.name}", "lead")
    locked.planned_start, locked.planned_end = start, end
    locked.teams = _check_teams(locked.line, teams)
    locked.lead = lead or locked.lead
    locked.planned_at = timezone.now()
    bump(locked)
    _record(locked, open_changeset(Changeset.Kind.EDIT, reason, author=user), frozenset({"plan"}))
    return locked


def plan_late(campaign: InspectionCampaign) -> bool:
    filed = timezone.localtime(campaign.planned_at).date() if campaign.planned_at else timezone.localdate()
    return filed > campaign.plan_due


@transaction.atomic
def record_office_review(
    campaign: InspectionCampaign, *, user, notes: str, expected_version: int | None = None
) -> InspectionCampaign:
    """内业核查: the line compared, stretch by stretch, with the agreement's map and course description."""
    locked = _locked(campaign, expected_version)
    _refuse_unless(user, locked.line)
    if locked.planned_at is None:
        raise InspectionRefused(f"{locked.number} has no plan filed yet", "status")
    if locked.status not in (Status.PLANNED, Status.OFFICE_REVIEW):
        raise InspectionRefused(f"{locked.number} is {locked.get_status_display()}", "status")
    if not notes.strip():
        raise InspectionRefused("the office review says what was compared and found", "notes")
    locked.office_review, locked.office_reviewed_at, locked.status = notes.strip(), timezone.now(), Status.OFFICE_REVIEW
    bump(locked)
    _record(locked, open_changeset(Changeset.Kind.EDIT, "office review (内业核查)", author=user), frozenset({"status"}))
    return locked


# ---- field checks ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckSent:
    check: MarkerCheck | StretchCheck
    created: bool  # False: the same check (its client id) had come before


def _field_open(campaign: InspectionCampaign, user) -> InspectionCampaign:
    locked = lock(InspectionCampaign.objects.select_related("line", "lead"), campaign.pk)
    _refuse_unless(user, locked.line)
    if locked.status not in (Status.OFFICE_REVIEW, Status.FIELD):
        raise InspectionRefused(
            f"{locked.number} is {locked.get_status_display()}: field checks follow the office review "
            "and end with the report",
            "status",
        )
    if locked.status != Status.FIELD:
        locked.status = Status.FIELD
        bump(locked)
        _record(locked, open_changeset(Changeset.Kind.EDIT, "field checks begun", author=user), frozenset({"status"}))
    return locked


def _again(model, client_id: uuid.UUID, campaign: InspectionCampaign) -> CheckSent | None:
    earlier = model.objects.filter(client_id=client_id).first()
    if earlier is None:
        return None
    if earlier.campaign_id != campaign.pk:
        raise InspectionRefused(f"check {client_id} belongs to another inspection", "client_id")
    return CheckSent(earlier, created=False)


def _made_once(model, **values) -> CheckSent:
    """The check row made, or (the same client id arrived twice at once: the other request made it) that one."""
    try:
        with transaction.atomic():
            return CheckSent(model.objects.create(**values), created=True)
    except IntegrityError:
        return CheckSent(model.objects.get(client_id=values["client_id"]), created=False)


def displacement_m(registered: Point, measured: Point) -> float:
    a, b = to_metric(from_geos(registered)), to_metric(from_geos(measured))
    return float(shapely.distance(a, b))


def _task(campaign, kind, changeset, *, due_from: dt.date, **where) -> InspectionTask:
    return InspectionTask.objects.create(
        campaign=campaign,
        kind=kind,
        owner=campaign.lead,
        due_on=due_from + dt.timedelta(days=settings.INSPECTION_TASK_DAYS),
        changeset=changeset,
        **where,
    )


@transaction.atomic
def record_marker_check(
    campaign: InspectionCampaign,
    *,
    user,
    client_id: uuid.UUID,
    marker: BoundaryMarker,
    found: str,
    checked_on: dt.date,
    inscription_repainted: bool = False,
    references_changed: bool = False,
    measured: Point | None = None,
    notes: str = "",
) -> CheckSent:
    """One marker as found. Sent again with the same ``client_id`` it is the row already made."""
    again = _again(MarkerCheck, client_id, campaign)
    if again:
        return again
    locked = _field_open(campaign, user)
    if marker.line_id != locked.line_id:
        raise InspectionRefused(f"marker {marker.number} is not on {locked.line.name}", "marker")
    if marker.status == BoundaryMarker.Status.ABOLISHED:
        raise InspectionRefused(f"marker {marker.number} is abolished", "marker")
    if checked_on > timezone.localdate():
        raise InspectionRefused(f"a check is not dated in the future ({checked_on})", "checked_on")
    moved_by = displacement_m(marker.geom, measured) if measured is not None else None
    if found == Found.INTACT and moved_by is not None and moved_by > settings.MARKER_DISPLACEMENT_TOLERANCE_M:
        found = Found.MOVED  # measured away from its registered position: it has moved, whatever was ticked
    changeset = open_changeset(
        Changeset.Kind.EDIT, f"field check of marker {marker.number} ({locked.number})", author=user
    )
    sent = _made_once(
        MarkerCheck,
        campaign=locked,
        marker=marker,
        client_id=client_id,
        checked_on=checked_on,
        found=found,
        inscription_repainted=inscription_repainted,
        references_changed=references_changed,
        measured=measured,
        displacement_m=moved_by,
        notes=notes.strip(),
        checked_by=user,
        changeset=changeset,
    )
    if not sent.created:
        return sent
    check = sent.check
    if found in MARKER_TASKS:
        _task(locked, MARKER_TASKS[found], changeset, due_from=checked_on, marker=marker, marker_check=check)
    if references_changed:
        _task(locked, TaskKind.RESURVEY_REFERENCES, changeset, due_from=checked_on, marker=marker, marker_check=check)
    return CheckSent(check, created=True)


@transaction.atomic
def record_stretch_check(
    campaign: InspectionCampaign,
    *,
    user,
    client_id: uuid.UUID,
    from_m: float,
    to_m: float,
    condition: str,
    checked_on: dt.date,
    notes: str = "",
) -> CheckSent:
    """A stretch of the line as found (metres along it)."""
    again = _again(StretchCheck, client_id, campaign)
    if again:
        return again
    locked = _field_open(campaign, user)
    length = to_metric(from_geos(locked.line.geom)).length
    if not (0 <= from_m < to_m <= length + 1):
        raise InspectionRefused(f"a stretch lies within the line: 0 <= from < to <= {length:.0f} m", "from_m")
    if checked_on > timezone.localdate():
        raise InspectionRefused(f"a check is not dated in the future ({checked_on})", "checked_on")
    if condition != Condition.AS_AGREED and not notes.strip():
        raise InspectionRefused("a stretch that differs from the agreement says what was found", "notes")
    changeset = open_changeset(Changeset.Kind.EDIT, f"field check of a stretch ({locked.number})", author=user)
    sent = _made_once(
        StretchCheck,
        campaign=locked,
        client_id=client_id,
        from_m=from_m,
        to_m=to_m,
        condition=condition,
        checked_on=checked_on,
        notes=notes.strip(),
        checked_by=user,
        changeset=changeset,
    )
    if not sent.created:
        return sent
    check = sent.check
    if condition in STRETCH_TASKS:
        _task(locked, STRETCH_TASKS[condition], changeset, due_from=checked_on, stretch_check=check)
    return CheckSent(check, created=True)


@transaction.atomic
def attach_photo(campaign: InspectionCampaign, client_id: uuid.UUID, upload, *, user):
    """A photo taken at a marker check (sent after the check, from the phone's queue): kept as the
    marker's photo (boundaries.services.marker_photos: checked by its bytes, its EXIF position read)
    and tied to the check. The same photo again is the one kept. Returns (photo, new)."""
    check = MarkerCheck.objects.select_related("marker", "campaign").filter(client_id=client_id).first()
    if check is None or check.campaign_id != campaign.pk:
        raise InspectionRefused(f"no check {client_id} in {campaign.number}", "client_id")
    if not may_work_on(user, campaign.line):
        raise InspectionRefused(f"only the officers of the counties along {campaign.line.name} add its photos")
    reason = f"joint inspection {campaign.number}: photo at the check of {check.marker.number}"
    photo, new = marker_photos.add_photo(check.marker, upload, user=user, reason=reason, source="inspection")
    check.photos.add(photo)
    return photo, new


def latest_checks(campaign: InspectionCampaign) -> dict[int, MarkerCheck]:
    """Each marker's last check in the campaign (a marker checked twice counts as last found)."""
    latest: dict[int, MarkerCheck] = {}
    for check in campaign.marker_checks.select_related("marker").order_by("checked_on", "received_at"):
        latest[check.marker_id] = check
    return latest


def unchecked(campaign: InspectionCampaign) -> list[BoundaryMarker]:
    checked = set(campaign.marker_checks.values_list("marker_id", flat=True))
    standing = campaign.line.markers.exclude(status=BoundaryMarker.Status.ABOLISHED).order_by("distance_along_m")
    return [marker for marker in standing if marker.pk not in checked]


# ---- tasks --------------------------------------------------------------------------------------------------


@transaction.atomic
def update_task(
    task: InspectionTask,
    *,
    user,
    status: str | None = None,
    done_on: dt.date | None = None,
    owner: AdminUnit | None = None,
    due_on: dt.date | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> InspectionTask:
    """Done (with the day), cancelled (with why), or handed to the other side / given a new due day."""
    locked = lock(InspectionTask.objects.select_related("campaign__line"), task.pk, expected_version)
    _refuse_unless(user, locked.campaign.line)
    if locked.status != InspectionTask.Status.OPEN:
        raise InspectionRefused(f"the task is {locked.get_status_display()}", "status")
    if owner is not None:
        if owner not in sides_of(locked.campaign.line):
            raise InspectionRefused(f"{owner.name} is not a side of {locked.campaign.line.name}", "owner")
        locked.owner = owner
    if due_on is not None:
        locked.due_on = due_on
    if status == InspectionTask.Status.DONE:
        if done_on is None:
            raise InspectionRefused("a task done says the day it was done", "done_on")
        locked.done_on = done_on
    elif status == InspectionTask.Status.CANCELLED and not note.strip():
        raise InspectionRefused("a cancelled task says why", "note")
    if status:
        locked.status = status
        reason = f"inspection task {locked.get_kind_display()}: {status}"
        locked.closed_changeset = open_changeset(Changeset.Kind.EDIT, reason, author=user)
    locked.note = note.strip() or locked.note
    bump(locked)
    return locked


# ---- the report and its signatures ------------------------------------------------------------------------


@transaction.atomic
def submit_report(
    campaign: InspectionCampaign, *, user, summary: str, expected_version: int | None = None
) -> InspectionCampaign:
    """The joint report's text, once every standing marker of the line has been checked."""
    locked = _locked(campaign, expected_version)
    _refuse_unless(user, locked.line)
    if locked.status != Status.FIELD:
        raise InspectionRefused(
            f"{locked.number} is {locked.get_status_display()}: the report follows the field checks"
        )
    missing = unchecked(locked)
    if missing:
        names = ", ".join(marker.number for marker in missing[:5]) + (" ..." if len(missing) > 5 else "")
        raise InspectionRefused(f"{len(missing)} marker(s) of the line not checked yet: {names}", "status")
    if not summary.strip():
        raise InspectionRefused("the report states its conclusions", "summary")
    locked.report_summary, locked.status = summary.strip(), Status.REPORTED
    bump(locked)
    _record(locked, open_changeset(Changeset.Kind.EDIT, "joint report drawn up", author=user), frozenset({"status"}))
    return locked


def awaited_signatures(campaign: InspectionCampaign) -> list:
    signed = {(s.unit_id, s.outside_id) for s in campaign.signatures.all()}
    return [
        side
        for side in sides_of(campaign.line)
        if ((side.pk, None) if isinstance(side, AdminUnit) else (None, side.pk)) not in signed
    ]


@transaction.atomic
def sign(
    campaign: InspectionCampaign,
    *,
    user,
    side,
    signed_by: str,
    signed_on: dt.date,
    document: str = "",
    filing_reference: str = "",
    expected_version: int | None = None,
) -> InspectionCampaign:
    """One side signs the report; the last signature closes the campaign and writes what the report
    found into the marker register (one changeset)."""
    locked = _locked(campaign, expected_version)
    if locked.status != Status.REPORTED:
        raise InspectionRefused(f"{locked.number} is {locked.get_status_display()}: only a drawn-up report is signed")
    if side not in awaited_signatures(locked):
        waited = ", ".join(s.name for s in awaited_signatures(locked)) or "none"
        raise InspectionRefused(f"no signature of {side.name} is awaited (awaited: {waited})", "side")
    if not may_sign_for(user, locked, side):
        raise InspectionRefused(f"your role does not sign for {side.name}", "side")
    if not signed_by.strip():
        raise InspectionRefused("a signature names who signed", "signed_by")
    if isinstance(side, ContextArea) and not document.strip():
        raise InspectionRefused(f"{side.name}'s signature is recorded with its signed document", "document")
    InspectionSignature.objects.create(
        campaign=locked,
        unit=side if isinstance(side, AdminUnit) else None,
        outside=side if isinstance(side, ContextArea) else None,
        signed_by=signed_by.strip(),
        signed_on=signed_on,
        document=document.strip(),
        recorded_by=user,
    )
    locked.filing_reference = filing_reference.strip() or locked.filing_reference
    changed = {"signatures"}
    if not awaited_signatures(locked):
        locked.status = Status.CLOSED
        locked.closed_on = max(s.signed_on for s in locked.signatures.all())
        changed.add("status")
        _write_findings(locked, user)
    bump(locked)
    _record(
        locked,
        open_changeset(Changeset.Kind.DECISION, f"report signed for {side.name}", author=user),
        frozenset(changed),
    )
    return locked


def _write_findings(campaign: InspectionCampaign, user) -> None:
    changeset = open_changeset(
        Changeset.Kind.DECISION,
        f"joint inspection {campaign.number} of {campaign.line.name}: report signed by both sides",
        author=user,
    )
    for check in latest_checks(campaign).values():
        status = REGISTER_STATUS[check.found]
        if check.marker.status not in (status, BoundaryMarker.Status.ABOLISHED):
            registry.record_status(check.marker, status, changeset=changeset)


# ---- the archive and the December summary ---------------------------------------------------------------


def archive(*, county: AdminUnit | None = None, year: int | None = None):
    """Campaigns, newest first; of one county's lines (the lines it is a side of) or one year."""
    found = InspectionCampaign.objects.select_related("line", "lead").order_by("-year", "-number")
    if county is not None:
        # line_records.counties_of in one query: the sides of the line's edges, or its parties
        sides = Q(edges__left=county) | Q(edges__right=county) | Q(party_rows__unit=county)
        found = found.filter(line__in=BoundaryLine.objects.filter(sides).values("pk"))
    if year is not None:
        found = found.filter(year=year)
    return found


def year_summary(year: int) -> dict:
    """The December summary of the year's inspections: per campaign and in total, what was planned,
    checked and found, and the tasks raised, done and open; the lines due that year with no campaign."""
    campaigns = list(archive(year=year).prefetch_related("marker_checks", "stretch_checks", "tasks"))
    rows, totals = [], {"campaigns": 0, "closed": 0, "markers_checked": 0, "stretches_checked": 0}
    totals |= {f"found_{f}": 0 for f in Found.values} | {"tasks": 0, "tasks_done": 0, "tasks_open": 0}
    for campaign in campaigns:
        if campaign.status == Status.CANCELLED:
            continue
        latest = latest_checks(campaign)
        found = {f: sum(1 for c in latest.values() if c.found == f) for f in Found.values}
        tasks = list(campaign.tasks.all())
        row = {
            "number": campaign.number,
            "line": campaign.line.name,
            "line_code": campaign.line.code,
            "occasion": campaign.occasion,
            "status": campaign.status,
            "closed_on": campaign.closed_on.isoformat() if campaign.closed_on else None,
            "markers_checked": len(latest),
            "stretches_checked": campaign.stretch_checks.count(),
            **{f"found_{f}": n for f, n in found.items()},
            "tasks": len(tasks),
            "tasks_done": sum(1 for t in tasks if t.status == InspectionTask.Status.DONE),
            "tasks_open": sum(1 for t in tasks if t.status == InspectionTask.Status.OPEN),
        }
        rows.append(row)
        totals["campaigns"] += 1
        totals["closed"] += campaign.status == Status.CLOSED
        for key in totals:
            if key not in ("campaigns", "closed"):
                totals[key] += row[key]
    due = [{"line": d["line"].code, "name": d["line"].name, "due_year": d["due_year"]} for d in due_lines(year)]
    return {"year": year, "campaigns": rows, "totals": totals, "due_without_campaign": due}
