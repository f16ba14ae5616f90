"""Which of Django's two handlers answers a request (config/asgi.py, ADR 9).

Streams (Server-Sent Events) need Django's ASGI handler: an open stream then costs a coroutine.
Everything else is a sync view behind sync middleware, which Django's WSGI handler runs with one
thread hop (a2wsgi) instead of the ASGI handler's hop per middleware. The lifespan protocol is
answered here: neither handler has startup or shutdown work.

Database connections: the WSGI path runs in a2wsgi's bounded pool of threads, so a connection kept
between requests (CONN_MAX_AGE, SQLite) is one per pool thread. Django's ASGI handler runs each
request's sync code in a thread of its own that ends with the request, so a kept connection would
outlive its thread: requests on the stream path close theirs when they finish
(`close_stream_connections`, connected to `request_finished` in cipnet.core.apps).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

from django.db import connections

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]

#: True while a request goes through Django's ASGI handler (the streams); sync_to_async copies it
#: into the request's threads.
ON_STREAM_PATH: ContextVar[bool] = ContextVar("on_stream_path", default=False)


def close_stream_connections(**kwargs: Any) -> None:
    """On `request_finished`: a request on the stream path closes its thread's database connections
    whatever CONN_MAX_AGE says, because its thread ends with it."""
    if ON_STREAM_PATH.get():
        connections.close_all()


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
            token = ON_STREAM_PATH.set(True)
            try:
                await self.streams(scope, receive, send)
            finally:
                ON_STREAM_PATH.reset(token)

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
