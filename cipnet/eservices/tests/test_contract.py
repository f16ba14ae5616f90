"""Contract: the catalogue page and /api/v1/services/ list the same cards for the same filters.

Both build one `selectors.CardFilters` and call `selectors.card_list_public` (browsing) or
`search.search` (with a query); these tests hold them to it for several filter combinations and
roles, walking every page on both sides.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from rest_framework.test import APIClient

from cipnet.eservices import services
from cipnet.eservices.models import ServiceCard
from cipnet.eservices.tests.conftest import load_catalogue_for_tests
from cipnet.eservices.views import RELATIVE_CUTOFF
from cipnet.testing import World

SERVICES = "/api/v1/services/"
CATALOGUE = "/services/"
ROLES = ("anonymous", "consultant_a", "coordinator_b", "admin")

BROWSE = [
    {},
    {"region": "mykolaivska"},
    {"region": "lvivska"},
    {"kind": "administrative"},
    {"level": "national"},
    {"category": "social-security-pensions"},
    {"provider": "pfu"},
    {"kind": "administrative", "region": "lvivska"},
    {"category": "social-security-pensions", "region": "mykolaivska", "level": "national"},
]
SEARCHES = [
    {"q": "пенсія"},
    {"q": "графік відключень світла", "region": "mykolaivska"},
    {"q": "графік відключень світла", "region": "lvivska"},
    {"q": "довідка", "kind": "administrative"},
    {"q": "паспорт", "category": "documents-identity"},
]


@pytest.fixture
def demo(world: World) -> dict[str, ServiceCard]:
    return load_catalogue_for_tests()


def page_client(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        client.force_authenticate(world.users[role])
    return client


def page_cards(client: Client, params: dict[str, str]) -> list[str]:
    """The identifiers the catalogue page lists, over every page (in order)."""
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    if "hits" in response.context:
        return [row["card"].identifier for row in response.context["hits"]]
    found: list[str] = []
    paginator = response.context["page"].paginator
    for number in paginator.page_range:
        page = client.get(CATALOGUE, {**params, "page": number}).context["page"]
        found += [card.identifier for card in page]
    return found


def api_items(client: APIClient, params: dict[str, str]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    url: str | None = SERVICES
    query: dict[str, Any] | None = {**params, "page_size": 100}
    while url:
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        items += body["results"]
        url, query = body["next"], None
    return items


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("params", BROWSE, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()) or "all")
def test_browsing_lists_the_same_cards(world: World, demo: dict[str, ServiceCard], role: str, params: dict) -> None:
    on_page = page_cards(page_client(world, role), params)
    in_api = [item["identifier"] for item in api_items(api_client(world, role), params)]
    assert on_page == in_api
    assert on_page, params  # a filter that finds nothing proves little


@pytest.mark.django_db
@pytest.mark.parametrize("role", ("anonymous", "coordinator_a"))
@pytest.mark.parametrize("params", SEARCHES, ids=lambda p: ",".join(f"{k}={v}" for k, v in p.items()))
def test_search_finds_the_same_cards(world: World, demo: dict[str, ServiceCard], role: str, params: dict) -> None:
    """The page shows the API's hits, best first, down to `RELATIVE_CUTOFF` of the best score."""
    on_page = page_cards(page_client(world, role), params)
    items = api_items(api_client(world, role), params)
    best = items[0]["score"] if items else 0
    shown_by_api = [item["identifier"] for item in items if item["score"] >= best * RELATIVE_CUTOFF]
    assert on_page == shown_by_api[: len(on_page)]
    assert len(on_page) == min(len(shown_by_api), 30)  # the page's SEARCH_LIMIT
    assert on_page, params


@pytest.mark.django_db
def test_withdrawn_cards_are_in_neither(world: World, demo: dict[str, ServiceCard]) -> None:
    card = next(iter(demo.values()))
    services.card_update(actor=None, card=card, status="withdrawn")
    assert card.identifier not in page_cards(page_client(world, "admin"), {})
    assert card.identifier not in [i["identifier"] for i in api_items(api_client(world, "admin"), {})]
