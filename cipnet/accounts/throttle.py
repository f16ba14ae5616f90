"""Sign-in throttling and the public forms' rate limits.

Failures are counted per (account, address) pair: past `LOGIN_MAX_FAILURES` the pair waits, and
each further failure doubles the wait (up to `LOGIN_MAX_WAIT_SECONDS`). Guessing a librarian's
password from one address therefore slows that address on that account only: the librarian still
signs in from the library. Two wider counters stop what the pair cannot see:

- per address, over all accounts (trying many accounts from one place) — that address waits;
- per account, over all addresses (distributed guessing): past `LOGIN_ACCOUNT_SLOWDOWN_AFTER`
  failures, addresses the account has not signed in from before wait a few seconds between tries
  (growing up to `ACCOUNT_SLOWDOWN_MAX_SECONDS`). It slows guessing to a trickle and never locks:
  addresses the person has signed in from are not slowed at all.

A refused attempt is not checked and not counted, so it neither helps nor extends the wait.
Every counter is keyed by `client_address(request)`, the one client address of the product.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from cipnet.core.client import client_address
from cipnet.core.clock import now

#: Wait after the pair's last free failure; doubled by each further failure.
PAIR_FIRST_WAIT_SECONDS = 30
#: Wait between tries from unknown addresses while an account is guessed at from many addresses.
ACCOUNT_SLOWDOWN_FIRST_SECONDS = 2
ACCOUNT_SLOWDOWN_MAX_SECONDS = 60
#: How long an address the person signed in from stays known (not slowed by the account's cap).
KNOWN_ADDRESS_SECONDS = 60 * 24 * 3600


def client_ip(request: HttpRequest) -> str:
    """The client's address for every limit: `cipnet.core.client.client_address` (kept under this
    name for the callers of the public forms' limits)."""
    return client_address(request)


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _counters(*, username: str, ip: str) -> dict[str, tuple[str, int, int, int]]:
    """kind → (cache key, failures free of waiting, first wait, longest wait)."""
    free = int(settings.LOGIN_MAX_FAILURES)
    longest = int(getattr(settings, "LOGIN_MAX_WAIT_SECONDS", 15 * 60))
    # An address may be a library's shared connection: allow it several people's mistakes.
    return {
        "pair": (_key("pair", f"{username}\n{ip}"), free, PAIR_FIRST_WAIT_SECONDS, longest),
        "ip": (_key("ip", ip), free * 4, PAIR_FIRST_WAIT_SECONDS, longest),
        "account": (
            _key("account", username),
            int(getattr(settings, "LOGIN_ACCOUNT_SLOWDOWN_AFTER", 50)),
            ACCOUNT_SLOWDOWN_FIRST_SECONDS,
            ACCOUNT_SLOWDOWN_MAX_SECONDS,
        ),
    }


def _known_key(username: str, ip: str) -> str:
    return _key("known", f"{username}\n{ip}")


def _until(key: str) -> float:
    return float(cache.get(f"{key}:until", 0.0))


def login_wait(*, username: str, ip: str) -> float:
    """Seconds this address must wait before it may try this account's password (0: try now)."""
    counters = _counters(username=username, ip=ip)
    kinds = ["pair", "ip"]
    if not cache.get(_known_key(username, ip)):
        kinds.append("account")
    until = max(_until(counters[kind][0]) for kind in kinds)
    return max(0.0, until - now().timestamp())


def login_wait_ends(*, username: str, ip: str) -> dt.datetime | None:
    wait = login_wait(username=username, ip=ip)
    return now() + dt.timedelta(seconds=wait) if wait > 0 else None


def record_failure(*, username: str, ip: str) -> None:
    window = int(settings.LOGIN_FAILURE_WINDOW_SECONDS)
    moment = now().timestamp()
    for key, free, first, longest in _counters(username=username, ip=ip).values():
        cache.add(key, 0, timeout=window)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)
            count = 1
        cache.touch(key, window)  # the window runs from the latest failure
        if count >= free:
            wait = min(first * 2 ** min(count - free, 30), longest)
            cache.set(f"{key}:until", moment + wait, timeout=wait + 1)


def record_success(*, username: str, ip: str) -> None:
    """The pair starts afresh, and the address becomes one the person signs in from."""
    key = _counters(username=username, ip=ip)["pair"][0]
    cache.delete_many([key, f"{key}:until"])
    cache.set(_known_key(username, ip), True, timeout=KNOWN_ADDRESS_SECONDS)


def rate_limit_reached(*, scope: str, ip: str, limit: int) -> bool:
    """Has this address used up `limit` in the current window (without counting one more)?"""
    return int(cache.get(_key(f"rate:{scope}", ip), 0)) >= limit


def hit_rate_limit(*, scope: str, ip: str, limit: int, window_seconds: int) -> bool:
    """Count one use of a public form from this address; True when over the limit."""
    key = _key(f"rate:{scope}", ip)
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count > limit
