"""The one place where the HTML pages turn a refusal of the domain into HTTP (the API's is
`cipnet.api.errors.exception_handler`)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from cipnet.core.errors import DomainError, Forbidden, NotFoundOrNotAllowed, TooManyRequests


class RefusalMiddleware:
    """`NotFoundOrNotAllowed` → the 404 page, `Forbidden` → the 403 page, any other refusal that a
    view did not show beside its form (an invalid transition, a rule) → a 409 page that says why
    (429 with `Retry-After` for a used-up limit)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if request.path.startswith("/api/"):
            return None  # DRF's exception handler answers for the API
        if isinstance(exception, NotFoundOrNotAllowed):
            raise Http404 from exception
        if isinstance(exception, Forbidden):
            raise PermissionDenied(exception.message) from exception
        if isinstance(exception, DomainError):
            limited = isinstance(exception, TooManyRequests)
            context = {"message": exception.message}
            response = TemplateResponse(request, "refused.html", context, status=429 if limited else 409)
            if isinstance(exception, TooManyRequests):  # a used-up limit: say when to come back
                response["Retry-After"] = str(exception.retry_after)
            return response.render()
        return None
