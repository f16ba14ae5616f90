"""No interface text in the wrong language: representative public and staff pages, for every role,
in Ukrainian, English and Polish (see language_check.py for what counts as wrong).

Content shown in Ukrainian for want of a translation (a card's steps, an address, an authority's
name) must be marked `lang="uk"` on English and Polish pages so that screen readers read it right."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import BrowserContext

from cipnet.appeals.models import Authority, AuthorityKind, AuthorityOfficial
from cipnet.equeue import services as queue_services
from cipnet.eservices.tests.conftest import load_catalogue_for_tests

from .language_check import wrong_language_problems

LANGUAGES = ("uk", "en", "pl")


@pytest.fixture
def pages(data: Any) -> dict[str | None, list[str]]:
    """Paths (without the language prefix) by the user who opens them (None: a resident, signed out)."""
    cards = load_catalogue_for_tests()
    card = next(iter(cards.values()))
    city = Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=data.region_a,
        address="вул. Адміральська, 20, Миколаїв",
        email="zvernennya@mkrada.example",
    )
    AuthorityOfficial.objects.create(authority=city, user=data.users["official"], is_head=True)
    config = queue_services.queue_setup(actor=None, centre=data.centre_a)
    centre_a = data.centre_a
    return {
        None: [
            "/",
            "/centres/?place=Миколаїв",
            f"/centres/?settlement={centre_a.settlement.code}",
            f"/centres/{centre_a.slug}/",
            "/services/",
            "/services/?q=пенсія",
            f"/services/{card.identifier}/",
            "/reception/",
            "/reception/new/appeal/",
            "/reception/deadline/",
            "/reception/register/",
            "/reception/register/authorities/",
            f"/reception/register/authorities/{city.slug}/",
            f"/queue/kiosk/{config.kiosk_token}/",
            f"/queue/{centre_a.slug}/board/",
            "/accounts/login/",
        ],
        "consultant_a": [
            "/staff/",
            f"/staff/log/?centre={centre_a.pk}",
            "/staff/log/entries/",
            "/staff/queue/",
            "/staff/reception/",
            "/staff/reception/new/appeal/",
        ],
        "manager_a": [f"/staff/log/centre/{centre_a.pk}/", f"/staff/centres/{centre_a.pk}/edit/"],
        "coordinator_a": ["/staff/", "/staff/log/summary/", "/staff/centres/", "/staff/centres/new/"],
        "official": ["/staff/", "/staff/reception/"],
        "admin": ["/staff/services/", f"/staff/services/{card.pk}/edit/", "/staff/reception/moderation/"],
    }


def signed_in(new_context: Callable[..., BrowserContext], username: str | None, base_url: str) -> BrowserContext:
    context = new_context()
    if username:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])
    return context


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_page_speaks_one_language(
    pages: dict[str | None, list[str]], new_context: Callable[..., BrowserContext], live_server: Any, language: str
) -> None:
    prefix = "" if language == "uk" else f"/{language}"
    problems: list[str] = []
    for username, paths in pages.items():
        page = signed_in(new_context, username, live_server.url).new_page()
        for path in paths:
            response = page.goto(prefix + path)
            if response is None or not response.ok:
                problems.append(f"[{username or 'resident'}] {prefix}{path}: HTTP {response and response.status}")
                continue
            assert page.evaluate("() => document.documentElement.lang") == language, prefix + path
            problems += [f"[{username or 'resident'}] {p}" for p in wrong_language_problems(page, language)]
    shown = "\n".join(problems[:150])
    more = f"\n... and {len(problems) - 150} more" if len(problems) > 150 else ""
    assert not problems, f"{len(problems)} piece(s) of text in the wrong language:\n{shown}{more}"
