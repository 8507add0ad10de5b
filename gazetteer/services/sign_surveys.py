"""Sign surveys (标志巡查), sent from a phone in the street: the only code that writes SignSurvey rows.

- ``record_survey``: a sign as found (condition, day, notes, the position the phone read). The survey
  carries an id made on the phone (``client_id``): the same id again is the survey already made (the
  phone lost the answer and sent it again), never a second one; the same id for another sign is a
  conflict (``SurveyConflict``, 409). The sign's condition and last inspection move with it through
  services.signs.update_sign (the only writer of signs: a version of the sign, reason 标志巡查 and the
  survey's id). A survey older than the sign's last inspection (a phone that stayed offline for days)
  is kept but moves the sign back to nothing.
- ``attach_photo``: a photo taken at the survey, kept as the sign's photo (services.signs.add_photo,
  through core.photos) and tied to the survey.
- Rights: as for signs, the officers of the county the sign stands in (services.signs.may_keep).
A synthetic sign stays synthetic: the survey changes what was found, never what the sign names.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.srid import STORAGE_SRID
from gazetteer.models_sign_surveys import SignSurvey
from gazetteer.models_signs import Sign, SignPhoto
from gazetteer.services import signs

REASON = "标志巡查"
MAX_NOTES = 5000


class SurveyRefused(ValueError):
    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class SurveyConflict(Exception):
    """The client id was sent before for another sign."""


@dataclass(frozen=True)
class SurveySent:
    survey: SignSurvey
    created: bool  # False: the same survey (its client id) had come before


def _forbid_unless_keeper(user, sign: Sign) -> None:
    if not signs.may_keep(user, sign):
        where = sign.county.name if sign.county_id else "no county of the city"
        raise signs.SignForbidden(f"the signs in {where} are surveyed by its officers")


def _again(client_id: uuid.UUID, sign: Sign) -> SurveySent | None:
    earlier = SignSurvey.objects.select_related("sign", "surveyor").filter(client_id=client_id).first()
    if earlier is None:
        return None
    if earlier.sign_id != sign.pk:
        raise SurveyConflict(f"survey {client_id} was sent for sign {earlier.sign.number}, not {sign.number}")
    return SurveySent(earlier, created=False)


def _position(position) -> Point | None:
    if position is None:
        return None
    if position.geom_type != "Point":
        raise SurveyRefused(f"the position is a Point, not a {position.geom_type}", "position")
    if position.srid != STORAGE_SRID:
        position = position.transform(STORAGE_SRID, clone=True)
    return position


@transaction.atomic
def record_survey(
    user,
    sign: Sign,
    client_id: uuid.UUID,
    condition: str,
    surveyed_on: dt.date,
    notes: str = "",
    position: Point | None = None,
) -> SurveySent:
    """The sign as found. Sent again with the same ``client_id`` it is the survey already made."""
    _forbid_unless_keeper(user, sign)
    again = _again(client_id, sign)
    if again:
        return again
    if condition not in Sign.Condition.values:
        raise SurveyRefused(f"condition is one of {', '.join(Sign.Condition.values)}", "condition")
    if surveyed_on > timezone.localdate():
        raise SurveyRefused(f"a survey is not dated in the future ({surveyed_on})", "surveyed_on")
    notes = (notes or "").strip()
    if len(notes) > MAX_NOTES:
        raise SurveyRefused(f"notes are at most {MAX_NOTES} characters", "notes")
    locked = Sign.objects.select_for_update(of=("self",)).select_related("county").get(pk=sign.pk)
    if locked.status == Sign.Status.REMOVED:
        raise SurveyRefused(f"sign {locked.number} was removed on {locked.removed_on}: there is nothing to survey")
    try:
        with transaction.atomic():
            survey = SignSurvey.objects.create(
                sign=locked,
                client_id=client_id,
                surveyed_on=surveyed_on,
                condition=condition,
                notes=notes,
                surveyor=user,
                position=_position(position),
            )
    except IntegrityError:  # the same id arrived twice at once: the other request made it
        return _again(client_id, locked)
    latest = locked.last_inspected_on is None or surveyed_on >= locked.last_inspected_on
    changes = {"condition": condition, "last_inspected_on": surveyed_on} if latest else {}
    moved = signs.update_sign(locked, user=user, reason=f"{REASON} #{survey.pk}", changes=changes)
    survey.sign_version = moved.version
    survey.save(update_fields=["sign_version"])
    return SurveySent(survey, created=True)


@transaction.atomic
def attach_photo(sign: Sign, client_id: uuid.UUID, upload, *, user) -> tuple[SignPhoto, bool]:
    """A photo taken at the survey (sent after it, from the phone's queue): the sign's photo (checked by
    core.photos), tied to the survey. The same photo again is the one kept. Returns (photo, new)."""
    survey = SignSurvey.objects.filter(client_id=client_id).first()
    if survey is None or survey.sign_id != sign.pk:
        raise SurveyRefused(f"no survey {client_id} of sign {sign.number}", "client_id")
    _forbid_unless_keeper(user, sign)
    photo, new = signs.add_photo(sign, upload, user=user, reason=f"{REASON} #{survey.pk}: photo")
    survey.photos.add(photo)
    return photo, new


def surveys_of(sign: Sign):
    return sign.surveys.select_related("surveyor").prefetch_related("photos").order_by("-surveyed_on", "-created_at")
