from __future__ import annotations

from functools import partial
from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cipnet.accounts.scopes import scope_for


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "demo_mode": settings.CIPNET_DEMO_MODE,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        "staff_scope": scope_for(request.user) if hasattr(request, "user") else None,
        # Called by the template only where it is used (the menu of a signed-in user): one query.
        "is_authority_official": partial(_is_official, request),
    }


def _is_official(request: HttpRequest) -> bool:
    from cipnet.appeals.selectors import is_official

    return hasattr(request, "user") and is_official(request.user)
