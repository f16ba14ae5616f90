"""Who is called next: a pure rule, tested as a table.

Tickets transferred to this very desk come first (they have waited once already). Then
priority tickets (people with disabilities, pregnant women, parents of small children,
people over 75 …) before ordinary ones — but never more than `max_streak` priority calls
in a row at a desk while an ordinary ticket waits, so nobody waits for ever. Within each
group, the earliest place in line wins (`queued_at`, then the ticket id).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    id: int
    queued_at: dt.datetime
    is_priority: bool = False
    for_this_desk: bool = False


@dataclass(frozen=True)
class Choice:
    ticket_id: int
    #: The desk's priority streak after this call.
    streak: int


def _key(c: Candidate) -> tuple[dt.datetime, int]:
    return c.queued_at, c.id


def choose_next(candidates: Iterable[Candidate], *, streak: int, max_streak: int) -> Choice | None:
    waiting = list(candidates)
    if not waiting:
        return None
    transferred = [c for c in waiting if c.for_this_desk]
    if transferred:
        chosen = min(transferred, key=_key)
        return Choice(chosen.id, streak + 1 if chosen.is_priority else 0)
    priority = [c for c in waiting if c.is_priority]
    ordinary = [c for c in waiting if not c.is_priority]
    if priority and (not ordinary or streak < max_streak):
        return Choice(min(priority, key=_key).id, streak + 1)
    return Choice(min(ordinary, key=_key).id, 0)
