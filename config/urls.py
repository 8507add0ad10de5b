from django.contrib import admin
from django.urls import path, re_path

from config.api import urlpatterns as api_urls
from core import api_docs
from gazetteer.api.open_data import open_data_page
from web import division_drafts as web_drafts
from web import field as web_field
from web import notices as web_notices
from web import sign_survey as web_sign_survey
from web import views as web_views
from web.boundary_map import boundary_map as boundary_map_page
from web.inbox import inbox_page

handler400 = "core.api_errors.bad_request"
handler404 = "core.api_errors.not_found"
handler500 = "core.api_errors.server_error"

urlpatterns = [
    *api_urls,
    path("maps/print", web_views.print_page, name="print-maps"),
    path("boundaries/map", boundary_map_page, name="boundary-map"),
    path("admin/inbox/", inbox_page, name="inbox"),  # the staff's inbox, in the admin's look (web.inbox)
    path("admin/", admin.site.urls),
    path("api/docs", api_docs.api_docs_page, name="api-docs"),
    path("open-data", open_data_page, name="open-data"),
    path("", web_views.portal, name="home"),
    path("divisions", web_views.divisions, name="divisions"),
    re_path(rf"^divisions/drafts/(?P<number>{web_drafts.NUMBER})$", web_drafts.division_draft, name="division-draft"),
    re_path(r"^field/inspections/(?P<number>LJ-[0-9]{4}-[0-9]{4,6})$", web_field.field_form, name="field-inspection"),
    re_path(r"^places/(?P<code>[0-9]{20})$", web_views.place_record, name="place-page"),
    path("notices", web_notices.notice_list, name="public-notices"),
    re_path(rf"^notices/(?P<number>{web_notices.NUMBER})(?P<pdf>\.pdf)?$", web_notices.notice, name="public-notice"),
    path("signs/survey", web_sign_survey.sign_survey, name="sign-survey"),
]
