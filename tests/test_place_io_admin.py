"""Import and export of place records through the admin."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from accounts.models import Role
from accounts.services import create_officer
from gazetteer.models import Place
from tests.gazetteer_helpers import NINGAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    user, _ = create_officer("io_officer", role=Role.OFFICER, counties=[NINGAN], password="pw-12345-abc")
    client = Client()
    client.force_login(user)
    return client


def geojson_upload():
    features = [
        {
            "type": "Feature",
            "properties": {"name": "杏树屯", "category": "07200"},
            "geometry": {"type": "Point", "coordinates": [129.46, 44.33]},
        }
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode()
    return SimpleUploadedFile("villages.geojson", body, content_type="application/geo+json")


def test_dry_run_then_commit_in_the_admin(officer):
    url = "/admin/gazetteer/place/import/"
    assert officer.get(url).status_code == 200
    dry = officer.post(url, {"files": geojson_upload()})
    assert dry.status_code == 200 and "Dry run" in dry.content.decode()
    assert not Place.objects.filter(name="杏树屯").exists()
    done = officer.post(url, {"files": geojson_upload(), "commit": "on", "reason": "外业补录"})
    page = done.content.decode()
    assert "Import: 1 rows read, 1 to create" in page, page[page.find("<h2>") : page.find("<h2>") + 1500]
    place = Place.objects.get(name="杏树屯")
    assert place.code.startswith(NINGAN) and place.versions.get().changeset.reason == "外业补录"


def test_export_action(officer):
    ids = list(Place.objects.filter(admin_unit__code__startswith="231084").values_list("pk", flat=True)[:3])
    response = officer.post("/admin/gazetteer/place/", {"action": "export_geojson", "_selected_action": ids})
    assert response.status_code == 200
    collection = json.loads(response.content)
    assert len(collection["features"]) == 3


def test_the_public_and_approvers_cannot_import():
    approver, _ = create_officer("io_approver", role=Role.APPROVER, password="pw-12345-abc")
    client = Client()
    client.force_login(approver)
    assert client.get("/admin/gazetteer/place/import/").status_code == 403
