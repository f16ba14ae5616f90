"""The main journey of a resident, in Ukrainian, on a desktop and on a phone:
home → type "Миколаїв" → its centres (the other Миколаїв offered) → the centre page → English → Polish."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from .support import (
    DESKTOP,
    LABEL_LVIV_OBLAST,
    LABEL_MYKOLAIV_OBLAST,
    PHONE,
    assert_axe_clean,
    axe_check,
    screenshot,
    uk,
)

DEVICES = {"desktop": DESKTOP, "phone": PHONE}
# The screenshots kept in docs/screenshots/ (see support.screenshot): name, whole page or only the screen.
DOCS = {
    ("desktop", "home"): ("home.png", False),
    ("phone", "results"): ("finder-phone.png", False),  # the results heading at the top of the screen
    ("desktop", "centre"): ("centre.png", True),
}


@pytest.mark.parametrize("device", DEVICES)
def test_find_a_centre_in_mykolaiv_and_read_its_page(
    data: Any, new_context: Callable[..., BrowserContext], device: str
) -> None:
    page = new_context(**DEVICES[device]).new_page()
    axe_failures: list[str] = []  # every page is checked; all problems are reported at the end

    def shot(step: str) -> None:
        if device == "phone":  # nothing may be wider than the phone's screen
            overflow = page.evaluate(
                """() => [...document.querySelectorAll("body *")]
                    .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
                    .filter(el => !el.closest(".leaflet-container, .visually-hidden, .skip-link"))
                    .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""))"""
            )
            assert not overflow, f"{step}: wider than 390 px: {overflow}"
        screenshot(page, f"journey-{device}-{step}")
        if (device, step) in DOCS:
            docs_name, full_page = DOCS[device, step]
            screenshot(page, f"docs-{docs_name.removesuffix('.png')}", docs_name=docs_name, full_page=full_page)

    # Home, in Ukrainian by default.
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "uk")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    axe_check(page, label=f"home ({device})", collect=axe_failures)
    shot("home")

    page.get_by_label(uk("City, town or village")).fill("Миколаїв")
    page.get_by_role("button", name=uk("Find a centre"), exact=True).click()

    # Two places are called Миколаїв: the oblast centre is the one meant (issue 14), and the other one,
    # named by hromada, raion and oblast, is offered as "did you mean".
    page.wait_for_url(re.compile(r"/centres/\?.*place="))
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2).first).to_contain_text(LABEL_MYKOLAIV_OBLAST)
    expect(results.locator(".choices--other").get_by_role("link")).to_have_text([LABEL_LVIV_OBLAST])
    shot("choice")

    # The centres around that Миколаїв: the Kropyvnytskyi library first.
    centre_links = results.locator(".result h3 a")
    expect(centre_links.first).to_have_text(data.centre_a.name)
    axe_check(page, label=f"results ({device})", collect=axe_failures)
    results.get_by_role("heading", level=2).first.evaluate("el => el.scrollIntoView()")
    shot("results")

    centre_links.first.click()

    # The centre page: address, phones as tel: links, the week's hours, JSON-LD.
    page.wait_for_url(f"**/centres/{data.centre_a.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(data.centre_a.name)
    main = page.locator("main")
    expect(main).to_contain_text("вул. Потьомкінська, 143а")
    phones = main.locator('a[href^="tel:"]')
    expect(phones).to_have_count(2)
    assert [phones.nth(i).get_attribute("href") for i in range(2)] == ["tel:+380512240110", "tel:+380512550360"]
    expect(page.get_by_role("heading", name=uk("Opening hours"), exact=True)).to_be_visible()
    rows = main.locator("table.hours tbody tr")
    expect(rows).to_have_count(7)
    # The clock is frozen on a Wednesday morning: the week starts today, Saturday and Sunday are closed.
    expect(rows.first).to_have_class(re.compile(r"\bis-today\b"))
    expect(rows.first).to_contain_text(f"({uk('today')})")
    hours_texts = [text.split("\t")[-1] for text in rows.locator("td").all_inner_texts()]
    assert hours_texts == ["09:00–13:00, 14:00–18:00"] * 3 + [uk("closed")] * 2 + ["09:00–13:00, 14:00–18:00"] * 2

    jsonld = json.loads(page.locator('script[type="application/ld+json"]').text_content() or "")
    assert jsonld["@context"] == "https://schema.org"
    assert jsonld["@type"] == "Library"
    assert jsonld["name"] == data.centre_a.name
    assert jsonld["address"]["streetAddress"] == "вул. Потьомкінська, 143а"
    assert jsonld["telephone"] == "+380512240110"
    specs = jsonld["openingHoursSpecification"]
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    assert specs == [
        {"@type": "OpeningHoursSpecification", "dayOfWeek": f"https://schema.org/{day}", "opens": o, "closes": c}
        for day in days
        for o, c in (("09:00", "13:00"), ("14:00", "18:00"))
    ]
    axe_check(page, label=f"centre ({device})", collect=axe_failures)
    shot("centre")

    # The same page in English, then in Polish, through the header's language buttons.
    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"**/en/centres/{data.centre_a.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("M. L. Kropyvnytskyi Central Library")
    expect(page.get_by_role("heading", name="Opening hours", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-current", "true")
    axe_check(page, label=f"centre in English ({device})", collect=axe_failures)

    page.get_by_role("button", name="Polski").click()
    expect(page).to_have_url(re.compile(f"/pl/centres/{data.centre_a.slug}/$"))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    # No Polish name: the Ukrainian one is shown.
    expect(page.get_by_role("heading", level=1)).to_have_text(data.centre_a.name)
    assert_axe_clean(axe_failures)
