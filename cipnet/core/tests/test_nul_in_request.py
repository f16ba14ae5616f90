"""A NUL character in a request's path or query never reaches a view: PostgreSQL refuses text
holding it (a 500 before), so every route answers 400 with a message that says why."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


def _routes(resolver: URLResolver, prefix: str = "") -> list[str]:
    found: list[str] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            found += _routes(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append(prefix + str(pattern.pattern))
    return found


def _with_nul(route: str) -> str | None:
    """The route with each text parameter `%00` and each number `1`; None without a text parameter."""
    if not re.search(r"<(str:|path:)?\w+>", route):
        return None
    path = re.sub(r"<(?:str:|path:)?\w+>", "%00", route)
    path = re.sub(r"<int:\w+>", "1", path)
    path = re.sub(r"<slug:\w+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$")


TOKEN_ROUTES = sorted({p for p in (_with_nul(r) for r in _routes(get_resolver())) if p and "<" not in p})


def test_the_routes_named_in_the_issue_are_covered():
    for path in ("/reception/c/%00/", "/queue/ticket/%00/", "/queue/kiosk/%00/", "/reception/register/%00/"):
        assert path in TOKEN_ROUTES
    assert any(path.startswith("/api/v1/") for path in TOKEN_ROUTES)


@pytest.mark.parametrize("path", TOKEN_ROUTES)
def test_nul_in_a_path_token_is_a_400_that_says_why(world, path):
    response = Client(raise_request_exception=True).get(path)
    assert response.status_code == 400
    if path.startswith("/api/"):
        assert response.json()["error"]["code"] == "invalid"
        assert "NUL" in response.json()["error"]["message"]
    else:
        assert "NUL" in response.content.decode()


@pytest.mark.parametrize("path", ["/reception/register/?q=a%00b", "/api/v1/centres/?region=%00"])
def test_nul_in_a_query_string_is_a_400(world, path):
    response = Client(raise_request_exception=True).get(path)
    assert response.status_code == 400


def test_nul_in_a_posted_path_is_refused_before_the_view(world):
    response = Client(raise_request_exception=True).post("/reception/c/%00/edit/", {"text": "x"})
    assert response.status_code == 400
