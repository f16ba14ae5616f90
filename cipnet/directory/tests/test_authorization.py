"""Authorization matrix: every staff view of the directory × every role.

A record outside the user's scope answers 404 (never 403), and a refused write changes nothing.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.directory.models import Centre, OpeningException, OpeningHours
from cipnet.testing import World

ROLES = [
    "anonymous", "resident", "official", "consultant_a", "manager_a", "trainer_a",
    "consultant_b", "manager_b", "coordinator_a", "coordinator_b", "admin",
]  # fmt: skip
STAFF_OF_A = {"consultant_a", "manager_a", "trainer_a", "coordinator_a", "admin"}
EDITORS_OF_A = {"manager_a", "coordinator_a", "admin"}
STAFF = {
    "consultant_a",
    "manager_a",
    "trainer_a",
    "consultant_b",
    "manager_b",
    "coordinator_a",
    "coordinator_b",
    "admin",
}
CREATORS = {"coordinator_a", "coordinator_b", "admin"}
SEES_OFFICE_B = {"consultant_b", "manager_b", "coordinator_b", "admin"}


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def expected(role: str, allowed: set[str], ok: int = 200) -> int:
    if role == "anonymous":
        return 302  # to the sign-in page
    return ok if role in allowed else 404


@pytest.mark.parametrize("role", ROLES)
def test_read_views(world: World, role: str) -> None:
    client = client_for(world, role)
    a = world.centre_a.pk
    cases = [
        (reverse("staff:centres"), STAFF),
        (reverse("staff:centre", args=[a]), STAFF_OF_A),
        (reverse("staff:centre_edit", args=[a]), EDITORS_OF_A),
        (reverse("staff:centre_hours", args=[a]), EDITORS_OF_A),
        (reverse("staff:centre_create"), CREATORS),
        (reverse("staff:offices"), STAFF),
        (reverse("staff:office", args=[world.office_b.pk]), SEES_OFFICE_B),
    ]
    for url, allowed in cases:
        response = client.get(url)
        assert response.status_code == expected(role, allowed), (url, role, response.status_code)


@pytest.mark.parametrize("role", ROLES)
def test_edit_centre(world: World, role: str) -> None:
    client = client_for(world, role)
    centre = world.centre_a
    data = {
        "name": "Нова назва",
        "host": centre.host_id,
        "status": "active",
        "settlement": centre.settlement.code,
        "address": centre.address,
        "public_computers": 12,
    }
    response = client.post(reverse("staff:centre_edit", args=[centre.pk]), data)
    assert response.status_code == expected(role, EDITORS_OF_A, ok=302), response.content[:2000]
    centre.refresh_from_db()
    if role in EDITORS_OF_A:
        assert (centre.name, centre.public_computers) == ("Нова назва", 12)
    else:
        assert (centre.name, centre.public_computers) == ("Центральна бібліотека ім. М. Л. Кропивницького", 10)


@pytest.mark.parametrize("role", ROLES)
def test_set_hours(world: World, role: str) -> None:
    client = client_for(world, role)
    before = list(OpeningHours.objects.filter(centre=world.centre_a).values_list("weekday", "opens", "closes"))
    response = client.post(
        reverse("staff:centre_hours", args=[world.centre_a.pk]), {"d0_0_opens": "10:00", "d0_0_closes": "12:00"}
    )
    assert response.status_code == expected(role, EDITORS_OF_A, ok=302)
    after = list(OpeningHours.objects.filter(centre=world.centre_a).values_list("weekday", "opens", "closes"))
    if role in EDITORS_OF_A:
        assert after == [(0, dt.time(10), dt.time(12))]
    else:
        assert after == before


@pytest.mark.parametrize("role", ROLES)
def test_add_and_delete_exception(world: World, role: str) -> None:
    client = client_for(world, role)
    url = reverse("staff:exception_add", args=[world.centre_a.pk])
    response = client.post(url, {"date": "2030-01-07", "is_closed": "on", "reason": "Різдво"})
    assert response.status_code == expected(role, STAFF_OF_A, ok=302)
    exists = OpeningException.objects.filter(centre=world.centre_a, date=dt.date(2030, 1, 7)).exists()
    assert exists is (role in STAFF_OF_A)

    existing = OpeningException.objects.create(centre=world.centre_a, date=dt.date(2030, 5, 1), is_closed=True)
    response = client.post(reverse("staff:exception_delete", args=[world.centre_a.pk, existing.pk]))
    assert response.status_code == expected(role, STAFF_OF_A, ok=302)
    assert OpeningException.objects.filter(pk=existing.pk).exists() is (role not in STAFF_OF_A)


def test_consultant_of_a_cannot_reach_b_through_a_url(world: World) -> None:
    """The exception of centre B cannot be deleted through centre A's address either."""
    client = client_for(world, "consultant_a")
    other = OpeningException.objects.create(centre=world.centre_b, date=dt.date(2030, 5, 1), is_closed=True)
    response = client.post(reverse("staff:exception_delete", args=[world.centre_a.pk, other.pk]))
    assert response.status_code == 404
    assert OpeningException.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("role", ROLES)
def test_create_centre_in_region_b(world: World, role: str) -> None:
    client = client_for(world, role)
    before = Centre.objects.count()
    data = {
        "name": "Новий центр",
        "host": world.centre_b.host_id,
        "status": "planned",
        "settlement": world.centre_b.settlement.code,
        "address": "вул. Франка, 1",
        "public_computers": 2,
    }
    response = client.post(reverse("staff:centre_create"), data)
    may_create = role in {"coordinator_b", "admin"}
    if role == "anonymous":
        assert response.status_code == 302
    elif role == "coordinator_a":
        # A coordinator may open the form, but not place a centre in another region.
        assert response.status_code == 200
    elif may_create:
        assert response.status_code == 302, response.content[:3000]
    else:
        assert response.status_code == 404
    assert Centre.objects.count() == before + (1 if may_create else 0)
