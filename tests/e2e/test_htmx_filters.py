"""The finder's filters update the results in place (HTMX) and keep the address bar in step."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import Page, expect

from .support import LABEL_MYKOLAIV_OBLAST, axe_check, uk

CHOSEN = "/centres/?settlement=UA48060150010035747&place=Миколаїв"  # what the "which Миколаїв" link opens


def tick_step_free(page: Page) -> None:
    page.get_by_text(uk("Accessibility needs"), exact=True).click()  # opens the <details>
    page.get_by_label(uk("Step-free entrance"), exact=True).check()


def test_a_filter_updates_the_results_without_loading_the_page(data: Any, page: Page) -> None:
    page.goto(CHOSEN)
    expect(page.locator("#results .result")).to_have_count(1)
    page.evaluate("window.__stillTheSamePage = true")
    loads = page.evaluate("performance.getEntriesByType('navigation').length")

    with page.expect_response(lambda response: "features=step_free" in response.url) as answer:
        tick_step_free(page)
    assert answer.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"features=step_free"))
    expect(page.locator("#results")).to_be_visible()

    # No new document: the marker set on window survived and the navigation count did not change.
    assert page.evaluate("window.__stillTheSamePage") is True
    assert page.evaluate("performance.getEntriesByType('navigation').length") == loads
    axe_check(page, label="finder after a filter")


def test_a_filter_keeps_the_chosen_place(data: Any, page: Page) -> None:
    """After "which Миколаїв?" the filters must narrow that place's centres, not ask again."""
    page.goto(CHOSEN)
    with page.expect_response(lambda response: "features=step_free" in response.url):
        tick_step_free(page)
    query = parse_qs(urlsplit(page.url).query)
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2).first).to_contain_text(LABEL_MYKOLAIV_OBLAST)
    expect(results.locator(".result h3 a")).to_have_text([data.centre_a.name])  # it has a step-free entrance
    assert query.get("settlement") == ["UA48060150010035747"], page.url
