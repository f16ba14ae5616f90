"""Details of the centre page and of the language switch that the journey does not dwell on."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from .support import uk


def test_the_languages_spoken_at_the_centre_are_named(data: Any, page: Page) -> None:
    page.goto(f"/centres/{data.centre_a.slug}/")
    main = page.get_by_role("main")
    languages = main.locator("dt", has_text=uk("Languages")).locator("xpath=following-sibling::dd[1]")
    expect(languages).to_have_text(f"{uk('Ukrainian')}, {uk('English')}")


def test_the_language_buttons_work_from_every_language(data: Any, page: Page) -> None:
    """Українська → English → Polski → Українська, staying on the same page."""
    path = f"/centres/{data.centre_a.slug}/"
    page.goto(path)
    for button, language, prefix in (("English", "en", "/en"), ("Polski", "pl", "/pl"), ("Українська", "uk", "")):
        page.get_by_role("button", name=button, exact=True).click()
        page.wait_for_load_state()
        assert page.url.endswith(prefix + path), f"after {button}: {page.url}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("button", name=button, exact=True)).to_have_attribute("aria-current", "true")
