"""The holes a hostile probe found, each kept closed: the notice period, cross-county filings, attachments,
print jobs of others, an admin form that leaves fields out, dates, and the API's answers to bad input."""

from __future__ import annotations

import datetime as dt
import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from accounts.models import Role
from accounts.services import create_officer
from core import jobs
from core.models import Changeset, Job
from gazetteer.models import NamingApplication, Place, PlaceVersion
from tests.gazetteer_helpers import HAILIN, NINGAN, POINT_HAILIN, POINT_NINGAN, on_day

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DONGNING = "231086"


def township(name: str) -> Place:
    return Place.objects.get(admin_unit__name=name)


def submit_rename(api, place, county=NINGAN, new_name="渤海镇"):
    return api.post(
        "/api/v1/naming-applications",
        {
            "kind": "rename",
            "place": place.code,
            "county": county,
            "proposed_name": new_name,
            "reason": "恢复历史地名",
            "applicant": "宁安市人民政府",
        },
    )


def to_review(api, number):
    for step, data in (("review", {}), ("opinions", {"expert": "王教授", "verdict": "agree"})):
        response = api.post(f"/api/v1/naming-applications/{number}/{step}", data)
        assert response.status_code == 200, response.content


# ---- the notice period (公示) cannot be skipped ------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"days": -5}, "lasts from 30 to 90 days"),
        ({"days": 0}, "lasts from 30 to 90 days"),
        ({"days": 29}, "lasts from 30 to 90 days"),
        ({"days": 10**9}, "lasts from 30 to 90 days"),
        ({"days": 91}, "lasts from 30 to 90 days"),
        ({"start": (TODAY - dt.timedelta(days=40)).isoformat()}, "cannot start in the past"),
        ({"start": (TODAY + dt.timedelta(days=400)).isoformat()}, "must start within 90 days"),
        ({"start": "9999-12-31"}, "must lie between"),
    ],
)
def test_a_notice_runs_from_today_for_at_least_the_citys_period(accounts, data, message):
    officer = accounts["officer_ningan"]
    number = submit_rename(officer, township("江南朝鲜族满族乡")).json()["number"]
    to_review(officer, number)
    response = officer.post(f"/api/v1/naming-applications/{number}/notice", data)
    assert response.status_code == 400, response.content
    assert message in response.json()["error"]["message"]
    assert NamingApplication.objects.get(number=number).status == "in_review"


def test_a_notice_cannot_be_closed_before_it_has_run(accounts):
    officer = accounts["officer_ningan"]
    number = submit_rename(officer, township("江南朝鲜族满族乡")).json()["number"]
    to_review(officer, number)
    opened = officer.post(f"/api/v1/naming-applications/{number}/notice", {"days": 30})
    assert opened.status_code == 200 and opened.json()["notice_start"] == TODAY.isoformat()
    closed = officer.post(f"/api/v1/naming-applications/{number}/close-notice", {})
    assert closed.status_code == 400 and "runs until" in closed.json()["error"]["message"]
    with on_day(TODAY + dt.timedelta(days=30)):
        assert officer.post(f"/api/v1/naming-applications/{number}/close-notice", {}).status_code == 200


# ---- rights follow the record and its geometry, not what the caller declares -----------------------


def test_an_officer_cannot_file_a_rename_of_another_countys_record_by_declaring_their_own(accounts):
    record = township("绥阳镇")  # 东宁市
    before = NamingApplication.objects.count()
    response = submit_rename(accounts["officer_ningan"], record, county=NINGAN, new_name="绥阳新镇")
    assert response.status_code == 400
    assert "东宁市" in response.json()["error"]["message"]
    assert NamingApplication.objects.count() == before


def test_a_new_name_located_outside_the_declared_county_is_refused(accounts):
    response = accounts["officer_ningan"].post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": NINGAN,
            "proposed_name": "新湾屯",
            "category": "07200",
            "geometry": POINT_HAILIN,
            "reason": "新建居民点",
            "applicant": "某开发公司",
        },
    )
    assert response.status_code == 400 and "outside 宁安市" in response.json()["error"]["message"]


