"""Quick entry at the keyboard only (issue 14): ten visitors typed fast while the server is slow,
Enter on half a word picks a catalogue card (never saves the fragment), keystrokes typed while
a save is on its way are kept, nothing is lost or saved twice; and the form without JavaScript
refuses a fragment, keeps what was typed, and saves free text only when asked."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from cipnet.consultations import services
from cipnet.consultations.models import Consultation, ConsultationService

from .support import uk
from .test_consultations import log_data, sign_in

__all__ = ["log_data"]  # a fixture

#: A consultant who knows the catalogue: half-words, each found in one catalogue name only.
ONE_MATCH = [
    "житлова суб",
    "квитки на поїзд",
    "довідка внутр",
    "реєстрація фоп",
    "запис до лік",
    "лікарнян",
    "вакансії",
    "компенсація вкл",
    "призначення пенсії",
]
#: Half a word found in several names: Enter takes one of them, never the fragment itself.
SEVERAL = "пенсі"
#: About 12 keystrokes a second: faster than the server answers below.
KEYSTROKE_MS = 80
#: The server's answer time on a slow rural line.
SAVE_SECONDS = 0.8


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@pytest.fixture
def slow_saves(monkeypatch: pytest.MonkeyPatch) -> None:
    record = services.consultation_record

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(SAVE_SECONDS)
        return record(*args, **kwargs)

    monkeypatch.setattr(services, "consultation_record", slow)


def test_ten_visitors_typed_fast_by_keyboard_only(
    log_data: Any, slow_saves: None, new_context: Callable[..., BrowserContext]
) -> None:
    page = sign_in(new_context(), "consultant_a")
    page.goto("/staff/log/")
    service = page.locator("#id_service")
    expect(service).to_be_focused()
    options: list[str] = page.eval_on_selector_all("#service-options option", "os => os.map(o => o.value)")
    expected = []
    for fragment in ONE_MATCH:
        found = [name for name in options if all(w in fold(name) for w in fold(fragment).split())]
        assert len(found) == 1, (fragment, found)
        expected.append(found[0])
    assert len([n for n in options if SEVERAL in fold(n)]) > 1

    began = time.perf_counter()
    for fragment in [*ONE_MATCH, SEVERAL]:
        page.keyboard.type(fragment, delay=KEYSTROKE_MS)
        page.keyboard.press("Enter")  # picks the suggestion
        page.keyboard.press("Enter")  # saves
    typing = time.perf_counter() - began
    expect(page.locator("#entry-panel table tbody tr")).to_have_count(10, timeout=30_000)
    expect(page.locator("#saved-notice")).to_be_visible()
    expect(service).to_be_focused()
    expect(service).to_have_value("")
    finished = time.perf_counter() - began
    # The keyboard never waited for the server: the last keystroke came before the saves were done.
    assert typing < finished, (typing, finished)
    print(f"quick entry, 10 visitors by keyboard: typing {typing:.1f} s, all saved after {finished:.1f} s")

    saved = list(Consultation.objects.order_by("occurred_at", "id"))
    assert len(saved) == 10
    rows = [list(c.services.all()) for c in saved]
    assert all(len(r) == 1 for r in rows), rows
    assert not ConsultationService.objects.filter(card=None).exists(), "a fragment was saved as free text"
    names = [r[0].card.name for r in rows]
    assert names[:9] == expected
    assert SEVERAL in fold(names[9])


def test_enter_on_a_fragment_nothing_in_the_catalogue_matches_asks(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    page = sign_in(new_context(), "consultant_a")
    page.goto("/staff/log/")
    page.keyboard.type("Довідка з ЖЕКу", delay=20)
    page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(page.locator("#id_service")).to_have_value("Довідка з ЖЕКу")
    assert Consultation.objects.count() == 0
    page.locator("#id_free_text").check()
    page.locator("#id_service").press("Enter")
    expect(page.locator("#saved-notice")).to_contain_text("Довідка з ЖЕКу")
    assert list(ConsultationService.objects.values_list("card", "free_text")) == [(None, "Довідка з ЖЕКу")]


def test_quick_entry_without_javascript_refuses_a_fragment_and_offers_the_cards(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    page = sign_in(new_context(java_script_enabled=False), "consultant_a")
    page.goto("/staff/log/")
    page.locator("#id_service").fill("пенсі")
    gender = page.locator("#id_gender_0").get_attribute("value")
    page.locator("label[for=id_gender_0]").click()
    page.locator("#id_service").press("Enter")
    expect(page.locator("#error-summary")).to_be_visible()
    assert Consultation.objects.count() == 0
    expect(page.locator("#id_service")).to_have_value("пенсі")
    expect(page.locator("#id_gender_0")).to_be_checked()
    suggestions = page.locator("#suggestions-service button")
    assert suggestions.count() > 1
    name = suggestions.first.inner_text()
    suggestions.first.click()
    page.wait_for_url("**/staff/log/?centre=*&saved=*")
    saved = Consultation.objects.get()
    assert saved.services.get().card.name == name
    assert saved.gender == gender


def test_free_text_without_javascript_needs_the_tick(log_data: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = sign_in(new_context(java_script_enabled=False), "consultant_a")
    page.goto("/staff/log/")
    page.locator("#id_service").fill("Допомога заповнити заяву на субсидію")
    page.get_by_role("button", name=uk("Save the entry")).click()
    expect(page.locator("#error-summary")).to_be_visible()
    assert Consultation.objects.count() == 0
    page.locator("label[for=id_free_text]").click()
    page.get_by_role("button", name=uk("Save the entry")).click()
    page.wait_for_url("**/staff/log/?centre=*&saved=*")
    assert Consultation.objects.get().services.get().free_text == "Допомога заповнити заяву на субсидію"


def test_ten_visitors_by_keyboard_only_without_javascript(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    """The same ten visitors with JavaScript off: the consultant types each service's name as the
    catalogue's list gives it and presses Enter; every save comes back with the service field
    focused and empty, so the next visitor is typed at once. Ten entries, none twice."""
    page = sign_in(new_context(java_script_enabled=False), "consultant_a")
    page.goto("/staff/log/")
    service = page.locator("#id_service")
    options: list[str] = page.eval_on_selector_all("#service-options option", "os => os.map(o => o.value)")
    names = []
    for fragment in [*ONE_MATCH, "призначення пенсії"]:
        found = [name for name in options if all(w in fold(name) for w in fold(fragment).split())]
        names.append(found[0])
    for number, name in enumerate(names, start=1):
        expect(service).to_be_focused()  # autofocus: no click needed
        page.keyboard.type(name)
        # The address after a save is the same each time (…&saved=…): wait for the new page itself,
        # or a notice still showing the previous visitor could be read as this one's.
        with page.expect_navigation(url="**/staff/log/?centre=*&saved=*"):
            page.keyboard.press("Enter")
        expect(page.locator("#saved-notice")).to_contain_text(name)
        assert Consultation.objects.count() == number
    expect(service).to_have_value("")
    saved = [c.services.get().card.name for c in Consultation.objects.order_by("occurred_at", "id")]
    assert saved == names
