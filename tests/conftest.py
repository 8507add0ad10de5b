"""Test set-up: the test database gets the real base data once per session (committed, so that it
survives each test's rolled-back transaction); fixture sources live in tmp folders."""

from __future__ import annotations

import pytest

from tests.browser import browser, page  # noqa: F401 (fixtures)
from tests.builders import SourceFolder
from tests.gazetteer_helpers import accounts  # noqa: F401 (fixture)
from tests.live_server import server, static_manifest  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(items):
    """A test that talks to the served application uses the database through it: marking it makes
    pytest-django create the test database even when no other test of the run asks for one (without
    a database test, the session would otherwise run on the developer's own database)."""
    for item in items:
        if {"server", "page"} & set(item.fixturenames):
            item.add_marker(pytest.mark.django_db)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from django.db import connection

    from core.base_data import load

    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        if not name.startswith("test_"):
            pytest.exit(f"the tests would run on the database {name!r}, not a test database: stopped", returncode=3)
        load()


@pytest.fixture(autouse=True)
def fresh_search_answers(settings):
    """Tests search (and use tokens) right after they write, and roll back what they wrote: nothing kept
    in memory outlives a test."""
    from accounts.auth import kept_tokens
    from gazetteer.search.answers import answers

    settings.SEARCH_REFRESH_SECONDS = settings.CREDENTIALS_REFRESH_SECONDS = 0
    answers.clear()
    kept_tokens.clear()
    yield
    answers.clear()
    kept_tokens.clear()


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
