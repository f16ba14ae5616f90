"""The virtual reception in the browser, as the issue's "done when" reads: a consultant files an
appeal for a library visitor, an official answers it, the visitor reads the answer by the private
link, and it appears in the public register without anything personal; the due date is shown at
every step. axe-core on every page of the way."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from cipnet.accounts.models import User
from cipnet.appeals.models import Appeal, Authority, AuthorityKind, AuthorityOfficial, Publication, Status

from .support import assert_axe_clean, axe_check, screenshot

#: Wednesday 25.11.2026, 11:00 in Kyiv (FROZEN_NOW): an appeal received now is due 25.12.2026,
#: a worked holiday under martial law (Christmas).
DUE = "25.12.2026"
VISITOR = {
    "author_name": "Галина Петрівна Коваленко",
    "author_address": "вул. Садова, 5, кв. 12, м. Миколаїв, 54017",
    "author_email": "halyna.kovalenko@example.org",
    "author_phone": "+380 67 765 43 21",
}
SECRETS = ["Коваленко", "Галина", "Садова, 5", "halyna.kovalenko", "765 43 21"]


@pytest.fixture
def reception_data(data: Any, monkeypatch: pytest.MonkeyPatch, frozen_clock: dt.datetime) -> dict[str, Any]:
    import cipnet.appeals.notifications
    import cipnet.appeals.selectors
    import cipnet.appeals.services
    import cipnet.appeals.tasks
    import cipnet.appeals.views_staff

    for module in (
        cipnet.appeals.services,
        cipnet.appeals.notifications,
        cipnet.appeals.selectors,
        cipnet.appeals.tasks,
        cipnet.appeals.views_staff,
    ):
        monkeypatch.setattr(module, "now", lambda: frozen_clock)
    try:
        import cipnet.appeals.publication

        monkeypatch.setattr(cipnet.appeals.publication, "now", lambda: frozen_clock, raising=False)
    except ImportError:
        pass
    city = Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=data.region_a,
        address="вул. Адміральська, 20, Миколаїв",
        email="zvernennya@mkrada.example",
    )
    clerk = User.objects.create_user(username="clerk", password="correct-horse-battery", email="clerk@example.org")
    AuthorityOfficial.objects.create(authority=city, user=clerk, is_head=True)
    return {"world": data, "city": city}


def sign_in(context: BrowserContext, username: str, lands_on: str = "**/staff/") -> Page:
    page = context.new_page()
    page.goto("/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-battery")
    page.press("input[name=password]", "Enter")
    page.wait_for_url(lands_on)
    return page


def test_an_appeal_from_the_library_to_the_register(
    reception_data: dict[str, Any], new_context: Callable[..., BrowserContext]
) -> None:
    problems: list[str] = []
    city = reception_data["city"]

    # 1. The consultant writes the appeal with the visitor, who agrees.
    consultant = sign_in(new_context(), "consultant_a")
    consultant.goto("/staff/reception/new/appeal/")
    axe_check(consultant, label="file for a visitor", collect=problems)
    consultant.check("input[name=behalf-consent]")
    consultant.select_option("select[name=authority]", str(city.pk))
    consultant.check("input[name=appeal_type][value=complaint]")
    for name, value in VISITOR.items():
        consultant.fill(f"input[name={name}]", value)
    consultant.fill("input[name=subject]", "Не працює вуличне освітлення")
    consultant.fill(
        "textarea[name=text]",
        "Другий місяць не світять ліхтарі біля будинку 5 на вулиці Садовій. Телефонуйте: +380 67 765 43 21.",
    )
    consultant.check("input[name=publish_consent]")
    screenshot(consultant, "reception-file", docs_name="reception-file.png")
    consultant.click("button[name=send]")
    consultant.wait_for_url("**/staff/reception/*/")
    appeal = Appeal.objects.get()
    assert appeal.status == Status.SUBMITTED
    expect(consultant.locator(".due")).to_contain_text(DUE)
    private_link = consultant.locator("code").inner_text()
    assert appeal.follow_token in private_link

    # 2. The official registers and answers it.
    official = sign_in(new_context(), "clerk", lands_on="**/staff/reception/")
    expect(official.get_by_role("link", name=appeal.number)).to_be_visible()
    axe_check(official, label="inbox", collect=problems)
    official.get_by_role("link", name=appeal.number).click()
    expect(official.locator(".due")).to_contain_text(DUE)
    official.locator("details:has(form[action$='/register/']) summary").click()
    official.fill("input[name=registration_number]", "Зв-1207/26")
    official.locator("form[action$='/register/'] button[type=submit]").click()
    official.wait_for_load_state()
    official.locator("details:has(form[action$='/answer/']) summary").click()
    official.check("input[name=outcome][value=positive]")
    official.fill("textarea[name=text]", "Освітлення на вулиці Садовій відремонтовано 1 грудня. Дякуємо.")
    screenshot(official, "reception-official", docs_name="reception-official.png")
    axe_check(official, label="official's case", collect=problems)
    official.locator("form[action$='/answer/'] button[type=submit]").click()
    official.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.status == Status.ANSWERED
    expect(official.locator(".due")).to_contain_text(DUE)

    # 3. The visitor reads the answer by the private link, and closes the case.
    visitor = new_context().new_page()
    visitor.goto(private_link)
    expect(visitor.locator("body")).to_contain_text("відремонтовано 1 грудня")
    expect(visitor.locator(".due")).to_contain_text(DUE)
    axe_check(visitor, label="the author's case page", collect=problems)
    screenshot(visitor, "reception-author", docs_name="reception-author.png")
    visitor.locator("form[action$='/close/'] button").click()
    visitor.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.status == Status.CLOSED and appeal.publication == Publication.PENDING

    # 4. The regional coordinator checks the redacted text and publishes it.
    moderator = sign_in(new_context(), "coordinator_a")
    moderator.goto("/staff/reception/moderation/")
    moderator.get_by_role("link", name=appeal.number).click()
    axe_check(moderator, label="moderation", collect=problems)
    for field in ("subject", "text", "answer"):
        value = moderator.locator(f"[name={field}]").input_value()
        assert not any(secret in value for secret in SECRETS), (field, value)
    screenshot(moderator, "reception-moderation", docs_name="reception-moderation.png")
    moderator.click("button[name=decision][value=publish]")
    moderator.wait_for_load_state()
    appeal.refresh_from_db()
    assert appeal.publication == Publication.PUBLISHED

    # 5. Anyone finds it in the public register: the question and the answer, nothing personal.
    public = new_context().new_page()
    public.goto("/reception/register/")
    axe_check(public, label="register", collect=problems)
    public.fill("input[name=q]", "освітлення")
    public.press("input[name=q]", "Enter")
    public.get_by_role("link", name="Не працює вуличне освітлення").click()
    expect(public.locator("main")).to_contain_text("відремонтовано 1 грудня")
    axe_check(public, label="register case", collect=problems)
    screenshot(public, "reception-register", docs_name="reception-register.png")
    html = public.content()
    for secret in SECRETS:
        assert secret not in html, secret
    public.goto("/reception/register/authorities/")
    expect(public.locator("main")).to_contain_text(city.name)
    axe_check(public, label="authorities", collect=problems)
    for path in (
        "/reception/",
        "/reception/new/appeal/",
        "/reception/new/info/",
        "/reception/deadline/?kind=appeal&received_on=2026-01-30",
    ):
        public.goto(path)
        axe_check(public, label=path, collect=problems)
    screenshot(public, "reception-calculator", docs_name="reception-calculator.png")

    assert_axe_clean(problems)
