"""One error body for the whole API:

{"error": {"code": "invalid", "message": "...", "fields": {"latitude": ["..."]}}}
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from cipnet.core.errors import DomainError, Forbidden, NotFoundOrNotAllowed, TooManyRequests, validation_error_dict
from cipnet.core.overload import RETRY_AFTER_SECONDS, is_overload, overloaded_message


def _flatten(detail: Any) -> Any:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            return [str(item) for item in detail]
        return [_flatten(item) for item in detail]
    return [str(detail)]


def error_body(code: str, message: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """The one place where the API turns a refusal into HTTP (see `cipnet.core.errors`):
    not found or not allowed 404, forbidden 403, invalid input 400 naming the fields, an invalid
    transition or another rule 409 with its code, a used-up limit 429 with `Retry-After`; an
    overloaded database 503 with `Retry-After` (`cipnet.core.overload`: nothing was done, the
    request may be repeated)."""
    if is_overload(exc):
        message = overloaded_message()
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS), "Cache-Control": "no-store"}
        return Response(error_body("overloaded", message), status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, NotFoundOrNotAllowed | Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, Forbidden):
        exc = exceptions.PermissionDenied(exc.message)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        field_errors = validation_error_dict(exc)
        return Response(error_body("invalid", _("Some fields are not valid."), field_errors), status=400)
    if isinstance(exc, TooManyRequests):
        headers = {"Retry-After": str(exc.retry_after)}
        return Response(error_body(exc.code, exc.message), status=status.HTTP_429_TOO_MANY_REQUESTS, headers=headers)
    if isinstance(exc, DomainError):
        fields = {exc.field: [exc.message]} if exc.field else None
        return Response(error_body(exc.code, exc.message, fields), status=status.HTTP_409_CONFLICT)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("invalid", _("Some fields are not valid."), _flatten(exc.detail))
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        message = str(detail) if not isinstance(detail, dict | list) else _("Request refused.")
        codes = exc.get_codes()
        response.data = error_body(codes if isinstance(codes, str) else "error", message)
    return response
