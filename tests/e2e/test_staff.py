"""A centre manager signs in and corrects the centre's opening hours."""

from __future__ import annotations

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
