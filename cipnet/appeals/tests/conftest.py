from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import translation

from cipnet.accounts.models import User
from cipnet.appeals import services
from cipnet.appeals.models import Appeal, AppealType, Authority, AuthorityKind, AuthorityOfficial, Kind
from cipnet.testing import World, make_user


@dataclass
class Reception:
    world: World
    city: Authority  # Mykolaiv city council (region A)
    oblast: Authority  # Lviv oblast administration (region B)
    clerk: User  # official of the city council
    head: User  # head of the city council
    oblast_clerk: User
    clock: Callable[[dt.datetime], None]


@pytest.fixture(autouse=True)
def _english_messages() -> Iterator[None]:
    """Service messages in English, whatever the default language: tests match their wording.
    (Pages requested through the test client are still rendered in the request's language.)"""
    with translation.override("en"):
        yield


@pytest.fixture
def reception(world: World, monkeypatch: pytest.MonkeyPatch) -> Reception:
    city = Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=world.region_a,
        address="вул. Адміральська, 20, Миколаїв, 54001",
        email="zvernennya@mkrada.example",
    )
    oblast = Authority.objects.create(
        slug="lviv-oda",
        name="Львівська обласна військова адміністрація",
        kind=AuthorityKind.OBLAST_ADMINISTRATION,
        region=world.region_b,
        address="вул. Винниченка, 18, Львів, 79008",
        email="zvernennya@loda.example",
    )
    clerk = make_user("clerk")
    head = make_user("head")
    oblast_clerk = make_user("oblast_clerk")
    AuthorityOfficial.objects.create(authority=city, user=clerk)
    AuthorityOfficial.objects.create(authority=city, user=head, is_head=True)
    AuthorityOfficial.objects.create(authority=oblast, user=oblast_clerk)
    current: dict[str, Any] = {}

    def clock(moment: dt.datetime) -> None:
        import cipnet.appeals.notifications
        import cipnet.appeals.services
        import cipnet.appeals.tasks

        current["now"] = moment
        for module in (cipnet.appeals.services, cipnet.appeals.notifications, cipnet.appeals.tasks):
            monkeypatch.setattr(module, "now", lambda: current["now"])

    return Reception(world, city, oblast, clerk, head, oblast_clerk, clock)


def appeal_input(authority: Authority, **changes: Any) -> services.AppealInput:
    values: dict[str, Any] = {
        "kind": Kind.APPEAL,
        "authority": authority,
        "appeal_type": AppealType.COMPLAINT,
        "author_name": "Марія Іванівна Петренко",
        "author_address": "вул. Садова, 5, кв. 12, Миколаїв, 54017",
        "author_email": "maria.petrenko@example.org",
        "author_phone": "+380 50 123 45 67",
        "subject": "Не працює вуличне освітлення",
        "text": "На вулиці Садовій біля будинку 5 другий місяць не світять ліхтарі. Прошу відремонтувати.",
        "publish_consent": True,
    }
    values.update(changes)
    return services.AppealInput(**values)


def submitted(r: Reception, **changes: Any) -> Appeal:
    """An appeal a consultant of centre A filed for a visitor, sent."""
    consultant = r.world.users["consultant_a"]
    draft = services.appeal_save_draft(
        actor=consultant, data=appeal_input(r.city, **changes), centre=r.world.centre_a, consent=True
    )
    return services.appeal_submit(actor=consultant, appeal=draft)
