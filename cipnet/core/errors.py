"""Domain errors: raised by services, turned into messages by views and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest

# --- The refusal vocabulary -------------------------------------------------------------------
#
# Services and selectors refuse with one of these; nothing else in the domain raises for people.
# Each is turned into HTTP in exactly one place: `cipnet.core.middleware.RefusalMiddleware` for
# the HTML pages, `cipnet.api.errors.exception_handler` for the API.
#
#   NotFoundOrNotAllowed  404  the record does not exist, or is outside the user's scope
#   Forbidden             403  the user sees the record, but this role may not do this
#   InvalidTransition     409  the record is not in a state that allows the step (with a code)
#   TooManyRequests       429  a limited action was used up for now (with `retry_after` seconds)
#   InvalidInput          400  the input is wrong; messages per field (a Django ValidationError,
#                              so forms show it beside the field with `put_errors`)


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for people. Answered 409 (with
    the field named, when there is one) unless a subclass says otherwise."""

    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field


class NotFoundOrNotAllowed(DomainError):
    """The record does not exist, or the user may not see it (both look the same: 404)."""

    default_code = "not_found"

    def __init__(self, message: str = "Not found.", *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class Forbidden(DomainError):
    """The user may see the record but their role may not do this (403)."""

    default_code = "forbidden"


class InvalidTransition(DomainError):
    """The record's state does not allow this step now (409); `code` names the rule, e.g.
    "invalid_transition", "queue_closed"."""

    default_code = "invalid_transition"


class TooManyRequests(DomainError):
    """A limited action (e.g. new cases an hour) is used up for now (429); `retry_after`: the
    seconds until it is allowed again (the `Retry-After` header)."""

    default_code = "throttled"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(1, int(retry_after))


class InvalidInput(ValidationError):
    """The input is wrong (400): a message, or messages per field (`{"field": ["..."]}`)."""


def validation_error_dict(error: ValidationError) -> dict[str, list[str]]:
    """Field -> messages, with non-field errors under "non_field_errors"."""
    if hasattr(error, "error_dict"):
        return {
            ("non_field_errors" if key == "__all__" else key): [str(m) for m in ValidationError(value).messages]
            for key, value in error.error_dict.items()
        }
    return {"non_field_errors": [str(m) for m in error.messages]}


def put_errors(form: Any, error: ValidationError, aliases: dict[str, str] | None = None) -> None:
    """A service's or model's errors beside the form's fields (`aliases` maps a service's field
    name to the form's), or above the form when no field matches; what was typed stays."""
    aliases = aliases or {}
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            target = aliases.get(name, name)
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def is_htmx(request: HttpRequest) -> bool:
    """The request came from HTMX and wants a fragment."""
    return request.headers.get("HX-Request") == "true"
