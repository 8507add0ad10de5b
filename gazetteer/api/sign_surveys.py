"""Sign surveys (标志巡查) from a phone: thin views over gazetteer.services.sign_surveys on ``router``
(config.api mounts it under /api/v1/); what they answer is in gazetteer.openapi_sign_surveys.

A survey carries an id made on the phone (``client_id``): 201 when it is new, 200 with the same survey
when the id came before (the phone may send again after a lost answer), 409 when the id was used for
another sign. Surveys are the bureau's working data: staff read them, the officers of the county the
sign stands in write them."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated

from ninja import Path, Router
from pydantic import Field

from accounts.roles import is_staff_reader
from core.api import ApiError
from core.http import json_response
from core.photo_responses import uploaded_file
from core.photos import PhotoRefused
from core.restapi import OFFICERS, Answer, Day, Geometry, Json, OneOf, StrictSchema, Text, endpoint
from core.srid import API_SRID
from gazetteer.models_sign_surveys import SignSurvey
from gazetteer.models_signs import Sign
from gazetteer.services import sign_surveys as service
from gazetteer.services import signs as sign_service

router = Router()
SignNumber = Annotated[Text(40), Path(description="标志编号, e.g. BZ-2026-000001", examples=["BZ-2026-000001"])]
ClientIdPath = Annotated[Text(36), Path(description="The survey's id, made on the phone (a UUID)")]
ClientId = Text(36, min_length=36, description="An id made on the phone (a UUID): the same survey sent twice is one")
SYNTHETIC_NOTE = "示例: the sign names a synthetic demonstration record"
COORDINATE_DECIMALS = 7


def _staff(request) -> None:
    if not is_staff_reader(request.user):
        raise ApiError(403, "sign surveys are the bureau's working data: staff only")


def _sign(number: str) -> Sign:
    found = Sign.objects.select_related("county").filter(number=number).first()
    if found is None:
        raise ApiError(404, f"no sign has the number {number!r}")
    return found


def _client_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise ApiError(400, "client_id must be a UUID made on the phone", field="client_id") from None


@contextlib.contextmanager
def _rules():
    try:
        yield
    except (service.SurveyRefused, sign_service.SignRefused) as exc:
        raise ApiError(400, str(exc), **({"field": exc.field} if exc.field else {})) from None
    except sign_service.SignForbidden as exc:
        raise ApiError(403, str(exc)) from None
    except service.SurveyConflict as exc:
        raise ApiError(409, str(exc), field="client_id") from None


def _point(geom) -> dict | None:
    if geom is None:
        return None
    point = geom.transform(API_SRID, clone=True)
    return {"type": "Point", "coordinates": [round(point.x, COORDINATE_DECIMALS), round(point.y, COORDINATE_DECIMALS)]}


def survey_json(survey: SignSurvey) -> dict:
    sign = survey.sign
    found = {
        "client_id": str(survey.client_id),
        "sign": sign.number,
        "sign_text": f"{sign.text}{sign.number_text}",
        "surveyed_on": survey.surveyed_on.isoformat(),
        "condition": survey.condition,
        "notes": survey.notes,
        "surveyor": survey.surveyor.get_username(),
        "position": _point(survey.position),
        "sign_version": survey.sign_version,
        "photos": [
            {
                "id": p.pk,
                "format": p.format,
                "width": p.width,
                "height": p.height,
                "sha256": p.sha256,
                "uploaded_at": p.uploaded_at.isoformat(),
                "retired": p.retired_at is not None,
            }
            for p in survey.photos.order_by("uploaded_at", "id")
        ],
        "created_at": survey.created_at.isoformat(),
        "synthetic": sign.is_synthetic,
    }
    if sign.is_synthetic:
        found["note"] = SYNTHETIC_NOTE
    return found


@endpoint(
    router,
    "GET",
    "/signs/{number}/surveys",
    operation_id="listSignSurveys",
    summary="A sign's surveys (标志巡查), newest first (staff)",
    tag=OFFICERS,
    officer=True,
    answers=Answer("The surveys", "SignSurveys"),
    errors=("400", "401", "403", "404"),
    url_name="sign-surveys",
)
def survey_list(request, number: SignNumber):
    _staff(request)
    sign = _sign(number)
    return json_response({"sign": sign.number, "surveys": [survey_json(s) for s in service.surveys_of(sign)[:500]]})


class SurveySent(StrictSchema):
    client_id: ClientId
    condition: OneOf(Sign.Condition.values, "The condition found: good, faded, damaged, missing")
    surveyed_on: Day
    notes: Text(service.MAX_NOTES) = ""
    position: Geometry | None = Field(None, description="A Point: where the phone was (its GPS), WGS84")


@endpoint(
    router,
    "POST",
    "/signs/{number}/surveys",
    operation_id="sendSignSurvey",
    summary="A sign as found in the field; the same client_id sent again answers the survey made",
    description="201 when the survey is new (the sign's condition and last inspection move with it, as a "
    "version of the sign); 200 with the same survey when its client_id came before, so a phone that lost "
    "its connection may send it again without making a second record; 409 when the client_id was sent "
    "for another sign.",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The survey, new", "SignSurvey", status="201"),
        Answer("The survey, as made before", "SignSurvey"),
    ],
    url_name="sign-survey-create",
)
def survey_create(request, number: SignNumber, body: Json[SurveySent]):
    sign = _sign(number)
    if body.position is not None and body.position.geom_type != "Point":
        raise ApiError(400, f"position is a Point, not a {body.position.geom_type}", field="position")
    with _rules():
        sent = service.record_survey(
            request.user,
            sign,
            _client_id(body.client_id),
            body.condition,
            body.surveyed_on,
            body.notes,
            body.position,
        )
    return json_response(survey_json(sent.survey), status=201 if sent.created else 200)


PHOTO_FORM = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary", "description": "JPEG, PNG or WebP"}},
    "required": ["file"],
}


@endpoint(
    router,
    "POST",
    "/signs/{number}/surveys/{client_id}/photos",
    operation_id="addSignSurveyPhoto",
    summary="A photo taken at a sign survey (multipart: file), kept as the sign's photo",
    description="Checked by core.photos (its bytes, a size limit before decoding, a pixel limit). The same "
    "photo sent again answers 200 with the survey.",
    tag=OFFICERS,
    officer=True,
    answers=[
        Answer("The survey with its photos", "SignSurvey", status="201"),
        Answer("The photo had come before: the survey", "SignSurvey"),
    ],
    request_body={"required": True, "content": {"multipart/form-data": {"schema": PHOTO_FORM}}},
    url_name="sign-survey-photo",
)
def survey_photo(request, number: SignNumber, client_id: ClientIdPath):
    sign = _sign(number)
    upload = uploaded_file(request, "field 'file'")
    key = _client_id(client_id)
    try:
        with _rules():
            _, new = service.attach_photo(sign, key, upload, user=request.user)
    except PhotoRefused as refused:
        raise ApiError(refused.status, refused.message, field="file") from None
    survey = SignSurvey.objects.select_related("sign", "surveyor").get(client_id=key)
    return json_response(survey_json(survey), status=201 if new else 200)
