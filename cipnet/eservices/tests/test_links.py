"""check_links against a local test server (never the internet): working, moved, missing, broken and slow."""

from __future__ import annotations

import contextlib
import io
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from cipnet.eservices import services
from cipnet.eservices.links import MAX_REDIRECTS, card_link_targets, check_card_links, fetch, run_link_checks
from cipnet.eservices.models import LinkCheck, Provider, ServiceCard

SLOW_SECONDS = 1.5
TIMEOUT = 0.5


class Handler(BaseHTTPRequestHandler):
    """Paths: /ok 200, /moved 301 → /ok, /chain/N N redirects then /ok, /loop forever, /missing 404,
    /broken 500, /no-head 405 to HEAD and 200 to GET, /slow answers after SLOW_SECONDS."""

    hits: list[tuple[str, str]] = []

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _answer(self, method: str) -> None:
        Handler.hits.append((method, self.path))
        path = self.path
        if path == "/ok":
            self._send(200)
        elif path == "/moved":
            self._send(301, location="/ok")
        elif path.startswith("/chain/"):
            left = int(path.rsplit("/", 1)[1])
            self._send(302, location=f"/chain/{left - 1}" if left > 1 else "/ok")
        elif path == "/loop":
            self._send(302, location="/loop")
        elif path == "/missing":
            self._send(404)
        elif path == "/broken":
            self._send(500)
        elif path == "/no-head":
            self._send(405 if method == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200)
        else:
            self._send(404)

    def _send(self, status: int, location: str = "") -> None:
        body = b"<!doctype html><title>test</title>"
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

    def do_HEAD(self) -> None:
        self._answer("HEAD")

    def do_GET(self) -> None:
        self._answer("GET")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def make_card(
    identifier: str, channels: list[dict[str, Any]], legal: list[dict[str, str]] | None = None
) -> ServiceCard:
    provider, _ = Provider.objects.get_or_create(slug="test-provider", defaults={"name": "Тестовий надавач"})
    return services.card_create(
        actor=None,
        identifier=identifier,
        name=f"Картка {identifier}",
        short_description="Коротко",
        description="Докладно",
        kind="administrative",
        provider=provider.pk,
        channels=channels,
        legal_basis=legal or [],
    )


def channel(url: str, *, historical: bool = False, type: str = "website") -> dict[str, Any]:
    return {"type": type, "url": url, "label": "", "historical": historical}


def test_fetch_follows_redirects_and_falls_back_to_get(server: str) -> None:
    assert fetch(f"{server}/ok", timeout=TIMEOUT) == fetch(f"{server}/moved", timeout=TIMEOUT)
    assert fetch(f"{server}/ok", timeout=TIMEOUT).ok
    assert fetch(f"{server}/chain/{MAX_REDIRECTS}", timeout=TIMEOUT).ok
    too_long = fetch(f"{server}/chain/{MAX_REDIRECTS + 1}", timeout=TIMEOUT)
    assert (too_long.ok, too_long.status_code) == (False, 302)
    assert "redirect" in too_long.error
    loop = fetch(f"{server}/loop", timeout=TIMEOUT)
    assert not loop.ok and "redirect" in loop.error

    Handler.hits.clear()
    no_head = fetch(f"{server}/no-head", timeout=TIMEOUT)
    assert (no_head.ok, no_head.status_code, no_head.error) == (True, 200, "")
    assert Handler.hits == [("HEAD", "/no-head"), ("GET", "/no-head")]

    Handler.hits.clear()
    assert fetch(f"{server}/moved", timeout=TIMEOUT).ok
    assert Handler.hits == [("HEAD", "/moved"), ("HEAD", "/ok")]  # redirects are followed with HEAD too


def test_fetch_reports_errors(server: str) -> None:
    missing = fetch(f"{server}/missing", timeout=TIMEOUT)
    assert (missing.ok, missing.status_code, missing.error) == (False, 404, "HTTP 404 Not Found")
    broken = fetch(f"{server}/broken", timeout=TIMEOUT)
    assert (broken.ok, broken.status_code, broken.error) == (False, 500, "HTTP 500 Internal Server Error")
    started = time.perf_counter()
    slow = fetch(f"{server}/slow", timeout=TIMEOUT)
    assert (slow.ok, slow.status_code, slow.error) == (False, None, "timed out")
    assert time.perf_counter() - started < SLOW_SECONDS  # HEAD timed out: no second try with GET
    # A port nobody listens on (the server's own port is in use, so bind a fresh one and close it).
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        closed_port = sock.getsockname()[1]
    refused = fetch(f"http://127.0.0.1:{closed_port}/", timeout=TIMEOUT)
    assert (refused.ok, refused.status_code, refused.error) == (False, None, "connection refused")


