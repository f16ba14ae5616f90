"""The case's event log: every `AppealEvent` is written here, by the services (and the ingest and
reminder use cases), in the same transaction as the change it records."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AnonymousUser

from cipnet.accounts.models import User
from cipnet.appeals.models import Appeal, AppealEvent
from cipnet.core.clock import now


def record_case_event(
    appeal: Appeal,
    kind: str,
    actor: User | AnonymousUser | None = None,
    *,
    at: dt.datetime | None = None,
    before: str = "",
    note: str = "",
    public: bool = True,
    data: dict[str, object] | None = None,
    **details: object,
) -> AppealEvent:
    """One entry of the case's history: `before` is the status it left (the new one is the case's
        status now); `public` entries are shown to the author; `data` (keys that are not names, e.g.
    "from") and `details` are stored together, without None values."""
    return AppealEvent.objects.create(
        appeal=appeal,
        kind=kind,
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        at=at or now(),
        status_from=before,
        status_to=appeal.status if before else "",
        note=note,
        data={k: v for k, v in {**(data or {}), **details}.items() if v is not None},
        public=public,
    )
