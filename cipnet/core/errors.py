"""Domain errors: raised by services, turned into messages by views and the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest


class DomainError(Exception):
    """A rule of the domain refused the operation; the message is for people."""

    def __init__(self, message: str, *, code: str = "invalid", field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.field = field


class NotFoundOrNotAllowed(DomainError):
    """The record does not exist, or the user may not see it (both look the same: 404)."""

    def __init__(self, message: str = "Not found.") -> None:
        super().__init__(message, code="not_found")


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
