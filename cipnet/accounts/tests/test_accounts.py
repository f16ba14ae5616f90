"""Sign-in, throttling, password reset and demo accounts (where sign-in lands: cipnet.portal)."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from cipnet.accounts.models import Membership, Role, User
from cipnet.accounts.scopes import scope_for
from cipnet.testing import World

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    cache.clear()


def login(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_wrong_password_keeps_the_username_and_says_why(world: World, client: Client) -> None:
    response = login(client, "consultant_a", "wrong")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="consultant_a"' in html
    assert 'class="error-summary"' in html


def test_five_failures_make_the_address_wait_even_with_the_right_password(world: World, client: Client) -> None:
    for _ in range(5):
        login(client, "consultant_a", "wrong")
    response = login(client, "consultant_a", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert (
        response.context["form"]
        .errors["__all__"][0]
        .startswith(str(response.context["form"].error_messages["wait"])[:40])
    )
    # Another account from another address is not affected.
    assert login(Client(), "manager_a", PASSWORD, ip="10.0.0.2").status_code == 302


def test_one_address_waits_after_many_failures_across_accounts(world: World) -> None:
    client = Client()
    for i in range(20):
        login(client, f"nobody{i}", "wrong", ip="10.9.9.9")
    assert login(client, "manager_a", PASSWORD, ip="10.9.9.9").status_code == 200
    assert login(Client(), "manager_a", PASSWORD, ip="10.9.9.10").status_code == 302


def test_success_resets_the_account_counter(world: World, client: Client) -> None:
    for _ in range(4):
        login(client, "consultant_a", "wrong")
    assert login(client, "consultant_a", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        login(client, "consultant_a", "wrong")
    assert login(client, "consultant_a", PASSWORD).status_code == 302


def test_logout_needs_post(world: World, client: Client) -> None:
    client.force_login(world.users["consultant_a"])
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_email_is_sent_by_the_task_and_the_link_works(world: World, client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "consultant_a@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/\S+)", mail.outbox[0].body)
    assert link
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0],
        {"new_password1": "a-new-long-passphrase", "new_password2": "a-new-long-passphrase"},
    )
    assert response.status_code == 302
    assert login(Client(), "consultant_a", "a-new-long-passphrase").status_code == 302


def test_password_reset_for_unknown_email_sends_nothing_but_looks_the_same(world: World, client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_is_rate_limited_per_address(world: World, client: Client) -> None:
    for _ in range(10):
        client.post(reverse("accounts:password_reset"), {"email": "x@example.org"}, REMOTE_ADDR="10.1.1.1")
    response = client.post(reverse("accounts:password_reset"), {"email": "x@example.org"}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429


def test_demo_accounts_work_only_in_demo_mode(db: None, client: Client) -> None:
    User.objects.create_user(username="demo", password=PASSWORD, is_demo=True)
    with override_settings(CIPNET_DEMO_MODE=False):
        assert login(client, "demo", PASSWORD).status_code == 200
    with override_settings(CIPNET_DEMO_MODE=True):
        assert login(Client(), "demo", PASSWORD, ip="10.0.0.3").status_code == 302


def test_passwords_are_hashed(world: World) -> None:
    user = world.users["consultant_a"]
    assert user.password != PASSWORD
    assert user.check_password(PASSWORD)


def test_membership_scope_must_match_role(world: World) -> None:
    from django.core.exceptions import ValidationError

    bad = Membership(user=world.users["resident"], role=Role.CONSULTANT, region=world.region_a)
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_scope_of_a_person_with_roles_in_two_centres(world: World) -> None:
    user = world.users["consultant_a"]
    Membership.objects.create(user=user, role=Role.CENTRE_MANAGER, centre=world.centre_b)
    user = User.objects.get(pk=user.pk)
    scope = scope_for(user)
    assert scope.centre_ids == {world.centre_a.pk, world.centre_b.pk}
    assert scope.managed_centre_ids == {world.centre_b.pk}


def test_inactive_membership_gives_nothing(world: World) -> None:
    Membership.objects.filter(user=world.users["consultant_a"]).update(is_active=False)
    user = User.objects.get(pk=world.users["consultant_a"].pk)
    assert not scope_for(user).is_staff_member


def test_admin_lists_are_scoped(world: World) -> None:
    world.users["coordinator_b"].is_staff = True
    world.users["coordinator_b"].save()
    client = Client()
    client.force_login(world.users["coordinator_b"])
    response = client.get("/admin/directory/centre/")
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [world.centre_b]
    assert client.get(f"/admin/directory/centre/{world.centre_a.pk}/change/").status_code in (302, 404)
    assert client.get("/admin/accounts/user/").status_code == 403


def test_admin_login_goes_through_the_throttled_sign_in(client: Client, db: None) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("accounts:login"))
