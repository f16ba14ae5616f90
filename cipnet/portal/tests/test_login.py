"""Where signing in lands: staff on the staff home, officials on their cases, everyone else home.

The sign-in itself (throttling, demo accounts) is tested with accounts."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from cipnet.appeals.models import Authority, AuthorityKind, AuthorityOfficial
from cipnet.testing import World

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    cache.clear()


def login(client: Client, username: str, password: str = PASSWORD, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def make_authority(world: World) -> Authority:
    return Authority.objects.create(
        slug="mykolaiv-city-council",
        name="Миколаївська міська рада",
        kind=AuthorityKind.CITY_COUNCIL,
        region=world.region_a,
        address="вул. Адміральська, 20, Миколаїв, 54001",
        email="zvernennya@mkrada.example",
    )


def test_staff_sign_in_lands_on_the_staff_area(world: World, client: Client) -> None:
    response = login(client, "consultant_a")
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("staff:home")


def test_resident_sign_in_lands_on_the_public_home(world: World, client: Client) -> None:
    response = login(client, "resident")
    assert response.headers["Location"] == reverse("public:home")


def test_official_sign_in_lands_on_the_cases_to_answer(world: World, client: Client) -> None:
    AuthorityOfficial.objects.create(authority=make_authority(world), user=world.users["official"])
    response = login(client, "official")
    assert response.headers["Location"] == reverse("reception_staff:inbox")


def test_an_official_without_an_active_post_lands_on_the_public_home(world: World, client: Client) -> None:
    AuthorityOfficial.objects.create(authority=make_authority(world), user=world.users["official"], is_active=False)
    response = login(client, "official")
    assert response.headers["Location"] == reverse("public:home")


def test_the_next_parameter_wins(world: World, client: Client) -> None:
    response = client.post(
        reverse("accounts:login") + "?next=/staff/centres/", {"username": "resident", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/staff/centres/"


def test_a_signed_in_person_opening_the_sign_in_page_is_sent_where_they_work(world: World, client: Client) -> None:
    client.force_login(world.users["manager_a"])
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 302
    assert response.headers["Location"] == reverse("staff:home")
