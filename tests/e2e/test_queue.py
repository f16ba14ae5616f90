"""The electronic queue in the browser, on the ASGI server (uvicorn) that pushes to boards:
two consultants serve a morning's thirty mixed tickets from two desks while a display board
shows each call; then the statistics. Also the kiosk (tablet) and the ticket holder's page."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import BrowserContext, Page, expect

from cipnet.core.clock import KYIV
from cipnet.equeue import selectors, services
from cipnet.equeue.models import Desk, PriorityCategory, QueueTopic, Ticket, TicketStatus

from .support import HERE, assert_axe_clean, axe_check, screenshot, uk

#: A Wednesday morning in Kyiv; the queue's clock runs 60 times faster than real time from here,
#: so that waiting and service times come out in minutes.
MORNING = dt.datetime(2026, 11, 25, 9, 30, tzinfo=KYIV)
SPEED = 60
TABLET = {"viewport": {"width": 1024, "height": 1366}, "has_touch": True}
BOARD = {"viewport": {"width": 1920, "height": 1080}}


@pytest.fixture
def queue_clock(monkeypatch: pytest.MonkeyPatch) -> Callable[[], dt.datetime]:
    started = time.monotonic()

    def clock() -> dt.datetime:
        return MORNING + dt.timedelta(seconds=(time.monotonic() - started) * SPEED)

    import cipnet.equeue.selectors
    import cipnet.equeue.services
    import cipnet.equeue.views_kiosk
    import cipnet.equeue.views_public
    import cipnet.equeue.views_staff

    for module in (
        cipnet.equeue.services,
        cipnet.equeue.selectors,
        cipnet.equeue.views_kiosk,
        cipnet.equeue.views_public,
        cipnet.equeue.views_staff,
    ):
        monkeypatch.setattr(module, "now", clock)
    return clock


@pytest.fixture
def asgi_url(transactional_db: None) -> Iterator[str]:
    """The ASGI application served by uvicorn in a thread of this process (so the test's
    database and clock are its own), as `make run` serves it."""
    from config.asgi import application

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def queue_world(world: Any, queue_clock: Callable[[], dt.datetime], asgi_url: str) -> Any:
    services.queue_setup(actor=None, centre=world.centre_a)
    return world


def sign_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label(uk("Username")).fill(username)
    page.get_by_label(uk("Password"), exact=True).fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name=uk("Sign in")).click()
    page.wait_for_url("**/staff/")
    return page


def open_console(context: BrowserContext, username: str, desk: Desk) -> Page:
    page = sign_in(context, username)
    page.goto("/staff/queue/")
    page.locator("#id_desk_pick").select_option(str(desk.pk))
    page.locator("#desk-form button[type=submit]").click()
    expect(page.locator("#desk-heading")).to_contain_text(desk.name)
    return page


def test_two_desks_serve_thirty_tickets_and_the_board_shows_each_call_within_a_second(
    queue_world: Any, asgi_url: str, new_context: Callable[..., BrowserContext]
) -> None:
    axe_failures: list[str] = []
    centre = queue_world.centre_a
    topics = list(QueueTopic.objects.filter(centre=centre).order_by("position"))
    priorities = list(PriorityCategory.objects.filter(centre=centre))
    desk1, desk2 = Desk.objects.filter(centre=centre).order_by("name")
    # A morning's mixed queue: four topics, every fifth visitor with a priority right.
    for n in range(30):
        services.ticket_issue(
            centre=centre, topic=topics[n % len(topics)], priority=priorities[n % 4] if n % 5 == 2 else None
        )

    board = new_context(base_url=asgi_url, **BOARD).new_page()
    board.goto(f"/queue/{centre.slug}/board/")
    expect(board.locator("#board-nobody")).to_be_visible()
    axe_check(board, label="board", collect=axe_failures)
    first = open_console(new_context(base_url=asgi_url), "consultant_a", desk1)
    second = open_console(new_context(base_url=asgi_url), "manager_a", desk2)
    axe_check(first, label="console", collect=axe_failures)

    delays: list[float] = []
    no_shows = 0
    served = 0
    for n in range(30):
        console = first if n % 2 == 0 else second
        console.get_by_role("button", name=uk("Call next")).click()
        label = console.locator("#current-label").inner_text().strip()
        clicked = time.perf_counter()
        expect(board.locator("#board-calling .call__ticket", has_text=label)).to_be_visible(timeout=1000)
        delays.append(time.perf_counter() - clicked)
        if n == 0:
            screenshot(board, "queue-board", docs_name="queue-board.png", full_page=False)
        if n % 10 == 7:
            console.get_by_role("button", name=uk("Did not come")).click()
            no_shows += 1
        else:
            console.get_by_role("button", name=uk("Start")).click()
            console.get_by_role("button", name=uk("Finish")).click()
            console.wait_for_url("**/staff/log/?**prefill=*")  # the consultation log opens pre-filled
            served += 1
            console.goto("/staff/queue/")
    first.get_by_role("button", name=uk("Call next")).click()
    expect(first.locator("main")).to_contain_text(uk("Nobody is waiting."))

    assert max(delays) < 1.0, delays
    (HERE / "screenshots").mkdir(exist_ok=True)
    (HERE / "screenshots" / "queue-board-delays.json").write_text(
        json.dumps(
            {"calls": len(delays), "max_s": round(max(delays), 3), "mean_s": round(sum(delays) / len(delays), 3)}
        )
    )
    tickets = Ticket.objects.filter(centre=centre)
    assert tickets.filter(status=TicketStatus.DONE).count() == served == 27
    assert tickets.filter(status=TicketStatus.NO_SHOW).count() == no_shows == 3
    # Priority visitors were called first, but never more than three in a row at a desk.
    for desk in (desk1, desk2):
        calls = tickets.filter(desk=desk).order_by("called_at").values_list("priority_id", flat=True)
        streak = longest = 0
        for priority_id in calls:
            streak = streak + 1 if priority_id else 0
            longest = max(longest, streak)
        assert longest <= 3
    first_calls = list(tickets.order_by("called_at").values_list("priority_id", flat=True)[:6])
    assert all(first_calls), "the six priority visitors were called first"

    # The statistics match what happened.
    stats_page = first
    today = MORNING.date().isoformat()
    stats_page.goto(f"/staff/queue/{centre.pk}/stats/?from={today}&to={today}")
    axe_check(stats_page, label="queue statistics", collect=axe_failures)
    figures = selectors.statistics(centre=centre, start=MORNING.date(), end=MORNING.date())
    assert (figures.total.issued, figures.total.served, figures.total.no_show) == (30, 27, 3)
    assert figures.total.no_show_rate == 0.1
    assert set(figures.by_desk) == {desk1.name, desk2.name}
    assert sum(f.served for f in figures.by_desk.values()) == 27
    assert len(figures.total.waits) == 30 and figures.total.wait_avg and figures.total.wait_avg > 0
    main = stats_page.locator("main").inner_text()
    assert "27" in main and "30" in main
    assert_axe_clean(axe_failures)


def test_kiosk_ticket_and_the_holders_page(
    queue_world: Any, asgi_url: str, new_context: Callable[..., BrowserContext]
) -> None:
    axe_failures: list[str] = []
    centre = queue_world.centre_a
    token = centre.queue_config.kiosk_token
    kiosk = new_context(base_url=asgi_url, **TABLET).new_page()
    kiosk.goto(f"/queue/kiosk/{token}/")
    axe_check(kiosk, label="kiosk start", collect=axe_failures)
    screenshot(kiosk, "queue-kiosk", docs_name="queue-kiosk.png", full_page=False)
    topic = QueueTopic.objects.filter(centre=centre).order_by("position").first()
    assert topic is not None
    kiosk.locator("main a.kiosk-button").filter(has_text=topic.name).first.click()
    axe_check(kiosk, label="kiosk priority", collect=axe_failures)
    kiosk.locator("main form button").first.click()
    expect(kiosk.locator("main")).to_contain_text(f"{topic.prefix}-001")
    axe_check(kiosk, label="kiosk ticket", collect=axe_failures)
    ticket = Ticket.objects.get(centre=centre)

    holder = new_context(base_url=asgi_url, viewport={"width": 390, "height": 844}).new_page()
    holder.goto(f"/queue/ticket/{ticket.code}/")
    expect(holder.locator("main")).to_contain_text(ticket.label)
    axe_check(holder, label="ticket status", collect=axe_failures)
    # Called from a desk: the holder's page changes by itself.
    services.ticket_call_next(actor=queue_world.users["consultant_a"], desk=Desk.objects.filter(centre=centre)[0])
    expect(holder.locator("main")).to_contain_text(Desk.objects.filter(centre=centre)[0].name, timeout=3000)
    screenshot(holder, "queue-ticket-called")
    holder.goto(f"/queue/ticket/{ticket.code}/slip/")
    expect(holder.locator("svg").first).to_be_visible()  # the QR code
    axe_check(holder, label="ticket slip", collect=axe_failures)
    assert_axe_clean(axe_failures)
