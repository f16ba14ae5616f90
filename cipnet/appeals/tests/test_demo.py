"""The demonstration reception (`make run`): cases at every stage from the Mykolaiv library, the
published ones moderated and findable in the register, nothing personal in it; loaded once."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from cipnet.appeals import demo, publication, selectors
from cipnet.appeals.models import Appeal, Authority, Publication, Status
from cipnet.directory.demo.accounts import demo_logins
from cipnet.directory.katottg import Row, territory_import
from cipnet.directory.tests.conftest import katottg_lines  # noqa: F401 - a fixture
from cipnet.directory.tests.test_demo import demo_territory_rows  # noqa: F401 - a fixture


def register(*, query: str, authority_slug: str = "", kind: str = "") -> Any:
    return selectors.case_list_public(selectors.RegisterFilters(text=query, authority_slug=authority_slug, kind=kind))


def test_the_demo_reception(db: None, demo_territory_rows: list[Row]) -> None:  # noqa: F811
    territory_import(source=demo_territory_rows)
    with translation.override("en"):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    counts = demo.load()
    assert counts["cases"] == len(demo.CASES) and counts["authorities"] >= 5
    cases = Appeal.objects.all()
    assert {c.status for c in cases} >= {Status.SUBMITTED, Status.REGISTERED, Status.IN_PROGRESS, Status.CLOSED}
    published = list(cases.filter(publication=Publication.PUBLISHED))
    assert published, "the register has something to show"
    for case in published:
        assert case.public_search and case.author_name not in case.public_search
        assert case.author_email not in case.public_search
        word = case.public_subject.split()[-1].upper()
        assert case in register(query=word)
    # Answers came days after receipt, in time: the authorities' figures look like life.
    city = Authority.objects.get(slug="mykolaiv-city-council")
    [figures] = publication.authority_statistics(authority=city)
    assert figures.answered == 2 and figures.answered_in_time == 2
    assert figures.average_days is not None and 10 <= figures.average_days <= 14
    assert demo.load()["cases"] == 0  # loaded once
    # The demo logins say which authority the official answers for.
    with translation.override("en"):
        [official] = [login for login in demo_logins() if login.username == "official"]
        assert official.where == f"{city.display_name}, head"


def test_the_demo_reception_loads_after_midnight_in_kyiv(
    db: None,
    demo_territory_rows: list[Row],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 00:30 in Kyiv is still the day before in UTC: a registration dated by the UTC day came
    # "before the day of receipt" and `make run` failed for two hours each night.
    after_midnight = dt.datetime(2026, 3, 10, 22, 30, tzinfo=dt.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: after_midnight)
    territory_import(source=demo_territory_rows)
    with translation.override("en"):
        call_command("load_demo", stdout=io.StringIO(), stderr=io.StringIO())
    assert demo.load()["cases"] == len(demo.CASES)
    registered = Appeal.objects.exclude(registered_on=None).values_list("registered_on", flat=True)
    assert registered and max(registered) <= dt.date(2026, 3, 11)
