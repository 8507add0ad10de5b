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


def place_add_data(**overrides) -> dict:
    from gazetteer.models import Category

    data = {
        "name": "莲花湾",
        "category": Category.objects.get(code="07200").pk,
        "unit": AdminUnit.objects.get(code="231084").pk,
        "geom": "",
        "reason": "外业调查新增",
        "status": "in_use",
        "survey_method": "",
        **{f"{prefix}-{key}": 0 for prefix in ("names", "versions") for key in ("TOTAL_FORMS", "INITIAL_FORMS")},
    }
    return {**data, **overrides}


def test_save_and_continue_after_adding_a_place_lands_on_the_new_record(staff):
    from gazetteer.models import Place

    response = staff.post("/admin/gazetteer/place/add/", place_add_data(_continue="1"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    place = Place.objects.filter(name="莲花湾").first()
    assert place is not None, [str(m) for m in staff.get(response["Location"]).context["messages"]]
    assert response["Location"].endswith(f"/{place.pk}/change/")
    assert staff.get(response["Location"]).status_code == 200


def test_a_refused_save_keeps_the_form_says_why_once_and_writes_nothing(staff):
    from core.models import Changeset
    from gazetteer.models import Place

    before = Changeset.objects.count()
    outside = AdminUnit.objects.get(code="231025").geom.point_on_surface  # in 林口县, not in 宁安市
    data = place_add_data(geom=outside.json, meaning="村旁有莲花湾")
    response = staff.post("/admin/gazetteer/place/add/", data)
    assert response.status_code == 200  # the form again, not a redirect
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and errors[0].startswith("Not saved") and "宁安市" in errors[0]
    assert list(response.context["messages"]) == []  # no green "added successfully" beside it
    assert "村旁有莲花湾" in response.content.decode()  # what the officer typed is still there
    assert not Place.objects.filter(name="莲花湾").exists()
    assert Changeset.objects.count() == before  # not even the changeset is left behind


@pytest.mark.django_db
def test_the_admin_history_of_a_place_is_the_diff_in_words_with_who(admin_client, admin_user):
    from core.history import open_changeset
    from core.models import Changeset
    from gazetteer.models import Place
    from gazetteer.services import places as place_service

    place = Place.objects.filter(geom__isnull=False, valid_to__isnull=True).order_by("code").first()
    changeset = open_changeset(Changeset.Kind.EDIT, "补充含义 meaning added", author=admin_user)
    place_service.update_place(
        place, changeset=changeset, changes={"meaning": "因江得名"}, expected_version=place.version
    )
    page = admin_client.get(f"/admin/gazetteer/place/{place.pk}/history/").content.decode()
    assert "补充含义 meaning added" in page and "因江得名" in page and "→" in page
    assert admin_user.get_username() in page  # staff see who
    assert '"meaning"' not in page and "{" not in page.split('id="change-history"')[1].split("</table>")[0]
