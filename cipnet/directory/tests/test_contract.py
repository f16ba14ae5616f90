"""The finder page and `/api/v1/centres/` are two adapters over one selector
(`selectors.centre_list_public_with_schedules` with a `CentreFilters`): for the same filters they
list the same centres."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cipnet.directory.tests.api_fixtures import LVIV, NOW, STRYI, Directory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def finder_at_the_same_moment(monkeypatch: pytest.MonkeyPatch) -> None:
    # The API reads `clock.now` (frozen by the `directory` fixture); the finder took its own
    # name for it when first imported, so "open now" would be asked at two moments.
    monkeypatch.setattr("cipnet.directory.views.now", lambda: NOW)


CENTRE_LINK = re.compile(r'href="/centres/([\w-]+)/"')


def page_slugs(params: dict[str, object]) -> set[str]:
    response = Client().get("/centres/", params)
    assert response.status_code == 200
    return set(CENTRE_LINK.findall(response.content.decode()))


def api_slugs(params: dict[str, object]) -> set[str]:
    response = APIClient().get("/api/v1/centres/", {**params, "page_size": 100})
    assert response.status_code == 200, response.content
    return {item["slug"] for item in response.json()["results"]}


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ({}, {}),
        ({"region": "lvivska"}, {"region": "lvivska"}),
        ({"region": "kyiv"}, {"region": "kyiv"}),
        ({"features": ["step_free"]}, {"feature": ["step_free"]}),
        ({"features": ["step_free", "lift"]}, {"feature": ["step_free", "lift"]}),
        ({"open_now": "on"}, {"open_now": "true"}),
        ({"region": "lvivska", "features": ["step_free"]}, {"region": "lvivska", "feature": ["step_free"]}),
    ],
)
def test_the_finder_and_the_api_list_the_same_centres(
    directory: Directory, page: dict[str, object], api: dict[str, object]
) -> None:
    listed = api_slugs(api)
    assert listed  # a filter that matches nothing would prove nothing
    assert page_slugs(page) == listed


@pytest.mark.parametrize("code", [LVIV, STRYI])
def test_a_chosen_settlement_gives_the_same_centres(directory: Directory, code: str) -> None:
    assert page_slugs({"settlement": code}) == api_slugs({"settlement": code})


def test_neither_lists_planned_or_closed_centres(directory: Directory) -> None:
    hidden = {directory.centres["planned"].slug, directory.centres["closed"].slug}
    assert not hidden & (page_slugs({}) | api_slugs({}))
