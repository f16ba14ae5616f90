"""axe-core on the public pages and the account pages, in Ukrainian and in English:
no serious or critical violation. (The journey, keyboard, near-me, filter and staff tests check
the pages they reach as well.)"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from .support import assert_axe_clean, axe_check

PAGES = {
    "home": "/",
    "finder, no search": "/centres/",
    "finder, which Миколаїв": "/centres/?place=Миколаїв",
    "finder, results": "/centres/?settlement=UA48060150010035747&place=Миколаїв",
    "centre": "/centres/{slug}/",
    "about": "/about/",
    "sign in": "/accounts/login/",
    "password reset": "/accounts/password-reset/",
}


@pytest.mark.parametrize("language", ["uk", "en"])
def test_pages_have_no_serious_accessibility_problems(data: Any, page: Page, language: str) -> None:
    prefix = "" if language == "uk" else f"/{language}"
    failures: list[str] = []
    for label, path in PAGES.items():
        response = page.goto(prefix + path.format(slug=data.centre_a.slug))
        assert response is not None and response.status == 200, f"{label}: {response and response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        axe_check(page, label=f"{label} ({language})", collect=failures)
    assert_axe_clean(failures)
