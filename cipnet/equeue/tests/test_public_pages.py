"""The public queue pages: the board and its JSON, the ticket holder's status page and JSON,
the printable slip and cancelling a place."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from cipnet.equeue import live, services
from cipnet.equeue.models import QueueConfig, QueueTopic, Ticket, TicketStatus
from cipnet.testing import World


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def queue(world: World, monkeypatch: pytest.MonkeyPatch) -> QueueConfig:
    """Centre A's queue, open for tickets whatever the time the suite runs."""
    monkeypatch.setattr(services, "is_open_for_tickets", lambda centre, at: True)
    return services.queue_setup(actor=None, centre=world.centre_a)


def topic(world: World, prefix: str = "А") -> QueueTopic:
    return QueueTopic.objects.get(centre=world.centre_a, prefix=prefix)


def issue(world: World, n: int = 1, prefix: str = "А") -> list[Ticket]:
    return [services.ticket_issue(centre=world.centre_a, topic=topic(world, prefix)) for _ in range(n)]


def call_next(world: World) -> Ticket:
    desk = world.centre_a.desks.order_by("name").first()
    assert desk is not None
    ticket = services.ticket_call_next(actor=world.users["consultant_a"], desk=desk)
    assert ticket is not None
    return ticket


def board_url(world: World, suffix: str = "board/") -> str:
    return f"/queue/{world.centre_a.slug}/{suffix}"


def version(world: World) -> int:
    return QueueConfig.objects.get(centre=world.centre_a).version


# --- The board ----------------------------------------------------------------------------------


def test_board_shows_who_is_called_to_which_desk(client: Client, world: World, queue: QueueConfig) -> None:
    issue(world, 3)
    called = call_next(world)
    response = client.get(board_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.centre_a.name in html
    assert f'data-key="{called.label}|1"' in html
    assert f'<span class="call__ticket">{called.label}</span>' in html
    assert called.desk is not None and called.desk.name in html
    assert '<noscript><meta http-equiv="refresh" content="15"></noscript>' in html
    assert "/static/cipnet/js/board.js" in html
    assert 'aria-live="assertive"' in html
    assert f'data-etag="&quot;{world.centre_a.pk}-{version(world)}&quot;"' in html
    assert "<script>" not in html and "style=" not in html  # CSP: no inline code


def test_board_json_is_the_snapshot_with_a_strong_etag(client: Client, world: World, queue: QueueConfig) -> None:
    issue(world, 2)
    called = call_next(world)
    response = client.get(board_url(world, "board.json"))
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.centre_a.pk}-{version(world)}"'
    assert response["Cache-Control"] == "no-cache"
    data = response.json()
    assert data["version"] == version(world)
    assert data["centre"] == world.centre_a.name
    assert [(c["ticket"], c["desk"], c["calls"]) for c in data["calling"]] == [(called.label, called.desk.name, 1)]
    waiting = {w["prefix"]: w["count"] for w in data["waiting"]}
    assert waiting["А"] == 1
    assert waiting["Б"] == 0


def test_unchanged_board_is_304_without_any_database_query(
    client: Client, world: World, queue: QueueConfig, django_assert_num_queries
) -> None:
    issue(world, 1)
    first = client.get(board_url(world, "board.json"))
    etag = first["ETag"]
    with django_assert_num_queries(0):
        response = client.get(board_url(world, "board.json"), headers={"If-None-Match": etag})
    assert response.status_code == 304
    assert response["ETag"] == etag
    assert response.content == b""


