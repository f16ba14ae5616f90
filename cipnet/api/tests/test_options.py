"""OPTIONS on every API endpoint, for every role, answers without a server error: it names the
endpoint and the methods it allows (it used to build each write serializer and 500 where a view has
none, or needs the request's objects to build it)."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


API_PATHS = sorted(
    {
        "/" + re.sub(r"<(?:int:)?\w+>|<\w+:\w+>", "1", route).lstrip("^").rstrip("$")
        for route in _routes(get_resolver())
        if route.startswith("api/v1/")
    }
)


def test_every_api_endpoint_is_probed():
    assert len(API_PATHS) >= 26


ROLES = ["anonymous", "resident", "consultant_a", "manager_a", "coordinator_a", "official", "admin"]


@pytest.mark.parametrize("role", ROLES)
def test_options_never_fails_on_any_endpoint(world, role):
    client = APIClient()
    if world.users[role] is not None:
        client.force_authenticate(world.users[role])
    failures = {}
    for path in API_PATHS:
        try:
            response = client.options(path)
        except Exception as exc:  # the test client re-raises what would have been a 500
            failures[path] = repr(exc)[:120]
            continue
        if response.status_code >= 500:
            failures[path] = response.status_code
        elif response.status_code == 200:
            assert "OPTIONS" in response.headers["Allow"], path
    assert failures == {}
