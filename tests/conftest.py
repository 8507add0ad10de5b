"""Test set-up: the test database gets the real base data once per session (committed, so that it
survives each test's rolled-back transaction); fixture sources live in tmp folders."""

from __future__ import annotations

import pytest

from tests.browser import browser, page  # noqa: F401 (fixtures)
from tests.builders import SourceFolder
from tests.gazetteer_helpers import accounts  # noqa: F401 (fixture)
from tests.live_server import server, static_manifest  # noqa: F401 (fixtures)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from core.base_data import load

    with django_db_blocker.unblock():
        load()


@pytest.fixture
def sources(tmp_path, monkeypatch):
    """A folder of fixture source definitions that replaces data/sources for the test."""
    folder = SourceFolder(tmp_path)
    monkeypatch.setattr("core.sources.SOURCES_DIR", folder.definitions)
    return folder


@pytest.fixture
def fixture_territory(settings):
    """Run importers for a made-up territory 990000, far from the real units' codes."""
    settings.TERRITORY_CODE = "990000"
    return "990000"
