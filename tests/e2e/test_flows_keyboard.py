"""Two of issue 14's flows with the keyboard only and without JavaScript: the kiosk's ticket and
filing an appeal. (Finder → centre, catalogue → card → print and the quick entry of ten visitors
have their own keyboard and no-JavaScript tests beside their pages' tests.)

Keyboard only means: the mouse is never used; Tab (or Shift+Tab) moves the focus to a control,
Enter, Space and the arrow keys work it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from cipnet.appeals.models import Appeal, Status
from cipnet.equeue.models import QueueTopic, Ticket

from .support import FROZEN_NOW
from .test_reception import reception_data  # noqa: F401 - the fixture: an authority and its official

NAME = "Галина Петрівна Коваленко"


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has the focus (fail if it never gets it)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus in {limit} presses of Tab")


@pytest.fixture
def kiosk_topic(data: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[str, QueueTopic]:
    """The first centre's queue, open: the queue's clock stopped on a working morning."""
    import cipnet.equeue.selectors
    import cipnet.equeue.services
    import cipnet.equeue.views_kiosk
    import cipnet.equeue.views_public
    from cipnet.equeue import services as queue

    for module in (
        cipnet.equeue.services,
        cipnet.equeue.selectors,
        cipnet.equeue.views_kiosk,
        cipnet.equeue.views_public,
    ):
        monkeypatch.setattr(module, "now", lambda: FROZEN_NOW)

    config = queue.queue_setup(actor=None, centre=data.centre_a)
    topic = QueueTopic.objects.filter(centre=data.centre_a).order_by("position").first()
    assert topic is not None
    return f"/queue/kiosk/{config.kiosk_token}/", topic


def test_kiosk_ticket_with_the_keyboard_only(kiosk_topic: tuple[str, QueueTopic], page: Page) -> None:
    start, topic = kiosk_topic
    page.goto(start)
    tab_to(page, page.locator("main a.kiosk-button").filter(has_text=topic.name).first)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{start}topic/{topic.pk}/")
    tab_to(page, page.locator("main form button").first)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text(f"{topic.prefix}-001")
    assert Ticket.objects.filter(topic=topic).count() == 1


def test_kiosk_ticket_without_javascript(
    kiosk_topic: tuple[str, QueueTopic], new_context: Callable[..., BrowserContext]
) -> None:
    start, topic = kiosk_topic
    page = new_context(java_script_enabled=False).new_page()
    page.goto(start)
    page.locator("main a.kiosk-button").filter(has_text=topic.name).first.click()
    page.locator("main form button").first.click()
    expect(page.locator("main")).to_contain_text(f"{topic.prefix}-001")
    assert Ticket.objects.filter(topic=topic).count() == 1


def fill_by_keyboard(page: Page, selector: str, text: str) -> None:
    tab_to(page, page.locator(selector))
    page.keyboard.type(text)


def test_filing_an_appeal_with_the_keyboard_only(reception_data: dict[str, Any], page: Page) -> None:  # noqa: F811
    page.goto("/reception/new/appeal/")
    authority = page.locator("select[name=authority]")
    tab_to(page, authority)
    while authority.input_value() != str(reception_data["city"].pk):
        page.keyboard.press("ArrowDown")  # a closed list changes its choice with the arrow keys
    tab_to(page, page.locator("input[name=appeal_type]").first)
    page.keyboard.press("ArrowDown")  # the arrows choose among the radio buttons
    expect(page.locator("input[name=appeal_type]:checked")).to_have_count(1)
    fill_by_keyboard(page, "input[name=author_name]", NAME)
    # Sent without the postal address first: the error summary takes the focus, nothing is lost.
    fill_by_keyboard(page, "input[name=author_email]", "halyna.kovalenko@example.org")
    fill_by_keyboard(page, "input[name=subject]", "Не працює освітлення")
    fill_by_keyboard(page, "textarea[name=text]", "На вулиці Садовій третій тиждень не світять ліхтарі.")
    tab_to(page, page.locator("button[name=send]"))
    page.keyboard.press("Enter")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("textarea[name=text]")).to_have_value("На вулиці Садовій третій тиждень не світять ліхтарі.")
    # The summary's link leads to the field; type the address there and send with Enter.
    tab_to(page, summary.locator("a").first)
    page.keyboard.press("Enter")
    expect(page.locator("input[name=author_address]")).to_be_focused()
    page.keyboard.type("вул. Садова, 5, кв. 12, м. Миколаїв, 54017")
    tab_to(page, page.locator("button[name=send]"))
    page.keyboard.press("Enter")
    # "Check your e-mail": the case waits as a draft until the address is confirmed.
    expect(page.locator("h1")).to_have_text("Перевірте електронну пошту")
    appeal = Appeal.objects.get()
    assert appeal.author_name == NAME and appeal.author_address.startswith("вул. Садова, 5")
    assert appeal.status == Status.DRAFT  # until the e-mail address is confirmed


def test_filing_an_appeal_without_javascript(
    reception_data: dict[str, Any],  # noqa: F811
    new_context: Callable[..., BrowserContext],
) -> None:
    page = new_context(java_script_enabled=False).new_page()
    page.goto("/reception/new/appeal/")
    page.select_option("select[name=authority]", str(reception_data["city"].pk))
    page.locator("input[name=appeal_type]").first.check()
    page.fill("input[name=author_name]", NAME)
    page.fill("input[name=author_address]", "вул. Садова, 5, кв. 12, м. Миколаїв, 54017")
    page.fill("input[name=author_email]", "halyna.kovalenko@example.org")
    page.fill("input[name=subject]", "Не працює освітлення")
    page.fill("textarea[name=text]", "На вулиці Садовій третій тиждень не світять ліхтарі.")
    page.click("button[name=send]")
    expect(page.locator("h1")).to_have_text("Перевірте електронну пошту")
    appeal = Appeal.objects.get()
    assert appeal.author_name == NAME and appeal.status == Status.DRAFT
