"""The public notices (公示) of naming proposals: the list of those open now (/notices), each notice's
page with its comment form (/notices/<number>) and its PDF (/notices/<number>.pdf, the same URL pattern).

Anyone may read them and comment; the notice is the application's while it is out for comment
(gazetteer.services.notices.public_notice), readable afterwards as a record marked closed. A comment is a
plain form post with the CSRF token, limited per client (core.ratelimit's "comments" class, counted here
for every post) and stored by gazetteer.services.notices.record_public_comment, which refuses it once
the notice has ended. The page answers its own refusals (400, 409, 429) in the page, in the reader's
language."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from core.ratelimit import WINDOW_SECONDS, client_key, hit, limit_per_minute
from gazetteer.models import NamingApplication
from gazetteer.services import notices as notice_service
from web.i18n import language_of, remember_language, strings

NUMBER = r"[0-9]{6}-[0-9]{4}-[0-9]{4}"  # 受理编号, gazetteer.services.naming._number


class CommentForm(forms.Form):
    commenter = forms.CharField(max_length=notice_service.COMMENTER_MAX_LENGTH)
    contact = forms.CharField(max_length=notice_service.CONTACT_MAX_LENGTH, required=False)
    comment = forms.CharField(max_length=notice_service.COMMENT_MAX_LENGTH, widget=forms.Textarea)

    def __init__(self, *args, t: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.t = t
        for field in self.fields.values():  # a validator's error takes the field's message for its code
            field.error_messages = {
                **field.error_messages,
                "required": t["comment_required"],
                "max_length": t["comment_too_long"].format(n=field.max_length),
                "null_characters_not_allowed": t["comment_bad_text"],
            }
        self.fields["comment"].widget.attrs.update(rows=6)

    def clean(self):
        cleaned = super().clean()
        values = {name: cleaned.get(name) or "" for name in ("commenter", "contact", "comment")}
        for name in notice_service.comment_text_faults(**values):  # the service's rule, shown per field
            self.add_error(name, self.t["comment_bad_text"])
        return cleaned


def _not_found(request, number: str):
    t = strings(request)
    return render(request, "404.html", {"message": t["notice_not_found"].format(number=number)}, status=404)


def _kind_label(t: dict, kind: str) -> str:
    return t["notice_kinds"].get(kind, kind)


@remember_language
@require_GET
def notice_list(request):
    """The notices open today, newest first."""
    t = strings(request)
    rows = [
        {
            "number": application.number,
            "kind": _kind_label(t, application.kind),
            "name": notice_service.listed_name(application),
            "previous": application.place.name
            if application.kind == NamingApplication.Kind.RENAME and application.place
            else "",
            "county": application.county.name,
            "start": application.notice_start,
            "end": application.notice_end,
        }
        for application in notice_service.open_notices()[:500]
    ]
    return render(request, "notices.html", {"notices": rows, "page_title": t["notices_title"]})


def _page(request, application, *, form=None, status=200, message="", message_is_error=False):
    t = strings(request)
    values = notice_service.public_notice_context(application)
    location = values["location"]
    context = {
        **values,
        "kind_label": _kind_label(t, application.kind),
        "lon_lat": t["notice_lon_lat"].format(lon=f"{location['lon']:.5f}", lat=f"{location['lat']:.5f}")
        if location["lon"] is not None
        else "",
        "how_to_comment": t["notice_how_text"].format(publisher=values["publisher"]),
        "privacy": t["comment_privacy"].format(publisher=values["publisher"]),
        "closed_text": t["notice_closed_text"].format(date=values["notice_end"]),
        "form": form if form is not None else CommentForm(t=t),
        "message": message,
        "message_is_error": message_is_error,
        "received": request.GET.get("received") == "1" and values["is_open"],
        "pdf_url": _url(application) + ".pdf",
        "lang": language_of(request),
    }
    return render(request, "notice_public.html", context, status=status)


def _url(application: NamingApplication) -> str:
    return reverse("public-notice", kwargs={"number": application.number})


def notice(request, number: str, pdf: str | None = None):
    """/notices/<number> (the page) and /notices/<number>.pdf (the PDF): one address, one page name."""
    return notice_pdf(request, number) if pdf else notice_page(request, number)


@remember_language
@require_http_methods(["GET", "HEAD", "POST"])
def notice_page(request, number: str):
    """The notice, and while it is open its comment form (a post comes back here)."""
    application = notice_service.public_notice(number)
    if application is None:
        return _not_found(request, number)
    if application.number != number:  # a name of a batch: the notice is the batch's head's
        return redirect(_url(application))
    if request.method != "POST":
        return _page(request, application)
    t = strings(request)
    form = CommentForm(request.POST, t=t)
    limit = limit_per_minute("comments")
    if limit and hit(f"comments:{client_key(request)}") > limit:
        response = _page(request, application, form=form, status=429, message=t["comment_rate_limited"],
                         message_is_error=True)  # fmt: skip
        response["Retry-After"] = str(WINDOW_SECONDS)
        return response
    if not notice_service.notice_is_open(application):
        return _page(request, application, form=form, status=409, message=t["comment_closed"], message_is_error=True)
    if not form.is_valid():
        return _page(request, application, form=form, status=400, message=t["comment_errors"], message_is_error=True)
    try:
        notice_service.record_public_comment(
            application,
            commenter=form.cleaned_data["commenter"],
            contact=form.cleaned_data["contact"],
            comment=form.cleaned_data["comment"],
        )
    except notice_service.CommentRefused:
        return _page(request, application, form=form, status=409, message=t["comment_closed"], message_is_error=True)
    # Post, then redirect: a reload does not send the comment again.
    return redirect(f"{_url(application)}?received=1#comment")


@require_GET
def notice_pdf(request, number: str):
    application = notice_service.public_notice(number)
    if application is None:
        return _not_found(request, number)
    if application.number != number:
        return redirect(_url(application) + ".pdf")
    page_url = settings.GAZETTEER_URL.rstrip("/") + _url(application)
    response = HttpResponse(notice_service.public_notice_pdf(application, page_url), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="public-notice-{application.number}.pdf"'
    return response
