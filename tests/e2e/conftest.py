"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

Every test in this folder is marked `e2e`. The browser starts once per session; each test gets fresh
contexts (cookies, permissions, viewport) from `new_context`, and committed data from `data`.
Helpers (axe-core, screenshots) are in support.py.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in the test thread; Django refuses ORM calls from a thread
# with a running loop unless told this is fine (it is: the loop never runs Django code concurrently).
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from .support import AXE_LOG, DESKTOP, FROZEN_NOW, HERE

CHROMIUM = os.environ.get("CIPNET_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Only the live server is reachable: map tiles and anything else outside are refused at once.
EXTERNAL = re.compile(r"^(?!https?://(127\.0\.0\.1|localhost)[:/]).+", re.IGNORECASE)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _fresh_axe_log() -> None:
    if AXE_LOG.exists():
        AXE_LOG.unlink()


# Module scope, not session: Playwright's sync API keeps an event loop running in this thread
# while it is open, and tests that pytest-django orders after the browser tests (transactional
# ones, using asyncio) must not find one.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"the browser tests need Debian's chromium at {CHROMIUM} (apt-get install -y chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> dt.datetime:
    """Stop the app's clock at FROZEN_NOW (a Wednesday morning) in every module that imported `now`.

    The live server runs in this process, so patching here changes what it renders.
    """
    # Import every view module (and so every service) first: a module that does
    # `from cipnet.core.clock import now` while the clock is patched would keep the frozen
    # clock for the rest of the session.
    import cipnet.core.clock
    import cipnet.directory.selectors
    import cipnet.directory.views
    import cipnet.directory.views_staff
    import cipnet.portal.views
    import config.urls  # noqa: F401

    def frozen() -> dt.datetime:
        return FROZEN_NOW

    for module in (
        cipnet.core.clock,
        cipnet.directory.selectors,
        cipnet.directory.views,
        cipnet.directory.views_staff,
        cipnet.portal.views,
    ):
        monkeypatch.setattr(module, "now", frozen)
    return FROZEN_NOW


@pytest.fixture
def data(transactional_db: None, world: Any, frozen_clock: dt.datetime) -> Any:
    """The `world` (two centres in two places called Миколаїв, one user per role), committed.

    `transactional_db` is requested before `world` so its rows are really committed: the live server
    answers from another thread (and on PostgreSQL another connection) and cannot see a test transaction.
    """
    return world


@pytest.fixture
def new_context(transactional_db: None, browser: Browser, live_server: Any) -> Iterator[Callable[..., BrowserContext]]:
    """Make a browser context on the live server: Ukrainian, Kyiv time, desktop unless told otherwise.

    It asks for `transactional_db` first so that its contexts close before the database is emptied:
    a page still polling (the queue's board) during that flush once hung a whole CI run.

    Pages record uncaught JavaScript errors and Content-Security-Policy violations; the test fails
    at teardown if there were any.
    """
    contexts: list[BrowserContext] = []
    errors: list[str] = []

    def watch(page: Page) -> None:
        page.on("pageerror", lambda exc: errors.append(f"{page.url}: uncaught {exc}"))

        def console(msg: Any) -> None:
            if msg.type == "error" and "Content Security Policy" in msg.text:
                errors.append(f"{page.url}: {msg.text}")

        page.on("console", console)

    def make(**options: Any) -> BrowserContext:
        settings: dict[str, Any] = {
            "base_url": live_server.url,
            "locale": "uk-UA",
            "timezone_id": "Europe/Kyiv",
            **DESKTOP,
            **options,
        }
        context = browser.new_context(**settings)
        context.set_default_timeout(10_000)
        context.route(EXTERNAL, lambda route: route.abort())
        if settings["base_url"] == live_server.url:
            # pytest-django's live server is WSGI: a board's Server-Sent Events stream would hold one of
            # its threads (and an executor thread that keeps the interpreter from exiting) for ever.
            # Refused, the board polls instead; the stream itself is tested on uvicorn (`asgi_url`).
            context.route("**/events/**", lambda route: route.abort())
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    assert not errors, "JavaScript errors or CSP violations:\n" + "\n".join(errors)


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A desktop page in Ukrainian."""
    return new_context().new_page()