def test_a_point_in_ones_own_county_cannot_be_registered_under_another_countys_unit(accounts):
    before = Place.objects.count()
    response = accounts["officer_ningan"].post(
        "/api/v1/places",
        {"name": "越界屯", "category": "07200", "geometry": POINT_NINGAN, "unit": HAILIN, "reason": "试探"},
    )
    assert response.status_code == 400 and "outside 海林市" in response.json()["error"]["message"]
    assert Place.objects.count() == before


def test_moving_a_records_unit_away_from_its_geometry_is_refused(accounts):
    created = accounts["officer_ningan"].post(
        "/api/v1/places", {"name": "莲花湾", "category": "07200", "geometry": POINT_NINGAN, "reason": "外业"}
    )
    code, version = created.json()["id"], created.json()["properties"]["version"]
    moved = accounts["officer_ningan"].patch(
        f"/api/v1/places/{code}", {"unit": HAILIN, "version": version, "reason": "改隶"}
    )
    assert moved.status_code == 400 and "outside 海林市" in moved.json()["error"]["message"]
    assert Place.objects.get(code=code).unit.code != HAILIN


# ---- dates -----------------------------------------------------------------------------------------


def test_a_record_cannot_end_before_it_begins(accounts):
    response = accounts["officer_ningan"].post(
        "/api/v1/places",
        {
            "name": "莲花湾",
            "category": "07200",
            "geometry": POINT_NINGAN,
            "reason": "外业",
            "valid_from": "2020-01-01",
            "valid_to": "2019-01-01",
        },
    )
    assert response.status_code == 400 and "before the day it begins" in response.json()["error"]["message"]


def test_retiring_on_the_day_the_name_took_effect_is_refused_with_the_reason(accounts):
    created = accounts["officer_ningan"].post(
        "/api/v1/places",
        {"name": "莲花湾", "category": "07200", "geometry": POINT_NINGAN, "reason": "外业", "valid_from": "2020-05-01"},
    )
    code, version = created.json()["id"], created.json()["properties"]["version"]
    retired = accounts["officer_ningan"].post(
        f"/api/v1/places/{code}/retire", {"valid_to": "2020-05-01", "version": version, "reason": "撤销"}
    )
    assert retired.status_code == 400 and "on or before the day it begins" in retired.json()["error"]["message"]


# ---- attachments are served to those who may read the application -----------------------------------


