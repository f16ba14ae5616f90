"""The staff home and the staff menu: panels of every app, shown by role."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from cipnet.appeals.models import AuthorityOfficial
from cipnet.portal.tests.test_login import make_authority
from cipnet.testing import World

ROLES = [
    "anonymous", "resident", "official", "consultant_a", "manager_a", "trainer_a",
    "consultant_b", "manager_b", "coordinator_a", "coordinator_b", "admin",
]  # fmt: skip


def client_for(world: World, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


@pytest.mark.parametrize("role", ROLES)
def test_everyone_signed_in_has_a_staff_home(world: World, role: str) -> None:
    response = client_for(world, role).get(reverse("staff:home"))
    if role == "anonymous":
        assert response.status_code == 302
        assert response.headers["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == 200


def test_a_consultant_sees_their_centre_the_log_the_queue_and_filing_for_a_visitor(world: World) -> None:
    html = client_for(world, "consultant_a").get(reverse("staff:home")).content.decode()
    assert reverse("staff:centre", args=[world.centre_a.pk]) in html
    assert reverse("staff:centre", args=[world.centre_b.pk]) not in html
    assert reverse("consultations:entry") in html
    assert reverse("queue_staff:console") in html
    assert reverse("reception_staff:inbox") in html
    assert reverse("reception_moderation:queue") not in html
    assert reverse("eservices_staff:cards") not in html


def test_a_coordinator_moderates_and_edits_the_catalogue(world: World) -> None:
    html = client_for(world, "coordinator_a").get(reverse("staff:home")).content.decode()
    assert reverse("reception_moderation:queue") in html
    assert reverse("eservices_staff:cards") in html
    assert reverse("queue_staff:console") not in html


def test_an_official_sees_the_cases_to_answer(world: World) -> None:
    AuthorityOfficial.objects.create(authority=make_authority(world), user=world.users["official"])
    client = client_for(world, "official")
    response = client.get(reverse("staff:home"))
    assert response.context["is_official"] is True
    assert reverse("reception_staff:inbox") in response.content.decode()
    # The menu of every page leads an official to the cases, not to the staff area.
    menu = client.get(reverse("public:home")).content.decode()
    assert f'href="{reverse("reception_staff:inbox")}"' in menu
    assert f'href="{reverse("staff:home")}"' not in menu


def test_the_menu_leads_staff_to_the_staff_area_and_residents_nowhere(world: World) -> None:
    staff = client_for(world, "consultant_a").get(reverse("public:home")).content.decode()
    assert f'href="{reverse("staff:home")}"' in staff
    resident = client_for(world, "resident").get(reverse("public:home")).content.decode()
    assert f'href="{reverse("staff:home")}"' not in resident
    assert f'href="{reverse("reception_staff:inbox")}"' not in resident


def test_the_menu_asks_whether_someone_is_an_official_only_when_it_needs_to(
    world: World, django_assert_max_num_queries
) -> None:
    client = client_for(world, "consultant_a")
    with django_assert_max_num_queries(50) as captured:
        client.get(reverse("public:home"))
    assert not any("appeals_authorityofficial" in q["sql"] for q in captured.captured_queries)
