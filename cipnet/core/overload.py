"""Overload of the database: no free connection in the process's pool within its timeout
(`psycopg_pool.PoolTimeout`, or `TooManyRequests` when its queue is full), or PostgreSQL refusing
another client ("too many clients already", a role's connection limit, the reserved slots).

Nothing was done and the request may be repeated, so the pages (`cipnet.core.middleware`) and the
API (`cipnet.api.errors`) answer 503 with `Retry-After`, quickly, instead of a 500."""

from __future__ import annotations

from django.utils.translation import gettext

#: Seconds a client is asked to wait before trying again (the `Retry-After` header).
RETRY_AFTER_SECONDS = 5

#: PostgreSQL's too_many_connections and cannot_connect_now, when the driver reports a SQLSTATE.
OVERLOAD_SQLSTATES = frozenset({"53300", "57P03"})
#: How the server words it when refusing a new connection (psycopg gives no SQLSTATE then).
OVERLOAD_MESSAGES = ("too many clients", "too many connections", "remaining connection slots are reserved")


def is_overload(exc: BaseException) -> bool:
    """Whether `exc`, or an exception it was raised from, says the database has no room for this request."""
    from django.db import OperationalError as DjangoOperationalError

    try:
        from psycopg import OperationalError as DriverOperationalError
        from psycopg_pool import PoolTimeout, TooManyRequests
    except ImportError:  # pragma: no cover - SQLite-only installs
        pool_errors: tuple[type[BaseException], ...] = ()
        operational: tuple[type[BaseException], ...] = (DjangoOperationalError,)
    else:
        pool_errors = (PoolTimeout, TooManyRequests)
        operational = (DjangoOperationalError, DriverOperationalError)

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if pool_errors and isinstance(current, pool_errors):
            return True
        if isinstance(current, operational):
            if getattr(current, "sqlstate", None) in OVERLOAD_SQLSTATES:
                return True
            message = str(current).lower()
            if any(words in message for words in OVERLOAD_MESSAGES):
                return True
        current = current.__cause__ or current.__context__
    return False


def overloaded_message() -> str:
    """What the API (and the admission gate) says with the 503."""
    return gettext("The service is busy. Please try again in a few seconds.")
