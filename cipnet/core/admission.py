"""The admission gate in front of the ASGI application (config/asgi.py).

uvicorn runs every sync request of Django in a thread of its own (asgiref gives each request its
own), so nothing bounds the threads of a process; on PostgreSQL each of them then waits for one of
the pool's `DATABASE_POOL_MAX_SIZE` connections. Under a burst (300 clients at once) hundreds of
threads fight for the interpreter while they wait, and even the refusals come late. The gate lets
at most `limit` requests in at once (by default the pool's size, so that an admitted request finds
a connection); the others wait in the event loop, without a thread, for at most `wait` seconds,
and are then answered 503 with `Retry-After` — the same answer as the pages' and the API's mapping
of an overloaded database (`cipnet.core.overload`). A request gives its place back when its response
starts, so a live board's stream (open for up to an hour) holds no place.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import get_supported_language_variant, parse_accept_lang_header

from cipnet.core.overload import RETRY_AFTER_SECONDS, overloaded_message

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]  # Django's handler types its arguments as dict and Mapping


class AdmissionGate:
    def __init__(self, app: ASGIApp, *, limit: int, wait: float) -> None:
        if limit < 1 or wait <= 0:
            raise ValueError("The admission gate needs at least one place and a wait longer than 0 s.")
        self.app = app
        self.limit = limit
        self.wait = wait
        self.places = asyncio.Semaphore(limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(self.places.acquire(), timeout=self.wait)
        except TimeoutError:
            await self.refuse(scope, send)
            return
        holding = True

        def give_back() -> None:
            nonlocal holding
            if holding:
                holding = False
                self.places.release()

        async def send_and_give_back(message: Message) -> None:
            if message["type"] == "http.response.start":
                give_back()
            await send(message)

        try:
            await self.app(scope, receive, send_and_give_back)
        finally:
            give_back()

    async def refuse(self, scope: Scope, send: Send) -> None:
        with translation.override(request_language(scope)):
            if scope.get("path", "").startswith("/api/"):
                # The API's error body (cipnet.api.errors.error_body), which this layer may not import.
                body = json.dumps({"error": {"code": "overloaded", "message": overloaded_message()}}).encode()
                content_type = b"application/json"
            else:
                from cipnet.core.middleware import overloaded_page

                body = overloaded_page().content
                content_type = b"text/html; charset=utf-8"
        headers = [
            (b"content-type", content_type),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            (b"cache-control", b"no-store"),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def request_language(scope: Scope) -> str:
    """As LocaleMiddleware would choose: the path's prefix, then Accept-Language, then the default."""
    from_path = translation.get_language_from_path(scope.get("path", ""))
    if from_path:
        return from_path
    header = dict(scope.get("headers") or []).get(b"accept-language", b"").decode("latin-1")
    for code, _quality in parse_accept_lang_header(header):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return str(settings.LANGUAGE_CODE)
