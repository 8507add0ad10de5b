"""Accounts and requests for the gazetteer tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from unittest import mock

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer

NINGAN, HAILIN = "231084", "231083"
# A point in 宁安市 near its seat, one in 海林市, and a line across the 宁安/海林 boundary.
POINT_NINGAN = {"type": "Point", "coordinates": [129.47, 44.34]}
POINT_HAILIN = {"type": "Point", "coordinates": [129.38, 44.57]}


class Api:
    """A client that speaks JSON with a token (or anonymously)."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Token {token}"} if token else {}

    def get(self, url, **params):
        return self.client.get(url, params, **self.headers)

    def post(self, url, data: dict | str):
        body = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)
        return self.client.post(url, body, content_type="application/json", **self.headers)

    def patch(self, url, data: dict):
        return self.client.patch(
            url, json.dumps(data, ensure_ascii=False), content_type="application/json", **self.headers
        )


@pytest.fixture
def accounts(db):
    """One API client per role: anonymous, officers of 宁安市 and 海林市, an approver, an administrator."""
    made = {"public": Api()}
    for name, role, counties in [
        ("officer_ningan", Role.OFFICER, [NINGAN]),
        ("officer_hailin", Role.OFFICER, [HAILIN]),
        ("approver", Role.APPROVER, []),
        ("administrator", Role.ADMINISTRATOR, []),
    ]:
        _, key = create_officer(name, role=role, counties=counties, with_token=True)
        made[name] = Api(key)
    return made


def line_across_ningan_and_hailin() -> dict:
    """A line from a point in 海林市 to one in 宁安市: it crosses their shared boundary."""
    return {"type": "LineString", "coordinates": [POINT_HAILIN["coordinates"], POINT_NINGAN["coordinates"]]}


@contextlib.contextmanager
def on_day(day: dt.date):
    """The services' "today" is ``day`` (a notice that ran in the past is opened on its first day)."""
    with mock.patch("gazetteer.services.places.today", return_value=day):
        yield
