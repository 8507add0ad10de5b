"""Who a token is, kept per process (accounts.auth): one query the first time, none while nothing
changed, and a revoked token, a deactivated user or a changed role is seen at once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.auth import InvalidToken, user_for_key
from accounts.models import ApiToken, Role
from accounts.roles import roles
from accounts.services import create_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return create_officer("kept_officer", role=Role.CARTOGRAPHER, counties=[], with_token=True)


def test_a_kept_token_costs_no_query_until_something_changes(settings, officer, django_assert_num_queries):
    user, key = officer
    with django_assert_num_queries(3):  # the generation, the token with its user and roles, its first use
        found = user_for_key(key)
    assert found.pk == user.pk and roles(found) == {Role.CARTOGRAPHER}
    settings.CREDENTIALS_REFRESH_SECONDS = 3600
    with django_assert_num_queries(0):
        again = user_for_key(key)
    assert again is not found and again.pk == user.pk  # a new object each time, never shared
    assert roles(again) == {Role.CARTOGRAPHER}


def test_a_revoked_token_is_refused_at_once(officer):
    user, key = officer
    user_for_key(key)
    token = ApiToken.objects.get(user=user)
    token.revoked_at = timezone.now()
    token.save()
    with pytest.raises(InvalidToken):
        user_for_key(key)


def test_a_deactivated_user_is_refused_at_once(officer):
    user, key = officer
    user_for_key(key)
    user.is_active = False
    user.save()
    with pytest.raises(InvalidToken):
        user_for_key(key)


def test_a_changed_role_is_seen_at_once(officer):
    user, key = officer
    assert roles(user_for_key(key)) == {Role.CARTOGRAPHER}
    user.groups.add(Group.objects.get_or_create(name=Role.APPROVER)[0])
    assert roles(user_for_key(key)) == {Role.CARTOGRAPHER, Role.APPROVER}


def test_an_unknown_key_is_never_kept(django_assert_num_queries):
    for _ in range(2):
        with django_assert_num_queries(2), pytest.raises(InvalidToken):  # the generation and the look-up
            user_for_key("not-a-key")


def test_the_last_use_is_written_once_a_minute_at_most(officer, django_assert_num_queries):
    user, key = officer
    user_for_key(key)
    first = ApiToken.objects.get(user=user).last_used_at
    assert first is not None
    with django_assert_num_queries(1):  # the generation only: no second write within the minute
        user_for_key(key)
    assert ApiToken.objects.get(user=user).last_used_at == first
