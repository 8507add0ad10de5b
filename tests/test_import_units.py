"""Importing units and their polygons from fixture sources: the good path and every bad one."""

import datetime as dt
import json

import pytest
import shapely
from shapely.geometry import Polygon

from boundaries.importers.cnmaps import import_cnmaps_units
from boundaries.importers.mca import import_mca_townships
from boundaries.models import AdminUnit, AdminUnitVersion, ImportConflict, UnitName
from boundaries.services import units as unit_service
from core.history import open_changeset
from core.imports import ImportRefused, run_import
from core.metric import to_metric
from core.models import Changeset, ImportRun
from tests.builders import geojson_bytes, territory_gcj02, territory_wgs84

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded_units(sources, fixture_territory):
    run_import(sources.add_mca(), import_mca_townships)
    sources.add_reference()
    return AdminUnit.objects.filter(code__startswith="9900")


def test_civil_affairs_list_creates_the_hierarchy_with_levels(loaded_units):
    levels = dict(loaded_units.values_list("code", "level"))
    assert levels == {
        "990000": "city",
        "990001": "county",
        "990002": "district",
        "990001100": "town",
        "990001200": "township",
        "990002001": "subdistrict",
    }
    town = AdminUnit.objects.get(code="990001100")
    assert town.parent.code == "990001" and town.parent.parent.code == "990000"
    assert town.source.key == "fixture-mca"
    assert town.versions.get().changeset.kind == Changeset.Kind.IMPORT


def test_gcj02_polygons_are_converted_checked_and_attached(sources, loaded_units):
    report = run_import(sources.add_polygons(), import_cnmaps_units)
    city = AdminUnit.objects.get(code="990000")
    wgs = territory_wgs84()["990000"]
    stored = shapely.from_wkb(bytes(city.geom.wkb))
    # Back on WGS84 to well under a centimetre: the stored polygon is the converted one.
    assert shapely.hausdorff_distance(to_metric(stored), to_metric(wgs)) < 0.01
    assert report.figures["median distance to fixture-reference outline, converted (m)"] < 1
    assert report.figures["median distance to fixture-reference outline, as shipped (m)"] > 300
    assert city.area_km2 == pytest.approx(to_metric(wgs).area / 1e6, rel=1e-6)
    assert city.geometry_source.conversion == "gcj02_to_wgs84"
    assert "tile the city" in " ".join(report.facts)


def test_wrong_datum_declaration_is_refused_and_nothing_changes(sources, loaded_units):
    wrong = sources.add_polygons(datum="WGS84", conversion="")  # GCJ-02 files declared as WGS84
    with pytest.raises(ImportRefused, match=r"datum check failed: .* lies \d+ m"):
        run_import(wrong, import_cnmaps_units)
    assert not AdminUnit.objects.filter(code__startswith="9900", geom__isnull=False).exists()
    failed = ImportRun.objects.get(source__key="fixture-polygons")
    assert failed.status == ImportRun.Status.FAILED
    assert "datum check failed" in failed.report["warnings"][0]


def test_bow_tie_polygon_is_refused_with_its_reason(sources, loaded_units):
    files = {f"{c}.geojson": geojson_bytes(g) for c, g in territory_gcj02().items()}
    files["990001.geojson"] = geojson_bytes(Polygon([(129.5, 44.5), (129.6, 44.7), (129.6, 44.5), (129.5, 44.7)]))
    with pytest.raises(ImportRefused, match=r"990001.geojson: invalid geometry: Self-intersection"):
        run_import(sources.add_polygons(polygons=files), import_cnmaps_units)
    assert not AdminUnit.objects.filter(code__startswith="9900", geom__isnull=False).exists()


def test_malformed_json_is_refused(sources, loaded_units):
    files = {f"{c}.geojson": geojson_bytes(g) for c, g in territory_gcj02().items()}
    files["990002.geojson"] = b'{"type": "MultiPolygon", "coordinates": [[[[129.6, 44.5], '
    with pytest.raises(ImportRefused, match=r"990002.geojson: not valid JSON"):
        run_import(sources.add_polygons(polygons=files), import_cnmaps_units)


def test_projected_coordinates_are_refused(sources, loaded_units):
    files = {f"{c}.geojson": geojson_bytes(to_metric(g)) for c, g in territory_wgs84().items()}
    with pytest.raises(ImportRefused, match=r"not longitude/latitude.*declare its CRS"):
        run_import(sources.add_polygons(polygons=files), import_cnmaps_units)


def test_counties_that_do_not_tile_the_city_are_refused_with_the_place(sources, loaded_units):
    parts = territory_gcj02()
    shrunk = parts["990002"].buffer(-0.001)  # ~100 m gap along every edge of 乙区
    files = {
        "990000.geojson": geojson_bytes(parts["990000"]),
        "990001.geojson": geojson_bytes(parts["990001"]),
        "990002.geojson": geojson_bytes(shrunk),
    }
    with pytest.raises(ImportRefused, match=r"do not tile the city: gap of [\d,.]+ m2 at 129\.\d+E 44\.\d+N"):
        run_import(sources.add_polygons(polygons=files), import_cnmaps_units)


def test_polygons_for_unknown_units_are_refused(sources, fixture_territory):
    sources.add_reference()
    with pytest.raises(ImportRefused, match="load the civil-affairs list first"):
        run_import(sources.add_polygons(), import_cnmaps_units)


def test_rerunning_the_same_source_changes_nothing(sources, loaded_units):
    run_import(sources.add_polygons(), import_cnmaps_units)
    versions = AdminUnitVersion.objects.count()
    report = run_import(sources.add_polygons(), import_cnmaps_units)
    assert AdminUnitVersion.objects.count() == versions
    assert report.counts["unchanged unit polygons"] == 3
    assert ImportRun.objects.filter(source__key="fixture-polygons").first().status == ImportRun.Status.UNCHANGED


def test_a_later_vintage_is_applied_as_dated_changes_and_keeps_officer_edits(sources, loaded_units, django_user_model):
    officer = django_user_model.objects.create_user("officer")
    edit = open_changeset(Changeset.Kind.EDIT, "名称以批复为准", author=officer)
    unit_service.update_unit(AdminUnit.objects.get(code="990001200"), changeset=edit, changes={"name": "二道乡"})

    later = [list(row) for row in json.loads(sources.add_mca().read("divisions.json"))["divisions"]]
    later[3][3] = "一道镇"  # renamed in the later list
    later[4][3] = "二家乡"  # also renamed, but the officer's edit must win
    run_import(sources.add_mca(divisions=later, vintage_date=dt.date(2026, 6, 30)), import_mca_townships)

    renamed = AdminUnit.objects.get(code="990001100")
    assert renamed.name == "一道镇"
    former = renamed.names.get(kind=UnitName.Kind.FORMER)
    assert (former.name, former.valid_to) == ("一镇", dt.date(2026, 6, 30))
    kept = AdminUnit.objects.get(code="990001200")
    assert kept.name == "二道乡"
    conflict = ImportConflict.objects.get(unit=kept)
    assert (conflict.field, conflict.current_value, conflict.incoming_value) == ("name", "二道乡", "二家乡")
    assert AdminUnit.objects.filter(code__startswith="9900").count() == 6  # nothing removed or duplicated
