"""The one place where the HTML pages turn a refusal of the domain into HTTP (the API's is
`cipnet.api.errors.exception_handler`)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from cipnet.core.errors import DomainError, Forbidden, NotFoundOrNotAllowed, TooManyRequests
from cipnet.core.overload import RETRY_AFTER_SECONDS, is_overload


class RefusalMiddleware:
    """`NotFoundOrNotAllowed` → the 404 page, `Forbidden` → the 403 page, any other refusal that a
    view did not show beside its form (an invalid transition, a rule) → a 409 page that says why
    (429 with `Retry-After` for a used-up limit); an overloaded database (`cipnet.core.overload`)
    → a short 503 page with `Retry-After`."""

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
        if is_overload(exception):
            return overloaded_page()
        return None


def overloaded_page() -> HttpResponse:
    """Rendered without the request: the site's layout and context processors read the database
    (the signed-in user, the menu), which has no room for this request."""
    body = render_to_string("overloaded.html", {"retry_after": RETRY_AFTER_SECONDS})
    response = HttpResponse(body, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class NulCharacterMiddleware:
    """A NUL character in the path or the query string is refused with a 400 before any view runs.

    No address or query of the product can hold one, and PostgreSQL refuses text containing it (a
    lookup by such a token was a 500 there, a plain miss on SQLite); one check here covers every route
    on both databases. Form and JSON bodies are checked by their fields (Django's and DRF's text
    fields refuse NUL)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        in_query = sorted({key for key, values in request.GET.lists() if any("\x00" in v for v in [key, *values])})
        if "\x00" not in request.path and not in_query:
            return self.get_response(request)
        message = _("The address contains a NUL character, which is not allowed. Check the link.")
        if request.path.startswith("/api/"):
            # The API's error body (`cipnet.api.errors.error_body`), which this layer cannot import.
            body: dict[str, object] = {"code": "invalid", "message": message}
            if in_query and "\x00" not in request.path:
                body["fields"] = {key.replace("\x00", "") or "?": [message] for key in in_query}
            return JsonResponse({"error": body}, status=400)
        return TemplateResponse(request, "bad_request.html", {"message": message}, status=400).render()


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip (with its BREACH mitigation: random bytes in the gzip header) for the pages,
    the JSON and, in tests and `make run`, the static files served from the finders (production
    serves WhiteNoise's precompressed files, which already carry Content-Encoding and pass through).
    Not for Server-Sent Events: a board's stream must reach it event by event, uncompressed."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("text/event-stream"):
            return response
        return super().process_response(request, response)
