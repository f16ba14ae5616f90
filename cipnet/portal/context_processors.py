"""What the base template's menu needs about the signed-in person: their staff scope and
whether they answer for an authority."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from cipnet.accounts.scopes import scope_for
from cipnet.appeals.selectors import is_official


def staff_menu(request: HttpRequest) -> dict[str, Any]:
    return {
        "staff_scope": scope_for(request.user) if hasattr(request, "user") else None,
        # Called by the template only where it is used (the menu of a signed-in user): one query.
        "is_authority_official": partial(_is_official, request),
    }


def _is_official(request: HttpRequest) -> bool:
    return hasattr(request, "user") and is_official(request.user)
