"""Telling boards and status pages that a centre's queue changed.

`announce(centre_id)` runs after a write commits: it stores the queue's version in the cache
(so a board polling with an ETag gets `304 Not Modified` without touching the database) and
publishes it to the listeners (see `broker`).

The cache also maps a board's slug and a ticket's code to the centre, so that answering
"nothing changed" needs no database query at all."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import DatabaseError

from cipnet.equeue.models import QueueConfig, Ticket

logger = logging.getLogger(__name__)

VERSION_KEY = "equeue:version:{centre_id}"
SLUG_KEY = "equeue:slug:{slug}"
CODE_KEY = "equeue:code:{code}"

#: A cached version is refreshed from the database at least this often. `announce` keeps it
#: current within a process (and across processes with a shared Redis cache); the expiry only
#: bounds staleness after a write made elsewhere (a shell, a second process on a local cache).
VERSION_TTL = 30
#: A board's slug → centre id. Short, so a queue switched off stops answering within a minute.
SLUG_TTL = 60
#: A ticket's code → centre id never changes; kept for a day (tickets are for the day).
CODE_TTL = 24 * 3600


def version_key(centre_id: int) -> str:
    return VERSION_KEY.format(centre_id=centre_id)


def current_version(centre_id: int) -> int | None:
    """The queue's version from the cache, or from the database (then cached)."""
    key = version_key(centre_id)
    version = cache.get(key)
    if version is None:
        version = QueueConfig.objects.filter(centre_id=centre_id).values_list("version", flat=True).first()
        if version is not None:
            # `add`, not `set`: an `announce` that ran since our read holds a newer version.
            cache.add(key, version, timeout=VERSION_TTL)
    return version


def remember_version(centre_id: int, version: int) -> None:
    cache.set(version_key(centre_id), version, timeout=VERSION_TTL)


def remember_slug(slug: str, centre_id: int) -> None:
    cache.set(SLUG_KEY.format(slug=slug), centre_id, timeout=SLUG_TTL)


def cached_centre_for_slug(slug: str) -> int | None:
    return cache.get(SLUG_KEY.format(slug=slug))


def centre_for_code(code: str) -> int | None:
    """The centre of a ticket by its code (cached; None for an unknown code)."""
    if len(code) > 24:
        return None
    key = CODE_KEY.format(code=code)
    centre_id = cache.get(key)
    if centre_id is None:
        centre_id = Ticket.objects.filter(code=code).values_list("centre_id", flat=True).first()
        if centre_id is not None:
            cache.set(key, centre_id, timeout=CODE_TTL)
    return centre_id


def etag(centre_id: int, version: int) -> str:
    """The strong ETag of everything shown about a centre's queue at this version."""
    return f'"{centre_id}-{version}"'


def announce(centre_id: int) -> None:
    """Runs after the write committed, so it must not fail the write's caller: when the version
    cannot be read (a busy database), the cached one is forgotten and boards read the database."""
    try:
        version = QueueConfig.objects.filter(centre_id=centre_id).values_list("version", flat=True).first()
    except DatabaseError:
        cache.delete(version_key(centre_id))
        logger.warning("queue %s changed but its version could not be read; boards will ask the database", centre_id)
        return
    if version is None:
        return
    remember_version(centre_id, version)
    from cipnet.equeue import broker

    broker.publish(centre_id, version)
