"""The queue's event log: every write of a `TicketEvent` goes through here, called by the
services inside the transaction that changes the ticket (who, what, when, where, details)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cipnet.accounts.models import User
from cipnet.equeue.models import Ticket, TicketEvent


def record_ticket_event(
    ticket: Ticket, kind: str, *, at: dt.datetime, actor: User | None = None, **detail: Any
) -> TicketEvent:
    """Append what happened to the ticket, at the desk it is at now."""
    return TicketEvent.objects.create(
        ticket=ticket, centre_id=ticket.centre_id, kind=kind, at=at, desk=ticket.desk, actor=actor, detail=detail
    )
