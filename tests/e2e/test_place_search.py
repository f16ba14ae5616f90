"""Typing a place as people do: word forms, Latin letters, and nonsense."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .support import LABEL_LVIV_OBLAST, LABEL_MYKOLAIV_OBLAST, axe_check, uk


def search(page: Page, text: str) -> None:
    page.get_by_label(uk("City, town or village")).fill(text)
    page.get_by_role("button", name=uk("Find a centre"), exact=True).click()


@pytest.mark.parametrize("typed", ["у Миколаєві", "Mykolaiv", "Миколаїв"], ids=["locative", "latin", "nominative"])
def test_word_forms_and_latin_letters_reach_the_same_place(data: Any, page: Page, typed: str) -> None:
    """Every way of writing it reaches the oblast centre, with the other Миколаїв offered (issue 14)."""
    page.goto("/")
    search(page, typed)
    page.wait_for_url(re.compile(r"/centres/\?.*place="))
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2).first).to_contain_text(LABEL_MYKOLAIV_OBLAST)
    expect(results.locator(".choices--other").get_by_role("link")).to_have_text([LABEL_LVIV_OBLAST])
    if typed == "Mykolaiv":
        axe_check(page, label="Mykolaiv, did you mean")


def test_a_loose_spelling_asks_which_place(data: Any, page: Page) -> None:
    page.goto("/")
    search(page, "миколаiв")  # a Latin "i": no whole name matches, so the finder asks
    results = page.locator("#results")
    choices = results.locator(".choices").get_by_role("link")
    expect(choices).to_have_count(2)
    assert sorted(choices.all_inner_texts()) == sorted([LABEL_MYKOLAIV_OBLAST, LABEL_LVIV_OBLAST])
    axe_check(page, label="which Mykolaiv")


def test_a_place_that_does_not_exist_is_reported_not_crashed_on(data: Any, page: Page) -> None:
    page.goto("/centres/")
    search(page, "Щвфжкцузь")  # through HTMX on the finder page
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_have_text(uk("Place not found"))
    expect(results.locator(".notice")).to_contain_text("Щвфжкцузь")
    expect(page).to_have_url(re.compile(r"place=%D0%A9"))
    axe_check(page, label="place not found")

    page.reload()  # the same address loaded in full gives the same answer
    expect(page.locator("#results").get_by_role("heading", level=2)).to_have_text(uk("Place not found"))
