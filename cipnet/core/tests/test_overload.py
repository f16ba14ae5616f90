"""Overload of the database (the pool has no free connection within its timeout, or PostgreSQL
refuses more clients) answers 503 with Retry-After, on the pages and in the API, never 500.
The exceptions are simulated: the connection is made to fail as psycopg's pool or the server would."""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.utils import translation
from psycopg_pool import PoolTimeout, TooManyRequests
from rest_framework.views import APIView

from cipnet.api.errors import exception_handler
from cipnet.core.middleware import RefusalMiddleware
from cipnet.core.overload import RETRY_AFTER_SECONDS, is_overload


def wrapped(cause: Exception) -> OperationalError:
    """What Django raises when the driver fails to connect: its own OperationalError, caused by the driver's."""
    try:
        raise OperationalError(str(cause)) from cause
    except OperationalError as exc:
        return exc


POOL_TIMEOUT = PoolTimeout("couldn't get a connection after 3.00 sec")
TOO_MANY_CLIENTS = OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  sorry, too many clients already'
)
ROLE_LIMIT = OperationalError('connection failed: FATAL:  too many connections for role "cipnet"')
RESERVED = OperationalError("FATAL:  remaining connection slots are reserved for roles with the SUPERUSER attribute")


@pytest.mark.parametrize(
    "exc",
    [
        POOL_TIMEOUT,
        wrapped(POOL_TIMEOUT),
        wrapped(TooManyRequests("too many requests queued")),
        TOO_MANY_CLIENTS,
        ROLE_LIMIT,
        RESERVED,
    ],
)
def test_overload_is_recognised(exc: Exception) -> None:
    assert is_overload(exc)


@pytest.mark.parametrize(
    "exc",
    [OperationalError("deadlock detected"), OperationalError("database is locked"), ValueError("too many clients")],
)
def test_other_errors_are_not_overload(exc: Exception) -> None:
    assert not is_overload(exc)


def test_the_page_mapping_answers_503_with_retry_after() -> None:
    request = RequestFactory().get("/uk/centres/")
    middleware = RefusalMiddleware(lambda request: HttpResponse())
    with translation.override("en"):
        response = middleware.process_exception(request, wrapped(POOL_TIMEOUT))
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "The service is busy" in response.content.decode()
    assert middleware.process_exception(request, OperationalError("deadlock detected")) is None


def test_the_api_mapping_answers_503_with_retry_after_and_the_error_body() -> None:
    with translation.override("en"):
        response = exception_handler(wrapped(POOL_TIMEOUT), {"view": APIView()})
    assert response is not None
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.data == {
        "error": {"code": "overloaded", "message": "The service is busy. Please try again in a few seconds."}
    }
    assert exception_handler(OperationalError("deadlock detected"), {"view": APIView()}) is None


@pytest.fixture
def database_overloaded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every new query finds no connection, as when the pool times out."""

    def refuse() -> None:
        raise wrapped(POOL_TIMEOUT)

    monkeypatch.setattr(connection, "ensure_connection", refuse)


@pytest.mark.parametrize("path", ["/en/", "/en/services/"])
def test_a_page_under_overload_is_503_not_500(database_overloaded: None, path: str) -> None:
    response = Client().get(path)
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Please try again in a few seconds." in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/centres/", "/api/v1/services/"])
def test_the_api_under_overload_is_503_not_500(database_overloaded: None, path: str) -> None:
    response = Client().get(path, headers={"accept-language": "en"})
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json()["error"]["code"] == "overloaded"


def test_an_authenticated_api_write_under_overload_is_503(database_overloaded: None) -> None:
    response = Client().post(
        "/api/v1/consultations/", {}, content_type="application/json", headers={"authorization": "Token abc"}
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "overloaded"
