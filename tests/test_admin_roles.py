"""Which admin pages each role opens: administrators manage units, officers, their counties and tokens."""

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from boundaries.models import AdminUnit
from tests.gazetteer_helpers import NINGAN

pytestmark = pytest.mark.django_db
ADMINISTRATORS_ONLY = ["/admin/auth/user/", "/admin/accounts/apitoken/", "/admin/accounts/countyassignment/"]


def client_for(role, counties=()):
    user, _ = create_officer(f"roles_{role}", role=role, counties=list(counties), password="pw-12345-abc")
    client = Client()
    client.force_login(user)
    return client, user


def test_the_administrator_role_opens_units_users_tokens_and_counties():
    client, user = client_for(Role.ADMINISTRATOR)
    unit = AdminUnit.objects.get(code=NINGAN)
    for url in [*ADMINISTRATORS_ONLY, "/admin/boundaries/adminunit/", f"/admin/boundaries/adminunit/{unit.pk}/change/"]:
        assert client.get(url).status_code == 200, url
    assert client.get(f"/admin/auth/user/{user.pk}/change/").status_code == 200
    assert client.get(f"/admin/auth/user/{user.pk}/delete/").status_code == 403  # made inactive, never deleted


def test_other_roles_see_neither_units_nor_accounts():
    client, _ = client_for(Role.OFFICER, [NINGAN])
    unit = AdminUnit.objects.get(code=NINGAN)
    for url in [*ADMINISTRATORS_ONLY, "/admin/boundaries/adminunit/", f"/admin/boundaries/adminunit/{unit.pk}/change/"]:
        assert client.get(url).status_code == 403, url


def test_the_place_list_shows_an_officer_their_counties_first():
    from tests.gazetteer_helpers import HAILIN

    client, _ = client_for(Role.OFFICER, [NINGAN])
    mine = client.get("/admin/gazetteer/place/").context["cl"]
    codes = {place.code[:6] for place in mine.queryset}
    assert codes and codes <= {NINGAN}  # 宁安市's records only, until they choose otherwise
    everything = client.get("/admin/gazetteer/place/", {"county": "all"}).context["cl"]
    assert everything.queryset.count() > mine.queryset.count()
    hailin = client.get("/admin/gazetteer/place/", {"county": HAILIN}).context["cl"]
    assert {place.code[:6] for place in hailin.queryset} == {HAILIN}
    page = client.get("/admin/gazetteer/place/").content.decode()
    assert "我的县 My counties" in page and "全部 All" in page


def test_the_application_list_filters_by_county_not_by_every_unit():
    client, _ = client_for(Role.ADMINISTRATOR)
    page = client.get("/admin/gazetteer/namingapplication/")
    assert page.status_code == 200
    county_filter = next(spec for spec in page.context["cl"].filter_specs if spec.title.startswith("county"))
    names = [name for _, name in county_filter.lookup_choices]
    assert len(names) == 10 and "宁安市" in names


@pytest.mark.parametrize("value", ["not-a-county", "9" * 500, "mine"])
def test_the_county_filter_takes_any_value_without_failing(value):
    client, _ = client_for(Role.APPROVER)  # no counties of their own: "mine" is not offered
    response = client.get("/admin/gazetteer/place/", {"county": value})
    assert response.status_code in (200, 302)  # Django's admin sends an unknown choice back to the list
