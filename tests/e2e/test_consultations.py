"""The consultation log in the browser: a consultant logs ten visitors the way a person would,
the manager sees exactly those ten; the day's paper tally; the form without JavaScript."""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cipnet.consultations.models import Consultation
from cipnet.eservices.models import ServiceCard
from cipnet.eservices.tests.conftest import load_catalogue_for_tests

from .support import HERE, assert_axe_clean, axe_check, screenshot, uk

#: A person typing steadily: about 5–6 keystrokes a second.
KEYSTROKE_MS = 180
#: Moving the mouse to an option and clicking it.
CLICK_PAUSE_MS = 350

# Ten different visitors: (typed prefix, card identifier, outcome, gender, age band, category, lives in, first visit)
VISITORS = [
    ("Перевірка ос", "utility-payments-online", "completed", "female", "60-74", "pensioner", "city", "yes"),
    ("Компенсація вкл", "oschadbank-ussr-deposits", "completed", "female", "75+", "pensioner", "city", "no"),
    ("Вакансії", "dcz-job-vacancies", "partly", "male", "30-44", "unemployed", "town", "yes"),
    ("Пошук роботи на W", "work-ua-job-search", "completed", "female", "18-29", "student", "village", "yes"),
    ("Вебпортал ел", "pfu-e-services-portal", "completed", "male", "60-74", "pensioner", "village", "no"),
    ("Житлова суб", "housing-subsidy", "not_possible", "female", "45-59", "idp", "city", "yes"),
    ("Квитки на поїзд", "uz-train-tickets", "completed", "male", "45-59", "", "town", "no"),
    ("Довідка внутр", "idp-certificate", "completed", "female", "30-44", "idp", "city", "yes"),
    ("Реєстрація ФОП", "fop-registration", "referred", "male", "30-44", "entrepreneur", "city", "yes"),
    ("Запис до лік", "doctor-appointment-online", "completed", "female", "60-74", "disability", "village", "no"),
]


@pytest.fixture
def log_data(transactional_db: None, world: Any) -> Any:
    """The world and the catalogue, committed, on the real clock (entries are made "now")."""
    load_catalogue_for_tests()
    return world


def sign_in(context: BrowserContext, username: str) -> Page:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label(uk("Username")).fill(username)
    page.get_by_label(uk("Password"), exact=True).fill("correct-horse-battery")
    page.get_by_role("main").get_by_role("button", name=uk("Sign in")).click()
    page.wait_for_url("**/staff/")
    return page


def choose(page: Page, name: str, value: str) -> None:
    """Click the label of a radio button or checkbox, as a person does."""
    field_id = page.locator(f"input[name={name}][value='{value}']").get_attribute("id")
    page.wait_for_timeout(CLICK_PAUSE_MS)
    page.locator(f"label[for='{field_id}']").click()


