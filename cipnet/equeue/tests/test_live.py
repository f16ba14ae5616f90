"""The push channel: the broker's fan-out (in-process and through Redis), the version cache,
and the Server-Sent Events stream."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import redis
from asgiref.sync import async_to_sync, sync_to_async
from django.core.cache import cache
from django.db import OperationalError, connections
from django.test import AsyncClient
from django.test.utils import override_settings

from cipnet.equeue import broker, live, selectors, services, views_public
from cipnet.equeue.models import QueueConfig
from cipnet.testing import World

REDIS_URL = "redis://127.0.0.1:6379/0"


def _run(coro: Any) -> Any:
    """asyncio.run in a thread of its own: another test (Playwright's sync API) may have left an
    event loop running in this one."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def redis_up() -> bool:
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_up(), reason="Redis is not running on 127.0.0.1:6379")


@pytest.fixture(autouse=True)
def _clean_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def in_process() -> Iterator[None]:
    with override_settings(CIPNET_PUSH_REDIS_URL=""):
        yield


@pytest.fixture
def via_redis() -> Iterator[None]:
    with override_settings(CIPNET_PUSH_REDIS_URL=REDIS_URL):
        yield


async def next_value(sub: broker.Subscription, timeout: float = 3.0) -> int | None:
    async with asyncio.timeout(timeout):
        return await anext(sub)


# --- Broker, in-process -------------------------------------------------------------------------


def test_in_process_fan_out_reaches_every_listener_of_the_centre_only(in_process: None) -> None:
    # Listeners of other tests' servers may still be registered in this process: count from here.
    before = broker.listener_count()

    async def scenario() -> None:
        async with broker.listen(1) as a, broker.listen(1) as b, broker.listen(2) as other:
            assert broker.listener_count() - before == 3
            # publish() runs in a worker thread in real life (a service's on_commit).
            thread = threading.Thread(target=broker.publish, args=(1, 7))
            thread.start()
            thread.join()
            assert await next_value(a) == 7
            assert await next_value(b) == 7
            with pytest.raises(TimeoutError):
                await next_value(other, timeout=0.2)
        assert broker.listener_count() == before

    _run(scenario())


def test_a_slow_listener_gets_the_newest_version_not_a_backlog(in_process: None) -> None:
    async def scenario() -> None:
        async with broker.listen(1) as sub:
            for version in (1, 2, 3):
                broker.publish(1, version)
            await asyncio.sleep(0)  # let the loop run the scheduled deliveries
            assert await next_value(sub) == 3
            with pytest.raises(TimeoutError):
                await next_value(sub, timeout=0.1)

    _run(scenario())


def test_a_heartbeat_timeout_does_not_end_the_subscription(in_process: None) -> None:
    async def scenario() -> None:
        async with broker.listen(1) as sub:
            with pytest.raises(TimeoutError):
                await next_value(sub, timeout=0.05)
            broker.publish(1, 5)
            assert await next_value(sub) == 5

    _run(scenario())


def test_publish_without_listeners_is_harmless(in_process: None) -> None:
    broker.publish(12345, 1)


# --- Broker, Redis ------------------------------------------------------------------------------


def _hub_connections() -> int:
    clients = redis.Redis.from_url(REDIS_URL).client_list()
    return sum(1 for c in clients if c.get("name") == broker.HUB_CLIENT_NAME)


@needs_redis
def test_redis_fan_out_across_two_event_loops_with_one_connection_each(via_redis: None) -> None:
    """Two event loops stand for two web processes; each keeps ONE subscriber connection however
    many clients it serves, and a change published anywhere reaches both."""
    centre_id = 900_000 + int(time.time() * 1000) % 100_000  # a channel nobody else uses
    before = _hub_connections()
    ready = threading.Barrier(3)
    received: dict[str, list[int | None]] = {}

    def process(name: str) -> None:
        async def serve() -> None:
            async with broker.listen(centre_id) as a, broker.listen(centre_id) as b, broker.listen(centre_id) as c:
                ready.wait()
                received[name] = [await next_value(s) for s in (a, b, c)]

        _run(serve())

    threads = [threading.Thread(target=process, args=(name,)) for name in ("one", "two")]
    for t in threads:
        t.start()
    ready.wait()
    assert _hub_connections() - before == 2  # six clients, two connections
    broker.publish(centre_id, 41)
    for t in threads:
        t.join(timeout=5)
    assert received == {"one": [41, 41, 41], "two": [41, 41, 41]}
    deadline = time.monotonic() + 3
    while _hub_connections() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _hub_connections() == before  # closed when the last client left


