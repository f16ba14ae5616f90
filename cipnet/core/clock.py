"""Time in the network's zone. Store UTC, compute and show Europe/Kyiv."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

KYIV = ZoneInfo("Europe/Kyiv")


def now() -> dt.datetime:
    return timezone.now()


def local(moment: dt.datetime) -> dt.datetime:
    if timezone.is_naive(moment):
        raise ValueError("aware datetime required")
    return moment.astimezone(KYIV)


def at(day: dt.date, time: dt.time) -> dt.datetime:
    """The aware moment in Kyiv for a local date and wall-clock time."""
    return dt.datetime.combine(day, time, tzinfo=KYIV)
