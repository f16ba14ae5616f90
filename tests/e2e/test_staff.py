"""A centre manager signs in and corrects the centre's opening hours."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from .support import assert_axe_clean, axe_check, screenshot, uk


def test_manager_fixes_opening_hours_after_an_error(data: Any, page: Page) -> None:
    axe_failures: list[str] = []
    page.goto("/accounts/login/")
    axe_check(page, label="login", collect=axe_failures)
    page.get_by_label(uk("Username")).fill("manager_a")
    page.get_by_label(uk("Password"), exact=True).fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name=uk("Sign in")).click()

    page.wait_for_url("**/staff/")
    axe_check(page, label="staff home", collect=axe_failures)
    page.get_by_role("main").get_by_role("link", name=data.centre_a.name).first.click()
    page.wait_for_url(f"**/staff/centres/{data.centre_a.pk}/")
    page.get_by_role("link", name=uk("Change opening hours")).click()
    page.wait_for_url(f"**/staff/centres/{data.centre_a.pk}/hours/")

    monday = page.get_by_role("group", name=f"{uk('Monday')}, {uk('before the break')}")
    opens = monday.get_by_label(f"{uk('Monday')}: {uk('opens')}")
    closes = monday.get_by_label(f"{uk('Monday')}: {uk('closes')}")
    expect(opens).to_have_value("09:00")
    expect(closes).to_have_value("13:00")
    closes.fill("08:30")
    page.get_by_role("button", name=uk("Save opening hours")).click()

    # The error is next to the field, in Ukrainian, and what was typed is still there.
    expect(page.get_by_role("alert")).to_contain_text(uk("There is a problem"))
    error = monday.locator(".error-message")
    expect(error).to_have_text(uk("The closing time must be later than the opening time."))
    expect(opens).to_have_value("09:00")
    expect(closes).to_have_value("08:30")
    afternoon = page.get_by_role("group", name=f"{uk('Monday')}, {uk('after the break')}")
    expect(afternoon.get_by_label(f"{uk('Monday')}: {uk('closes')}")).to_have_value("18:00")
    axe_check(page, label="hours form with an error", collect=axe_failures)
    screenshot(page, "staff-hours-error", docs_name="staff-hours.png")

    closes.fill("13:00")
    page.get_by_role("button", name=uk("Save opening hours")).click()
    page.wait_for_url(f"**/staff/centres/{data.centre_a.pk}/")
    expect(page.get_by_role("status")).to_have_text(uk("Opening hours saved."))
    assert_axe_clean(axe_failures)


def test_coordinator_places_a_new_centre_in_a_same_named_village_by_picking_it(data: Any, page: Page) -> None:
    """Issue 14: no KATOTTG code to type. The network administrator types "Миколаїв", is asked which
    one (as in the finder), picks the Lviv-oblast town with the keyboard and the centre is saved there."""
    page.goto("/accounts/login/")
    page.get_by_label(uk("Username")).fill("admin")
    page.get_by_label(uk("Password"), exact=True).fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name=uk("Sign in")).click()
    page.wait_for_url("**/staff/")
    page.goto("/staff/centres/new/")
    page.locator("#id_name").fill("Бібліотека-філія № 5")
    page.locator("#id_host").select_option(str(data.centre_b.host_id))
    page.locator("#id_office").select_option(str(data.office_b.pk))
    page.locator("#id_settlement").fill("Миколаїв")
    page.locator("#id_address").fill("вул. Галицька, 1")
    page.get_by_role("button", name=uk("Add the centre")).click()

    choices = page.get_by_role("group", name=uk("Which place do you mean?"))
    expect(choices.get_by_role("radio")).to_have_count(2)
    expect(page.locator("#id_address")).to_have_value("вул. Галицька, 1")  # nothing typed is lost
    axe_failures: list[str] = []
    axe_check(page, label="centre form: which Mykolaiv", collect=axe_failures)
    page.locator("#id_settlement").scroll_into_view_if_needed()
    screenshot(page, "staff-centre-which-place", full_page=False)
    choices.get_by_role("radio", name=re.compile(re.escape(data.centre_b.settlement.code))).check()
    page.get_by_role("button", name=uk("Add the centre")).click()
    page.wait_for_url("**/staff/centres/*/hours/")
    from cipnet.directory.models import Centre

    assert Centre.objects.get(name="Бібліотека-філія № 5").settlement == data.centre_b.settlement
    assert_axe_clean(axe_failures)
