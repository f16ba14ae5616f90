"""Which of Django's two handlers answers a request (config/asgi.py, ADR 9).

Streams (Server-Sent Events) need Django's ASGI handler: an open stream then costs a coroutine.
Everything else is a sync view behind sync middleware, which Django's WSGI handler runs with one
thread hop (a2wsgi) instead of the ASGI handler's hop per middleware. The lifespan protocol is
answered here: neither handler has startup or shutdown work.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]


class StreamRouter:
    def __init__(self, *, streams: ASGIApp, pages: ASGIApp, stream_paths: re.Pattern[str]) -> None:
        self.streams = streams
        self.pages = pages
        self.stream_paths = stream_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http" and not self.stream_paths.match(scope.get("path", "")):
            await self.pages(scope, as_coroutine(receive), send)
        else:
            await self.streams(scope, receive, send)

    @staticmethod
    async def lifespan(receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def as_coroutine(receive: Receive) -> Receive:
    """a2wsgi reads a request's body from its thread with `run_coroutine_threadsafe(receive())`, which
    takes only a coroutine; granian's `receive()` returns another kind of awaitable (a POST's body
    then failed with "A coroutine object is required")."""

    async def receive_coroutine() -> Message:
        return await receive()

    return receive_coroutine
