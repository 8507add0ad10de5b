"""Sign surveys (标志巡查): a sign as an officer found it in the street, sent from a phone.

A ``SignSurvey`` carries an id made on the phone (``client_id``): the same survey sent twice is one row.
It records the condition found, the day, notes, the surveyor and the position the phone read; the sign's
own condition and last inspection move with it (through gazetteer.services.signs.update_sign, with a
version of the sign). Photos taken at the survey are the sign's photos (core.photos), tied to the survey.
Written by gazetteer.services.sign_surveys only; nothing is deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models

from core.srid import STORAGE_SRID
from gazetteer.models_signs import Sign, SignPhoto

__all__ = ["SignSurvey"]


class SignSurvey(models.Model):
    sign = models.ForeignKey(Sign, on_delete=models.PROTECT, related_name="surveys")
    client_id = models.UUIDField(unique=True, help_text="Made on the phone: the same survey sent twice is one row.")
    surveyed_on = models.DateField()
    condition = models.CharField(max_length=8, choices=Sign.Condition.choices, help_text="The condition found.")
    notes = models.TextField(blank=True)
    surveyor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    position = models.PointField(
        srid=STORAGE_SRID, null=True, blank=True, spatial_index=False, help_text="Where the phone was (GPS)."
    )
    sign_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The sign's version after the survey (unchanged: the version it was)."
    )
    photos = models.ManyToManyField(SignPhoto, blank=True, related_name="surveys")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sign", "-surveyed_on", "-created_at"]
        indexes = [models.Index(fields=["sign", "surveyed_on"], name="signsurvey_sign_day_idx")]

    def __str__(self) -> str:
        return f"{self.sign_id} {self.surveyed_on} {self.condition}"
