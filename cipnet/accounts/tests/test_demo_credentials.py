"""Demo credentials die with demo mode: password, session and API token of a demo account work
only while settings.CIPNET_DEMO_MODE is on (issue 13, item 9)."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token

from cipnet.accounts.models import Membership, Role, User
from cipnet.testing import World

PASSWORD = "demo-consultant-2026"


@pytest.fixture
def demo_consultant(world: World) -> User:
    user = User.objects.create_user(username="consultant", password=PASSWORD, is_demo=True)
    Membership.objects.create(user=user, role=Role.CONSULTANT, centre=world.centre_a)
    return user


def _read_entries(client: Client, **headers: str) -> int:
    return client.get(reverse("api:consultation-list"), **headers).status_code


@pytest.mark.parametrize(("demo_mode", "expected"), [(True, 200), (False, 401)])
def test_a_demo_token_works_only_in_demo_mode(demo_consultant: User, demo_mode: bool, expected: int) -> None:
    token = Token.objects.create(user=demo_consultant)
    with override_settings(CIPNET_DEMO_MODE=demo_mode):
        assert _read_entries(Client(), HTTP_AUTHORIZATION=f"Token {token.key}") == expected


def test_a_real_accounts_token_works_with_demo_mode_off(world: World) -> None:
    token = Token.objects.create(user=world.users["consultant_a"])
    with override_settings(CIPNET_DEMO_MODE=False):
        assert _read_entries(Client(), HTTP_AUTHORIZATION=f"Token {token.key}") == 200


def test_a_demo_session_opened_in_demo_mode_ends_when_demo_mode_is_off(demo_consultant: User) -> None:
    client = Client()
    with override_settings(CIPNET_DEMO_MODE=True):
        client.force_login(demo_consultant)
        assert _read_entries(client) == 200
    with override_settings(CIPNET_DEMO_MODE=False):
        assert _read_entries(client) in (401, 403)
        assert client.get(reverse("staff:home")).status_code == 302  # back to the sign-in page


def test_a_demo_password_does_not_sign_in_with_demo_mode_off(demo_consultant: User) -> None:
    with override_settings(CIPNET_DEMO_MODE=False):
        response = Client().post(reverse("accounts:login"), {"username": "consultant", "password": PASSWORD})
    assert response.status_code == 200
