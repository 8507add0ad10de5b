"""The naming notice (公告): HTML and PDF, with the fields the regulation requires — standard name,
romanization, administrative unit, location, approving authority, approval date and number."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string

from core.pdf import DocumentInfo, html_to_pdf
from gazetteer.models import NamingApplication, PlaceName
from gazetteer.representation import unit_path
from gazetteer.services.places import computed_romanization

KIND_TITLE = {
    NamingApplication.Kind.NAME: "命名",
    NamingApplication.Kind.RENAME: "更名",
    NamingApplication.Kind.ABOLISH: "销名",
}


def context(application: NamingApplication) -> dict:
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
    authority = application.authority or settings.NAMING_AUTHORITY
    path = unit_path(place.unit if place and place.unit else application.county)
    return {
        "application": application,
        "title": f"{authority}关于{name}{KIND_TITLE[application.kind]}的公告",
        "name": name,
        "romanization": computed_romanization(name, application.category)[0] if name else "",
        "previous_name": previous,
        "category": application.category.name_zh if application.category else "",
        "unit_path": " ".join(u["name"] for u in path),
        "authority": authority,
        "code": place.code if place else "",
        "draft": application.status not in (NamingApplication.Status.APPROVED, NamingApplication.Status.EFFECTIVE),
    }


def notice_html(application: NamingApplication) -> str:
    return render_to_string("gazetteer/notice.html", context(application))


def notice_pdf(application: NamingApplication) -> bytes:
    """The notice as a PDF (core.pdf: WeasyPrint with the shared fonts), the authority as its author."""
    values = context(application)
    info = DocumentInfo(
        title=values["title"],
        author=values["authority"],
        subject=f"地名{KIND_TITLE[application.kind]}公告 {application.number}",
    )
    return html_to_pdf(render_to_string("gazetteer/notice.html", values), info)
