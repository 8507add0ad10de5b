"""Changing units: versions in changesets, conflicts for stale edits, nothing ever deleted."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from boundaries.models import AdminUnit, UnitCode, UnitName
from boundaries.services import units as unit_service
from core.history import ReasonRequired, VersionConflict, open_changeset
from core.models import Changeset

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.create_user("officer_wang")


def edit(officer, reason="依据市政府批复"):
    return open_changeset(Changeset.Kind.EDIT, reason, author=officer)


def test_an_update_bumps_the_version_and_records_who_when_why(officer):
    unit = AdminUnit.objects.get(code="231084101")
    updated = unit_service.update_unit(
        unit, changeset=edit(officer), changes={"valid_from": dt.date(1984, 1, 1)}, expected_version=unit.version
    )
    assert updated.version == unit.version + 1
    version = updated.versions.get(version=updated.version)
    assert version.changeset.author == officer
    assert version.changeset.reason == "依据市政府批复"
    assert version.data["valid_from"] == "1984-01-01"
    assert updated.versions.get(version=unit.version).data["valid_from"] is None  # the old state is kept


def test_a_stale_version_is_a_conflict_and_overwrites_nothing(officer):
    unit = AdminUnit.objects.get(code="231084102")
    first = unit_service.update_unit(
        unit, changeset=edit(officer), changes={"name": "渤海镇（甲）"}, expected_version=unit.version
    )
    with pytest.raises(VersionConflict) as conflict:
        unit_service.update_unit(
            unit, changeset=edit(officer), changes={"name": "渤海镇（乙）"}, expected_version=unit.version
        )
    assert (conflict.value.expected_version, conflict.value.current_version) == (unit.version, first.version)
    assert str(unit.version) in str(conflict.value) and str(first.version) in str(conflict.value)
    assert AdminUnit.objects.get(pk=unit.pk).name == "渤海镇（甲）"


def test_a_rename_keeps_the_old_name_as_a_dated_former_name(officer):
    unit = AdminUnit.objects.get(code="231084103")
    renamed = unit_service.update_unit(
        unit, changeset=edit(officer), changes={"name": "新石岩镇"}, effective=dt.date(2026, 12, 1)
    )
    former = renamed.names.get(kind=UnitName.Kind.FORMER)
    assert (former.name, former.valid_to) == ("石岩镇", dt.date(2026, 12, 1))


def test_a_recode_keeps_the_old_code_so_it_still_finds_the_unit(officer):
    unit = AdminUnit.objects.get(code="231084104")
    unit_service.update_unit(unit, changeset=edit(officer), changes={"code": "231084199"})
    assert AdminUnit.objects.by_any_code("231084104").get().code == "231084199"
    assert UnitCode.objects.get(unit=unit, kind=UnitCode.Kind.FORMER).code == "231084104"


def test_retiring_ends_validity_and_the_unit_stays(officer):
    unit = AdminUnit.objects.get(code="231084105")
    unit_service.retire_unit(unit, changeset=edit(officer, "撤销"), valid_to=dt.date(2026, 12, 31))
    retired = AdminUnit.objects.get(pk=unit.pk)
    assert retired.valid_to == dt.date(2026, 12, 31)
    assert not AdminUnit.objects.current().filter(pk=unit.pk).exists()
    assert AdminUnit.objects.valid_at(dt.date(2026, 12, 30)).filter(pk=unit.pk).exists()
    assert not AdminUnit.objects.valid_at(dt.date(2026, 12, 31)).filter(pk=unit.pk).exists()


def test_units_cannot_be_deleted():
    with pytest.raises(ProtectedError):
        AdminUnit.objects.get(code="231084106").delete()


def test_a_change_needs_a_reason(officer):
    with pytest.raises(ReasonRequired):
        open_changeset(Changeset.Kind.EDIT, "   ", author=officer)
    with pytest.raises(IntegrityError), transaction.atomic():
        Changeset.objects.create(kind=Changeset.Kind.EDIT, author=officer, author_label="x", reason="")


def test_the_database_refuses_invalid_polygons():
    from django.contrib.gis.geos import GEOSGeometry

    bow_tie = GEOSGeometry("MULTIPOLYGON(((129 44, 130 45, 130 44, 129 45, 129 44)))", srid=4490)
    with pytest.raises(IntegrityError), transaction.atomic():
        AdminUnit.objects.filter(code="231084107").update(geom=bow_tie)
