"""The naming notice (公告): HTML and PDF, with the fields the regulation requires — standard name,
romanization, administrative unit, location, approving authority, approval date and number.

And the public notice (公示) of a proposal, its own document while it is out for comment (page
web.notices at /notices/<number>, and PDF): the proposed name, romanization, category, location,
meaning and origin, the notice period and how to comment; and the comments the public leaves on it.

A batch (gazetteer.services.naming.submit_batch) has one notice of each kind, its head's, listing
every name of the batch; a member's number leads to it, and comments land on the head."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.template.loader import render_to_string

from boundaries.levels import Tier
from boundaries.services import geography
from core.pdf import DocumentInfo, html_to_pdf
from core.text import has_control_character, text_problem
from gazetteer.models import NamingApplication, NoticeComment, PlaceName
from gazetteer.representation import unit_path
from gazetteer.services import naming, places
from gazetteer.services.places import computed_romanization

KIND_TITLE = {
    NamingApplication.Kind.NAME: "命名",
    NamingApplication.Kind.RENAME: "更名",
    NamingApplication.Kind.ABOLISH: "销名",
}


def _name(application: NamingApplication) -> dict:
    """One name of a notice: the name, its romanization, what it was, its category and where it lies."""
    place = application.place
    name = application.proposed_name or (place.name if place else "")
    previous = None
    if application.kind == NamingApplication.Kind.RENAME and place is not None:
        row = (
            place.names.filter(kind__in=[PlaceName.Kind.FORMER, PlaceName.Kind.STANDARD])
            .exclude(name=application.proposed_name)
            .order_by("-valid_to")
            .first()
        )
        previous = row.name if row else None
    path = unit_path(place.unit if place and place.unit else application.county)
    return {
        "application": application,
        "number": application.number,
        "kind_zh": KIND_TITLE[application.kind],
        "name": name,
        "romanization": computed_romanization(name, application.category)[0] if name else "",
        "previous_name": previous,
        "category": application.category.name_zh if application.category else "",
        "unit_path": " ".join(u["name"] for u in path),
        "location_description": application.location_description,
        "meaning": application.meaning,
        "origin": application.origin,
        "code": place.code if place else "",
    }


def _kinds(names: list[dict]) -> str:
    """命名, or 命名、更名 for a batch of several kinds (in the order they come)."""
    return "、".join(dict.fromkeys(row["kind_zh"] for row in names))


def context(application: NamingApplication) -> dict:
    """What the decision notice says; a member's is its batch's, which lists every name."""
    names = [_name(a) for a in naming.batch_of(application)]
    first, head = names[0], names[0]["application"]
    authority = head.authority or settings.NAMING_AUTHORITY
    if len(names) > 1:
        title = f"{authority}关于“{first['name']}”等{len(names)}处地名{_kinds(names)}的公告"
    else:
        title = f"{authority}关于{first['name']}{first['kind_zh']}的公告"
    return {
        **{key: first[key] for key in ("name", "romanization", "previous_name", "category", "unit_path", "code")},
        "application": head,
        "title": title,
        "names": names,
        "is_batch": len(names) > 1,
        "authority": authority,
        "draft": head.status not in (NamingApplication.Status.APPROVED, NamingApplication.Status.EFFECTIVE),
    }


def notice_html(application: NamingApplication) -> str:
    return render_to_string("gazetteer/notice.html", context(application))


def notice_pdf(application: NamingApplication) -> bytes:
    """The notice as a PDF (core.pdf: WeasyPrint with the shared fonts), the authority as its author."""
    values = context(application)
    head = values["application"]
    info = DocumentInfo(
        title=values["title"],
        author=values["authority"],
        subject=f"地名{_kinds(values['names'])}公告 {head.number}",
    )
    return html_to_pdf(render_to_string("gazetteer/notice.html", values), info)


# ---- the public notice (公示): its own document while the proposal is out for comment ----------------

NOTICE_TITLE = {
    NamingApplication.Kind.NAME: "关于拟命名“{name}”的公示",
    NamingApplication.Kind.RENAME: "关于拟将“{previous}”更名为“{name}”的公示",
    NamingApplication.Kind.ABOLISH: "关于拟销名“{name}”的公示",
}
BATCH_NOTICE_TITLE = "关于拟{kinds}“{name}”等{count}处地名的公示"
# Statuses in which a notice that has begun stays readable as a record (marked closed unless still open).
NOTICE_SEEN = {
    NamingApplication.Status.IN_NOTICE,
    NamingApplication.Status.NOTICE_CLOSED,
    NamingApplication.Status.APPROVED,
    NamingApplication.Status.EFFECTIVE,
    NamingApplication.Status.REJECTED,
    NamingApplication.Status.WITHDRAWN,
}
COMMENTER_MAX_LENGTH = NoticeComment._meta.get_field("commenter").max_length
CONTACT_MAX_LENGTH = NoticeComment._meta.get_field("contact").max_length
COMMENT_MAX_LENGTH = 2000


class CommentRefused(ValueError):
    """The notice no longer (or not yet) takes comments."""


class CommentInvalid(ValueError):
    """A comment whose text cannot be taken; ``fields`` names the members at fault."""

    def __init__(self, fields: list[str]):
        super().__init__(f"unreadable text in {', '.join(fields)}")
        self.fields = fields


def comment_text_faults(*, commenter: str, contact: str, comment: str) -> list[str]:
    """The members of a public comment whose text cannot be taken: unstorable (NUL, lone surrogates)
    or holding control characters (the comment itself may break lines)."""
    values = {"commenter": commenter, "contact": contact, "comment": comment}
    return [
        name
        for name, value in values.items()
        if value and (text_problem(value) or has_control_character(value, multiline=name == "comment"))
    ]


def _today(today: dt.date | None) -> dt.date:
    return today or places.today()


def public_notice(number: str, today: dt.date | None = None) -> NamingApplication | None:
    """The application whose public notice anyone may read: one whose notice has begun (its start day has
    come) and has not been undone by an earlier step; None otherwise (not yet in notice, withdrawn
    before it, or a notice set to begin on a later day). For a member of a batch, the batch's head,
    whose notice is the batch's."""
    applications = NamingApplication.objects.select_related("place__unit", "county", "category")
    application = applications.filter(number=number).first()
    if application is not None and application.batch_id is not None:
        application = applications.get(pk=application.batch_id)
    if application is None or application.status not in NOTICE_SEEN or application.notice_start is None:
        return None
    if application.notice_start > _today(today):
        return None
    return application


