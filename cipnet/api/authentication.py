"""The API's token authentication: DRF's, refusing what the sign-in refuses (a demo account's
token while demo mode is off, see `accounts.backends.demo_account_blocked`)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from cipnet.accounts.backends import demo_account_blocked


class CipnetTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple[Any, Any]:
        user, token = super().authenticate_credentials(key)
        if demo_account_blocked(user):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return user, token
