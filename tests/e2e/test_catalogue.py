"""The e-service catalogue in the browser: search in residents' words, a card, its print view."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cipnet.eservices.tests.conftest import load_catalogue_for_tests

from .support import axe_check, screenshot, uk


@pytest.fixture
def catalogue(data: Any) -> dict[str, Any]:
    return load_catalogue_for_tests()


def search(page: Page, text: str) -> list[str]:
    page.get_by_label(uk("What do you need to do?")).fill(text)
    page.get_by_role("button", name=uk("Find a service"), exact=True).click()
    page.wait_for_url(re.compile(r"/services/\?q="))
    links = page.locator(".results .result h3 a")
    expect(links.first).to_be_visible()
    return [
        re.sub(r"^/services/([^/?]+)/.*$", r"\1", href or "")
        for href in links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    ]


def test_pension_in_any_word_form_then_the_card_and_its_print_view(catalogue: dict, page: Page) -> None:
    page.goto("/services/")
    axe_check(page, label="catalogue home")
    found = search(page, "пенсії")
    assert {"pfu-e-services-portal", "pension-application-online", "pfu-pension-income-certificate"} & set(found[:3])
    expect(page.locator(".results mark").first).to_be_visible()  # why it matched
    axe_check(page, label="search results")
    screenshot(page, "catalogue-search", docs_name="catalogue-search.png", full_page=False)
    page.locator(".results .result h3 a").first.click()
    expect(page.get_by_role("heading", level=2, name=uk("Step by step"))).to_be_visible()
    axe_check(page, label="service card")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name=uk("Print for the visitor"))).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    screenshot(page, "card-print", docs_name="card-print.png")


@pytest.mark.parametrize("javascript", [False, True])
def test_catalogue_card_print_by_keyboard(
    catalogue: dict, new_context: Callable[..., BrowserContext], javascript: bool
) -> None:
    """Catalogue → card → print with the keyboard only, with and without JavaScript."""
    page = new_context(java_script_enabled=javascript).new_page()
    page.goto("/services/")
    field = page.get_by_label(uk("What do you need to do?"))
    field.focus()
    page.keyboard.type("пенсія")
    page.keyboard.press("Enter")
    first = page.locator(".results .result h3 a").first
    expect(first).to_be_visible()
    first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/*/?q=*")
    title = page.get_by_role("heading", level=1).inner_text()
    printing = page.get_by_role("link", name=uk("Print for the visitor"))
    expect(printing).to_be_visible()
    if javascript:
        page.evaluate("window.print = () => { window.printed = true; }")
        page.add_init_script("window.print = () => { window.printed = true; }")
    printing.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/services/*/?print=1*")
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.locator(".site-header")).to_be_hidden()  # the printout's layout on screen
    if javascript:
        page.wait_for_function("window.printed === true")
    expect(page.locator("#back-to-card")).to_be_visible()


def test_russian_and_colloquial_words(catalogue: dict, page: Page) -> None:
    page.goto("/services/")
    assert "utility-payments-online" in search(page, "коммуналка оплатить")[:3]
    assert "residence-registration" in search(page, "прописка")[:3]


def test_consultant_autocomplete_as_they_type(catalogue: dict, page: Page) -> None:
    page.goto("/services/")
    page.get_by_label(uk("What do you need to do?")).press_sequentially("кадастр", delay=60)
    suggestions = page.locator("#suggestions a")
    expect(suggestions.first).to_be_visible()
    assert any(
        "public-cadastral-map" in (href or "")
        for href in suggestions.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    )
    axe_check(page, label="autocomplete")