def test_only_web_addresses_are_checked(db: None, server: str) -> None:
    card = make_card(
        "targets",
        [
            channel(f"{server}/ok"),
            channel("tel:0800503753", type="phone"),
            channel("", type="in_person"),
            channel(f"{server}/ok"),  # the same address twice is checked once
            channel(f"{server}/missing", historical=True),
        ],
        legal=[{"title": "Закон", "url": f"{server}/moved"}, {"title": "Постанова", "url": ""}],
    )
    targets = card_link_targets(card)
    assert [(t.url, t.source, t.historical) for t in targets] == [
        (f"{server}/ok", "channel", False),
        (f"{server}/missing", "channel", True),
        (f"{server}/moved", "legal_basis", False),
    ]


def test_check_card_links_records_one_result_per_card_and_address(db: None, server: str) -> None:
    first = make_card(
        "first",
        [channel(f"{server}/ok"), channel(f"{server}/missing"), channel(f"{server}/old", historical=True)],
        legal=[{"title": "Закон", "url": f"{server}/moved"}],
    )
    second = make_card("second", [channel(f"{server}/ok"), channel(f"{server}/broken"), channel(f"{server}/slow")])
    Handler.hits.clear()

    checks = check_card_links(ServiceCard.objects.all(), timeout=TIMEOUT, concurrency=4)

    results = {(c.card_id, c.url.removeprefix(server)): (c.ok, c.status_code, c.error) for c in checks}
    assert results == {
        (first.pk, "/ok"): (True, 200, ""),
        (first.pk, "/missing"): (False, 404, "HTTP 404 Not Found"),
        (first.pk, "/old"): (False, 404, "HTTP 404 Not Found"),
        (first.pk, "/moved"): (True, 200, ""),
        (second.pk, "/ok"): (True, 200, ""),
        (second.pk, "/broken"): (False, 500, "HTTP 500 Internal Server Error"),
        (second.pk, "/slow"): (False, None, "timed out"),
    }
    assert LinkCheck.objects.count() == 7
    assert sum(1 for method, path in Handler.hits if path == "/ok" and method == "HEAD") == 2  # /ok and via /moved
    stored = LinkCheck.objects.get(card=first, url=f"{server}/missing")
    assert stored.checked_at is not None and not stored.ok


def test_a_second_check_updates_results_and_forgets_removed_addresses(db: None, server: str) -> None:
    card = make_card("again", [channel(f"{server}/ok"), channel(f"{server}/missing")])
    check_card_links([card], timeout=TIMEOUT)
    first_time = LinkCheck.objects.get(card=card, url=f"{server}/ok").checked_at
    card = services.card_update(actor=None, card=card, channels=[channel(f"{server}/ok")])

    check_card_links([card], timeout=TIMEOUT)

    rows = list(LinkCheck.objects.filter(card=card).values_list("url", "ok"))
    assert rows == [(f"{server}/ok", True)]
    assert LinkCheck.objects.get(card=card).checked_at > first_time


def test_each_address_is_fetched_once_across_cards(db: None, server: str) -> None:
    cards = [make_card(f"card-{n}", [channel(f"{server}/ok")]) for n in range(5)]
    fetched: list[str] = []

    def fake_fetch(url: str) -> Any:
        fetched.append(url)
        return fetch(url, timeout=TIMEOUT)

    outcomes = run_link_checks(cards, fetcher=fake_fetch)
    assert fetched == [f"{server}/ok"]
    assert len(outcomes) == 5 and all(o.check.ok for o in outcomes)


def test_command_prints_a_summary_and_the_failures(db: None, server: str) -> None:
    make_card(
        "pension",
        [channel(f"{server}/ok"), channel(f"{server}/missing"), channel(f"{server}/gone", historical=True)],
    )
    make_card("fop", [channel(f"{server}/moved"), channel(f"{server}/broken")])
    out = io.StringIO()

    call_command("check_links", "--timeout", str(TIMEOUT), stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Checked 5 links on 2 cards in ")
    assert lines[0].endswith(": 2 working, 2 broken.")
    assert lines[1] == (
        "Historical addresses: 1 dead as expected, 0 still answer "
        "(see whether they now redirect to the current service)."
    )
    assert lines[2:] == [
        "Broken links:",
        f"  fop  {server}/broken  HTTP 500 Internal Server Error",
        f"  pension  {server}/missing  HTTP 404 Not Found",
    ]


def test_command_strict_fails_and_card_filter(db: None, server: str) -> None:
    make_card("good", [channel(f"{server}/ok")])
    make_card("bad", [channel(f"{server}/missing")])
    out = io.StringIO()
    call_command("check_links", "--card", "good", "--strict", stdout=out)
    assert "Checked 1 link on 1 cards" in out.getvalue()
    with pytest.raises(CommandError, match="1 broken link"):
        call_command("check_links", "--strict", "--timeout", str(TIMEOUT), stdout=io.StringIO())
    with pytest.raises(CommandError, match="No card with identifier: nope"):
        call_command("check_links", "--card", "nope", stdout=io.StringIO())
