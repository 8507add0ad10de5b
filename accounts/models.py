"""Officers' roles and counties, and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """Roles are Django groups of these names; the public needs no account."""

    OFFICER = "place_name_officer", "地名工作人员 place-name officer"
    APPROVER = "approver", "审批人 approver"
    ADMINISTRATOR = "administrator", "管理员 administrator"
    CARTOGRAPHER = "cartographer", "制图人员 cartographer"


class CountyAssignment(models.Model):
    """An officer works for a county-level unit: they may edit the records that touch it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="county_assignments")
    # By name: accounts sits below boundaries and imports nothing from it.
    county = models.ForeignKey("boundaries.AdminUnit", on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "county"], name="countyassignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.county.name}"


class ApiToken(models.Model):
    """A token for API clients: ``Authorization: Token <key>``. Only a hash of the key is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=8, help_text="The first characters of the key, to tell tokens apart.")
    key_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user, label: str = "") -> tuple[ApiToken, str]:
        """A new token and its key; the key is shown once and not stored."""
        key = secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, prefix=key[:8], key_hash=cls.hash_key(key), label=label)
        return token, key
