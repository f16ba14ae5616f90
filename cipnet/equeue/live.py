"""Telling boards and status pages that a centre's queue changed.

`announce(centre_id)` runs after a write commits: it stores the queue's version in the cache
(so a board polling with an ETag gets `304 Not Modified` without touching the database) and
publishes it to the listeners (see `broker`)."""

from __future__ import annotations

from django.core.cache import cache

from cipnet.equeue.models import QueueConfig

VERSION_KEY = "equeue:version:{centre_id}"


def version_key(centre_id: int) -> str:
    return VERSION_KEY.format(centre_id=centre_id)


def current_version(centre_id: int) -> int | None:
    """The queue's version from the cache, or from the database (then cached)."""
    key = version_key(centre_id)
    version = cache.get(key)
    if version is None:
        version = QueueConfig.objects.filter(centre_id=centre_id).values_list("version", flat=True).first()
        if version is not None:
            cache.set(key, version, timeout=None)
    return version


def announce(centre_id: int) -> None:
    version = QueueConfig.objects.filter(centre_id=centre_id).values_list("version", flat=True).first()
    if version is None:
        return
    cache.set(version_key(centre_id), version, timeout=None)
    from cipnet.equeue import broker

    broker.publish(centre_id, version)
