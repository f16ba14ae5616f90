"""How many new cases may be started in an hour: 20 from one account, 10 from one address without
an account (a library's shared connection serves many people). One rule for the form and the API
(`services.appeal_file` asks it), counted from the database in the case's own transaction: every
process sees the same count, a refused or rolled-back case uses up nothing, and a retried
idempotency key (the same case) is not a new one."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import uuid

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from cipnet.accounts.models import User
from cipnet.appeals.models import Appeal, CaseStart
from cipnet.core.clock import now
from cipnet.core.errors import TooManyRequests

ACCOUNT_PER_HOUR = 20
ADDRESS_PER_HOUR = 10
WINDOW = dt.timedelta(hours=1)


def who_starts(*, actor: User | None, address: str) -> tuple[str, int]:
    """The counter a new case goes to, and its limit: the account, or (without one) the address,
    kept as a keyed hash."""
    if actor is not None and actor.is_authenticated:
        return f"account:{actor.pk}", ACCOUNT_PER_HOUR
    digest = hmac.new(settings.SECRET_KEY.encode(), (address or "unknown").encode(), hashlib.sha256)
    return f"address:{digest.hexdigest()[:40]}", ADDRESS_PER_HOUR


def count_new_case(*, actor: User | None, address: str, idempotency_key: uuid.UUID | None) -> None:
    """Count one new case, or refuse it (429, with the seconds until the oldest of the hour's cases
    leaves the window). Call inside the transaction that saves the case. A key already used is not
    a new case (the service returns or refuses that case itself)."""
    if idempotency_key is not None and Appeal.objects.filter(idempotency_key=idempotency_key).exists():
        return
    who, limit = who_starts(actor=actor, address=address)
    if connection.vendor == "postgresql":
        # Two requests of the same author count one after the other (SQLite's IMMEDIATE
        # transactions already do); the lock ends with the transaction.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"cipnet-case-start:{who}"])
    moment = now()
    CaseStart.objects.filter(who=who, created_at__lt=moment - WINDOW).delete()
    recent = list(CaseStart.objects.filter(who=who).order_by("created_at").values_list("created_at", flat=True))
    if len(recent) >= limit:
        wait = (recent[len(recent) - limit] + WINDOW - moment).total_seconds()
        raise TooManyRequests(
            _("Too many cases were sent from here in the last hour. Please try again later."),
            retry_after=math.ceil(wait),
        )
    CaseStart.objects.create(who=who, created_at=moment)
