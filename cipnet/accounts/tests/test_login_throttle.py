"""Sign-in throttling per (account, address) pair with a growing wait (issue 13, item 10): guessing
from one address slows that address down on that account, but cannot lock the person out from
their own address; a cap over all addresses slows distributed guessing without locking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from cipnet.accounts import throttle
from cipnet.testing import World

PASSWORD = "correct-horse-battery"
START = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = START
        monkeypatch.setattr(throttle, "now", lambda: self.moment)

    def advance(self, seconds: float) -> None:
        self.moment += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def login(username: str, password: str, ip: str):  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)
    response.signed_in = "_auth_user_id" in client.session
    return response


def test_an_attacker_from_one_address_cannot_lock_the_librarian_out_of_another(world: World, clock: Clock) -> None:
    for _ in range(40):
        login("consultant_a", "wrong", ip="203.0.113.66")
        clock.advance(1)
    assert login("consultant_a", PASSWORD, ip="10.0.0.7").signed_in


def test_the_wait_grows_with_each_failure_past_the_limit(world: World, clock: Clock) -> None:
    ip = "203.0.113.5"
    for _ in range(5):
        assert not login("consultant_a", "wrong", ip=ip).signed_in
    waits = [throttle.login_wait(username="consultant_a", ip=ip)]
    for _ in range(3):
        clock.advance(waits[-1] + 1)
        login("consultant_a", "wrong", ip=ip)
        waits.append(throttle.login_wait(username="consultant_a", ip=ip))
    assert waits[0] > 0
    assert waits == sorted(waits) and len(set(waits)) == len(waits)
    # While waiting even the right password is refused, and says until when; after it, it works.
    refused = login("consultant_a", PASSWORD, ip=ip)
    assert not refused.signed_in
    assert "12:" in refused.content.decode() or "11:" in refused.content.decode()  # Kyiv time of the end
    clock.advance(waits[-1] + 1)
    assert login("consultant_a", PASSWORD, ip=ip).signed_in


def test_refused_attempts_do_not_count_and_do_not_extend_the_wait(world: World, clock: Clock) -> None:
    ip = "203.0.113.6"
    for _ in range(5):
        login("consultant_a", "wrong", ip=ip)
    wait = throttle.login_wait(username="consultant_a", ip=ip)
    for _ in range(20):
        login("consultant_a", "wrong", ip=ip)
    assert throttle.login_wait(username="consultant_a", ip=ip) == wait


@override_settings(LOGIN_ACCOUNT_SLOWDOWN_AFTER=10)
def test_distributed_guessing_is_slowed_not_locked(world: World, clock: Clock) -> None:
    # The librarian has signed in from the library before.
    assert login("consultant_a", PASSWORD, ip="10.0.0.7").signed_in
    for i in range(30):
        login("consultant_a", "wrong", ip=f"198.51.100.{i}")
    # A new address must wait a little (the guessing is slowed) …
    fresh = "198.51.100.200"
    wait = throttle.login_wait(username="consultant_a", ip=fresh)
    assert 0 < wait <= throttle.ACCOUNT_SLOWDOWN_MAX_SECONDS
    assert not login("consultant_a", PASSWORD, ip=fresh).signed_in
    # … the librarian's known address is not slowed at all …
    assert throttle.login_wait(username="consultant_a", ip="10.0.0.7") == 0
    assert login("consultant_a", PASSWORD, ip="10.0.0.7").signed_in
    # … and nobody is locked: after the short wait the right password works from anywhere.
    clock.advance(wait + 1)
    assert login("consultant_a", PASSWORD, ip=fresh).signed_in


def test_one_address_guessing_many_accounts_waits_there_only(world: World, clock: Clock) -> None:
    for i in range(20):
        login(f"nobody{i}", "wrong", ip="10.9.9.9")
    assert not login("manager_a", PASSWORD, ip="10.9.9.9").signed_in
    assert login("manager_a", PASSWORD, ip="10.9.9.10").signed_in