@needs_redis
def test_redis_hub_reconnects_and_tells_listeners_to_re_read(via_redis: None) -> None:
    centre_id = 800_000 + int(time.time() * 1000) % 100_000

    async def scenario() -> None:
        async with broker.listen(centre_id) as sub:
            admin = redis.Redis.from_url(REDIS_URL)
            admin.client_kill_filter(_type="pubsub", skipme=True)  # Redis drops our subscriber
            assert await next_value(sub, timeout=5) is None  # "you may have missed something"
            # Subscribed again: new changes arrive.
            for _ in range(50):
                broker.publish(centre_id, 9)
                try:
                    value = await next_value(sub, timeout=0.1)
                except TimeoutError:
                    continue
                if value == 9:
                    return
            pytest.fail("no message after reconnecting")

    _run(scenario())


def test_publish_survives_redis_being_down() -> None:
    with override_settings(CIPNET_PUSH_REDIS_URL="redis://127.0.0.1:1/0"):
        broker.publish(1, 1)  # logs a warning, does not raise


# --- Version cache ------------------------------------------------------------------------------


def test_an_announcement_that_cannot_read_the_version_forgets_it_and_does_not_raise(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After the commit: the caller's write succeeded; a busy database must not make it an error,
    # and boards must not keep answering 304 with the old version.
    config = services.queue_setup(actor=None, centre=world.centre_a)
    live.remember_version(world.centre_a.pk, config.version)

    def locked(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("database table is locked")

    monkeypatch.setattr("django.db.models.query.QuerySet.first", locked)
    live.announce(world.centre_a.pk)
    assert cache.get(live.version_key(world.centre_a.pk)) is None


def test_announce_caches_the_version_and_publishes_it(world: World, in_process: None) -> None:
    config = services.queue_setup(actor=None, centre=world.centre_a)
    QueueConfig.objects.filter(pk=config.pk).update(version=17)

    async def scenario() -> int | None:
        async with broker.listen(world.centre_a.pk) as sub:
            await sync_to_async(live.announce)(world.centre_a.pk)
            return await next_value(sub)

    assert async_to_sync(scenario)() == 17
    assert cache.get(live.version_key(world.centre_a.pk)) == 17


# --- The SSE stream -----------------------------------------------------------------------------


def _events(chunks: list[str]) -> list[str]:
    return [c for c in chunks if c.startswith("id: ")]


@pytest.mark.django_db(transaction=True)
def test_stream_sends_the_current_version_then_each_change(world: World, in_process: None, monkeypatch) -> None:
    monkeypatch.setattr(services, "is_open_for_tickets", lambda centre, at: True)
    centre = world.centre_a
    config = services.queue_setup(actor=None, centre=centre)
    topic = centre.queue_topics.first()
    assert topic is not None

    before = broker.listener_count()

    async def scenario() -> list[str]:
        stream: AsyncIterator[str] = views_public.board_stream(centre.pk, last_event_id=None)
        chunks = [await anext(stream), await anext(stream)]
        # A real write, committed: the service's on_commit announces it.
        await sync_to_async(services.ticket_issue)(centre=centre, topic=topic)
        async with asyncio.timeout(3):
            chunks.append(await anext(stream))
        await stream.aclose()  # type: ignore[attr-defined]
        return chunks

    chunks = async_to_sync(scenario)()
    assert chunks[0] == "retry: 3000\n\n"
    v0 = config.version
    assert chunks[1] == f'id: {v0}\nevent: version\ndata: {{"version": {v0}}}\n\n'
    assert chunks[2] == f'id: {v0 + 1}\nevent: version\ndata: {{"version": {v0 + 1}}}\n\n'
    assert broker.listener_count() == before  # closing the stream unsubscribed it


def test_stream_honours_last_event_id_and_sends_heartbeats(world: World, in_process: None, monkeypatch) -> None:
    monkeypatch.setattr(views_public, "HEARTBEAT_SECONDS", 0.05)
    config = services.queue_setup(actor=None, centre=world.centre_a)

    async def scenario() -> list[str]:
        stream: AsyncIterator[str] = views_public.board_stream(world.centre_a.pk, last_event_id=str(config.version))
        chunks = [await anext(stream), await anext(stream)]
        await stream.aclose()  # type: ignore[attr-defined]
        return chunks

    # The client already has this version: no event, just the retry field and a heartbeat.
    assert async_to_sync(scenario)() == ["retry: 3000\n\n", ": ping\n\n"]


@pytest.mark.django_db(transaction=True)
def test_events_endpoint_streams_over_asgi(world: World, in_process: None, monkeypatch) -> None:
    monkeypatch.setattr(services, "is_open_for_tickets", lambda centre, at: True)
    centre = world.centre_a
    config = services.queue_setup(actor=None, centre=centre)
    topic = centre.queue_topics.first()
    assert topic is not None

    async def scenario() -> tuple[int, str, list[str]]:
        response = await AsyncClient().get(f"/queue/{centre.slug}/events/")
        stream = aiter(response.streaming_content)
        chunks = [(await anext(stream)).decode(), (await anext(stream)).decode()]
        await sync_to_async(services.ticket_issue)(centre=centre, topic=topic)
        async with asyncio.timeout(3):
            chunks.append((await anext(stream)).decode())
        await stream.aclose()  # type: ignore[attr-defined]
        return response.status_code, response["Content-Type"], chunks

    status, content_type, chunks = async_to_sync(scenario)()
    assert status == 200
    assert content_type == "text/event-stream; charset=utf-8"
    assert _events(chunks) == [
        f'id: {config.version}\nevent: version\ndata: {{"version": {config.version}}}\n\n',
        f'id: {config.version + 1}\nevent: version\ndata: {{"version": {config.version + 1}}}\n\n',
    ]


@pytest.mark.django_db(transaction=True)
def test_an_open_stream_holds_no_database_connection(world: World, in_process: None, monkeypatch) -> None:
    """A board stays connected for up to an hour: the request's thread must give its connection back
    (to the pool, on PostgreSQL) as soon as the centre is looked up, or a few boards drain the pool.
    (SQLite's in-memory test database ignores `close()`, so the close itself is watched too.)"""
    centre = world.centre_a
    services.queue_setup(actor=None, centre=centre)
    cache.clear()  # the slug is not cached: the stream's request reads the database
    readers: list[tuple[int, Any]] = []
    closed: list[int] = []
    real_lookup = selectors.centre_with_queue
    wrapper_class = type(connections["default"])
    real_close = wrapper_class.close

    def lookup(**kwargs: Any) -> Any:
        result = real_lookup(**kwargs)
        readers.append((threading.get_ident(), connections["default"]))  # the thread serving the request
        return result

    def close(self: Any) -> None:
        closed.append(threading.get_ident())
        real_close(self)

    monkeypatch.setattr(selectors, "centre_with_queue", lookup)
    monkeypatch.setattr(wrapper_class, "close", close)

    async def scenario() -> tuple[list[bool], list[bool]]:
        response = await AsyncClient().get(f"/queue/{centre.slug}/events/")
        stream = aiter(response.streaming_content)
        assert (await anext(stream)).decode() == "retry: 3000\n\n"  # the stream is open
        given_back = [thread in closed for thread, _wrapper in readers]
        held = [wrapper.connection is not None for _thread, wrapper in readers]
        await stream.aclose()  # type: ignore[attr-defined]
        return given_back, held

    given_back, held = async_to_sync(scenario)()
    assert given_back == [True]
    if connections["default"].vendor == "postgresql":
        assert held == [False]


def test_events_endpoint_is_404_for_an_unknown_centre_or_a_queue_that_is_off(world: World) -> None:
    async def get(url: str) -> int:
        return (await AsyncClient().get(url)).status_code

    assert async_to_sync(get)("/queue/no-such-centre/events/") == 404
    # Centre B never switched the queue on.
    assert async_to_sync(get)(f"/queue/{world.centre_b.slug}/events/") == 404