def test_an_attachment_downloads_with_its_type_and_name_for_those_allowed_only(accounts, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = accounts["officer_ningan"]
    number = submit_rename(officer, township("卧龙朝鲜族乡"), new_name="卧龙乡").json()["number"]
    pdf = SimpleUploadedFile("四至图.pdf", b"%PDF-1.4 four boundaries", content_type="application/pdf")
    answer = officer.client.post(
        f"/api/v1/naming-applications/{number}/attachments", {"file": pdf, "title": "四至界线图"}, **officer.headers
    )
    url = answer.json()["attachments"][0]["url"]
    assert url.startswith("/api/v1/attachments/applications/")
    download = officer.client.get(url, **officer.headers)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;") and "filename" in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert b"".join(download.streaming_content) == b"%PDF-1.4 four boundaries"
    assert accounts["approver"].client.get(url, **accounts["approver"].headers).status_code == 200
    assert accounts["officer_hailin"].client.get(url, **accounts["officer_hailin"].headers).status_code == 404
    assert Client().get(url).status_code == 401
    assert officer.client.get("/api/v1/attachments/applications/../../secret_key", **officer.headers).status_code == 404


# ---- print jobs belong to who asked, and to the map makers ---------------------------------------------


def test_print_jobs_are_seen_downloaded_and_cancelled_by_their_owner_and_the_map_makers(db):
    def headers(name, role, counties=()):
        return {"HTTP_AUTHORIZATION": f"Token {create_officer(name, role=role, counties=counties, with_token=True)[1]}"}

    owner, other = headers("officer_a", Role.OFFICER, [NINGAN]), headers("officer_b", Role.OFFICER, [HAILIN])
    cartographer = headers("carto", Role.CARTOGRAPHER)
    client = Client()
    made = client.post("/api/v1/map-jobs", json.dumps({"unit": "231005"}), content_type="application/json", **owner)
    job_id = made.json()["id"]
    for path in (f"/api/v1/map-jobs/{job_id}", f"/api/v1/map-jobs/{job_id}/file"):
        assert client.get(path, **other).status_code == 404, path
    assert client.post(f"/api/v1/map-jobs/{job_id}/cancel", **other).status_code == 404
    assert job_id not in [j["id"] for j in client.get("/api/v1/map-jobs", **other).json()["jobs"]]
    assert job_id in [j["id"] for j in client.get("/api/v1/map-jobs", **cartographer).json()["jobs"]]
    assert client.get(f"/api/v1/map-jobs/{job_id}", **owner).status_code == 200
    assert client.post(f"/api/v1/map-jobs/{job_id}/cancel", **cartographer).status_code == 200
    assert Job.objects.get(pk=job_id).status == Job.Status.CANCELLED
    assert jobs.run_pending() == 0


# ---- an admin form that leaves fields out changes only what it sent -----------------------------------


def test_an_admin_post_without_the_map_and_the_unit_keeps_both(admin_client):
    place = township("东京城镇")
    geom, unit = place.geom, place.unit_id
    data = {
        "category": place.category_id,
        "description": "镇政府驻地",
        "status": place.status,
        "is_public": "on" if place.is_public else "",
        "reason": "补充说明",
        "expected_version": place.version,
    }
    for prefix in ("names", "versions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = admin_client.post(f"/admin/gazetteer/place/{place.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    place.refresh_from_db()
    assert place.description == "镇政府驻地"
    assert place.unit_id == unit and place.geom.equals_exact(geom, 0)
    assert PlaceVersion.objects.filter(place=place).order_by("-version").first().data["description"] == "镇政府驻地"


# ---- every API error is JSON, an unexpected one carries an id that is in the log -----------------------


def test_an_unexpected_error_on_an_api_path_is_a_json_500_with_an_id_in_the_log(client, monkeypatch, caplog):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("gazetteer.api.places.filter_places", explode)
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="core.api"):
        response = client.get("/api/v1/places")
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    error_id = response.json()["error"]["id"]
    assert error_id and "boom" not in response.content.decode()
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)


def test_an_unknown_api_url_is_a_json_404(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.json()["error"]["status"] == 404


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/places?name=a%00b",
        "/api/v1/places/search?q=%E7%89%A1%00",
        "/api/v1/places?category=%00",
        "/api/v1/places/2310840000000000000%00",
        "/api/v1/units?parent=%00",
        "/divisions?x=%00",
    ],
)
def test_a_nul_character_anywhere_in_the_url_is_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "NUL" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("limit=-1", "at least 1"),
        ("limit=0", "at least 1"),
        ("limit=101", "at most 100"),
        ("offset=-5", "at least 0"),
        ("offset=100000000000000000000", "at most"),
        ("limit=abc", "whole number"),
    ],
)
def test_list_paging_is_bounded(client, query, message):
    response = client.get(f"/api/v1/places?{query}&geometry=none")
    assert response.status_code == 400 and message in response.json()["error"]["message"]


def test_nothing_is_written_by_a_refused_json_body(accounts):
    before = (Place.objects.count(), Changeset.objects.count())
    for body in ('{"name": "x", "reason": NaN}', '{"version": 1e400}', "[" * 100_000 + "]" * 100_000):
        response = accounts["officer_ningan"].post("/api/v1/places", body)
        assert response.status_code == 400, body[:40]
        assert response.json()["error"]["message"].startswith("malformed JSON")
    assert (Place.objects.count(), Changeset.objects.count()) == before
