"""The admission gate in front of the ASGI application: at most `limit` requests of a process are
worked on at once (each holds a thread and, on PostgreSQL, a pooled connection); the others wait in
the event loop, without a thread, and get a quick 503 with Retry-After when no place frees in time.
A response that has started (a live board's stream) gives its place back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync

from cipnet.core.admission import AdmissionGate
from cipnet.core.overload import RETRY_AFTER_SECONDS


class SlowApp:
    """Answers 200 once `release` is set; counts how many requests it is working on at once."""

    def __init__(self, *, stream: bool = False) -> None:
        self.release = asyncio.Event()
        self.inside = 0
        self.most_inside = 0
        self.stream = stream

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.inside += 1
        self.most_inside = max(self.most_inside, self.inside)
        try:
            if self.stream:  # a stream starts its response at once, then goes on for a long time
                await send({"type": "http.response.start", "status": 200, "headers": []})
                await send({"type": "http.response.body", "body": b"retry: 3000\n\n", "more_body": True})
            await self.release.wait()
            if not self.stream:
                await send({"type": "http.response.start", "status": 200, "headers": []})
            await send({"type": "http.response.body", "body": b"ok"})
        finally:
            self.inside -= 1


async def call(app: Any, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": path, "headers": headers or []}
    await app(scope, receive, send)
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return {"status": start["status"], "headers": dict(start["headers"]), "body": body}


def test_requests_over_the_limit_wait_then_get_a_quick_503() -> None:
    async def scenario() -> tuple[list[dict[str, Any]], int]:
        inner = SlowApp()
        gate = AdmissionGate(inner, limit=2, wait=0.05)
        first = [asyncio.create_task(call(gate, "/en/")) for _ in range(2)]
        await asyncio.sleep(0.01)
        refused = await asyncio.wait_for(call(gate, "/en/services/"), timeout=2)  # no place within 0.05 s
        inner.release.set()
        answered = await asyncio.gather(*first)
        after = await call(gate, "/en/")  # places free again
        return [*answered, refused, after], inner.most_inside

    (a, b, refused, after), most_inside = async_to_sync(scenario)()
    assert (a["status"], b["status"], after["status"]) == (200, 200, 200)
    assert most_inside == 2
    assert refused["status"] == 503
    assert refused["headers"][b"retry-after"] == str(RETRY_AFTER_SECONDS).encode()
    assert "The service is busy" in refused["body"].decode()


def test_a_request_that_waits_gets_in_when_a_place_frees() -> None:
    async def scenario() -> list[int]:
        inner = SlowApp()
        gate = AdmissionGate(inner, limit=1, wait=2)
        first = asyncio.create_task(call(gate, "/en/"))
        await asyncio.sleep(0.01)
        second = asyncio.create_task(call(gate, "/en/"))
        await asyncio.sleep(0.05)
        inner.release.set()
        return [r["status"] for r in await asyncio.gather(first, second)]

    assert async_to_sync(scenario)() == [200, 200]


def test_the_api_gets_its_error_body_in_the_language_asked() -> None:
    async def scenario() -> dict[str, Any]:
        inner = SlowApp()
        gate = AdmissionGate(inner, limit=1, wait=0.01)
        held = asyncio.create_task(call(gate, "/api/v1/centres/"))
        await asyncio.sleep(0.01)
        refused = await call(gate, "/api/v1/centres/", [(b"accept-language", b"en-GB,en;q=0.8")])
        inner.release.set()
        await held
        return refused

    refused = async_to_sync(scenario)()
    assert refused["status"] == 503
    assert refused["headers"][b"content-type"] == b"application/json"
    assert json.loads(refused["body"]) == {
        "error": {"code": "overloaded", "message": "The service is busy. Please try again in a few seconds."}
    }


def test_a_started_stream_gives_its_place_back() -> None:
    async def scenario() -> int:
        streams = SlowApp(stream=True)
        gate = AdmissionGate(streams, limit=1, wait=0.05)
        tasks = [asyncio.create_task(call(gate, "/queue/a/events/")) for _ in range(5)]
        await asyncio.sleep(0.2)  # every stream has started its response: none is refused
        streams.release.set()
        statuses = {r["status"] for r in await asyncio.gather(*tasks)}
        assert statuses == {200}
        return streams.most_inside

    assert async_to_sync(scenario)() == 5


def test_other_scopes_pass_through() -> None:
    seen: list[str] = []

    async def inner(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["type"])

    gate = AdmissionGate(inner, limit=1, wait=0.01)
    async_to_sync(gate)({"type": "lifespan"}, None, None)
    assert seen == ["lifespan"]


@pytest.mark.parametrize(("limit", "wait"), [(0, 1.0), (1, 0.0)])
def test_a_gate_needs_a_place_and_a_wait(limit: int, wait: float) -> None:
    with pytest.raises(ValueError, match="at least one place and a wait"):
        AdmissionGate(SlowApp(), limit=limit, wait=wait)