def notice_is_open(application: NamingApplication, today: dt.date | None = None) -> bool:
    """Whether the notice takes comments today: in notice, between its first and last day."""
    day = _today(today)
    return (
        application.status == NamingApplication.Status.IN_NOTICE
        and application.notice_start is not None
        and application.notice_start <= day <= application.notice_end
    )


def open_notices(today: dt.date | None = None):
    """The notices open today, newest first: a batch's once, as its head (with ``members``, how many
    names it carries besides its own)."""
    day = _today(today)
    return (
        NamingApplication.objects.filter(
            status=NamingApplication.Status.IN_NOTICE, notice_start__lte=day, notice_end__gte=day, batch__isnull=True
        )
        .select_related("place", "county", "category")
        .annotate(names_besides=Count("members"))
        .order_by("-notice_start", "-number")
    )


def listed_name(application: NamingApplication) -> str:
    """The name a list of notices shows: the proposal's, or a batch's first and how many (“甲”等3处)."""
    name = application.proposed_name or (application.place.name if application.place else "")
    besides = getattr(application, "names_besides", None)
    if besides is None:
        besides = application.members.count()
    return f"“{name}”等{besides + 1}处" if besides else name


def _location(application: NamingApplication) -> dict:
    """Where the proposal lies, as words: the county and township holding a point of its geometry (the
    application's, else the place's), and that point's longitude and latitude (CGCS2000)."""
    place = application.place
    geom = application.geom or (place.geom if place is not None else None)
    county = township = None
    point = None
    if geom is not None:
        point = geom if geom.geom_type == "Point" else geom.point_on_surface
        for unit in geography.units_holding(point):
            if unit.tier == Tier.COUNTY:
                county = unit
            elif unit.tier == Tier.TOWNSHIP:
                township = unit
    if county is None:
        county = application.county
    if township is None and place is not None:
        township = geography.township_of(place.unit)
    lon_lat = (round(point.x, 5), round(point.y, 5)) if point is not None else None
    words = [county.name if county else "", township.name if township else ""]
    if lon_lat:
        words.append(f"东经{lon_lat[0]:.5f}°，北纬{lon_lat[1]:.5f}°（CGCS2000）")
    return {
        "county": county.name if county else "",
        "township": township.name if township else "",
        "lon": lon_lat[0] if lon_lat else None,
        "lat": lon_lat[1] if lon_lat else None,
        "text": " ".join(word for word in words if word),
    }


