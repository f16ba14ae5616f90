"""Domain errors: raised by services, turned into messages by views and the API."""

from __future__ import annotations

from django.core.exceptions import ValidationError


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