def test_ten_visitors_in_under_three_minutes_and_the_manager_sees_exactly_them(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    axe_failures: list[str] = []
    centre = log_data.centre_a
    page = sign_in(new_context(), "consultant_a")
    page.get_by_role("main").get_by_role("link", name=uk("Record a consultation")).click()
    page.wait_for_url("**/staff/log/")
    expect(page.get_by_role("heading", level=1)).to_have_text(uk("Record a consultation"))
    axe_check(page, label="quick entry", collect=axe_failures)

    loads: list[str] = []
    page.on("load", lambda: loads.append(page.url))
    cards = {c.identifier: c.name for c in ServiceCard.objects.filter(identifier__in=[v[1] for v in VISITORS])}
    timings: list[float] = []
    started = time.perf_counter()
    for number, (prefix, identifier, outcome, gender, age, category, lives, first) in enumerate(VISITORS, 1):
        began = time.perf_counter()
        service = page.locator("#id_service")
        expect(service).to_be_focused()  # ready for the next visitor without a click
        service.press_sequentially(prefix, delay=KEYSTROKE_MS)
        page.wait_for_timeout(CLICK_PAUSE_MS)
        service.fill(cards[identifier])  # picking the suggestion from the list
        if outcome != "completed":
            choose(page, "outcome", outcome)
        if outcome == "referred":
            page.locator("#id_referred_to").press_sequentially("ЦНАП", delay=KEYSTROKE_MS)
        if outcome == "not_possible":
            page.wait_for_timeout(CLICK_PAUSE_MS)
            page.locator("#id_obstacle").select_option("missing_documents")
        choose(page, "gender", gender)
        choose(page, "age_band", age)
        if category:
            choose(page, "categories", category)
        choose(page, "settlement_type", lives)
        choose(page, "first_visit", first)
        page.locator("#id_service").press("Enter")
        expect(page.locator("#saved-notice")).to_be_visible()
        expect(page.locator("#saved-notice")).to_contain_text(cards[identifier])
        expect(page.locator("#entry-panel table tbody tr")).to_have_count(number)
        timings.append(time.perf_counter() - began)
    total = time.perf_counter() - started
    assert loads == [], f"saving must not reload the page: {loads}"
    assert Consultation.objects.filter(centre=centre).count() == 10
    assert max(timings) <= 15, timings
    assert total < 180, total
    axe_check(page, label="quick entry after saving", collect=axe_failures)
    screenshot(page, "consultation-entry", docs_name="consultation-entry.png")
    results = HERE / "screenshots"
    results.mkdir(parents=True, exist_ok=True)
    Path(results / "quick-entry-timing.json").write_text(
        json.dumps({"per_entry_seconds": [round(t, 2) for t in timings], "ten_entries_seconds": round(total, 1)})
    )

    # The manager's page shows exactly those ten in every breakdown.
    manager = sign_in(new_context(), "manager_a")
    manager.goto(f"/staff/log/centre/{centre.pk}/")
    axe_check(manager, label="centre figures", collect=axe_failures)
    figures = manager.locator(".figures .figure strong").first
    expect(figures).to_have_text("10 консультацій")  # the number with its plural form (issue 14)

    def shown(dimension: str) -> dict[str, int]:
        rows = manager.locator(f"section[aria-labelledby='bd-{dimension}'] tbody tr")
        return {
            row.get_attribute("data-value") or "": int(row.locator("td.num").first.inner_text()) for row in rows.all()
        }

    ids = {c.identifier: str(c.pk) for c in ServiceCard.objects.filter(identifier__in=cards)}
    assert shown("service") == {ids[v[1]]: 1 for v in VISITORS}
    assert shown("outcome") == dict(Counter(v[2] for v in VISITORS))
    assert shown("gender") == dict(Counter(v[3] for v in VISITORS))
    assert shown("age_band") == dict(Counter(v[4] for v in VISITORS))
    assert shown("category") == dict(Counter(v[5] or "none" for v in VISITORS))
    assert shown("settlement") == dict(Counter(v[6] for v in VISITORS))
    assert shown("first_visit") == dict(Counter(v[7] for v in VISITORS))
    assert shown("channel") == {"walk_in": 10}
    expect(manager.locator("table.compact").last.locator("tbody tr")).to_have_count(10)  # today's entries
    screenshot(manager, "consultation-dashboard", docs_name="consultation-dashboard.png")
    assert_axe_clean(axe_failures)


def test_a_days_tally_saves_good_lines_and_keeps_the_bad_one_in_place(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    axe_failures: list[str] = []
    page = sign_in(new_context(), "consultant_a")
    page.goto(f"/staff/log/tally/?centre={log_data.centre_a.pk}")
    axe_check(page, label="tally grid", collect=axe_failures)
    yesterday = (dt.datetime.now(tz=dt.UTC) - dt.timedelta(days=1)).date().isoformat()
    page.locator("#id_day").fill(yesterday)
    name = ServiceCard.objects.get(identifier="oschadbank-ussr-deposits").name
    page.locator("#id_row-0-time").fill("10:15")
    page.locator("#id_row-0-service").fill(name)
    page.locator("#id_row-0-gender").select_option("female")
    page.locator("#id_row-1-service").fill("Допомога з листом, тел. 050 123 45 67")
    page.locator("#id_row-2-time").fill("11:40")
    page.locator("#id_row-2-help_kind").select_option("literacy")
    page.locator("#id_row-2-age_band").select_option("75+")
    page.get_by_role("button", name=uk("Save the lines")).click()

    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.locator("#line-1.grid__saved")).to_be_visible()
    expect(page.locator("#line-3.grid__saved")).to_be_visible()
    bad = page.locator("#line-2.grid__error")
    expect(bad).to_be_visible()
    expect(page.locator("#id_row-1-service")).to_have_value("Допомога з листом, тел. 050 123 45 67")
    assert Consultation.objects.count() == 2
    axe_check(page, label="tally grid with a bad line", collect=axe_failures)
    screenshot(page, "consultation-tally", docs_name="consultation-tally.png")

    page.locator("#id_row-1-service").fill("Допомога з листом до управління соцзахисту")
    page.get_by_role("button", name=uk("Save the lines")).click()
    expect(page.get_by_role("status")).to_be_visible()
    # The two lines saved the first time were not saved again.
    assert Consultation.objects.count() == 3
    assert_axe_clean(axe_failures)


def test_quick_entry_works_without_javascript(log_data: Any, new_context: Callable[..., BrowserContext]) -> None:
    page = sign_in(new_context(java_script_enabled=False), "consultant_a")
    page.goto("/staff/log/")
    page.locator("#id_service").fill("Допомога заповнити заяву на субсидію")
    page.locator("label[for=id_free_text]").click()  # not in the catalogue, on purpose
    page.locator("label[for=id_gender_0]").click()
    page.get_by_role("button", name=uk("Save the entry")).click()
    page.wait_for_url("**/staff/log/?centre=*&saved=*")
    expect(page.locator("#saved-notice")).to_contain_text("Допомога заповнити заяву на субсидію")
    # Reloading the confirmation does not save twice.
    page.reload()
    assert Consultation.objects.count() == 1
    saved = Consultation.objects.get()
    assert saved.services.get().free_text == "Допомога заповнити заяву на субсидію"


def test_lists_summary_and_history_pages_are_accessible(
    log_data: Any, new_context: Callable[..., BrowserContext]
) -> None:
    from cipnet.consultations import services

    axe_failures: list[str] = []
    author = log_data.users["consultant_a"]
    card = ServiceCard.objects.get(identifier="housing-subsidy")
    entry = services.consultation_record(
        author=author,
        centre=log_data.centre_a,
        data=services.ConsultationInput(
            occurred_at=dt.datetime.now(tz=dt.UTC) - dt.timedelta(minutes=5),
            help_kind="eservice",
            outcome="completed",
            services=[services.ServiceRef(card=card), services.ServiceRef(text="Лист до управляючої компанії")],
        ),
    ).consultation
    page = sign_in(new_context(), "consultant_a")
    for path, label in (
        ("/staff/log/entries/", "entries"),
        (f"/staff/log/entries/{entry.pk}/edit/", "edit entry"),
        (f"/staff/log/entries/{entry.pk}/delete/", "delete entry"),
    ):
        page.goto(path)
        axe_check(page, label=label, collect=axe_failures)
    page.goto(f"/staff/log/entries/{entry.pk}/edit/")
    page.locator("label[for=id_outcome_1]").click()
    page.get_by_role("button", name=uk("Save changes")).click()
    page.wait_for_url("**/staff/log/entries/")
    page.goto(f"/staff/log/entries/{entry.pk}/history/")
    expect(page.locator("ol.history > li")).to_have_count(2)
    axe_check(page, label="history", collect=axe_failures)

    coordinator = sign_in(new_context(), "coordinator_a")
    coordinator.goto("/staff/log/summary/")
    expect(coordinator.locator("#centre-table tbody tr")).to_have_count(1)
    axe_check(coordinator, label="summary", collect=axe_failures)
    screenshot(coordinator, "consultation-summary")
    coordinator.goto("/staff/log/candidates/")
    expect(coordinator.locator("main table tbody tr")).to_have_count(1)  # the free-text service
    axe_check(coordinator, label="candidates", collect=axe_failures)
    assert_axe_clean(axe_failures)
