"""The Django admin for units: offline map widgets, reasons, versions and conflicts."""

import re

import pytest

from boundaries.models import AdminUnit

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(admin_client):
    return admin_client


def change_url(unit):
    return f"/admin/boundaries/adminunit/{unit.pk}/change/"


def form_data(unit, **overrides):
    data = {
        "code": unit.code,
        "name": unit.name,
        "level": unit.level,
        "tier": unit.tier,
        "parent": unit.parent_id or "",
        "valid_from": "",
        "valid_to": "",
        "geom": unit.geom.geojson if unit.geom else "",
        "seat": unit.seat.geojson if unit.seat else "",
        "reason": "核对边界",
        "expected_version": unit.version,
    }
    for prefix in ("names", "codes", "versions"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update(overrides)
    return data


def test_change_page_map_works_offline(staff):
    unit = AdminUnit.objects.get(code="231025")
    page = staff.get(change_url(unit)).content.decode()
    assert "/static/vendor/ol/ol." in page
    assert '"/tiles/{z}/{x}/{y}.mvt"' in page  # the base layer is the system's own vector tiles
    external = re.findall(r"""(?:src|href|url)\s*[=:]\s*["']?(https?://[^"' )]+)""", page)
    assert external == []
    assert "cdn.jsdelivr" not in page and "openstreetmap" not in page.lower()


def test_saving_records_a_version_with_the_reason(staff, admin_user):
    unit = AdminUnit.objects.get(code="231025100")
    response = staff.post(change_url(unit), form_data(unit, name="林口镇"))
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.version == 1  # unchanged fields make no new version
    response = staff.post(change_url(unit), form_data(unit, valid_from="1956-01-01"))
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.version == 2
    latest = unit.versions.get(version=2)
    assert latest.changeset.author == admin_user and latest.changeset.reason == "核对边界"


def test_a_stale_form_is_refused_with_a_conflict(staff):
    unit = AdminUnit.objects.get(code="231025101")
    stale = form_data(unit, name="古城镇（旧表单）")
    staff.post(change_url(unit), form_data(unit, valid_from="1956-01-01"))
    response = staff.post(change_url(unit), stale)
    assert response.status_code == 200
    assert "Conflict" in response.content.decode()
    assert AdminUnit.objects.get(pk=unit.pk).name == "古城镇"


def test_a_reason_is_required(staff):
    unit = AdminUnit.objects.get(code="231025102")
    response = staff.post(change_url(unit), form_data(unit, reason="", valid_from="1956-01-01"))
    assert response.status_code == 200
    assert AdminUnit.objects.get(pk=unit.pk).version == unit.version


def test_units_cannot_be_deleted_in_the_admin(staff):
    unit = AdminUnit.objects.get(code="231025104")
    assert staff.get(f"/admin/boundaries/adminunit/{unit.pk}/delete/").status_code == 403


def test_list_and_search_by_former_code(staff):
    page = staff.get("/admin/boundaries/adminunit/?q=231024").content.decode()
    assert "东宁市" in page