def test_a_change_makes_the_old_etag_stale(
    client: Client, world: World, queue: QueueConfig, django_capture_on_commit_callbacks
) -> None:
    etag = client.get(board_url(world, "board.json"))["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        issue(world, 1)
    response = client.get(board_url(world, "board.json"), headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert response["ETag"] == f'"{world.centre_a.pk}-{version(world)}"' != etag
    assert response.json()["waiting"][0]["count"] == 1


@pytest.mark.parametrize("suffix", ["board/", "board.json"])
def test_board_is_404_for_an_unknown_centre_or_a_queue_that_is_off(
    client: Client, world: World, queue: QueueConfig, suffix: str
) -> None:
    assert client.get(f"/queue/no-such-centre/{suffix}").status_code == 404
    assert client.get(f"/queue/{world.centre_b.slug}/{suffix}").status_code == 404  # never switched on
    QueueConfig.objects.filter(pk=queue.pk).update(is_enabled=False)
    assert client.get(board_url(world, suffix)).status_code == 404


def test_board_in_english(client: Client, world: World, queue: QueueConfig) -> None:
    response = client.get(f"/en/queue/{world.centre_a.slug}/board.json")
    assert response.status_code == 200
    assert response.json()["waiting"][0]["topic"] == "Pensions and social matters"


# --- The ticket holder's status page --------------------------------------------------------------


def status_url(ticket: Ticket, suffix: str = "") -> str:
    """In English, so that the assertions hold once the Ukrainian translation lands."""
    return f"/en/queue/ticket/{ticket.code}/{suffix}"


def test_status_page_says_how_many_are_ahead_and_how_long(client: Client, world: World, queue: QueueConfig) -> None:
    *_, mine = issue(world, 4)
    html = client.get(status_url(mine)).content.decode()
    assert f'<span class="ticket-number" id="ticket-label" lang="uk">{mine.label}</span>' in html
    # Three ahead; no history yet, so 10 minutes each, shared by the two desks: 15 minutes.
    assert "3 people before you, about 15 minutes" in html
    assert f'href="/en/queue/ticket/{mine.code}/cancel/"' in html
    assert f'href="/en/queue/ticket/{mine.code}/slip/"' in html
    assert '<svg viewBox="0 0 ' in html and 'class="qr"' in html
    assert "/static/cipnet/js/ticket-status.js" in html


def test_status_page_tells_the_called_holder_which_desk(client: Client, world: World, queue: QueueConfig) -> None:
    (mine,) = issue(world, 1)
    desk = call_next(world).desk
    assert desk is not None
    html = client.get(status_url(mine)).content.decode()
    assert f"Your turn! Go to {desk.name}" in html
    assert "ticket-state--called" in html
    data = client.get(status_url(mine, "status.json")).json()
    assert data["status"] == "called"
    assert data["called"] is True
    assert data["desk"] == desk.name
    assert data["headline"] == f"Your turn! Go to {desk.name}"
    assert data["can_cancel"] is False


def test_status_json_counts_down_and_answers_304_without_queries(
    client: Client, world: World, queue: QueueConfig, django_assert_num_queries
) -> None:
    _first, second = issue(world, 2)
    response = client.get(status_url(second, "status.json"))
    data = response.json()
    assert (data["ticket"], data["ahead"], data["minutes"], data["status"]) == (second.label, 1, 5, "waiting")
    assert data["headline"] == "1 person before you, about 5 minutes"
    assert response["ETag"] == f'"{world.centre_a.pk}-{version(world)}"'
    with django_assert_num_queries(0):
        assert (
            client.get(status_url(second, "status.json"), headers={"If-None-Match": response["ETag"]}).status_code
            == 304
        )


def test_unknown_ticket_is_404(client: Client, world: World, queue: QueueConfig) -> None:
    for suffix in ("", "status.json", "slip/", "cancel/"):
        assert client.get(f"/queue/ticket/no-such-code/{suffix}").status_code == 404
    assert client.post("/queue/ticket/no-such-code/cancel/").status_code == 404


# --- The slip -------------------------------------------------------------------------------------


def test_slip_has_one_h1_naming_the_ticket(client: Client, world: World, queue: QueueConfig) -> None:
    """Screen readers jump to the h1: on the slip it is "Your ticket A-001" (issue 14)."""
    import re

    (ticket,) = issue(world, 1)
    html = client.get(status_url(ticket, "slip/")).content.decode()
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    assert len(headings) == 1
    assert ticket.label in headings[0]


def test_slip_has_the_number_and_a_qr_code_of_the_status_page(client: Client, world: World, queue: QueueConfig) -> None:
    (ticket,) = issue(world, 1)
    html = client.get(status_url(ticket, "slip/")).content.decode()
    assert f'<span class="slip__number" lang="uk">{ticket.label}</span>' in html
    assert f"http://testserver/en/queue/ticket/{ticket.code}/" in html
    assert '<svg viewBox="0 0 ' in html and "<path " in html
    assert "data-print" in html
    assert "data-autoprint" not in html
    assert 'data-autoprint="1"' in client.get(status_url(ticket, "slip/") + "?print=1").content.decode()


def test_slip_qr_code_encodes_the_status_url(world: World, queue: QueueConfig) -> None:
    import segno

    from cipnet.equeue.views_public import qr_svg

    url = "http://testserver/queue/ticket/abc/"
    assert qr_svg(url) == segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="qr", title="QR code: open this page on your phone"
    )


# --- Cancelling -----------------------------------------------------------------------------------


def test_cancel_asks_first_then_gives_up_the_place(client: Client, world: World, queue: QueueConfig) -> None:
    (ticket,) = issue(world, 1)
    confirm = client.get(status_url(ticket, "cancel/"))
    assert confirm.status_code == 200
    assert "Yes, cancel my place" in confirm.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.WAITING  # asking changes nothing
    response = client.post(status_url(ticket, "cancel/"), follow=True)
    assert response.redirect_chain == [(status_url(ticket), 302)]
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CANCELLED
    html = response.content.decode()
    assert "Your place in the queue is cancelled." in html
    assert "You gave up your place in the queue." in html


def test_a_called_ticket_cannot_be_cancelled(client: Client, world: World, queue: QueueConfig) -> None:
    (ticket,) = issue(world, 1)
    call_next(world)
    response = client.post(status_url(ticket, "cancel/"), follow=True)
    assert "Your place could not be cancelled" in response.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.CALLED
    assert client.get(status_url(ticket, "cancel/")).status_code == 302  # no "are you sure?" page


def test_cancel_needs_the_csrf_token(world: World, queue: QueueConfig) -> None:
    (ticket,) = issue(world, 1)
    response = Client(enforce_csrf_checks=True).post(status_url(ticket, "cancel/"))
    assert response.status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).status == TicketStatus.WAITING


def test_code_to_centre_is_cached(world: World, queue: QueueConfig, django_assert_num_queries) -> None:
    (ticket,) = issue(world, 1)
    assert live.centre_for_code(ticket.code) == world.centre_a.pk
    with django_assert_num_queries(0):
        assert live.centre_for_code(ticket.code) == world.centre_a.pk
    assert live.centre_for_code("x" * 40) is None
