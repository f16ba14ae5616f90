"""Login throttling: after too many failures an account (and, separately, an address) waits.

Counting per account stops guessing one person's password from many addresses;
counting per address stops trying many accounts from one place.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind a proxy, the deployment sets REMOTE_ADDR correctly (see docs/deployment.md).
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"login-fail:{kind}:{digest}"


def _ip_limit() -> int:
    # An address may be a library's shared connection: allow it several people's mistakes.
    return int(settings.LOGIN_MAX_FAILURES) * 4


def is_locked(*, username: str, ip: str) -> bool:
    by_user = cache.get(_key("user", username), 0)
    by_ip = cache.get(_key("ip", ip), 0)
    return by_user >= settings.LOGIN_MAX_FAILURES or by_ip >= _ip_limit()


def record_failure(*, username: str, ip: str) -> None:
    window = settings.LOGIN_FAILURE_WINDOW_SECONDS
    for key in (_key("user", username), _key("ip", ip)):
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=window)


def reset(*, username: str) -> None:
    cache.delete(_key("user", username))


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
