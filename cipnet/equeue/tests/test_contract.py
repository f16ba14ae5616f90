"""The console (HTML) and the queue API read tickets and desks through the same selectors
(`ticket_list_visible_to`, `desk_list_visible_to`, `ticket_get_for_user`, `desk_get_for_user`):
for every role, the same centre and the same filters, both show the same records.

The API has no list of tickets, so the comparison goes through what each side reaches:
- desks: the console's desk choice for a centre == the open desks of that centre the API's
  call-next recognises (not a 404; with nobody waiting, call-next changes nothing);
- tickets: the console's transfer page opens (200) == the API's transfer recognises the ticket
  (400 for an empty body, which changes nothing; 404 otherwise);
- the waiting line: the console's waiting tickets per topic == the API board's counts per topic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import translation
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.core.clock import KYIV
from cipnet.directory.models import Centre
from cipnet.equeue import services
from cipnet.equeue.models import Desk, QueueTopic, Ticket, TicketEvent
from cipnet.testing import World

WEDNESDAY_10 = dt.datetime(2026, 3, 11, 10, 0, tzinfo=KYIV)
ROLES = (
    "anonymous",
    "resident",
    "official",
    "consultant_a",
    "manager_a",
    "trainer_a",
    "consultant_b",
    "manager_b",
    "coordinator_a",
    "coordinator_b",
    "admin",
)


@pytest.fixture(autouse=True)
def english_and_clean_cache() -> Iterator[None]:
    cache.clear()
    with translation.override("en"):
        yield
    cache.clear()


@pytest.fixture
def queues(world: World, monkeypatch: pytest.MonkeyPatch) -> World:
    for module in ("services", "selectors", "views_staff"):
        monkeypatch.setattr(f"cipnet.equeue.{module}.now", lambda: WEDNESDAY_10)
    for centre in (world.centre_a, world.centre_b):
        services.queue_setup(actor=None, centre=centre, desks=3)
    return world


def html(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def api(world: World, role: str) -> APIClient:
    client = APIClient()
    if role != "anonymous":
        token, _created = Token.objects.get_or_create(user=world.users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def topic(centre: Centre, prefix: str) -> QueueTopic:
    return QueueTopic.objects.get(centre=centre, prefix=prefix)


def desks_of(centre: Centre) -> list[Desk]:
    return list(Desk.objects.filter(centre=centre).order_by("name"))


def console_desks(world: World, role: str, centre: Centre) -> set[int]:
    response = html(world, role).get(reverse("queue_staff:console") + f"?centre={centre.pk}")
    if response.status_code in (302, 404):  # the sign-in page, or no centre to serve
        return set()
    assert response.status_code == 200
    return {d.pk for d in response.context["desks"]}


def api_desks(world: World, role: str, centre: Centre) -> set[int]:
    client, seen = api(world, role), set()
    for desk in desks_of(centre):
        if not desk.is_active:
            continue
        response = client.post(f"/api/v1/queue/desks/{desk.pk}/call-next/")
        assert response.status_code in (200, 401, 404), response.content
        if response.status_code == 200:
            assert response.json() == {"ticket": None}  # nobody waits: nothing changed
            seen.add(desk.pk)
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_same_desks(queues: World, role: str) -> None:
    world = queues
    Desk.objects.filter(pk=desks_of(world.centre_a)[2].pk).update(is_active=False)  # a closed desk is not offered
    for centre in (world.centre_a, world.centre_b):
        events = TicketEvent.objects.count()
        shown = console_desks(world, role, centre)
        assert shown == api_desks(world, role, centre)
        assert TicketEvent.objects.count() == events
        works_there = (
            role
            in (("consultant_a", "manager_a", "trainer_a"), ("consultant_b", "manager_b"))[centre == world.centre_b]
        )
        assert shown == ({d.pk for d in desks_of(centre) if d.is_active} if works_there else set())


def some_tickets(world: World) -> list[Ticket]:
    """Waiting, called, served, done and transferred tickets in both centres."""
    made: list[Ticket] = []
    for centre, consultant in ((world.centre_a, "consultant_a"), (world.centre_b, "consultant_b")):
        actor = world.users[consultant]
        for prefix in ("А", "А", "Б", "В", "А"):
            made.append(services.ticket_issue(centre=centre, topic=topic(centre, prefix)))
        first, second, third = desks_of(centre)
        called = services.ticket_call_next(actor=actor, desk=first)
        served = services.ticket_call_next(actor=actor, desk=second)
        assert called is not None and served is not None
        services.ticket_start(actor=actor, ticket=served)
        services.ticket_finish(actor=actor, ticket=served)
        moved = services.ticket_call_next(actor=actor, desk=third)
        assert moved is not None
        services.ticket_transfer(actor=actor, ticket=moved, topic=topic(centre, "Б"), desk=first)
    return made


def html_tickets(world: World, role: str, tickets: list[Ticket]) -> set[int]:
    client, seen = html(world, role), set()
    for t in tickets:
        response = client.get(reverse("queue_staff:transfer", args=[t.pk]))
        assert response.status_code in (200, 302, 404)
        if response.status_code == 200:
            seen.add(t.pk)
    return seen


def api_tickets(world: World, role: str, tickets: list[Ticket]) -> set[int]:
    client, seen = api(world, role), set()
    for t in tickets:
        response = client.post(f"/api/v1/queue/tickets/{t.pk}/transfer/", {}, format="json")
        assert response.status_code in (400, 401, 404), response.content
        if response.status_code == 400:
            seen.add(t.pk)
    return seen


@pytest.mark.parametrize("role", ROLES)
def test_same_tickets(queues: World, role: str) -> None:
    world = queues
    tickets = some_tickets(world)
    before = list(Ticket.objects.order_by("pk").values_list("pk", "status", "topic_id", "desk_id", "for_desk_id"))
    shown = html_tickets(world, role, tickets)
    assert shown == api_tickets(world, role, tickets)
    assert before == list(
        Ticket.objects.order_by("pk").values_list("pk", "status", "topic_id", "desk_id", "for_desk_id")
    )
    centre = {"_a": world.centre_a, "_b": world.centre_b}.get(role[-2:])
    works_there = role.startswith(("consultant", "manager", "trainer"))
    assert shown == ({t.pk for t in tickets if t.centre_id == centre.pk} if works_there and centre else set())


def console_waiting(world: World, role: str, centre: Centre) -> dict[str, list[str]]:
    response = html(world, role).get(reverse("queue_staff:console") + f"?centre={centre.pk}")
    assert response.status_code == 200
    return {g.topic.prefix: [row.ticket.label for row in g.rows] for g in response.context["groups"]}


def api_waiting(centre: Centre) -> dict[str, int]:
    response = APIClient().get(f"/api/v1/queue/{centre.slug}/board/")
    assert response.status_code == 200
    return {row["prefix"]: row["count"] for row in response.json()["waiting"]}


@pytest.mark.parametrize(("role", "centre_name"), [("consultant_a", "centre_a"), ("manager_b", "centre_b")])
def test_same_waiting_line(queues: World, role: str, centre_name: str) -> None:
    world = queues
    centre = getattr(world, centre_name)
    assert {p: len(rows) for p, rows in console_waiting(world, role, centre).items()} == api_waiting(centre)
    some_tickets(world)
    waiting = console_waiting(world, role, centre)
    assert {p: len(rows) for p, rows in waiting.items()} == api_waiting(centre)
    assert sum(len(rows) for rows in waiting.values()) == 3  # А-003, Б-001 (transferred back), В-001