def _proposed(row: dict) -> dict:
    """A name as the public notice shows it: where it lies in words, and the present name of a rename."""
    application = row["application"]
    previous = row["previous_name"] or (application.place.name if application.place else "")
    return {
        **row,
        "previous_name": previous if application.kind == NamingApplication.Kind.RENAME else "",
        "location": _location(application),
    }


def public_notice_context(application: NamingApplication, today: dt.date | None = None) -> dict:
    """What the public notice says, for its page and its PDF; a batch's lists every name (``names``)."""
    values = context(application)
    application = values["application"]  # a batch's notice is its head's
    names = [_proposed(row) for row in values["names"]]
    first = names[0]
    name = first["name"]
    if len(names) > 1:
        title = BATCH_NOTICE_TITLE.format(kinds=_kinds(names), name=name, count=len(names))
    else:
        title = NOTICE_TITLE[application.kind].format(name=name, previous=first["previous_name"])
    is_open = notice_is_open(application, today)
    return {
        "application": application,
        "number": application.number,
        "kind": application.kind,
        "kind_zh": _kinds(names),
        "title": title,
        "name": name,
        "names": names,
        "is_batch": len(names) > 1,
        "previous_name": first["previous_name"],
        "romanization": values["romanization"],
        "category": values["category"],
        "unit_path": values["unit_path"],
        "location": first["location"],
        "location_description": application.location_description,
        "meaning": application.meaning,
        "origin": application.origin,
        "reason": application.reason,
        "notice_start": application.notice_start,
        "notice_end": application.notice_end,
        "is_open": is_open,
        "ended": not is_open,
        "withdrawn": application.status == NamingApplication.Status.WITHDRAWN,
        "publisher": settings.GAZETTEER_PUBLISHER,
        "authority": values["authority"],
    }


def public_notice_pdf(application: NamingApplication, page_url: str, today: dt.date | None = None) -> bytes:
    """The public notice as a PDF (core.pdf, as the decision notice), the bureau as its author."""
    values = {**public_notice_context(application, today), "page_url": page_url}
    info = DocumentInfo(
        title=values["title"],
        author=values["publisher"],
        subject=f"地名{values['kind_zh']}公示 {values['number']}",
    )
    return html_to_pdf(render_to_string("gazetteer/public_notice_pdf.html", values), info)


@transaction.atomic
def record_public_comment(
    application: NamingApplication, *, commenter: str, comment: str, contact: str = "", today: dt.date | None = None
) -> NoticeComment:
    """A comment left on the notice's public page: stored as such (channel public, no officer), received
    today; refused (CommentRefused) unless the notice is open today. Nothing else is written: the
    application keeps its version, so an officer's step in progress is not disturbed. A comment on a
    batch is its head's: the batch has one notice."""
    faults = comment_text_faults(commenter=commenter, contact=contact, comment=comment)
    if faults:
        raise CommentInvalid(faults)
    day = _today(today)
    # Locked against a step that closes or withdraws the notice at the same moment.
    locked = NamingApplication.objects.select_for_update().get(pk=application.batch_id or application.pk)
    if not notice_is_open(locked, day):
        raise CommentRefused(f"the public notice of {locked.number} ran until {locked.notice_end}")
    return NoticeComment.objects.create(
        application=locked,
        commenter=commenter,
        contact=contact,
        comment=comment,
        received_on=day,
        channel=NoticeComment.Channel.PUBLIC,
        recorded_by=None,
    )
