# ruff: noqa: F811 — pytest fixtures imported from the reception tests are parameters here
"""The public register and statistics through the API: only what the moderator approved, never the
author's personal data (searched for in the raw JSON)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.test import Client
from django.urls import reverse

from cipnet.appeals.tests.conftest import Reception, reception  # noqa: F401 — the fixture
from cipnet.appeals.tests.test_publication import SECRETS, clock, kyiv, pending, published  # noqa: F401


def test_register_and_case_show_no_personal_data(
    reception: Reception,
    clock: Callable[[dt.datetime], None],
) -> None:
    clock(kyiv("2026-11-16"))
    case = published(reception)
    waiting = pending(reception)
    client = Client()
    response = client.get(reverse("api:reception-register"))
    assert response.status_code == 200
    body = response.content.decode()
    data = response.json()
    assert [r["number"] for r in data["results"]] == [case.number]
    assert waiting.number not in body
    detail = client.get(data["results"][0]["url"])
    assert detail.status_code == 200 and detail.json()["answer"] == case.public_answer
    for text in (body, detail.content.decode()):
        for secret in SECRETS:
            assert secret not in text and secret.encode("unicode_escape").decode() not in text, secret
    assert client.get(reverse("api:reception-register-case", args=[waiting.number])).status_code == 404
    assert client.get(reverse("api:reception-register"), {"q": "нічогонемає"}).json()["results"] == []
    assert client.get(reverse("api:reception-register"), {"bogus": "1"}).status_code == 400


def test_authority_statistics(
    reception: Reception,
    clock: Callable[[dt.datetime], None],
) -> None:
    clock(kyiv("2026-11-16"))
    published(reception)
    rows = Client().get(reverse("api:reception-authority-statistics")).json()
    city = next(r for r in rows if r["slug"] == reception.city.slug)
    assert city["received"] == 1 and city["answered_in_time"] + city["answered_late"] == 1
    assert set(city) == {
        "slug", "name", "kind", "region", "received", "answered_in_time", "answered_late", "overdue_now",
        "average_days_to_answer", "resolved_positively_percent",
    }  # fmt: skip
