"""The queue's staff pages: who may open and use them (an authorization matrix, with denied
writes changing nothing), the console's flow from issuing a ticket to the consultation log,
refused transitions shown as plain messages, the settings forms keeping what was typed, and
statistics that add up to what happened.

Time is controlled: `now` in the services, selectors and views reads a clock that starts on
a Wednesday at 10:00 in Kyiv (centres are open 09–13 and 14–18 on weekdays)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from cipnet.consultations.services import prefill_read
from cipnet.core.clock import KYIV
from cipnet.equeue import services
from cipnet.equeue.models import (
    Desk,
    EventKind,
    PriorityCategory,
    QueueConfig,
    QueueTopic,
    Ticket,
    TicketChannel,
    TicketEvent,
    TicketStatus,
)
from cipnet.equeue.views_staff import SESSION_DESK
from cipnet.testing import World

WEDNESDAY_10 = dt.datetime(2026, 3, 11, 10, 0, tzinfo=KYIV)
DAY = WEDNESDAY_10.date()


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.current = start

    def __call__(self) -> dt.datetime:
        return self.current

    def advance(self, **delta: float) -> dt.datetime:
        self.current += dt.timedelta(**delta)
        return self.current


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    """Messages are checked in English; the requests (under /en/) and the assertions both use it."""
    with translation.override("en"):
        yield


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock(WEDNESDAY_10)
    for module in ("services", "selectors", "views_staff"):
        monkeypatch.setattr(f"cipnet.equeue.{module}.now", c)
    return c


@pytest.fixture
def queue(world: World, clock: Clock) -> QueueConfig:
    return services.queue_setup(actor=None, centre=world.centre_a)


def client_for(world: World, name: str) -> Client:
    client = Client()
    if name != "anonymous":
        client.force_login(world.users[name])
    return client


def topic(world: World, position: int = 0) -> QueueTopic:
    return QueueTopic.objects.filter(centre=world.centre_a).order_by("position")[position]


def desks(world: World) -> list[Desk]:
    return list(Desk.objects.filter(centre=world.centre_a).order_by("name"))


def issue(world: World, position: int = 0, priority: PriorityCategory | None = None) -> Ticket:
    return services.ticket_issue(centre=world.centre_a, topic=topic(world, position), priority=priority)


def console_url(centre_id: int) -> str:
    return f"{reverse('queue_staff:console')}?centre={centre_id}"


def texts(response: object) -> list[str]:
    return [str(m) for m in response.context["messages"]]  # type: ignore[attr-defined]


def state(world: World) -> tuple:
    """Everything a denied write could have touched."""
    config = QueueConfig.objects.get(centre=world.centre_a)
    return (
        list(Ticket.objects.order_by("id").values_list("id", "status", "topic_id", "desk_id", "calls")),
        TicketEvent.objects.count(),
        (config.is_enabled, config.max_priority_streak, config.kiosk_token, config.version),
        list(QueueTopic.objects.order_by("id").values_list("id", "prefix", "name", "is_active")),
        list(Desk.objects.order_by("id").values_list("id", "name", "is_active")),
        list(PriorityCategory.objects.order_by("id").values_list("id", "name", "is_active")),
    )


# --- Authorization matrix ---------------------------------------------------------------------

SERVING_A = {"consultant_a", "manager_a", "trainer_a"}
MANAGING_A = {"manager_a", "coordinator_a", "admin"}
ROLES = [
    "anonymous",
    "resident",
    "consultant_a",
    "manager_a",
    "trainer_a",
    "consultant_b",
    "manager_b",
    "coordinator_a",
    "coordinator_b",
    "official",
    "admin",
]


@pytest.mark.parametrize("role", ROLES)
def test_console_matrix(world: World, queue: QueueConfig, role: str) -> None:
    client = client_for(world, role)
    response = client.get(console_url(world.centre_a.pk))
    if role == "anonymous":
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    else:
        assert response.status_code == (200 if role in SERVING_A else 404)
    # Without ?centre= the console opens the user's own centre (centre B has no queue yet).
    own = client.get(reverse("queue_staff:console"))
    if role in SERVING_A:
        assert own.context["centre"] == world.centre_a
    elif role in ("consultant_b", "manager_b"):
        assert own.status_code == 200
        assert own.context["centre"] == world.centre_b
        assert "does not use the electronic queue" in own.content.decode()
    elif role != "anonymous":
        assert own.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_settings_matrix(world: World, queue: QueueConfig, role: str) -> None:
    response = client_for(world, role).get(reverse("queue_staff:settings", args=[world.centre_a.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in MANAGING_A else 404)


@pytest.mark.parametrize("role", ROLES)
def test_stats_matrix(world: World, queue: QueueConfig, role: str) -> None:
    response = client_for(world, role).get(reverse("queue_staff:stats", args=[world.centre_a.pk]))
    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == (200 if role in SERVING_A | MANAGING_A else 404)


@pytest.mark.parametrize("role", sorted(set(ROLES) - SERVING_A - {"anonymous"}))
def test_serving_writes_are_denied_outside_the_centre(world: World, queue: QueueConfig, role: str) -> None:
    waiting = issue(world)
    called = issue(world, 1)
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desks(world)[1])
    before = state(world)
    client = client_for(world, role)
    desk = desks(world)[0]
    posts = [
        (reverse("queue_staff:desk"), {"desk": desk.pk}),
        (reverse("queue_staff:call_next"), {"desk": desk.pk}),
        (reverse("queue_staff:issue"), {"centre": world.centre_a.pk, "topic": topic(world).pk}),
        (reverse("queue_staff:transfer", args=[called.pk]), {"topic": topic(world, 2).pk}),
        *[
            (reverse("queue_staff:ticket_action", args=[t.pk, action]), {})
            for t in (waiting, called)
            for action in ("recall", "no_show", "start", "finish")
        ],
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert state(world) == before


@pytest.mark.parametrize("role", sorted(set(ROLES) - MANAGING_A - {"anonymous"}))
def test_settings_writes_are_denied(world: World, queue: QueueConfig, role: str) -> None:
    before = state(world)
    client = client_for(world, role)
    centre_id = world.centre_a.pk
    t, d, c = topic(world), desks(world)[0], PriorityCategory.objects.filter(centre=world.centre_a).first()
    assert c is not None
    posts = [
        (reverse("queue_staff:settings", args=[centre_id]), {"action": "config", "max_priority_streak": 5}),
        (reverse("queue_staff:kiosk_renew", args=[centre_id]), {}),
        (reverse("queue_staff:topic_add", args=[centre_id]), {"prefix": "Ж", "name": "Нова", "position": 9}),
        (reverse("queue_staff:topic_edit", args=[centre_id, t.pk]), {"prefix": "Ж", "name": "Нова", "position": 9}),
        (reverse("queue_staff:desk_add", args=[centre_id]), {"name": "Нова", "topics": [t.pk], "is_active": "on"}),
        (reverse("queue_staff:desk_edit", args=[centre_id, d.pk]), {"name": "Нова", "topics": [t.pk]}),
        (reverse("queue_staff:category_add", args=[centre_id]), {"name": "Нова", "position": 9}),
        (reverse("queue_staff:category_edit", args=[centre_id, c.pk]), {"name": "Нова", "position": 9}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert state(world) == before


def test_switching_the_queue_on_is_for_managers_only(world: World, clock: Clock) -> None:
    url = reverse("queue_staff:settings", args=[world.centre_a.pk])
    assert client_for(world, "consultant_a").post(url, {"action": "setup"}).status_code == 404
    assert client_for(world, "coordinator_b").post(url, {"action": "setup"}).status_code == 404
    assert not QueueConfig.objects.exists()
    response = client_for(world, "coordinator_a").post(url, {"action": "setup"}, follow=True)
    assert response.status_code == 200
    assert "The queue is on" in " ".join(texts(response))
    config = QueueConfig.objects.get(centre=world.centre_a)
    assert QueueTopic.objects.filter(centre=world.centre_a).count() == len(services.DEFAULT_TOPICS)
    assert f"/queue/kiosk/{config.kiosk_token}/" in response.content.decode()
    assert f"/queue/{world.centre_a.slug}/board/" in response.content.decode()


# --- The console ------------------------------------------------------------------------------


def test_console_flow_from_issue_to_consultation_log(world: World, queue: QueueConfig, clock: Clock) -> None:
    client = client_for(world, "consultant_a")
    _desk1, desk2 = desks(world)
    # Choose a desk; the console remembers it.
    response = client.post(reverse("queue_staff:desk"), {"desk": desk2.pk})
    assert response.status_code == 302
    assert client.session[SESSION_DESK] == {str(world.centre_a.pk): desk2.pk}
    page = client.get(console_url(world.centre_a.pk))
    assert page.context["desk"] == desk2
    assert "Call next" in page.content.decode()

    # Issue a ticket for a visitor who phoned.
    priority = PriorityCategory.objects.filter(centre=world.centre_a).first()
    assert priority is not None
    response = client.post(
        reverse("queue_staff:issue"), {"centre": world.centre_a.pk, "topic": topic(world).pk, "priority": priority.pk}
    )
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.status, ticket.priority, ticket.label) == (
        TicketChannel.STAFF,
        TicketStatus.WAITING,
        priority,
        f"{topic(world).prefix}-001",
    )
    assert TicketEvent.objects.get(kind=EventKind.ISSUED).actor == world.users["consultant_a"]
    page = client.get(response["Location"])
    html = page.content.decode()
    assert f"Ticket {ticket.label} issued." in " ".join(texts(page))
    assert 'id="issued"' in html
    assert ticket.label in html
    assert "Priority" in html  # a word, not only a colour
    assert [(g.topic.pk, [r.ticket.pk for r in g.rows]) for g in page.context["groups"] if g.rows] == [
        (topic(world).pk, [ticket.pk])
    ]

    # Ten minutes later: call, start, finish.
    clock.advance(minutes=10)
    page = client.get(console_url(world.centre_a.pk))
    assert page.context["groups"][0].rows[0].minutes == 10
    response = client.post(reverse("queue_staff:call_next"), {"desk": desk2.pk}, follow=True)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.desk, ticket.consultant) == (TicketStatus.CALLED, desk2, world.users["consultant_a"])
    assert response.context["current"] == ticket
    assert f"Ticket {ticket.label} called." in texts(response)
    assert "Did not come" in response.content.decode()

    response = client.post(reverse("queue_staff:ticket_action", args=[ticket.pk, "recall"]), follow=True)
    ticket.refresh_from_db()
    assert ticket.calls == 2

    clock.advance(minutes=1)
    client.post(reverse("queue_staff:ticket_action", args=[ticket.pk, "start"]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.SERVING

    clock.advance(minutes=12)
    response = client.post(reverse("queue_staff:ticket_action", args=[ticket.pk, "finish"]))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("consultations:entry")
    query = parse_qs(location.query)
    assert query["centre"] == [str(world.centre_a.pk)]
    payload = prefill_read(query["prefill"][0])
    assert payload is not None
    assert payload["centre"] == world.centre_a.pk
    assert payload["duration_minutes"] == 12
    entry = client.get(response["Location"])
    assert entry.status_code == 200
    assert f"Ticket {ticket.label} finished. Record the consultation." in texts(entry)
    assert entry.context["form"].initial["duration_minutes"] == 12

    # Back at the console: the desk is free, the ticket is in the desk's recent list.
    page = client.get(console_url(world.centre_a.pk))
    assert page.context["current"] is None
    assert list(page.context["recent"]) == [ticket]
    assert page.context["waiting_total"] == 0


def test_call_next_when_nobody_waits(world: World, queue: QueueConfig) -> None:
    client = client_for(world, "consultant_a")
    response = client.post(reverse("queue_staff:call_next"), {"desk": desks(world)[0].pk}, follow=True)
    assert "Nobody is waiting." in texts(response)
    assert not TicketEvent.objects.exists()


def test_only_desk_is_chosen_without_asking(world: World, queue: QueueConfig) -> None:
    desks(world)[1].delete()
    page = client_for(world, "consultant_a").get(console_url(world.centre_a.pk))
    assert page.context["desk"] == desks(world)[0]


@pytest.mark.parametrize(
    ("prepare", "action", "message"),
    [
        ("waiting", "finish", "cannot be finished"),
        ("waiting", "start", "cannot be started"),
        ("waiting", "no_show", "cannot be marked as not come"),
        ("done", "recall", "cannot be called again"),
        ("done", "finish", "cannot be finished"),
        ("serving", "start", "cannot be started"),
    ],
)
def test_illegal_transitions_are_explained_and_change_nothing(
    world: World, queue: QueueConfig, prepare: str, action: str, message: str
) -> None:
    consultant = world.users["consultant_a"]
    ticket = issue(world)
    if prepare in ("serving", "done"):
        services.ticket_call_next(actor=consultant, desk=desks(world)[0])
        services.ticket_start(actor=consultant, ticket=ticket)
    if prepare == "done":
        services.ticket_finish(actor=consultant, ticket=ticket)
    before = state(world)
    client = client_for(world, "consultant_a")
    response = client.post(reverse("queue_staff:ticket_action", args=[ticket.pk, action]))
    assert response.status_code == 302
    assert response["Location"] == console_url(world.centre_a.pk)
    page = client.get(response["Location"])
    assert any(message in m and ticket.label in m for m in texts(page)), texts(page)
    assert state(world) == before


def test_call_next_while_a_visitor_is_at_the_desk(world: World, queue: QueueConfig) -> None:
    first, _second = issue(world), issue(world)
    desk = desks(world)[0]
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desk)
    before = state(world)
    response = client_for(world, "consultant_a").post(reverse("queue_staff:call_next"), {"desk": desk.pk}, follow=True)
    assert any(f"Finish ticket {first.label}" in m for m in texts(response))
    assert state(world) == before


def test_unknown_action_is_404(world: World, queue: QueueConfig) -> None:
    ticket = issue(world)
    response = client_for(world, "consultant_a").post(reverse("queue_staff:ticket_action", args=[ticket.pk, "eat"]))
    assert response.status_code == 404


def test_another_centres_desk_and_tickets_are_404(world: World, queue: QueueConfig) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    desk_b = Desk.objects.filter(centre=world.centre_b).first()
    topic_b = QueueTopic.objects.filter(centre=world.centre_b).first()
    assert desk_b is not None and topic_b is not None
    ticket_b = services.ticket_issue(centre=world.centre_b, topic=topic_b)
    before = state(world)
    client = client_for(world, "consultant_a")
    assert client.post(reverse("queue_staff:desk"), {"desk": desk_b.pk}).status_code == 404
    assert client.post(reverse("queue_staff:call_next"), {"desk": desk_b.pk}).status_code == 404
    assert client.post(reverse("queue_staff:call_next"), {"desk": "x"}).status_code == 404
    assert client.post(reverse("queue_staff:ticket_action", args=[ticket_b.pk, "finish"])).status_code == 404
    assert client.get(reverse("queue_staff:transfer", args=[ticket_b.pk])).status_code == 404
    assert (
        client.post(reverse("queue_staff:issue"), {"centre": world.centre_b.pk, "topic": topic_b.pk}).status_code == 404
    )
    # A topic of another centre at one's own centre is a plain form error, not a ticket.
    response = client.post(reverse("queue_staff:issue"), {"centre": world.centre_a.pk, "topic": topic_b.pk})
    assert response.status_code == 400
    assert "topic" in response.context["issue_form"].errors
    assert state(world) == before
    assert SESSION_DESK not in client.session


def test_closed_desk_is_explained(world: World, queue: QueueConfig) -> None:
    desk = desks(world)[0]
    issue(world)
    Desk.objects.filter(pk=desk.pk).update(is_active=False)
    before = state(world)
    client = client_for(world, "consultant_a")
    response = client.post(reverse("queue_staff:call_next"), {"desk": desk.pk}, follow=True)
    assert "This desk is closed." in texts(response)
    response = client.post(reverse("queue_staff:desk"), {"desk": desk.pk}, follow=True)
    assert "This desk is closed. Choose another one." in texts(response)
    assert state(world) == before


def test_issue_when_closed_keeps_the_choice(world: World, queue: QueueConfig, clock: Clock) -> None:
    clock.current = dt.datetime(2026, 3, 11, 19, 30, tzinfo=KYIV)
    wanted = topic(world, 2)
    response = client_for(world, "consultant_a").post(
        reverse("queue_staff:issue"), {"centre": world.centre_a.pk, "topic": wanted.pk}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The centre is closed now, so tickets are not issued." in html
    assert 'class="error-summary"' in html
    assert f'<option value="{wanted.pk}" selected' in html
    assert not Ticket.objects.exists()


def test_queue_switched_off(world: World, queue: QueueConfig) -> None:
    QueueConfig.objects.filter(pk=queue.pk).update(is_enabled=False)
    client = client_for(world, "manager_a")
    page = client.get(console_url(world.centre_a.pk))
    assert page.context["queue_on"] is False
    assert "switched off" in page.content.decode()
    response = client.post(reverse("queue_staff:issue"), {"centre": world.centre_a.pk, "topic": topic(world).pk})
    assert response.status_code == 400
    assert "does not use the electronic queue" in response.content.decode()
    assert not Ticket.objects.exists()


def test_waiting_list_fragment_for_htmx(world: World, queue: QueueConfig) -> None:
    ticket = issue(world, 1)
    response = client_for(world, "consultant_a").get(
        console_url(world.centre_a.pk) + "&part=waiting", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="waiting"')
    assert "<html" not in html
    assert ticket.label in html
    assert 'hx-trigger="every 10s"' in html


def test_transfer(world: World, queue: QueueConfig, clock: Clock) -> None:
    client = client_for(world, "consultant_a")
    desk1, desk2 = desks(world)
    ticket = issue(world)
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desk1)
    url = reverse("queue_staff:transfer", args=[ticket.pk])
    # Nothing chosen: the form says so and nothing changes.
    before = state(world)
    response = client.post(url, {"topic": "", "desk": ""})
    assert response.status_code == 200
    assert "Choose a topic or a desk to transfer to." in response.content.decode()
    assert state(world) == before
    # To a desk that does not serve the chosen topic: the visitor would never be called.
    desk2.topics.set([topic(world, 0)])
    response = client.post(url, {"topic": topic(world, 3).pk, "desk": desk2.pk})
    assert response.status_code == 200
    assert 'id="id_desk_error"' in response.content.decode()
    assert state(world) == before
    desk2.topics.add(topic(world, 3))
    # To another topic and a particular desk.
    target = topic(world, 3)
    response = client.post(url, {"topic": target.pk, "desk": desk2.pk})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert (ticket.status, ticket.topic, ticket.for_desk, ticket.desk) == (TicketStatus.WAITING, target, desk2, None)
    page = client.get(response["Location"])
    assert any("back in the line" in m for m in texts(page))
    assert f"Only for {desk2.name}" in page.content.decode()
    # A waiting ticket cannot be transferred: the reason is shown in the form.
    before = state(world)
    response = client.post(url, {"topic": topic(world, 1).pk})
    assert response.status_code == 200
    assert "cannot be transferred" in response.content.decode()
    assert state(world) == before


# --- Settings ---------------------------------------------------------------------------------


@pytest.fixture
def manager(world: World) -> Client:
    return client_for(world, "manager_a")


def test_config_errors_are_kept_in_the_form(world: World, queue: QueueConfig, manager: Client) -> None:
    url = reverse("queue_staff:settings", args=[world.centre_a.pk])
    response = manager.post(
        url, {"action": "config", "is_enabled": "on", "max_priority_streak": "50", "slot_minutes": "3"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_max_priority_streak_error"' in html
    assert 'id="id_slot_minutes_error"' in html
    assert 'value="50"' in html and 'value="3"' in html
    queue.refresh_from_db()
    assert (queue.max_priority_streak, queue.slot_minutes) == (3, 20)

    response = manager.post(
        url, {"action": "config", "max_priority_streak": "2", "booking_enabled": "on", "slot_minutes": "30"}
    )
    assert response.status_code == 302
    version = queue.version
    queue.refresh_from_db()
    assert (queue.is_enabled, queue.max_priority_streak, queue.booking_enabled, queue.slot_minutes) == (
        False,
        2,
        True,
        30,
    )
    assert queue.version == version + 1


def test_topics_add_and_edit(world: World, queue: QueueConfig, manager: Client) -> None:
    add = reverse("queue_staff:topic_add", args=[world.centre_a.pk])
    first = topic(world)
    # The letter of another topic (typed in lower case): refused, what was typed is kept.
    response = manager.post(add, {"prefix": first.prefix.lower(), "name": "Довідки про доходи", "position": "7"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"The letter {first.prefix} is already used by the topic" in html
    assert 'id="id_prefix_error"' in html and 'class="error-summary"' in html
    assert "Довідки про доходи" in html
    # Not a letter.
    response = manager.post(add, {"prefix": "7", "name": "Довідки", "position": "7"})
    assert response.status_code == 400
    assert "One capital letter" in response.content.decode()
    assert QueueTopic.objects.filter(centre=world.centre_a).count() == len(services.DEFAULT_TOPICS)

    response = manager.post(
        add, {"prefix": "д", "name": "Довідки", "name_en": "Certificates", "position": "7", "is_active": "on"}
    )
    assert response.status_code == 302
    new = QueueTopic.objects.get(centre=world.centre_a, prefix="Д")
    assert (new.name, new.name_en, new.position, new.is_active) == ("Довідки", "Certificates", 7, True)

    edit = reverse("queue_staff:topic_edit", args=[world.centre_a.pk, new.pk])
    assert manager.get(edit).status_code == 200
    response = manager.post(edit, {"prefix": "Д", "name": "Довідки", "position": "8"})
    assert response.status_code == 302
    new.refresh_from_db()
    assert (new.position, new.is_active) == (8, False)


def test_a_letter_used_today_is_not_reused(world: World, queue: QueueConfig, manager: Client) -> None:
    first = topic(world)
    old = first.prefix
    issue(world)  # А-001 today
    response = manager.post(
        reverse("queue_staff:topic_edit", args=[world.centre_a.pk, first.pk]),
        {"prefix": "Ж", "name": first.name, "position": "0", "is_active": "on"},
    )
    assert response.status_code == 302
    response = manager.post(
        reverse("queue_staff:topic_add", args=[world.centre_a.pk]),
        {"prefix": old, "name": "Нова тема", "position": "9", "is_active": "on"},
    )
    assert response.status_code == 400
    assert f"Tickets with the letter {old} were already issued today." in response.content.decode()
    assert not QueueTopic.objects.filter(centre=world.centre_a, prefix=old).exists()


def test_another_centres_records_are_404_in_settings(world: World, queue: QueueConfig, manager: Client) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    other_topic = QueueTopic.objects.filter(centre=world.centre_b).first()
    other_desk = Desk.objects.filter(centre=world.centre_b).first()
    assert other_topic is not None and other_desk is not None
    before = state(world)
    url = reverse("queue_staff:topic_edit", args=[world.centre_a.pk, other_topic.pk])
    assert manager.post(url, {"prefix": "Ж", "name": "x", "position": 1}).status_code == 404
    url = reverse("queue_staff:desk_edit", args=[world.centre_a.pk, other_desk.pk])
    assert manager.post(url, {"name": "x", "topics": [topic(world).pk]}).status_code == 404
    # A desk of centre A cannot serve a topic of centre B.
    response = manager.post(
        reverse("queue_staff:desk_add", args=[world.centre_a.pk]), {"name": "Вікно 9", "topics": [other_topic.pk]}
    )
    assert response.status_code == 400
    assert "topics" in response.context["form"].errors
    assert state(world) == before


def test_desks_add_and_edit(world: World, queue: QueueConfig, manager: Client) -> None:
    desk1, desk2 = desks(world)
    add = reverse("queue_staff:desk_add", args=[world.centre_a.pk])
    response = manager.post(add, {"name": desk1.name, "topics": [topic(world).pk], "is_active": "on"})
    assert response.status_code == 400
    assert f"Another desk of this centre is already called “{desk1.name}”." in response.content.decode()
    response = manager.post(add, {"name": "Вікно 3", "is_active": "on"})
    assert response.status_code == 400
    assert 'id="id_topics_error"' in response.content.decode()
    assert Desk.objects.filter(centre=world.centre_a).count() == 2

    response = manager.post(add, {"name": "Вікно 3", "topics": [topic(world, 1).pk], "is_active": "on"})
    assert response.status_code == 302
    desk3 = Desk.objects.get(centre=world.centre_a, name="Вікно 3")
    assert list(desk3.topics.all()) == [topic(world, 1)]

    response = manager.post(
        reverse("queue_staff:desk_edit", args=[world.centre_a.pk, desk2.pk]),
        {"name": desk2.name, "topics": [topic(world, 0).pk, topic(world, 2).pk]},
    )
    assert response.status_code == 302
    desk2.refresh_from_db()
    assert desk2.is_active is False
    assert set(desk2.topics.all()) == {topic(world, 0), topic(world, 2)}
    # A closed desk is not offered in the console.
    page = client_for(world, "consultant_a").get(console_url(world.centre_a.pk))
    assert desk2 not in page.context["desks"]


def test_priority_groups_add_edit_deactivate(world: World, queue: QueueConfig, manager: Client) -> None:
    add = reverse("queue_staff:category_add", args=[world.centre_a.pk])
    response = manager.post(add, {"name": "", "position": "5"})
    assert response.status_code == 400
    assert 'id="id_name_error"' in response.content.decode()
    response = manager.post(
        add, {"name": "Ветеран війни", "name_en": "War veteran", "position": "5", "is_active": "on"}
    )
    assert response.status_code == 302
    veteran = PriorityCategory.objects.get(centre=world.centre_a, name="Ветеран війни")
    assert veteran.is_active

    response = manager.post(
        reverse("queue_staff:category_edit", args=[world.centre_a.pk, veteran.pk]),
        {"name": "Ветеран війни", "name_en": "War veteran", "position": "5"},
    )
    assert response.status_code == 302
    veteran.refresh_from_db()
    assert veteran.is_active is False
    page = client_for(world, "consultant_a").get(console_url(world.centre_a.pk))
    assert veteran not in page.context["issue_form"].fields["priority"].queryset


def test_kiosk_link_renewal(world: World, queue: QueueConfig, manager: Client) -> None:
    old = queue.kiosk_token
    page = manager.get(reverse("queue_staff:settings", args=[world.centre_a.pk]))
    assert f"/queue/kiosk/{old}/" in page.content.decode()
    response = manager.post(reverse("queue_staff:kiosk_renew", args=[world.centre_a.pk]), follow=True)
    queue.refresh_from_db()
    assert queue.kiosk_token != old
    html = response.content.decode()
    assert f"/queue/kiosk/{queue.kiosk_token}/" in html
    assert f"/queue/kiosk/{old}/" not in html
    assert any("new link" in m for m in texts(response))


def test_kiosk_renewal_without_a_queue_is_404(world: World, manager: Client) -> None:
    assert manager.post(reverse("queue_staff:kiosk_renew", args=[world.centre_a.pk])).status_code == 404


# --- Statistics -------------------------------------------------------------------------------


def test_statistics_equal_what_happened(world: World, queue: QueueConfig, clock: Clock) -> None:
    consultant = world.users["consultant_a"]
    desk1, _desk2 = desks(world)
    a1, a2 = issue(world), issue(world)  # 10:00
    clock.advance(minutes=5)  # 10:05 — A1 waited 5 minutes
    assert services.ticket_call_next(actor=consultant, desk=desk1) == a1
    clock.advance(minutes=1)
    services.ticket_start(actor=consultant, ticket=a1)
    clock.advance(minutes=10)  # served 10 minutes
    services.ticket_finish(actor=consultant, ticket=a1)
    clock.advance(minutes=4)  # 10:20 — A2 waited 20 minutes
    assert services.ticket_call_next(actor=consultant, desk=desk1) == a2
    clock.advance(minutes=5)
    services.ticket_no_show(actor=consultant, ticket=a2)
    clock.advance(minutes=5)  # 10:30
    b1 = issue(world, 1)  # still waiting

    response = client_for(world, "manager_a").get(
        reverse("queue_staff:stats", args=[world.centre_a.pk]), {"from": DAY.isoformat(), "to": DAY.isoformat()}
    )
    assert response.status_code == 200
    total = response.context["total"]
    assert (total.issued, total.served, total.no_show) == (3, 1, 1)
    assert (total.wait_avg, total.wait_max, total.service_avg, total.no_show_rate) == (12.5, 20.0, 10.0, 0.5)
    tables = {heading: rows for heading, _column, rows in response.context["tables"]}
    by_topic = {row.label: row.figures for row in tables["By topic"]}
    assert (by_topic[a1.topic.display_name].issued, by_topic[b1.topic.display_name].issued) == (2, 1)
    by_desk = {row.label: row.figures for row in tables["By desk"]}
    assert list(by_desk) == [desk1.name]
    assert (by_desk[desk1.name].served, by_desk[desk1.name].no_show) == (1, 1)
    assert [(row.label, row.figures.issued) for row in tables["By hour the ticket was taken"]] == [("10:00–11:00", 3)]
    assert [(row.label, row.figures.issued) for row in tables["By day"]] == [("11.03.2026", 3)]
    html = response.content.decode()
    assert "12.5" in html and "20.0" in html and "10.0" in html
    assert "50% of those called" in html

    # Another period: nothing.
    response = client_for(world, "manager_a").get(
        reverse("queue_staff:stats", args=[world.centre_a.pk]), {"from": "2026-03-01", "to": "2026-03-10"}
    )
    assert response.context["total"].issued == 0
    assert "No tickets in this period." in response.content.decode()


def test_statistics_bad_period(world: World, queue: QueueConfig) -> None:
    response = client_for(world, "consultant_a").get(
        reverse("queue_staff:stats", args=[world.centre_a.pk]), {"from": "2026-03-11", "to": "2026-03-01"}
    )
    assert response.status_code == 400
    assert "The first day is after the last day." in response.content.decode()
    response = client_for(world, "consultant_a").get(
        reverse("queue_staff:stats", args=[world.centre_a.pk]), {"from": "not a date"}
    )
    assert response.status_code == 400
    assert 'value="not a date"' in response.content.decode()
