"""Login throttling on the admin's login form (django-axes, settings AXES_*): a user name is locked for
one client address after AXES_FAILURE_LIMIT wrong passwords, for AXES_COOLOFF_TIME; the client address
follows the rate limit's trusted-proxy rule (core.ratelimit.client_key)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"
OFFICE, HOME, PROXY = "203.0.113.7", "198.51.100.20", "10.0.0.2"


@pytest.fixture
def fast_hashing(settings):
    """A wrong password costs a full password hash (PBKDF2): a cheap one here, for tests of many logins."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officers(db, fast_hashing):
    make = get_user_model().objects.create_user
    return [make(name, password=PASSWORD, is_staff=True) for name in ("throttle_wang", "throttle_li")]


def log_in(username: str, password: str, address: str = OFFICE, **headers):
    return Client().post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **headers
    )


def fail(username: str, times: int, address: str = OFFICE, **headers) -> None:
    for _ in range(times):
        response = log_in(username, "wrong password", address, **headers)
        assert response.status_code in (200, 429)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def test_the_right_password_is_refused_while_locked_and_the_answer_says_until_when(officers, settings):
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT)
    response = log_in("throttle_wang", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    assert "Try again after" in body and "请于" in body
    assert until.strftime("%H:%M") in body or (until - dt.timedelta(minutes=1)).strftime("%H:%M") in body
    assert 0 < int(response["Retry-After"]) <= settings.AXES_COOLOFF_TIME.total_seconds()
    assert response.has_header("Content-Security-Policy")
    assert "_auth_user_id" not in response.wsgi_request.session


def test_a_few_mistakes_do_not_lock_and_a_success_resets_the_count(officers, settings):
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT - 1)
    assert logged_in(log_in("throttle_wang", PASSWORD))
    assert not AccessAttempt.objects.filter(username="throttle_wang").exists()
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT - 1)
    assert logged_in(log_in("throttle_wang", PASSWORD))


def test_another_user_at_the_same_address_is_not_locked(officers, settings):
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT)
    assert log_in("throttle_wang", PASSWORD).status_code == 429
    assert logged_in(log_in("throttle_li", PASSWORD))


def test_the_same_user_at_another_address_is_not_locked(officers, settings):
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT)
    assert log_in("throttle_wang", PASSWORD).status_code == 429
    assert logged_in(log_in("throttle_wang", PASSWORD, address=HOME))


def test_the_lock_ends_after_the_cool_off(officers, settings):
    assert dt.timedelta(minutes=5) <= settings.AXES_COOLOFF_TIME <= dt.timedelta(hours=1)  # never for ever
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT)
    assert log_in("throttle_wang", PASSWORD).status_code == 429
    fail("throttle_wang", 3)  # tries during the lock do not extend it
    AccessAttempt.objects.filter(username="throttle_wang").update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=5)
    )
    assert logged_in(log_in("throttle_wang", PASSWORD))


def test_clients_behind_a_trusted_proxy_are_told_apart_by_x_forwarded_for(officers, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT, address=PROXY, HTTP_X_FORWARDED_FOR=OFFICE)
    assert log_in("throttle_wang", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=OFFICE).status_code == 429
    assert AccessAttempt.objects.get(username="throttle_wang").ip_address == OFFICE
    # the same proxy, another client behind it: not locked
    assert logged_in(log_in("throttle_wang", PASSWORD, PROXY, HTTP_X_FORWARDED_FOR=HOME))


def test_x_forwarded_for_from_an_untrusted_client_is_ignored(officers, settings):
    settings.TRUSTED_PROXIES = []
    fail("throttle_wang", settings.AXES_FAILURE_LIMIT, address=OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.1")
    # a made-up X-Forwarded-For does not escape the lock of the connecting address
    assert log_in("throttle_wang", PASSWORD, OFFICE, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429
    assert AccessAttempt.objects.get(username="throttle_wang").ip_address == OFFICE


def test_the_test_clients_login_and_force_login_still_work(officers):
    client = Client()
    assert client.login(username="throttle_wang", password=PASSWORD)
    assert client.get("/admin/").status_code == 200
    assert not Client().login(username="throttle_wang", password="wrong password")
    other = Client()
    other.force_login(officers[1])
    assert other.get("/admin/").status_code == 200


@pytest.mark.browser
def test_the_lockout_page_in_the_browser(page, django_db_blocker, settings):
    """Through the real server: the form's answer once locked is the 429 page, within the CSP."""
    username = f"throttle_browser_{uuid.uuid4().hex[:8]}"  # no such user: failures count all the same
    page.goto(page.origin + LOGIN)
    statuses = []
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.fill("#id_username", username)
        page.fill("#id_password", "wrong password")
        with page.expect_navigation() as answer:
            page.click("input[type=submit]")
        statuses.append(answer.value.status)
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]  # the failure that locks says so
    page.errors[:] = [error for error in page.errors if "status of 429" not in error]
    text = page.locator("#content-main").inner_text()
    assert "Try again after" in text and "分钟后" in text
    page.screenshot(path=str(settings.BASE_DIR / "var" / "screenshot-login-locked.png"))
    page.locator("a", has_text="Back to the login page").click()
    page.wait_for_selector("#id_username")
    with django_db_blocker.unblock():
        AccessAttempt.objects.filter(username=username).delete()
