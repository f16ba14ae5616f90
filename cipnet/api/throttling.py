"""The API's throttles, keyed by the product's one client address (`cipnet.core.client`).

DRF's own `get_ident` believes `X-Forwarded-For` from anyone unless `NUM_PROXIES` is set, so a
client rotating that header escaped every limit. Every throttle of the API derives from these."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from cipnet.core.client import client_address


class ClientRateThrottle(SimpleRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request)


class AnonThrottle(AnonRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request)


class UserThrottle(UserRateThrottle):
    def get_ident(self, request: Request) -> str:
        return client_address(request)
