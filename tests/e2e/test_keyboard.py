"""The finder with the keyboard only, and without JavaScript."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import BrowserContext, ElementHandle, Locator, Page, expect

from .support import LABEL_MYKOLAIV_OBLAST, axe_check, describe, style_of, uk


def focused(page: Page) -> ElementHandle:
    handle = page.evaluate_handle("() => document.activeElement")
    element = handle.as_element()
    assert element is not None
    return element


def test_finder_with_the_keyboard_only(data: Any, page: Page) -> None:
    page.goto("/centres/")
    no_focus_style: dict[str, str] = {}  # element → its look, the same with and without the focus
    current: list[tuple[ElementHandle, str, str]] = []  # the element with the focus, as it looked focused

    def compare_with_unfocused() -> None:
        """The element that just lost the focus must look different from when it had it."""
        if current:
            element, description, focused_style = current.pop()
            if element.evaluate("el => el.isConnected") and style_of(element) == focused_style:
                no_focus_style[description] = focused_style

    def tab(shift: bool = False) -> ElementHandle:
        page.keyboard.press("Shift+Tab" if shift else "Tab")
        element = focused(page)
        compare_with_unfocused()
        current.append((element, describe(element), style_of(element)))
        return element

    def tab_until(target: Locator, limit: int = 8, shift: bool = False) -> None:
        for _ in range(limit):
            element = tab(shift)
            if target.evaluate("(el, focused) => el === focused", element):
                return
        raise AssertionError(f"{target} not reached in {limit} presses of Tab")

    # The skip link comes first and moves the focus to the main content.
    skip = page.get_by_role("link", name=uk("Skip to main content"))
    tab()
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    current.clear()  # <main> takes the focus only to start from there; it is not a control

    # The place field is next.
    place = page.get_by_label(uk("City, town or village"))
    tab()
    expect(place).to_be_focused()
    page.keyboard.type("миколаiв")  # a Latin "i": the finder asks which Миколаїв

    # On to the region: the arrow keys choose it; nothing is searched until its button is pressed.
    region = page.get_by_label(uk("Region"), exact=True)
    tab_until(region)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(region).to_have_value("mykolaivska")

    # The region is applied by its own button, not on every arrow key (issue 14); then "Open now".
    open_now = page.get_by_label(uk("Open now"), exact=True)
    tab()
    tab()
    expect(open_now).to_be_focused()
    page.keyboard.press("Space")
    expect(open_now).to_be_checked()

    # Back to the "Find a centre" button, and Enter.
    tab_until(page.get_by_role("button", name=uk("Find a centre"), exact=True), shift=True)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"open_now=on"))
    expect(page).to_have_url(re.compile(r"region=mykolaivska"))
    choice = page.locator("#results").get_by_role("link", name=LABEL_MYKOLAIV_OBLAST, exact=True)
    expect(choice).to_be_visible()

    # Into the list of places with Tab, and Enter on ours: its centres are listed.
    tab_until(choice, limit=15)
    page.keyboard.press("Enter")
    current.clear()  # the page is replaced
    page.wait_for_url(re.compile(r"settlement=UA48060150010035747"))
    expect(page.locator("#results .result h3 a").first).to_have_text(data.centre_a.name)
    tab_until(page.locator("#results .result h3 a").first, limit=20)
    tab()

    invisible = "\n".join(f"{element}: {look}" for element, look in no_focus_style.items())
    assert not no_focus_style, f"no visible focus style on:\n{invisible}"
    axe_check(page, label="finder after keyboard use")


def test_finder_works_without_javascript(data: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/centres/")
    expect(page.locator("html")).to_have_class("no-js")
    # Without JavaScript there is no "near me" button (it needs the browser's location).
    expect(page.get_by_role("button", name=uk("Find centres near me"))).to_be_hidden()
    page.get_by_label(uk("City, town or village")).fill("миколаiв")  # a Latin "i": the finder asks which
    page.get_by_label(uk("Region"), exact=True).select_option("mykolaivska")
    page.get_by_role("button", name=uk("Find a centre"), exact=True).click()
    page.wait_for_url(re.compile(r"/centres/\?.*place="))
    page.locator("#results").get_by_role("link", name=LABEL_MYKOLAIV_OBLAST, exact=True).click()
    page.wait_for_url(re.compile(r"settlement=UA48060150010035747"))
    expect(page.locator("#results .result h3 a").first).to_have_text(data.centre_a.name)
    # The map needs JavaScript; without it the box stays hidden and the list is all there is.
    expect(page.locator("#map")).to_be_hidden()

    # axe-core needs JavaScript itself: check the same page in a context whose scripts are refused,
    # which renders it as a browser without JavaScript would.
    scriptless = new_context()
    scriptless.route(re.compile(r"\.js(\?|$)"), lambda route: route.abort())
    twin = scriptless.new_page()
    twin.goto(page.url)
    expect(twin.locator("html")).to_have_class("no-js")
    axe_check(twin, label="results without JavaScript")
