"""The refusal vocabulary (`cipnet.core.errors`) and its two mappings to HTTP: the pages'
middleware and the API's exception handler answer each refusal the same way."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.test import RequestFactory
from django.utils import translation
from rest_framework.views import APIView

from cipnet.api.errors import exception_handler
from cipnet.core.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFoundOrNotAllowed,
    TooManyRequests,
)
from cipnet.core.middleware import RefusalMiddleware


def page_request(path: str = "/staff/queue/") -> object:
    request = RequestFactory().post(path)
    request.user = AnonymousUser()
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]
    return request


def middleware() -> RefusalMiddleware:
    return RefusalMiddleware(lambda request: HttpResponse())


def test_not_found_or_not_allowed_is_the_404_page() -> None:
    with pytest.raises(Http404):
        middleware().process_exception(page_request(), NotFoundOrNotAllowed())  # type: ignore[arg-type]


def test_forbidden_is_the_403_page_with_its_reason() -> None:
    with pytest.raises(PermissionDenied, match="Only the centre's manager"):
        middleware().process_exception(page_request(), Forbidden("Only the centre's manager may do this."))  # type: ignore[arg-type]


@pytest.mark.django_db
def test_an_invalid_transition_is_a_409_page_that_says_why() -> None:
    with translation.override("en"):
        response = middleware().process_exception(
            page_request(),  # type: ignore[arg-type]
            InvalidTransition("The ticket was already called.", code="invalid_transition"),
        )
    assert response is not None and response.status_code == 409
    text = response.content.decode()
    assert "The ticket was already called." in text
    assert "Nothing was changed." in text


def test_other_exceptions_and_the_api_are_left_alone() -> None:
    assert middleware().process_exception(page_request(), ValueError("a bug")) is None  # type: ignore[arg-type]
    assert middleware().process_exception(page_request("/api/v1/centres/"), Forbidden("no")) is None  # type: ignore[arg-type]
    # A field error is the form's to show: it never reaches the middleware as a page.
    assert middleware().process_exception(page_request(), InvalidInput({"name": ["Write a name."]})) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("refusal", "status", "code"),
    [
        (NotFoundOrNotAllowed(), 404, "not_found"),
        (Forbidden("Only coordinators."), 403, "permission_denied"),
        (InvalidTransition("Already closed.", code="queue_closed"), 409, "queue_closed"),
        (InvalidTransition("Already closed."), 409, "invalid_transition"),
        (DomainError("A rule.", field="day"), 409, "invalid"),
        (TooManyRequests("Too many.", retry_after=90), 429, "throttled"),
        (InvalidInput({"name": ["Write a name."]}), 400, "invalid"),
        (ValidationError({"name": ["Write a name."]}), 400, "invalid"),
    ],
)
def test_the_api_answers_each_refusal_with_its_status_and_code(refusal: Exception, status: int, code: str) -> None:
    with translation.override("en"):
        response = exception_handler(refusal, {"view": APIView(), "request": None})
    assert response is not None
    assert (response.status_code, response.data["error"]["code"]) == (status, code)
    if isinstance(refusal, ValidationError):
        assert response.data["error"]["fields"] == {"name": ["Write a name."]}
    if isinstance(refusal, Forbidden):
        assert response.data["error"]["message"] == "Only coordinators."


def test_a_used_up_limit_is_429_with_retry_after_on_both_sides() -> None:
    refusal = TooManyRequests("Too many cases were sent from here in the last hour.", retry_after=90.2)
    api = exception_handler(refusal, {"view": APIView(), "request": None})
    assert api is not None and (api.status_code, api["Retry-After"]) == (429, "90")
    with translation.override("en"):
        page = middleware().process_exception(page_request(), refusal)  # type: ignore[arg-type]
    assert page is not None and (page.status_code, page["Retry-After"]) == (429, "90")
    assert "Too many cases were sent from here" in page.content.decode()
