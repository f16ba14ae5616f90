"""The client's address: the one answer every limit of the product uses (sign-in, public forms,
the API's throttles, the mail webhook).

`X-Forwarded-For` can be written by anyone, so it is read only as far as the setting
`CIPNET_TRUSTED_PROXIES` says (see docs/deployment.md):

- unset, 0 or empty (the default): no proxy is trusted, the header is ignored, the address is the
  connection's (`REMOTE_ADDR`);
- a number N: exactly N proxies of our own stand in front of the application, each appending the
  address it received the request from; the client is the N-th address from the right of
  `X-Forwarded-For` + `REMOTE_ADDR`;
- a list of addresses or networks (``["10.0.0.0/8", "127.0.0.1"]``): walking from the connection
  leftwards through the header, trusted proxies are skipped; the first address that is not one of
  them is the client.

Anything that does not parse as an IP address ends the walk (the last trusted hop is answered).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _address(text: str) -> str | None:
    text = text.strip()
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(f"CIPNET_TRUSTED_PROXIES: {exc}") from exc


def trusted_proxies() -> int | tuple[Network, ...]:
    """The setting, read now (never at import): a count, or the trusted networks."""
    value: Any = getattr(settings, "CIPNET_TRUSTED_PROXIES", 0) or 0
    if isinstance(value, int):
        if value < 0:
            raise ImproperlyConfigured("CIPNET_TRUSTED_PROXIES: a count must not be negative.")
        return value
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, Iterable):
        raise ImproperlyConfigured("CIPNET_TRUSTED_PROXIES: give a count or a list of addresses.")
    entries = tuple(str(entry).strip() for entry in value if str(entry).strip())
    if len(entries) == 1 and entries[0].isdigit():  # "2" from the environment: a count
        return int(entries[0])
    return _networks(entries)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    ip = ipaddress.ip_address(address)
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    remote = _address(request.META.get("REMOTE_ADDR", "") or "") or "unknown"
    proxies = trusted_proxies()
    if not proxies or remote == "unknown":
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    client = remote
    if isinstance(proxies, int):
        # Each of our N proxies appended the address it was reached from: the N-th from the right.
        for hop in list(reversed(forwarded))[:proxies]:
            parsed = _address(hop)
            if parsed is None:
                return client
            client = parsed
        return client
    if not _is_trusted(remote, proxies):
        return remote
    for hop in reversed(forwarded):
        parsed = _address(hop)
        if parsed is None:
            return client
        client = parsed
        if not _is_trusted(parsed, proxies):
            return parsed
    return client
