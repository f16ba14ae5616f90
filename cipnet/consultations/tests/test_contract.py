"""The entries page and /api/v1/consultations/ are two views of one list: for the same filters and
the same role they hold the same entries (and so do both CSV exports), because both build one
`ConsultationFilters` and call `consultation_list_visible_to`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.accounts.models import User
from cipnet.consultations import services
from cipnet.consultations.models import Consultation
from cipnet.consultations.services import ConsultationInput
from cipnet.core.clock import KYIV, now
from cipnet.directory.models import Centre
from cipnet.testing import World

ROLES = ["consultant_a", "manager_a", "consultant_b", "coordinator_a", "coordinator_b", "admin"]
HISTORY_LINK = re.compile(r'href="[^"]*/entries/(\d+)/history/"')


def days_ago(n: int, hour: int = 11) -> dt.datetime:
    day = now().astimezone(KYIV).date() - dt.timedelta(days=n)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=KYIV)


def record(user: User, centre: Centre, when: dt.datetime) -> Consultation:
    data = ConsultationInput(occurred_at=when, help_kind="information", outcome="completed")
    return services.consultation_record(author=user, centre=centre, data=data).consultation


@pytest.fixture
def log(world: World) -> dict[str, Consultation]:
    """Entries on several days, in both centres, by several authors."""
    u = world.users
    return {
        "a_old": record(u["consultant_a"], world.centre_a, days_ago(40)),
        "a_mid": record(u["manager_a"], world.centre_a, days_ago(10)),
        "a_new": record(u["consultant_a"], world.centre_a, days_ago(1)),
        "b_mid": record(u["consultant_b"], world.centre_b, days_ago(10)),
        "b_new": record(u["consultant_b"], world.centre_b, now() - dt.timedelta(minutes=1)),
    }


def page_ids(world: World, role: str, query: dict[str, Any]) -> set[int]:
    client = Client()
    client.force_login(world.users[role])
    response = client.get(reverse("consultations:entries"), query)
    assert response.status_code == 200
    ids = {int(pk) for pk in HISTORY_LINK.findall(response.content.decode())}
    assert ids == {c.pk for c in response.context["page"].object_list}
    return ids


def csv_ids(content: bytes) -> set[int]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    return {int(r[0]) for r in rows[1:]}


def api_client(world: World, role: str) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=world.users[role])
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def api_ids(world: World, role: str, query: dict[str, Any]) -> set[int]:
    """The ids the API lists; a centre the role may not see is refused by the API (400 naming
    `centre`) where the page lists nothing, so that counts as the empty set."""
    response = api_client(world, role).get("/api/v1/consultations/", {**query, "page_size": 100})
    if response.status_code == 400 and set(response.json()["error"]["fields"]) == {"centre"}:
        return set()
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next"] is None
    return {item["id"] for item in body["results"]}


def combinations(world: World) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(page query, API query) pairs that mean the same filters."""
    today = now().astimezone(KYIV).date()
    start, end = today - dt.timedelta(days=60), today
    window = {"start": (today - dt.timedelta(days=15)).isoformat(), "end": (today - dt.timedelta(days=5)).isoformat()}
    api_window = {"from": window["start"], "to": window["end"]}
    every = {"start": start.isoformat(), "end": end.isoformat()}
    api_every = {"from": every["start"], "to": every["end"]}
    return [
        (every, api_every),
        (window, api_window),
        ({**every, "centre": world.centre_a.pk}, {**api_every, "centre": world.centre_a.pk}),
        ({**window, "centre": world.centre_b.pk}, {**api_window, "centre": world.centre_b.pk}),
        ({**every, "region": world.region_a.slug}, {**api_every, "region": world.region_a.slug}),
        ({"start": today.isoformat(), "end": today.isoformat()}, {"from": today.isoformat(), "to": today.isoformat()}),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_page_and_api_list_the_same_entries(world: World, log: dict[str, Consultation], role: str) -> None:
    for page_query, api_query in combinations(world):
        expected = page_ids(world, role, page_query)
        assert api_ids(world, role, api_query) == expected, (role, page_query)


@pytest.mark.parametrize("role", ["consultant_a", "coordinator_b", "admin"])
def test_page_and_api_exports_hold_the_same_entries(world: World, log: dict[str, Consultation], role: str) -> None:
    page = Client()
    page.force_login(world.users[role])
    api = api_client(world, role)
    for page_query, api_query in combinations(world):
        listed = page_ids(world, role, page_query)
        html_csv = page.get(reverse("consultations:export", args=["csv"]), page_query)
        api_csv = api.get("/api/v1/consultations/export.csv", api_query)
        assert html_csv.status_code == 200
        assert csv_ids(b"".join(html_csv.streaming_content)) == listed
        if api_csv.status_code == 400:  # a centre the role may not see (see `api_ids`)
            assert listed == set()
            continue
        assert csv_ids(b"".join(api_csv.streaming_content)) == listed


def test_the_combinations_pick_different_entries(world: World, log: dict[str, Consultation]) -> None:
    # So that the comparisons above are not trivially equal.
    picked = [{name for name, c in log.items() if c.pk in page_ids(world, "admin", q)} for q, _a in combinations(world)]
    assert picked == [
        {"a_old", "a_mid", "a_new", "b_mid", "b_new"},
        {"a_mid", "b_mid"},
        {"a_old", "a_mid", "a_new"},
        {"b_mid"},
        {"a_old", "a_mid", "a_new"},
        {"b_new"},
    ]


def test_export_of_my_entries_holds_only_mine(world: World, log: dict[str, Consultation]) -> None:
    # Regression: the entries page's "Only entries I made" reached the download links but the
    # export ignored it and gave every visible entry.
    client = Client()
    client.force_login(world.users["manager_a"])
    today = now().astimezone(KYIV).date()
    query = {"start": (today - dt.timedelta(days=60)).isoformat(), "end": today.isoformat(), "mine": "1"}
    mine = {log["a_mid"].pk}
    assert page_ids(world, "manager_a", query) == mine
    response = client.get(reverse("consultations:export", args=["csv"]), query)
    assert csv_ids(b"".join(response.streaming_content)) == mine
