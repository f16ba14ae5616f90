"""Fan-out of queue changes to the boards and status pages connected to this process.

`publish(centre_id, version)` is called from sync code (a service's `on_commit`, in a worker
thread). `listen(centre_id)` is used by the async SSE view::

    async with broker.listen(centre_id) as changes:
        async for version in changes:   # an int, or None: "may have changed, re-read it"
            ...

Two modes, chosen at call time:

* **In-process** (no Redis): `publish` hands the version to every listener's asyncio queue with
  `loop.call_soon_threadsafe`. Right for a single web process.
* **Redis** (`REDIS_URL`, or the `CIPNET_PUSH_REDIS_URL` setting): `publish` is a Redis
  `PUBLISH` on `cipnet:queue:<centre_id>`; each process (each event loop) keeps ONE subscriber
  connection, subscribed to the channels its listeners need, and fans messages out to the
  local queues. 15,000 clients across a few processes cost a few Redis connections, not 15,000.
  If that connection drops, the hub reconnects with backoff, re-subscribes, and sends every
  listener `None` so it re-reads the version it may have missed.

A listener's queue keeps only the newest value: a slow client skips versions, never lags.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections import defaultdict
from types import TracebackType
from typing import Any, Self

import redis
import redis.asyncio as aioredis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

logger = logging.getLogger(__name__)

CHANNEL_PREFIX = "cipnet:queue:"
#: How long `listen` waits for Redis to confirm a subscription before listening anyway.
SUBSCRIBE_TIMEOUT = 5.0
RECONNECT_DELAYS = (0.5, 1, 2, 5, 10)
#: The subscriber connection's name in `CLIENT LIST` (one per web process).
HUB_CLIENT_NAME = "cipnet-queue-hub"


def channel(centre_id: int) -> str:
    return f"{CHANNEL_PREFIX}{centre_id}"


def redis_url() -> str | None:
    """The Redis used for push, or None for in-process fan-out. The setting wins over the env."""
    url = getattr(settings, "CIPNET_PUSH_REDIS_URL", None)
    if url is None:
        url = os.environ.get("REDIS_URL")
    return url or None


# --- Local listeners ------------------------------------------------------------------------


Value = int | None


def _offer(queue: asyncio.Queue[Value], value: Value) -> None:
    """Put the newest value, dropping an unread older one (runs in the queue's loop)."""
    if queue.full():
        with contextlib.suppress(asyncio.QueueEmpty):
            queue.get_nowait()
    queue.put_nowait(value)


class _Registry:
    """Listeners of this process by centre; safe to use from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_centre: dict[int, set[Subscription]] = defaultdict(set)

    def add(self, sub: Subscription) -> None:
        with self._lock:
            self._by_centre[sub.centre_id].add(sub)

    def remove(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._by_centre.get(sub.centre_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._by_centre[sub.centre_id]

    def count(self, centre_id: int | None = None) -> int:
        with self._lock:
            if centre_id is not None:
                return len(self._by_centre.get(centre_id, ()))
            return sum(len(s) for s in self._by_centre.values())

    def deliver(self, centre_id: int, value: Value, *, loop: asyncio.AbstractEventLoop | None = None) -> None:
        """Hand `value` to the centre's listeners (only those on `loop`, when given)."""
        with self._lock:
            targets = [s for s in self._by_centre.get(centre_id, ()) if loop is None or s.loop is loop]
        for sub in targets:
            sub.offer(value)

    def deliver_all(self, value: Value, *, loop: asyncio.AbstractEventLoop) -> None:
        with self._lock:
            targets = [s for subs in self._by_centre.values() for s in subs if s.loop is loop]
        for sub in targets:
            sub.offer(value)


_registry = _Registry()


class Subscription:
    """One client's stream of versions for one centre: an async context manager and iterator."""

    def __init__(self, centre_id: int) -> None:
        self.centre_id = centre_id
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue[Value] = asyncio.Queue(maxsize=1)
        self._hub: _RedisHub | None = None

    def offer(self, value: Value) -> None:
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(_offer, self.queue, value)

    async def __aenter__(self) -> Self:
        self.loop = asyncio.get_running_loop()
        _registry.add(self)
        url = redis_url()
        if url:
            self._hub = _RedisHub.for_loop(self.loop, url)
            try:
                await self._hub.attach(self.centre_id)
            except BaseException:
                await self.aclose()
                raise
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        _registry.remove(self)
        hub, self._hub = self._hub, None
        if hub is not None:
            await hub.detach(self.centre_id)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Value:
        # Cancelling this await (a heartbeat timeout) leaves the subscription intact.
        return await self.queue.get()


def listen(centre_id: int) -> Subscription:
    """Versions of the centre's queue as they change (use with `async with`)."""
    return Subscription(centre_id)


def listener_count(centre_id: int | None = None) -> int:
    return _registry.count(centre_id)


# --- Publishing -------------------------------------------------------------------------------

_sync_clients: dict[str, redis.Redis] = {}
_sync_lock = threading.Lock()


def _sync_client(url: str) -> redis.Redis:
    with _sync_lock:
        client = _sync_clients.get(url)
        if client is None:
            # Short timeouts: a Redis outage must not hold up the write that announced itself.
            client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
            _sync_clients[url] = client
        return client


def publish(centre_id: int, version: int) -> None:
    """Deliver (centre_id, version) to every listener of the centre, in every process with Redis.
    Never raises: the change is committed already, and clients that miss a push catch up on
    their next poll or reconnect."""
    url = redis_url()
    if not url:
        _registry.deliver(centre_id, version)
        return
    try:
        _sync_client(url).publish(channel(centre_id), str(version))
    except redis.RedisError:
        logger.warning("Could not publish queue version %s of centre %s to Redis", version, centre_id, exc_info=True)


# --- One Redis subscriber per event loop -------------------------------------------------------


class _RedisHub:
    """The process's (the event loop's) single Redis subscriber connection."""

    _hubs: dict[asyncio.AbstractEventLoop, _RedisHub] = {}
    _hubs_lock = threading.Lock()

    def __init__(self, loop: asyncio.AbstractEventLoop, url: str) -> None:
        self.loop = loop
        self.url = url
        self.counts: dict[int, int] = defaultdict(int)
        self.confirmed: dict[int, asyncio.Event] = {}
        self.pubsub: Any = None
        self.client: aioredis.Redis | None = None
        self.task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()  # set while connected

    @classmethod
    def for_loop(cls, loop: asyncio.AbstractEventLoop, url: str) -> _RedisHub:
        with cls._hubs_lock:
            hub = cls._hubs.get(loop)
            if hub is None or hub.url != url:
                hub = cls._hubs[loop] = cls(loop, url)
            return hub

    async def attach(self, centre_id: int) -> None:
        self.counts[centre_id] += 1
        if self.task is None:
            self.task = self.loop.create_task(self._run(), name="cipnet-queue-redis-hub")
        if self.counts[centre_id] == 1:
            self.confirmed[centre_id] = asyncio.Event()
            if self.ready.is_set():
                await self._subscribe([centre_id])
        # Wait until Redis confirms, so a change right after this returns is not missed.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(SUBSCRIBE_TIMEOUT):
                await self.confirmed[centre_id].wait()

    async def detach(self, centre_id: int) -> None:
        self.counts[centre_id] -= 1
        if self.counts[centre_id] > 0:
            return
        del self.counts[centre_id]
        self.confirmed.pop(centre_id, None)
        if self.counts:
            if self.ready.is_set():
                with contextlib.suppress(redis.RedisError, OSError):
                    await self.pubsub.unsubscribe(channel(centre_id))
            return
        # Nobody listens in this loop any more: close the connection.
        with self._hubs_lock:
            if self._hubs.get(self.loop) is self:
                del self._hubs[self.loop]
        task, self.task = self.task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _subscribe(self, centre_ids: list[int]) -> None:
        if centre_ids:
            await self.pubsub.subscribe(*[channel(c) for c in centre_ids])

    async def _run(self) -> None:
        attempt = 0
        while True:
            try:
                await self._connect_and_read(reconnect=attempt > 0)
            except asyncio.CancelledError:
                raise
            except Exception as error:
                logger.warning("Queue push: Redis subscriber lost (%s); reconnecting", error)
            finally:
                self.ready.clear()
                await self._close()
            await asyncio.sleep(RECONNECT_DELAYS[min(attempt, len(RECONNECT_DELAYS) - 1)])
            attempt += 1

    async def _connect_and_read(self, *, reconnect: bool) -> None:
        # No silent retries inside redis-py: a lost connection must surface here, so that the
        # listeners are told to re-read what they may have missed.
        self.client = aioredis.Redis.from_url(
            self.url,
            socket_connect_timeout=5,
            health_check_interval=30,
            retry=Retry(NoBackoff(), 0),
            client_name=HUB_CLIENT_NAME,
        )
        self.pubsub = self.client.pubsub(ignore_subscribe_messages=False)
        subscribed: set[int] = set()
        while missing := set(self.counts) - subscribed:  # listeners may attach while we await
            await self._subscribe(list(missing))
            subscribed |= missing
        self.ready.set()
        if reconnect:
            # Changes may have been published while we were away: let listeners re-read.
            _registry.deliver_all(None, loop=self.loop)
        while True:
            message = await self.pubsub.get_message(timeout=30)
            if message is None:
                continue
            name = message["channel"]
            name = name.decode() if isinstance(name, bytes) else str(name)
            if not name.startswith(CHANNEL_PREFIX):
                continue
            centre_id = int(name.removeprefix(CHANNEL_PREFIX))
            if message["type"] == "subscribe":
                event = self.confirmed.get(centre_id)
                if event is not None:
                    event.set()
            elif message["type"] == "message":
                try:
                    version: Value = int(message["data"])
                except (TypeError, ValueError):
                    version = None
                _registry.deliver(centre_id, version, loop=self.loop)

    async def _close(self) -> None:
        pubsub, client = self.pubsub, self.client
        self.pubsub = self.client = None
        if pubsub is not None:
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()
