"""Two consultants pressing "call next" at the same moment never get the same ticket.

The proof on PostgreSQL fires real concurrent HTTP requests at a running (threaded) server:
many desks, several consultants per desk, every round started together behind a barrier.
A second test calls the service from threads directly, on either database (on SQLite the
writers are serialised by IMMEDIATE transactions; a locked in-memory database is retried)."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import OperationalError, connection, connections
from rest_framework.authtoken.models import Token

from cipnet.accounts.models import Membership, Role, User
from cipnet.equeue import services
from cipnet.equeue.models import Desk, EventKind, PriorityCategory, QueueTopic, Ticket, TicketEvent, TicketStatus
from cipnet.equeue.tests.test_services import Clock, clock  # noqa: F401 — the clock fixture
from cipnet.testing import World

TICKETS = 40
DESKS = 10
CONSULTANTS_PER_DESK = 2
ROUNDS = 8  # enough: every round each desk serves at least one ticket while any wait
BARRIER_TIMEOUT = 60


@dataclass
class Floor:
    desks: list[Desk]
    consultants: list[User]
    tickets: list[Ticket]


@pytest.fixture
def floor(world: World, clock: Clock) -> Floor:  # noqa: F811
    services.queue_setup(actor=None, centre=world.centre_a, desks=DESKS)
    topics = list(QueueTopic.objects.filter(centre=world.centre_a).order_by("position"))
    priority = PriorityCategory.objects.filter(centre=world.centre_a).first()
    tickets = []
    for i in range(TICKETS):
        tickets.append(
            services.ticket_issue(centre=world.centre_a, topic=topics[i % 2], priority=priority if i % 5 == 0 else None)
        )
        clock.advance(seconds=10)
    consultants = []
    for i in range(DESKS * CONSULTANTS_PER_DESK):
        user = User.objects.create_user(username=f"desk_consultant_{i}", password="correct-horse-battery")
        Membership.objects.create(user=user, role=Role.CONSULTANT, centre=world.centre_a)
        consultants.append(user)
    return Floor(list(Desk.objects.filter(centre=world.centre_a).order_by("pk")), consultants, tickets)


def assert_each_ticket_called_once(called: list[int], floor: Floor) -> None:
    duplicates = [pk for pk, n in Counter(called).items() if n > 1]
    assert duplicates == [], f"tickets called twice: {duplicates}"
    assert sorted(called) == sorted(t.pk for t in floor.tickets)
    calls = Counter(
        TicketEvent.objects.filter(kind=EventKind.CALLED, ticket__in=floor.tickets).values_list("ticket_id", flat=True)
    )
    assert set(calls.values()) == {1}
    assert len(calls) == TICKETS
    assert set(Ticket.objects.filter(pk__in=called).values_list("status", flat=True)) == {TicketStatus.DONE}
    assert Ticket.objects.filter(calls__gt=1).count() == 0


# --- Real concurrent requests against a running server (PostgreSQL) ------------------------------


@dataclass
class HttpResult:
    called: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def post(base: str, path: str, token: str) -> tuple[int, Any]:
    request = urllib.request.Request(  # noqa: S310 — the test's own http:// server
        base + path,
        data=b"",
        method="POST",
        headers={"Authorization": f"Token {token}", "Accept": "application/json", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 — the test's own server
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        try:
            return exc.code, json.loads(body)
        except ValueError:
            return exc.code, body.decode(errors="replace")


@pytest.mark.django_db(transaction=True)
def test_concurrent_http_call_next_never_gives_a_ticket_twice(live_server: Any, floor: Floor) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "Needs PostgreSQL: the live server shares SQLite's in-memory test database through one connection, "
            "so its requests cannot run concurrently (the threaded service test below covers SQLite)."
        )
    tokens = [Token.objects.create(user=user).key for user in floor.consultants]
    # Two consultants per desk: they press at the same desk and at the same moment as all the others.
    workers = [(tokens[i], floor.desks[i % DESKS]) for i in range(len(tokens))]
    start = threading.Barrier(len(workers), timeout=BARRIER_TIMEOUT)
    end = threading.Barrier(len(workers), timeout=BARRIER_TIMEOUT)
    result = HttpResult()

    def work(token: str, desk: Desk) -> None:
        try:
            for _round in range(ROUNDS):
                start.wait()
                code, body = post(live_server.url, f"/api/v1/queue/desks/{desk.pk}/call-next/", token)
                ticket = body.get("ticket") if code == 200 and isinstance(body, dict) else None
                with result.lock:
                    result.statuses[code] += 1
                    if ticket is not None:
                        result.called.append(ticket["id"])
                    if code not in (200, 409):
                        result.errors.append(f"call-next {code}: {body!r}"[:500])
                if ticket is not None:
                    code, body = post(live_server.url, f"/api/v1/queue/tickets/{ticket['id']}/finish/", token)
                    if code != 200:
                        with result.lock:
                            result.errors.append(f"finish {code}: {body!r}"[:500])
                end.wait()
        except Exception as exc:  # a broken barrier or a network error: report, and let the others stop
            with result.lock:
                result.errors.append(repr(exc))
            start.abort()
            end.abort()

    threads = [threading.Thread(target=work, args=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)

    assert result.errors == []
    assert 500 not in result.statuses
    assert set(result.statuses) <= {200, 409}
    assert sum(result.statuses.values()) == len(workers) * ROUNDS
    assert len(result.called) == TICKETS
    assert_each_ticket_called_once(result.called, floor)
    # Contention really happened: some presses found their desk busy with the other consultant's call.
    assert result.statuses[409] > 0


# --- Threads calling the service directly (SQLite and PostgreSQL) --------------------------------


def retry_locked(action: Callable[[], Any]) -> Any:
    # SQLite's shared in-memory test database answers "database table is locked" at once instead
    # of waiting like a file database does; try again, as a busy timeout would.
    for _attempt in range(400):
        try:
            return action()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            time.sleep(0.005)
    raise AssertionError("the database stayed locked")


@pytest.mark.django_db(transaction=True)
def test_concurrent_service_calls_never_give_a_ticket_twice(floor: Floor) -> None:
    desk_count = DESKS
    workers = [(floor.consultants[i], floor.desks[i % desk_count]) for i in range(desk_count)]
    start = threading.Barrier(len(workers), timeout=BARRIER_TIMEOUT)
    called: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def work(user: User, desk: Desk) -> None:
        try:
            start.wait()
            while True:
                ticket = retry_locked(lambda: services.ticket_call_next(actor=user, desk=desk))
                if ticket is None:
                    return
                with lock:
                    called.append(ticket.pk)
                retry_locked(lambda: services.ticket_finish(actor=user, ticket=ticket))  # noqa: B023
        except Exception as exc:
            with lock:
                errors.append(repr(exc))
            start.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert_each_ticket_called_once(called, floor)
