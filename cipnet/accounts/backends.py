from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


def demo_account_blocked(user: Any) -> bool:
    """True for a demo account while demo mode is off: its published password, its sessions and its
    API tokens must not work then. Every way of authenticating asks this one question."""
    return bool(getattr(user, "is_demo", False)) and not settings.CIPNET_DEMO_MODE


class CipnetBackend(ModelBackend):
    """Django's model backend, except that demo accounts work only in demo mode (a session opened
    in demo mode ends too: `get_user` asks `user_can_authenticate` on every request)."""

    def user_can_authenticate(self, user: Any) -> bool:
        if demo_account_blocked(user):
            return False
        return super().user_can_authenticate(user)
