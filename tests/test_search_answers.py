"""Kept search answers (gazetteer.search.answers): kept until the index changes, never past it."""

from __future__ import annotations

import pytest

from core.history import open_changeset
from core.models import Changeset
from gazetteer.models import Place, SearchEntry
from gazetteer.search.answers import answers, generation, index_changed
from gazetteer.services.places import update_place

pytestmark = pytest.mark.django_db


def first_name(client, q):
    response = client.get("/api/v1/places/search", {"q": q})
    assert response.status_code == 200
    return response.json()["results"][0]["name"]


def county():
    return Place.objects.get(name="东宁市")


def test_an_answer_is_kept_until_the_index_changes(client):
    assert first_name(client, "东宁市") == "东宁市"
    # Written behind the index writers' back: the kept answer is what comes back.
    SearchEntry.objects.filter(place=county()).update(payload={"name": "x"})
    assert first_name(client, "东宁市") == "东宁市"
    index_changed()
    assert first_name(client, "东宁市") == "x"


def test_an_edit_through_the_service_moves_the_generation_on():
    place = county()
    before = generation.read()
    changeset = open_changeset(Changeset.Kind.EDIT, "a test of kept answers", label="test")
    update_place(place, changeset=changeset, changes={"description": "changed"}, expected_version=place.version)
    assert generation.read() > before


def test_answers_are_kept_per_reader_and_limit(client):
    client.get("/api/v1/places/search", {"q": "新村", "limit": 3})
    client.get("/api/v1/places/search", {"q": "新村", "limit": 5})
    assert len(client.get("/api/v1/places/search", {"q": "新村", "limit": 5}).json()["results"]) == 5


def test_the_generation_is_read_at_most_once_per_refresh_interval(settings, django_assert_num_queries):
    settings.SEARCH_REFRESH_SECONDS = 3600
    answers.generation.current()
    with django_assert_num_queries(0):
        answers.generation.current()
    settings.SEARCH_REFRESH_SECONDS = 0
    with django_assert_num_queries(1):
        answers.generation.current()
