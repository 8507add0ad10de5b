"""Place-name heritage (地名文化遗产): a listed name shows as such, and changing it is flagged by the
checks and needs an explicit reason at the decision."""

from __future__ import annotations

import datetime as dt

import pytest

from core.history import open_changeset
from core.models import Changeset
from gazetteer.models import NamingApplication, Place
from gazetteer.services import naming
from gazetteer.services.places import update_place
from tests.gazetteer_helpers import on_day

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def listed(place: Place) -> Place:
    changeset = open_changeset(Changeset.Kind.EDIT, "列入第一批地名文化遗产名录", label="test")
    changes = {"heritage_listed_on": dt.date(2020, 6, 1), "heritage_reason": "清代驿站旧名，沿用三百年"}
    return update_place(place, changeset=changeset, changes=changes, expected_version=place.version)


def renamed_to_the_decision(place: Place, officer) -> NamingApplication:
    application = naming.submit(
        submitted_by=officer, kind="rename", county=place.unit.parent, place=place, category=None, geom=None,
        proposed_name="兰岗新镇", location_description="", meaning="", origin="", reason="调整", applicant="x",
        applicant_contact="",
    )  # fmt: skip
    application = naming.start_review(application, actor=officer)
    application = naming.record_opinion(application, actor=officer, expert="李研究员", verdict="agree")
    with on_day(TODAY - dt.timedelta(days=31)):
        application = naming.open_notice(application, actor=officer, start=TODAY - dt.timedelta(days=31), days=30)
    return naming.close_notice(application, actor=officer)


def test_a_listed_name_shows_on_its_page_and_in_the_api(client):
    place = listed(Place.objects.get(admin_unit__name="兰岗镇"))
    page = client.get(f"/places/{place.code}").content.decode()
    assert "地名文化遗产" in page and "清代驿站旧名" in page
    heritage = client.get(f"/api/v1/places/{place.code}").json()["properties"]["heritage"]
    assert heritage == {"listed_on": "2020-06-01", "reason": "清代驿站旧名，沿用三百年"}


def test_renaming_a_listed_name_is_flagged_and_needs_a_reason(django_user_model):
    officer = django_user_model.objects.create_user("heritage_officer")
    place = listed(Place.objects.get(admin_unit__name="兰岗镇"))
    application = renamed_to_the_decision(place, officer)
    assert "heritage" in {f["check"] for f in application.checks}
    decision = {
        "authority": "牡丹江市人民政府", "decision_date": TODAY, "document_number": "牡政函〔2026〕1号",
        "effective_date": TODAY,
    }  # fmt: skip
    with pytest.raises(naming.StepRefused, match="heritage"):
        naming.approve(application, actor=officer, **decision)
    done = naming.approve(application, actor=officer, heritage_reason="行政区划调整，经专家论证", **decision)
    assert done.status == NamingApplication.Status.EFFECTIVE
    event = done.events.get(step="approved")
    assert event.data["heritage_reason"] == "行政区划调整，经专家论证"


def test_the_heritage_reason_is_an_input_of_the_approve_step_everywhere():
    from config.api import openapi_document

    schemas = openapi_document()["components"]["schemas"]
    assert "heritage_reason" in {step_input.name for step_input in naming.STEPS["approve"].inputs}
    assert "heritage_reason" in schemas["NamingApplicationStep"]["properties"]
    for body in ("PlaceCreate", "PlaceUpdate"):
        assert {"heritage_listed_on", "heritage_reason"} <= set(schemas[body]["properties"]), body
