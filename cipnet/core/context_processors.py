from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from cipnet.core.language_hint import language_hint


def site(request: HttpRequest) -> dict[str, Any]:
    return {
        "demo_mode": settings.CIPNET_DEMO_MODE,
        "map_tile_url": settings.MAP_TILE_URL,
        "map_attribution": settings.MAP_TILE_ATTRIBUTION,
        "language_hint": language_hint(request),
    }
