"""One client address for every limit (issue 13, item 11): X-Forwarded-For is believed only from
the proxies named in CIPNET_TRUSTED_PROXIES; every throttle of the API, the sign-in and the public
forms count the same address."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.throttling import SimpleRateThrottle

from cipnet.accounts import throttle
from cipnet.core.client import client_address


def _request(remote: str, forwarded: str | None = None):  # type: ignore[no-untyped-def]
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        # No proxy trusted (the default): the header is ignored, whatever it says.
        ([], "198.51.100.7", "1.2.3.4", "198.51.100.7"),
        (0, "198.51.100.7", "1.2.3.4, 5.6.7.8", "198.51.100.7"),
        # One proxy of ours: it appended the client's address; what the client wrote before is ignored.
        (1, "10.0.0.2", "1.2.3.4, 203.0.113.9", "203.0.113.9"),
        (["1"], "10.0.0.2", "203.0.113.9", "203.0.113.9"),
        ("2", "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (1, "10.0.0.2", None, "10.0.0.2"),
        # Trusted networks: skip them from the right; a direct connection is never believed.
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", "203.0.113.9"),
        (["10.0.0.0/8", "127.0.0.1"], "127.0.0.1", "203.0.113.9", "203.0.113.9"),
        (["10.0.0.0/8"], "198.51.100.7", "203.0.113.9", "198.51.100.7"),
        (["10.0.0.0/8"], "10.0.0.2", "not-an-address, 10.0.0.3", "10.0.0.3"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8::5, 2a00:1450::1", "2a00:1450::1"),
        (1, "10.0.0.2", "<script>", "10.0.0.2"),
    ],
)
def test_client_address(proxies: object, remote: str, forwarded: str | None, expected: str) -> None:
    with override_settings(CIPNET_TRUSTED_PROXIES=proxies):
        assert client_address(_request(remote, forwarded)) == expected


def test_a_wrong_setting_is_named() -> None:
    with override_settings(CIPNET_TRUSTED_PROXIES=["10.0.0.0/33"]), pytest.raises(ImproperlyConfigured):
        client_address(_request("10.0.0.2", "1.2.3.4"))


def _views(patterns: list, prefix: str = ""):  # type: ignore[no-untyped-def]
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _views(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            view_class = getattr(entry.callback, "cls", None) or getattr(entry.callback, "view_class", None)
            if view_class is not None and hasattr(view_class, "get_throttles"):
                yield prefix + str(entry.pattern), view_class


def test_every_api_throttle_counts_the_one_client_address() -> None:
    views = list(_views(get_resolver().url_patterns))
    assert len(views) > 20
    checked = 0
    for route, view_class in views:
        for limiter in view_class().get_throttles():
            request = _request("198.51.100.7", "6.6.6.6")
            assert limiter.get_ident(request) == "198.51.100.7", (route, type(limiter))
            checked += 1
    assert checked > 20


def test_rotating_x_forwarded_for_does_not_escape_the_api_limit(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "5/min", "user": "5/min"})
    url = reverse("api:region-list")
    codes = [
        Client().get(url, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR=f"203.0.113.{i}").status_code
        for i in range(8)
    ]
    assert codes[:5] == [200] * 5
    assert codes[5:] == [429] * 3


def test_the_public_forms_count_the_same_address() -> None:
    with override_settings(CIPNET_TRUSTED_PROXIES=1):
        request = _request("10.0.0.2", "6.6.6.6, 203.0.113.9")
        assert throttle.client_ip(request) == client_address(request) == "203.0.113.9"


MAIL = b"From: someone@example.org\r\nTo: nobody@example.org\r\nSubject: hello\r\n\r\nHello.\r\n"


@override_settings(CIPNET_INBOUND_MAIL_SECRET="a-long-shared-secret", CIPNET_TRUSTED_PROXIES=1)
def test_the_mail_webhook_limits_wrong_secrets_by_the_same_client_address(db: None) -> None:
    def post(secret: str, forwarded: str) -> int:
        return (
            Client()
            .post(
                "/api/v1/reception/inbound-mail/",
                MAIL,
                content_type="message/rfc822",
                HTTP_X_CIPNET_MAIL_SECRET=secret,
                REMOTE_ADDR="10.0.0.2",
                HTTP_X_FORWARDED_FOR=forwarded,
            )
            .status_code
        )

    guesses = [post(f"guess-{i}", f"6.6.6.{i}, 203.0.113.9") for i in range(12)]
    assert guesses[:10] == [403] * 10
    assert guesses[10:] == [429, 429]
    # Guessing is stopped at that address even when a guess would be right …
    assert post("a-long-shared-secret", "203.0.113.9") == 429
    # … while the mail provider's own address delivers as before.
    assert post("a-long-shared-secret", "198.51.100.25") == 200
