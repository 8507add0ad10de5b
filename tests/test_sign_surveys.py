"""Sign surveys (gazetteer.services.sign_surveys, /api/v1/signs/{number}/surveys): a survey sent twice
with its phone-made id is one survey (201, then 200); the id sent for another sign is a 409; the
county's officers survey its signs; the sign's condition and last inspection move as a version of the
sign (reason 标志巡查 and the survey's id), never backwards; a synthetic sign stays synthetic; photos
go through core.photos as the sign's photos."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.srid import STORAGE_SRID
from gazetteer.models import Sign, SignSurvey, SignVersion
from gazetteer.services import sign_surveys as surveys
from gazetteer.services import signs as sign_service
from tests.test_signs import LAT, WEST, make_road

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _user(django_user_model, name: str):
    return django_user_model.objects.get(username=name)


@pytest.fixture
def sign(accounts, django_user_model):
    road = make_road("太平路")
    return sign_service.register_sign(
        user=_user(django_user_model, "officer_ningan"),
        reason="普查登记",
        kind="road_name",
        geom=Point(WEST + 0.001, LAT + 0.0002, srid=STORAGE_SRID),
        place=road.place,
    )


def url(sign: Sign) -> str:
    return f"/api/v1/signs/{sign.number}/surveys"


def body(**changes) -> dict:
    return {"client_id": str(uuid.uuid4()), "condition": "faded", "surveyed_on": TODAY.isoformat(), **changes}


def test_a_survey_moves_the_sign_and_sent_again_is_the_same_survey(accounts, sign):
    api = accounts["officer_ningan"]
    sent = body(notes=" 字迹褪色 ", position={"type": "Point", "coordinates": [129.4712345, 44.3401234]})
    first = api.post(url(sign), sent)
    assert first.status_code == 201, first.content
    answer = first.json()
    assert answer["client_id"] == sent["client_id"] and answer["sign"] == sign.number
    assert answer["condition"] == "faded" and answer["notes"] == "字迹褪色" and answer["surveyor"] == "officer_ningan"
    assert answer["position"] == {"type": "Point", "coordinates": [129.4712345, 44.3401234]}
    assert answer["sign_version"] == 2 and answer["synthetic"] is False and "note" not in answer

    sign.refresh_from_db()
    assert (sign.condition, sign.last_inspected_on, sign.version) == ("faded", TODAY, 2)
    version = SignVersion.objects.select_related("changeset").get(sign=sign, version=2)
    survey = SignSurvey.objects.get(client_id=sent["client_id"])
    assert version.changeset.reason == f"标志巡查 #{survey.pk}" and version.data["condition"] == "faded"
    history = api.get(f"/api/v1/signs/{sign.number}/history").json()["versions"]
    assert len(history) == 2

    # The phone lost the answer and sends the same survey again: the survey made, nothing new.
    again = api.post(url(sign), sent)
    assert again.status_code == 200 and again.json() == answer
    assert SignSurvey.objects.filter(sign=sign).count() == 1
    sign.refresh_from_db()
    assert sign.version == 2

    listed = accounts["approver"].get(url(sign)).json()
    assert [s["client_id"] for s in listed["surveys"]] == [sent["client_id"]]


def test_a_client_id_sent_for_another_sign_is_a_conflict(accounts, sign, django_user_model):
    other = sign_service.register_sign(
        user=_user(django_user_model, "officer_ningan"),
        reason="普查登记",
        kind="road_name",
        geom=Point(WEST + 0.003, LAT + 0.0002, srid=STORAGE_SRID),
        place=sign.place,
    )
    sent = body()
    assert accounts["officer_ningan"].post(url(sign), sent).status_code == 201
    reused = accounts["officer_ningan"].post(url(other), {**sent, "condition": "missing"})
    assert reused.status_code == 409 and reused.json()["error"]["field"] == "client_id"
    other.refresh_from_db()
    assert other.condition == "good" and other.version == 1 and not other.surveys.exists()


def test_the_county_s_officers_survey_its_signs(accounts, sign):
    assert accounts["public"].post(url(sign), body()).status_code == 401
    assert accounts["officer_hailin"].post(url(sign), body()).status_code == 403
    assert accounts["approver"].post(url(sign), body()).status_code == 403
    assert accounts["administrator"].post(url(sign), body()).status_code == 201
    unknown = accounts["officer_ningan"].post("/api/v1/signs/BZ-2026-999999/surveys", body())
    assert unknown.status_code == 404
    assert accounts["public"].get(url(sign)).status_code == 401
    # a phone of another county's officer replaying a survey it did not make learns nothing
    made = body()
    assert accounts["officer_ningan"].post(url(sign), made).status_code == 201
    assert accounts["officer_hailin"].post(url(sign), made).status_code == 403
    assert SignSurvey.objects.filter(sign=sign).count() == 2


def test_an_older_survey_is_kept_and_moves_the_sign_back_to_nothing(accounts, sign):
    api = accounts["officer_ningan"]
    assert api.post(url(sign), body(condition="damaged")).status_code == 201
    late = api.post(url(sign), body(condition="good", surveyed_on=(TODAY - dt.timedelta(days=10)).isoformat()))
    assert late.status_code == 201 and late.json()["sign_version"] == 2
    sign.refresh_from_db()
    assert (sign.condition, sign.last_inspected_on, sign.version) == ("damaged", TODAY, 2)
    assert sign.surveys.count() == 2


def test_what_a_survey_may_not_say(accounts, sign, django_user_model):
    api = accounts["officer_ningan"]
    future = api.post(url(sign), body(surveyed_on=(TODAY + dt.timedelta(days=1)).isoformat()))
    assert future.status_code == 400 and future.json()["error"]["field"] == "surveyed_on"
    assert api.post(url(sign), body(condition="broken")).status_code == 400
    line = {"type": "LineString", "coordinates": [[129.47, 44.34], [129.48, 44.35]]}
    assert api.post(url(sign), body(position=line)).status_code == 400
    assert api.post(url(sign), body(client_id="not-a-uuid-but-thirty-six-characters")).status_code == 400
    assert api.post(url(sign), body(extra=1)).status_code == 400
    sign_service.remove_sign(sign, user=_user(django_user_model, "officer_ningan"), reason="道路拆除", on=TODAY)
    assert api.post(url(sign), body()).status_code == 400
    assert not SignSurvey.objects.exists()


def test_a_synthetic_sign_stays_synthetic(accounts, django_user_model):
    road = make_road("示例路", synthetic=True)
    officer = _user(django_user_model, "officer_ningan")
    sign = sign_service.register_sign(
        user=officer, reason="示例", kind="road_name", geom=Point(WEST + 0.001, LAT, srid=STORAGE_SRID),
        place=road.place,
    )  # fmt: skip
    assert sign.is_synthetic
    sent = surveys.record_survey(officer, sign, uuid.uuid4(), "missing", TODAY)
    assert sent.created and sent.survey.sign_version == 2
    sign.refresh_from_db()
    assert sign.is_synthetic and sign.condition == "missing"
    answer = accounts["officer_ningan"].get(url(sign)).json()["surveys"][0]
    assert answer["synthetic"] is True and "示例" in answer["note"]


def _png(colour=(0, 60, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), colour).save(out, "PNG")
    return out.getvalue()


def test_a_photo_taken_at_the_survey_is_the_sign_s_photo(accounts, sign, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    api = accounts["officer_ningan"]
    sent = body()
    assert api.post(url(sign), sent).status_code == 201
    photos = f"{url(sign)}/{sent['client_id']}/photos"

    def upload(client):
        return client.client.post(photos, {"file": SimpleUploadedFile("p.png", _png(), "image/png")}, **client.headers)

    first = upload(api)
    assert first.status_code == 201, first.content
    assert [p["format"] for p in first.json()["photos"]] == ["PNG"]
    assert upload(api).status_code == 200  # the same photo again: the one kept
    assert sign.photos.count() == 1 and SignSurvey.objects.get(client_id=sent["client_id"]).photos.count() == 1
    assert upload(accounts["officer_hailin"]).status_code == 403
    unknown = f"{url(sign)}/{uuid.uuid4()}/photos"
    refused = api.client.post(unknown, {"file": SimpleUploadedFile("p.png", _png(), "image/png")}, **api.headers)
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "client_id"
    bad = api.client.post(photos, {"file": SimpleUploadedFile("p.png", b"not an image", "image/png")}, **api.headers)
    assert bad.status_code == 400


def test_the_same_id_sent_twice_at_once_is_one_survey(accounts, sign, django_user_model):
    """The service's second door: the row made by another request between the look and the insert."""
    officer = _user(django_user_model, "officer_ningan")
    client_id = uuid.uuid4()
    first = surveys.record_survey(officer, sign, client_id, "faded", TODAY)
    from unittest import mock

    with mock.patch.object(surveys, "_again", side_effect=[None, surveys.SurveySent(first.survey, False)]):
        second = surveys.record_survey(officer, sign, client_id, "faded", TODAY)
    assert not second.created and second.survey.pk == first.survey.pk
    assert SignSurvey.objects.filter(client_id=client_id).count() == 1


def test_the_admin_shows_surveys_and_changes_none(accounts, sign, django_user_model, client):
    sent = body(notes="字迹褪色", position={"type": "Point", "coordinates": [129.4712345, 44.3401234]})
    assert accounts["officer_ningan"].post(url(sign), sent).status_code == 201
    survey = SignSurvey.objects.get(client_id=sent["client_id"])
    client.force_login(_user(django_user_model, "approver"))
    listed = client.get("/admin/gazetteer/signsurvey/")
    assert listed.status_code == 200 and sign.number in listed.content.decode()
    page = client.get(f"/admin/gazetteer/signsurvey/{survey.pk}/change/").content.decode()
    assert "字迹褪色" in page and "129.4712345" in page
    assert client.get("/admin/gazetteer/signsurvey/add/").status_code == 403
    assert client.post(f"/admin/gazetteer/signsurvey/{survey.pk}/delete/").status_code == 403
