"""Role x action x county, through the API and through the admin."""

import pytest
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from gazetteer.models import Place
from tests.gazetteer_helpers import (
    HAILIN,
    NINGAN,
    POINT_HAILIN,
    POINT_NINGAN,
    line_across_ningan_and_hailin,
)

pytestmark = pytest.mark.django_db

ROLES = ["public", "officer_ningan", "officer_hailin", "approver", "administrator"]
WHERE = {"ningan": POINT_NINGAN, "hailin": POINT_HAILIN, "across": None}

# Expected outcome of editing (create / update / retire / apply) per role and where the record lies.
EDITS = {
    "public": {"ningan": False, "hailin": False, "across": False},
    "officer_ningan": {"ningan": True, "hailin": False, "across": True},
    "officer_hailin": {"ningan": False, "hailin": True, "across": True},
    "approver": {"ningan": False, "hailin": False, "across": False},
    "administrator": {"ningan": True, "hailin": True, "across": True},
}
DECIDES = {"public": False, "officer_ningan": False, "officer_hailin": False, "approver": True, "administrator": True}
READS_NON_PUBLIC = {
    "public": False,
    "officer_ningan": True,
    "officer_hailin": True,
    "approver": True,
    "administrator": True,
}


def geometry(where):
    return line_across_ningan_and_hailin() if where == "across" else WHERE[where]


def make_record(accounts, where, *, public=True) -> str:
    category = "08100" if where == "across" else "07200"
    response = accounts["administrator"].post(
        "/api/v1/places",
        {
            "name": f"测试{where}地",
            "category": category,
            "geometry": geometry(where),
            "reason": "权限测试",
            "is_public": public,
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["properties"]["code"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["ningan", "hailin", "across"])
def test_create(accounts, role, where):
    response = accounts[role].post(
        "/api/v1/places",
        {
            "name": "矩阵测试",
            "category": "08100" if where == "across" else "07200",
            "geometry": geometry(where),
            "reason": "权限测试",
        },
    )
    assert (response.status_code == 201) == EDITS[role][where], response.content
    assert response.status_code in (201, 401, 403)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["ningan", "hailin", "across"])
def test_update_and_retire(accounts, role, where):
    code = make_record(accounts, where)
    update = accounts[role].patch(f"/api/v1/places/{code}", {"version": 1, "reason": "权限测试", "history": "x"})
    assert (update.status_code == 200) == EDITS[role][where]
    version = Place.objects.get(code=code).version
    retire = accounts[role].post(
        f"/api/v1/places/{code}/retire", {"version": version, "reason": "权限测试", "valid_to": "2026-12-31"}
    )
    assert (retire.status_code == 200) == EDITS[role][where]


@pytest.mark.parametrize("role", ROLES)
def test_read_non_public(accounts, role):
    code = make_record(accounts, "ningan", public=False)
    assert (accounts[role].get(f"/api/v1/places/{code}").status_code == 200) == READS_NON_PUBLIC[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("county", "where"), [(NINGAN, "ningan"), (HAILIN, "hailin")])
def test_submit_and_decide_applications(accounts, role, county, where):
    submitted = accounts[role].post(
        "/api/v1/naming-applications",
        {
            "kind": "name",
            "county": county,
            "proposed_name": "权限路",
            "category": "08100",
            "geometry": geometry(where),
            "reason": "权限测试",
            "applicant": "测试",
        },
    )
    assert (submitted.status_code == 201) == EDITS[role][where]
    number = (
        accounts["administrator"]
        .post(
            "/api/v1/naming-applications",
            {
                "kind": "name",
                "county": county,
                "proposed_name": "决定路",
                "category": "08100",
                "geometry": geometry(where),
                "reason": "权限测试",
                "applicant": "测试",
            },
        )
        .json()["number"]
    )
    rejected = accounts[role].post(f"/api/v1/naming-applications/{number}/reject", {"reason": "权限测试"})
    assert (rejected.status_code == 200) == DECIDES[role]


@pytest.fixture
def admin_logins(db):
    clients = {}
    for name, role, counties in [("admin_ningan", Role.OFFICER, [NINGAN]), ("admin_approver", Role.APPROVER, [])]:
        user, _ = create_officer(name, role=role, counties=counties, password="pw-12345-abc")
        client = Client()
        client.force_login(user)
        clients[name] = client
    return clients


def test_admin_follows_the_same_rules(accounts, admin_logins):
    own, other = make_record(accounts, "ningan"), make_record(accounts, "hailin")
    officer = admin_logins["admin_ningan"]
    own_pk, other_pk = Place.objects.get(code=own).pk, Place.objects.get(code=other).pk
    assert officer.get("/admin/gazetteer/place/").status_code == 200
    own_page = officer.get(f"/admin/gazetteer/place/{own_pk}/change/").content.decode()
    other_page = officer.get(f"/admin/gazetteer/place/{other_pk}/change/").content.decode()
    assert 'name="reason"' in own_page  # an editable form
    assert 'name="reason"' not in other_page  # read-only: outside the officer's county
    assert officer.get(f"/admin/gazetteer/place/{own_pk}/delete/").status_code == 403
    approver_page = admin_logins["admin_approver"].get(f"/admin/gazetteer/place/{own_pk}/change/").content.decode()
    assert 'name="reason"' not in approver_page
    assert admin_logins["admin_approver"].get("/admin/boundaries/adminunit/").status_code == 403
