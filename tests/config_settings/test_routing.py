"""The web application's two paths (config/asgi.py, ADR 9): pages through Django's WSGI handler in a
thread (a2wsgi), streams through its ASGI handler; the lifespan protocol answered."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator

from cipnet.core.routing import StreamRouter


def recorder(name: str, calls: list[str]) -> Any:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        calls.append(f"{name} {scope.get('path', scope['type'])}")

    return app


@pytest.mark.parametrize(
    ("path", "handler"),
    [
        ("/queue/mykolaiv-central/events/", "streams"),
        ("/en/queue/mykolaiv-central/events/", "streams"),
        ("/queue/mykolaiv-central/board/", "pages"),
        ("/queue/mykolaiv-central/board.json", "pages"),
        ("/", "pages"),
        ("/api/v1/centres/", "pages"),
        ("/queue/a/b/events/", "pages"),
    ],
)
def test_streams_and_pages_go_to_their_handlers(path: str, handler: str) -> None:
    from config.asgi import STREAMS

    calls: list[str] = []
    router = StreamRouter(streams=recorder("streams", calls), pages=recorder("pages", calls), stream_paths=STREAMS)
    asyncio.run(router({"type": "http", "path": path}, None, None))  # type: ignore[arg-type]
    assert calls == [f"{handler} {path}"]


def test_the_lifespan_is_answered() -> None:
    calls: list[str] = []
    router = StreamRouter(
        streams=recorder("s", calls), pages=recorder("p", calls), stream_paths=__import__("re").compile("x")
    )

    async def scenario() -> list[Any]:
        communicator = ApplicationCommunicator(router, {"type": "lifespan"})
        await communicator.send_input({"type": "lifespan.startup"})
        started = await communicator.receive_output(1)
        await communicator.send_input({"type": "lifespan.shutdown"})
        stopped = await communicator.receive_output(1)
        await communicator.wait(1)
        return [started, stopped]

    assert asyncio.run(scenario()) == [{"type": "lifespan.startup.complete"}, {"type": "lifespan.shutdown.complete"}]
    assert calls == []


@pytest.mark.django_db(transaction=True)
def test_a_page_is_answered_by_the_wsgi_handler_through_the_gate(world: Any) -> None:
    """The real application: the home page comes back whole, answered through the WSGI path."""
    from config import asgi

    seen: list[dict[str, Any]] = []
    wsgi = asgi.django_wsgi_application

    def spy(environ: dict[str, Any], start_response: Any) -> Any:
        seen.append(environ)
        return wsgi(environ, start_response)

    asgi.application.app.pages.app = spy  # type: ignore[attr-defined]
    try:

        async def scenario() -> list[Any]:
            scope = {
                "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
                "path": "/about/", "raw_path": b"/about/", "query_string": b"", "root_path": "",
                "headers": [(b"host", b"testserver"), (b"accept-language", b"uk")],
                "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
            }  # fmt: skip
            communicator = ApplicationCommunicator(asgi.application, scope)
            await communicator.send_input({"type": "http.request", "body": b"", "more_body": False})
            messages = [await communicator.receive_output(10)]
            while messages[-1]["type"] != "http.response.body" or messages[-1].get("more_body"):
                messages.append(await communicator.receive_output(10))
            return messages

        messages = asyncio.run(scenario())
    finally:
        asgi.application.app.pages.app = wsgi  # type: ignore[attr-defined]
    assert messages[0]["status"] == 200
    assert b"</html>" in b"".join(m.get("body", b"") for m in messages[1:])
    assert [e["PATH_INFO"] for e in seen] == ["/about/"]


@pytest.mark.django_db(transaction=True)
def test_a_post_body_is_read_when_the_server_gives_a_non_coroutine_awaitable(world: Any) -> None:
    """granian's `receive()` returns an awaitable that is not a coroutine; a2wsgi needs a coroutine to
    read the body from its thread. Found by `make prod-smoke`: every POST answered 500 under granian."""
    from rest_framework.authtoken.models import Token

    from config import asgi

    token = Token.objects.create(user=world.users["resident"]).key

    class NotACoroutine:
        def __init__(self, message: dict[str, Any]) -> None:
            self.message = message

        def __await__(self) -> Any:
            yield from asyncio.sleep(0).__await__()
            return self.message

    body = b'{"kind": "appeal"}'

    async def scenario() -> list[Any]:
        sent: list[Any] = []
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": "/api/v1/reception/cases/", "raw_path": b"/api/v1/reception/cases/", "query_string": b"",
            "root_path": "", "client": ("127.0.0.1", 5000), "server": ("testserver", 80),
            "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                        (b"authorization", f"Token {token}".encode()),
                        (b"content-length", str(len(body)).encode())],
        }  # fmt: skip

        def receive() -> Any:
            return NotACoroutine({"type": "http.request", "body": body, "more_body": False})

        async def send(message: Any) -> None:
            sent.append(message)

        await asgi.application(scope, receive, send)
        return sent

    sent = asyncio.run(scenario())
    assert sent[0]["type"] == "http.response.start"
    answer = b"".join(m.get("body", b"") for m in sent[1:])
    assert sent[0]["status"] == 400, answer[:2000]  # the body was read: the case is incomplete
    assert b"authority" in answer
