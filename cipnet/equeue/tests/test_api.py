"""/api/v1/queue/: issuing from the kiosk and by staff, the holder's status, the desk's calls and
the ticket's transitions (authorization matrix, 409 on illegal ones), and the board's ETag."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cipnet.equeue import services
from cipnet.equeue.api.views import KioskIssueThrottle
from cipnet.equeue.models import Desk, PriorityCategory, QueueConfig, QueueTopic, Ticket, TicketEvent, TicketStatus
from cipnet.equeue.tests.test_services import Clock, clock  # noqa: F401 — the clock fixture
from cipnet.testing import World

ClientFor = Callable[[str], APIClient]

STAFF_OF_A = ("consultant_a", "manager_a", "trainer_a")
#: Signed in, but not working in centre A: its desks and tickets do not exist for them.
OUTSIDE = ("resident", "official", "consultant_b", "manager_b", "coordinator_a", "coordinator_b", "admin")
ROLES = ("anonymous", *STAFF_OF_A, *OUTSIDE)


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    # The issue throttle and the board's version live in the cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client_for(world: World) -> ClientFor:
    def make(role: str) -> APIClient:
        client = APIClient()
        if role != "anonymous":
            token, _created = Token.objects.get_or_create(user=world.users[role])
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def config(world: World, clock: Clock) -> QueueConfig:  # noqa: F811
    return services.queue_setup(actor=None, centre=world.centre_a)


def topic(world: World, prefix: str = "А") -> QueueTopic:
    return QueueTopic.objects.get(centre=world.centre_a, prefix=prefix)


def desks(world: World) -> list[Desk]:
    return list(Desk.objects.filter(centre=world.centre_a).order_by("pk"))


def issue(world: World, prefix: str = "А") -> Ticket:
    return services.ticket_issue(centre=world.centre_a, topic=topic(world, prefix))


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def issue_url(world: World) -> str:
    return f"/api/v1/queue/{world.centre_a.slug}/tickets/"


def kiosk(config: QueueConfig) -> dict[str, Any]:
    return {"HTTP_X_KIOSK_TOKEN": config.kiosk_token}


# --- Issuing ----------------------------------------------------------------------------------


def test_kiosk_issues_a_ticket(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    issue(world)  # А-001 waits already
    response = client_for("anonymous").post(
        issue_url(world) + "?lang=en", {"topic": "А"}, format="json", **kiosk(config)
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert body == {
        "id": ticket.pk,
        "label": "А-002",
        "status": "waiting",
        "status_label": "Waiting",
        "topic": {"id": topic(world).pk, "prefix": "А", "name": "Pensions and social matters"},
        "centre": world.centre_a.slug,
        "ahead": 1,
        "minutes": 5,  # one ahead × 10 minutes (no history) / two desks
        "desk": None,
        "issued_at": body["issued_at"],
        "called_at": None,
        "code": ticket.code,
        "status_url": f"http://testserver/api/v1/queue/tickets/{ticket.code}/",
        "channel": "kiosk",
    }
    assert response["Location"] == body["status_url"]
    assert "no-store" in response["Cache-Control"]
    assert (ticket.channel, ticket.priority) == ("kiosk", None)
    assert TicketEvent.objects.get(ticket=ticket).actor is None


def test_topic_by_id_or_small_letter_and_a_priority(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    priority = PriorityCategory.objects.filter(centre=world.centre_a).first()
    assert priority is not None
    client = client_for("anonymous")
    by_id = client.post(issue_url(world), {"topic": topic(world, "Б").pk}, format="json", **kiosk(config))
    small = client.post(issue_url(world), {"topic": "б", "priority": priority.pk}, format="json", **kiosk(config))
    assert (by_id.status_code, small.status_code) == (201, 201)
    assert (by_id.json()["label"], small.json()["label"]) == ("Б-001", "Б-002")
    assert Ticket.objects.get(pk=small.json()["id"]).priority == priority
    assert small.json()["ahead"] == 0  # priority goes first


@pytest.mark.parametrize(
    ("role", "expected", "channel"),
    [
        ("anonymous", 401, None),
        ("resident", 403, None),
        ("coordinator_a", 403, None),
        ("admin", 403, None),
        ("consultant_b", 403, None),
        ("consultant_a", 201, "staff"),
        ("manager_a", 201, "staff"),
        ("trainer_a", 201, "staff"),
    ],
)
def test_issue_matrix_without_kiosk_token(
    world: World, config: QueueConfig, client_for: ClientFor, role: str, expected: int, channel: str | None
) -> None:
    response = client_for(role).post(issue_url(world), {"topic": "А"}, format="json")
    assert response.status_code == expected
    if channel is None:
        assert error(response)["code"] == ("not_authenticated" if role == "anonymous" else "permission_denied")
        assert not Ticket.objects.exists()
    else:
        ticket = Ticket.objects.get()
        assert (ticket.channel, TicketEvent.objects.get(ticket=ticket).actor) == (channel, world.users[role])


@pytest.mark.parametrize("role", ["anonymous", "consultant_b", "resident"])
def test_a_wrong_kiosk_token_is_refused(world: World, config: QueueConfig, client_for: ClientFor, role: str) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    other = QueueConfig.objects.get(centre=world.centre_b)
    for token in ("wrong", other.kiosk_token):
        response = client_for(role).post(issue_url(world), {"topic": "А"}, format="json", HTTP_X_KIOSK_TOKEN=token)
        assert response.status_code == 403
        assert error(response)["code"] == "permission_denied"
    assert not Ticket.objects.exists()


def test_unknown_centre_or_no_queue_is_404(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    client = client_for("consultant_b")
    assert client.post("/api/v1/queue/no-such-centre/tickets/", {"topic": "А"}, format="json").status_code == 404
    url = f"/api/v1/queue/{world.centre_b.slug}/tickets/"
    response = client.post(url, {"topic": "А"}, format="json")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_queue_off_is_409(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    QueueConfig.objects.filter(pk=config.pk).update(is_enabled=False)
    response = client_for("anonymous").post(
        issue_url(world) + "?lang=en", {"topic": "А"}, format="json", **kiosk(config)
    )
    assert response.status_code == 409
    assert error(response) == {"code": "queue_closed", "message": "This centre does not use the electronic queue."}


def test_closed_centre_is_409_saying_when_it_opens(
    world: World,
    config: QueueConfig,
    client_for: ClientFor,
    clock: Clock,  # noqa: F811
) -> None:
    clock.advance(hours=3, minutes=30)  # 13:30, lunch
    response = client_for("consultant_a").post(issue_url(world) + "?lang=en", {"topic": "А"}, format="json")
    assert response.status_code == 409
    assert error(response) == {
        "code": "queue_closed",
        "message": "The centre is closed now, so tickets are not issued. It opens today at 14:00.",
    }


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"topic"}),
        ({"topic": "Я"}, {"topic"}),
        ({"topic": 999999}, {"topic"}),
        ({"topic": ""}, {"topic"}),
        ({"topic": "А", "priority": 999999}, {"priority"}),
        ({"topic": "А", "priority": "first"}, {"priority"}),
        ({"topic": "А", "colour": "red"}, {"colour"}),
        ({"topic": "Я", "colour": "red"}, {"topic", "colour"}),
    ],
)
def test_issue_field_errors(
    world: World, config: QueueConfig, client_for: ClientFor, payload: dict[str, Any], fields: set[str]
) -> None:
    response = client_for("anonymous").post(issue_url(world), payload, format="json", **kiosk(config))
    assert response.status_code == 400
    body = error(response)
    assert (body["code"], set(body["fields"])) == ("invalid", fields)
    assert not Ticket.objects.exists()


def test_issue_with_another_centres_topic_or_priority(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    QueueTopic.objects.filter(centre=world.centre_b, prefix="Б").update(prefix="Ж")
    other_topic = QueueTopic.objects.get(centre=world.centre_b, prefix="Ж")
    other_priority = PriorityCategory.objects.filter(centre=world.centre_b).first()
    assert other_priority is not None
    client = client_for("consultant_a")
    for payload, field in [
        ({"topic": "Ж"}, "topic"),
        ({"topic": other_topic.pk}, "topic"),
        ({"topic": "А", "priority": other_priority.pk}, "priority"),
    ]:
        response = client.post(issue_url(world), payload, format="json")
        assert response.status_code == 400
        assert set(error(response)["fields"]) == {field}
    assert not Ticket.objects.exists()


def test_anonymous_issue_is_rate_limited(
    world: World, config: QueueConfig, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(KioskIssueThrottle, "rate", "3/min")
    client = client_for("anonymous")
    codes = [client.post(issue_url(world), {"topic": "А"}, format="json", **kiosk(config)).status_code for _i in "1234"]
    assert codes == [201, 201, 201, 429]
    assert error(client.post(issue_url(world), {"topic": "А"}, format="json", **kiosk(config)))["code"] == "throttled"
    # The staff are not limited by it.
    staff = client_for("consultant_a")
    assert [staff.post(issue_url(world), {"topic": "А"}, format="json").status_code for _i in "1234"] == [201] * 4
    assert Ticket.objects.count() == 7


def test_session_writes_need_the_csrf_token(world: World, config: QueueConfig) -> None:
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.users["consultant_a"])
    response = client.post(issue_url(world), {"topic": "А"}, format="json")
    assert response.status_code == 403
    assert not Ticket.objects.exists()


# --- The holder's status page -------------------------------------------------------------------


def test_status_by_code(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    _first, second = issue(world), issue(world)
    client = client_for("anonymous")
    response = client.get(f"/api/v1/queue/tickets/{second.code}/?lang=en")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("label", "status", "status_label", "ahead", "minutes", "desk", "called_at")} == {
        "label": "А-002",
        "status": "waiting",
        "status_label": "Waiting",
        "ahead": 1,
        "minutes": 5,
        "desk": None,
        "called_at": None,
    }
    assert "code" not in body and "id" not in body
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desks(world)[1])
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desks(world)[0])
    body = client.get(f"/api/v1/queue/tickets/{second.code}/").json()
    assert (body["status"], body["ahead"], body["minutes"], body["desk"]) == ("called", 0, 0, desks(world)[0].name)


def test_status_of_an_unknown_code_is_404(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    issue(world)
    response = client_for("anonymous").get("/api/v1/queue/tickets/not-a-code/")
    assert response.status_code == 404
    assert error(response)["code"] == "not_found"


def test_holder_cancels(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    t = issue(world)
    client = client_for("anonymous")
    response = client.post(f"/api/v1/queue/tickets/{t.code}/cancel/")
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    again = client.post(f"/api/v1/queue/tickets/{t.code}/cancel/")
    assert again.status_code == 409
    assert error(again)["code"] == "invalid_transition"
    assert client.post("/api/v1/queue/tickets/nope/cancel/").status_code == 404


# --- Calling ------------------------------------------------------------------------------------


def call_url(desk: Desk) -> str:
    return f"/api/v1/queue/desks/{desk.pk}/call-next/"


@pytest.mark.parametrize("role", ROLES)
def test_call_next_matrix(world: World, config: QueueConfig, client_for: ClientFor, role: str) -> None:
    t = issue(world)
    response = client_for(role).post(call_url(desks(world)[0]))
    if role in STAFF_OF_A:
        assert response.status_code == 200
        body = response.json()["ticket"]
        assert (body["id"], body["label"], body["status"], body["desk"]["id"], body["calls"]) == (
            t.pk,
            "А-001",
            "called",
            desks(world)[0].pk,
            1,
        )
        return
    assert response.status_code == (401 if role == "anonymous" else 404)
    assert error(response)["code"] == ("not_authenticated" if role == "anonymous" else "not_found")
    t.refresh_from_db()
    assert (t.status, t.desk, t.calls) == (TicketStatus.WAITING, None, 0)


def test_call_next_when_nobody_waits(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    response = client_for("consultant_a").post(call_url(desks(world)[0]))
    assert (response.status_code, response.json()) == (200, {"ticket": None})


def test_call_next_while_busy_is_409(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    issue(world)
    second = issue(world)
    client = client_for("consultant_a")
    assert client.post(call_url(desks(world)[0])).status_code == 200
    response = client.post(call_url(desks(world)[0]) + "?lang=en")
    assert response.status_code == 409
    assert error(response) == {
        "code": "invalid_transition",
        "message": "Finish ticket А-001, or mark that the visitor did not come, before calling the next one.",
    }
    second.refresh_from_db()
    assert second.status == TicketStatus.WAITING


def test_call_next_at_a_closed_desk_is_400(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    issue(world)
    Desk.objects.filter(pk=desks(world)[0].pk).update(is_active=False)
    response = client_for("consultant_a").post(call_url(desks(world)[0]))
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"desk"}


def test_call_next_at_an_unknown_desk_is_404(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    assert client_for("consultant_a").post("/api/v1/queue/desks/999999/call-next/").status_code == 404


# --- Transitions --------------------------------------------------------------------------------


def action_url(ticket: Ticket, action: str) -> str:
    return f"/api/v1/queue/tickets/{ticket.pk}/{action}/"


@pytest.fixture
def called(world: World, config: QueueConfig) -> Ticket:
    issue(world)
    t = services.ticket_call_next(actor=world.users["consultant_a"], desk=desks(world)[0])
    assert t is not None
    return t


ACTIONS = {
    "recall": ({}, TicketStatus.CALLED),
    "no-show": ({}, TicketStatus.NO_SHOW),
    "start": ({}, TicketStatus.SERVING),
    "finish": ({}, TicketStatus.DONE),
    "transfer": ({"topic": "Б"}, TicketStatus.WAITING),
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_action_matrix(world: World, called: Ticket, client_for: ClientFor, role: str, action: str) -> None:
    payload, status_after = ACTIONS[action]
    events = TicketEvent.objects.count()
    response = client_for(role).post(action_url(called, action), payload, format="json")
    called.refresh_from_db()
    if role in STAFF_OF_A:
        assert response.status_code == 200, response.json()
        body = response.json()["ticket"] if action == "finish" else response.json()
        assert (body["id"], body["label"], body["status"]) == (called.pk, "А-001", status_after)
        assert called.status == status_after
        assert TicketEvent.objects.count() == events + 1
        return
    assert response.status_code == (401 if role == "anonymous" else 404)
    assert (called.status, called.calls) == (TicketStatus.CALLED, 1)
    assert TicketEvent.objects.count() == events


@pytest.mark.parametrize("action", list(ACTIONS))
def test_illegal_transitions_are_409(world: World, config: QueueConfig, client_for: ClientFor, action: str) -> None:
    waiting = issue(world)
    payload, _status = ACTIONS[action]
    if action == "finish":
        response = client_for("consultant_a").post(action_url(waiting, action) + "?lang=en", payload, format="json")
        assert error(response)["message"] == "Ticket А-001 cannot be finished: it is “Waiting”."
    else:
        response = client_for("consultant_a").post(action_url(waiting, action), payload, format="json")
    assert response.status_code == 409
    assert error(response)["code"] == "invalid_transition"
    waiting.refresh_from_db()
    assert waiting.status == TicketStatus.WAITING


def test_done_ticket_cannot_be_served_again(world: World, called: Ticket, client_for: ClientFor) -> None:
    client = client_for("manager_a")
    assert client.post(action_url(called, "finish")).status_code == 200
    for action in ACTIONS:
        assert client.post(action_url(called, action), ACTIONS[action][0], format="json").status_code == 409


def test_finish_answers_with_the_consultation_log_link(world: World, called: Ticket, client_for: ClientFor) -> None:
    response = client_for("consultant_a").post(action_url(called, "finish"))
    assert response.status_code == 200
    url = response.json()["consultation_url"]
    assert url.startswith("http://testserver/") and "?prefill=" in url


def test_transfer_to_a_desk_keeps_label_and_place(world: World, called: Ticket, client_for: ClientFor) -> None:
    desk = desks(world)[1]
    response = client_for("consultant_a").post(action_url(called, "transfer"), {"desk": desk.pk}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert (body["label"], body["status"], body["for_desk"], body["desk"]) == (
        "А-001",
        "waiting",
        {"id": desk.pk, "name": desk.name},
        None,
    )
    t = Ticket.objects.get(pk=called.pk)
    assert (t.queued_at, t.for_desk) == (called.queued_at, desk)


@pytest.mark.parametrize(
    ("payload", "fields"),
    [
        ({}, {"topic"}),
        ({"topic": "Я"}, {"topic"}),
        ({"desk": 999999}, {"desk"}),
        ({"desk": "two"}, {"desk"}),
        ({"topic": "Б", "note": "x"}, {"note"}),
    ],
)
def test_transfer_field_errors(
    world: World, called: Ticket, client_for: ClientFor, payload: dict[str, Any], fields: set[str]
) -> None:
    response = client_for("consultant_a").post(action_url(called, "transfer"), payload, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == fields
    called.refresh_from_db()
    assert called.status == TicketStatus.CALLED


def test_transfer_to_another_centres_desk(world: World, called: Ticket, client_for: ClientFor) -> None:
    services.queue_setup(actor=None, centre=world.centre_b)
    other = Desk.objects.filter(centre=world.centre_b).first()
    assert other is not None
    response = client_for("consultant_a").post(action_url(called, "transfer"), {"desk": other.pk}, format="json")
    assert response.status_code == 400
    assert set(error(response)["fields"]) == {"desk"}


# --- The board ----------------------------------------------------------------------------------


def board_url(world: World) -> str:
    return f"/api/v1/queue/{world.centre_a.slug}/board/"


def test_board_with_etag(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    issue(world)
    client = client_for("anonymous")
    first = client.get(board_url(world) + "?lang=en")
    assert first.status_code == 200
    body = first.json()
    assert body["centre"] == "M. L. Kropyvnytskyi Central Library"
    assert body["calling"] == [] and body["recent"] == []
    assert [(w["prefix"], w["count"]) for w in body["waiting"]] == [("А", 1), ("Б", 0), ("В", 0), ("Г", 0)]
    assert body["waiting"][0]["topic"] == "Pensions and social matters"
    etag = first["ETag"]
    assert "no-cache" in first["Cache-Control"]
    # Unchanged: 304 without a body.
    same = client.get(board_url(world) + "?lang=en", HTTP_IF_NONE_MATCH=etag)
    assert (same.status_code, same.content, same["ETag"]) == (304, b"", etag)
    # Another language is another snapshot.
    assert client.get(board_url(world) + "?lang=uk", HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A call changes it.
    services.ticket_call_next(actor=world.users["consultant_a"], desk=desks(world)[0])
    changed = client.get(board_url(world) + "?lang=en", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert [(c["ticket"], c["desk"], c["serving"]) for c in changed.json()["calling"]] == [
        ("А-001", desks(world)[0].name, False)
    ]


def test_board_of_a_centre_without_a_queue_is_404(world: World, config: QueueConfig, client_for: ClientFor) -> None:
    assert client_for("anonymous").get(f"/api/v1/queue/{world.centre_b.slug}/board/").status_code == 404
    QueueConfig.objects.filter(pk=config.pk).update(is_enabled=False)
    assert client_for("anonymous").get(board_url(world)).status_code == 404
